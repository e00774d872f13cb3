// Cluster labels by class-based TF-IDF: a term scores high when many papers of the cluster use it
// and few papers outside do. Term frequency is the share of the cluster's papers using the term;
// its inverse frequency is taken relative to the cluster (log of how much likelier the term is in
// the cluster than in the whole corpus), which keeps one-off words of small clusters out of labels.
// Candidates are stems and two-word phrases (extended to three words when the third nearly always
// comes with them); what is shown is the form writers used most, case kept for acronyms ("LLMs").
import { stem } from '../../text/tokens.js';
import type { Corpus, SampleDoc } from './corpus.js';
import { compare } from './matrix.js';

export interface LabelOptions {
  /** Terms joined into the label. */
  labelTerms: number;
  /** Terms listed per cluster. */
  topTerms: number;
}

export interface ClusterDescription {
  terms: string[];
  label: string;
}

interface Candidate {
  a: number;
  b: number; // -1 for a single word
  df: number;
  score: number;
  name: string; // stems, for tie-breaks
}

interface Chosen {
  stems: number[];
  phrase: boolean;
  df: number;
  text: string;
}

// Words of academic prose that say nothing about a topic. FILLER (verbs, adverbs, connectives)
// never ends a phrase ("learning gives"); GENERIC nouns and adjectives may head one ("language
// models", "high resolution") but never stand alone; nor do word pieces ("sub-pixel" -> "sub").
const FILLER = new Set(
  (
    'apply applies applied employ employs give gives giving refer refers hence exhibit exhibits leverage leverages leveraging ' +
    'successfully organized arranged maintain maintaining support supports designed improve improves improved perform performs ' +
    'outperform outperforms evaluate find found finding obtain obtained allow allows enable enables consider considered ' +
    'introduce introduces introduced develop developed propose capture captures achieve need needs aim aims focus focuses ' +
    'particularly typically remain remains rely relies lack lacks address addresses addressing handle handling provide ' +
    'understand effectively efficiently empirically widely despite among across towards toward analyze estimate estimates'
  )
    .split(' ')
    .map((w) => stem(w)),
);
const GENERIC = new Set(
  (
    'sub pre non multi co re semi self cross inter intra anti de un ultra super post meta hyper mid over under bi tri uni ' +
    'success successful difficult difficulty higher high low lower design designs framework frameworks main challenge ' +
    'challenges challenging limitation limitations ability key important effective efficient improvement improvements ' +
    'performance evaluation experiments experimental extensive general specific simple common better best good large small ' +
    'strong weak level levels form forms type types known real world available various particular case cases crucial ' +
    'essential fundamental underlying standard traditional typical remarkable impressive significant substantial superior ' +
    'promising potential wide range variety solution solutions issue issues able capability capabilities limited insight ' +
    'insights understanding theoretical empirical algorithm algorithms analysis analyses model models technique techniques'
  )
    .split(' ')
    .map((w) => stem(w)),
);
const NOT_ALONE = new Set([...FILLER, ...GENERIC]);

/** Class-based TF-IDF weight of a term with weight inCluster among size papers, and inAll among total. */
export function classTfIdf(inCluster: number, size: number, inAll: number, total: number): number {
  const p = inCluster / size;
  const q = inAll / total;
  return p > q ? p * Math.log(p / q) : 0;
}

/**
 * Describes k clusters from the sampled documents (docs[i] belongs to cluster labels[i], or to
 * none when -1). `eligible(term)` says whether a stem may appear alone in a label.
 */
export function describeClusters(
  corpus: Corpus,
  docs: SampleDoc[],
  labels: Int32Array,
  k: number,
  eligible: (term: number) => boolean,
  options: LabelOptions,
): ClusterDescription[] {
  const T = corpus.vocabularySize;
  const clusterDocs: number[][] = Array.from({ length: k }, () => []);
  docs.forEach((_, i) => {
    if (labels[i] >= 0) clusterDocs[labels[i]].push(i);
  });
  // Per key: papers using it (df, for the support threshold) and a weight where a paper counts
  // twice when the term is in its title (titles name the topic; abstracts also pad).
  const globalW = new Map<number, number>();
  const clusterDf: Array<Map<number, number>> = Array.from({ length: k }, () => new Map());
  const clusterW: Array<Map<number, number>> = Array.from({ length: k }, () => new Map());
  const inDoc = new Map<number, number>();
  for (let c = 0; c < k; c++) {
    for (const i of clusterDocs[c]) {
      inDoc.clear();
      const w = docs[i].words;
      const titleEnd = docs[i].titleLength;
      for (let p = 0; p < w.length; p++) {
        if (w[p] < 0) continue;
        const weight = p < titleEnd ? 2 : 1;
        const ta = corpus.wordTerm(w[p]);
        if ((inDoc.get(ta) ?? 0) < weight) inDoc.set(ta, weight);
        if (p + 1 >= w.length || w[p + 1] < 0) continue;
        const tb = corpus.wordTerm(w[p + 1]);
        if (tb === ta) continue;
        const key = T + ta * T + tb;
        if ((inDoc.get(key) ?? 0) < weight) inDoc.set(key, weight);
      }
      const cd = clusterDf[c];
      const cw = clusterW[c];
      for (const [key, weight] of inDoc) {
        cd.set(key, (cd.get(key) ?? 0) + 1);
        cw.set(key, (cw.get(key) ?? 0) + weight);
        globalW.set(key, (globalW.get(key) ?? 0) + weight);
      }
    }
  }
  const total = clusterDocs.reduce((s, l) => s + l.length, 0);
  const scoreCandidates = (c: number, support: number, distinctive: boolean): Candidate[] => {
    const size = clusterDocs[c].length;
    const list: Candidate[] = [];
    for (const [key, df] of clusterDf[c]) {
      if (df < support) continue;
      const a = key < T ? key : Math.floor((key - T) / T);
      const b = key < T ? -1 : (key - T) % T;
      if (b < 0 && (!eligible(a) || NOT_ALONE.has(corpus.terms[a]))) continue;
      if (b >= 0 && FILLER.has(corpus.terms[b])) continue; // "learning gives"
      const inCluster = clusterW[c].get(key)!;
      const score = distinctive ? classTfIdf(inCluster, size, globalW.get(key)!, total) : inCluster / size;
      if (score <= 0) continue;
      list.push({ a, b, df, score, name: b < 0 ? corpus.terms[a] : `${corpus.terms[a]} ${corpus.terms[b]}` });
    }
    return list;
  };
  const out: ClusterDescription[] = [];
  for (let c = 0; c < k; c++) {
    const size = clusterDocs[c].length;
    if (size === 0) {
      out.push({ terms: [], label: '' });
      continue;
    }
    // Terms used by at least two papers of the cluster; when none are distinctive (a single
    // cluster, or papers that share no word), the most used terms.
    let candidates = scoreCandidates(c, Math.min(2, size), true);
    if (candidates.length === 0) candidates = scoreCandidates(c, 1, false);
    candidates.sort((x, y) => y.score - x.score || compare(x.name, y.name));
    const phrases = new PhraseIndex(corpus, docs, clusterDocs[c]);
    const chosen = selectTerms(candidates, clusterDf[c], (cand) => phrases.display(cand.b < 0 ? [cand.a] : [cand.a, cand.b]), options.topTerms);
    const terms = chosen.map((ch) => ch.text);
    out.push({ terms, label: terms.slice(0, options.labelTerms).join(', ') });
  }
  return out;
}

interface Shown {
  text: string;
  stems: number[];
  /** Papers of the cluster using the shown words. */
  df: number;
}

/**
 * Best-scoring terms, each adding something new: a term whose words were all shown already is
 * skipped, and a longer phrase replaces the shorter terms it contains when most of their uses are
 * in it or when it joins terms chosen separately ("long" + "context" -> "long context").
 */
function selectTerms(candidates: Candidate[], df: Map<number, number>, display: (c: Candidate) => Shown, limit: number): Chosen[] {
  const chosen: Chosen[] = [];
  // Past the limit, later candidates may still merge chosen terms into a phrase.
  const scan = Math.min(candidates.length, limit * 4);
  for (let i = 0; i < scan; i++) {
    const cand = candidates[i];
    if (cand.b < 0 && chosen.length >= limit) continue;
    const shown = display(cand);
    const inside = chosen.filter((ch) => ch.stems.every((st) => shown.stems.includes(st)));
    const shared = chosen.filter((ch) => !inside.includes(ch) && ch.stems.filter((st) => shown.stems.includes(st)).length >= 2);
    if (shared.length) continue;
    const entry: Chosen = { stems: shown.stems, phrase: shown.stems.length > 1, df: shown.df, text: shown.text };
    if (inside.length === 0) {
      const covered = new Set(chosen.flatMap((ch) => ch.stems));
      if (chosen.length >= limit || shown.stems.every((st) => covered.has(st))) continue;
      if (chosen.some((ch) => ch.text === shown.text)) continue;
      chosen.push(entry);
      continue;
    }
    const insideStems = new Set(inside.flatMap((ch) => ch.stems));
    const joinsAll = inside.length > 1 && shown.stems.every((st) => insideStems.has(st));
    const insideDf = Math.max(...inside.map((ch) => (ch.phrase ? ch.df : (df.get(ch.stems[0]) ?? ch.df))));
    if (!joinsAll && shown.df < 0.5 * insideDf) continue;
    chosen[chosen.indexOf(inside[0])] = entry;
    for (const ch of inside.slice(1)) chosen.splice(chosen.indexOf(ch), 1);
  }
  return chosen.slice(0, limit);
}

/** Where each stem occurs in a cluster's sampled papers, to find and spell phrases. */
class PhraseIndex {
  private readonly at = new Map<number, number[]>(); // stem -> [doc, position, doc, position, ...]

  constructor(
    private readonly corpus: Corpus,
    private readonly docs: SampleDoc[],
    members: number[],
  ) {
    for (const i of members) {
      const w = docs[i].words;
      for (let p = 0; p < w.length; p++) {
        if (w[p] < 0) continue;
        const t = corpus.wordTerm(w[p]);
        let list = this.at.get(t);
        if (!list) this.at.set(t, (list = []));
        list.push(i, p);
      }
    }
  }

  /** Start positions of a stem sequence: [doc, position, ...]. */
  private find(stems: number[]): number[] {
    const first = this.at.get(stems[0]) ?? [];
    if (stems.length === 1) return first;
    const out: number[] = [];
    for (let k = 0; k < first.length; k += 2) {
      const w = this.docs[first[k]].words;
      const p = first[k + 1];
      let ok = p + stems.length <= w.length;
      for (let j = 1; ok && j < stems.length; j++) ok = w[p + j] >= 0 && this.corpus.wordTerm(w[p + j]) === stems[j];
      if (ok) out.push(first[k], p);
    }
    return out;
  }

  /**
   * The shown form of a stem sequence: grown by a neighbouring word that accompanies it in at
   * least 60% of its uses ("tangent" -> "neural tangent kernel"), up to three words, then spelled
   * as writers spell it most.
   */
  display(start: number[]): Shown {
    let stems = start;
    let hits = this.find(stems);
    while (stems.length < 3 && hits.length > 0) {
      const next = new Map<string, number>();
      const nextDocs = new Map<string, Set<number>>();
      const note = (key: string, doc: number) => {
        bump(next, key);
        let set = nextDocs.get(key);
        if (!set) nextDocs.set(key, (set = new Set()));
        set.add(doc);
      };
      for (let k = 0; k < hits.length; k += 2) {
        const w = this.docs[hits[k]].words;
        const p = hits[k + 1];
        const q = p + stems.length;
        if (q < w.length && w[q] >= 0) note(`+${this.corpus.wordTerm(w[q])}`, hits[k]);
        if (p > 0 && w[p - 1] >= 0) note(`-${this.corpus.wordTerm(w[p - 1])}`, hits[k]);
      }
      let best = '';
      let bestCount = 0;
      for (const [key, count] of [...next].sort((x, y) => compare(x[0], y[0]))) {
        if (count > bestCount) {
          best = key;
          bestCount = count;
        }
      }
      // Most uses, by at least two papers, and not a filler word ("... learning gives").
      if (!best || bestCount < 0.6 * (hits.length / 2) || nextDocs.get(best)!.size < 2) break;
      const t = Number(best.slice(1));
      if (stems.includes(t) || FILLER.has(this.corpus.terms[t])) break;
      stems = best[0] === '+' ? [...stems, t] : [t, ...stems];
      hits = this.find(stems);
    }
    const forms = new Map<string, number>();
    const docsUsing = new Set<number>();
    for (let k = 0; k < hits.length; k += 2) {
      const w = this.docs[hits[k]].words;
      const p = hits[k + 1];
      docsUsing.add(hits[k]);
      bump(forms, Array.from(w.subarray(p, p + stems.length), (id) => this.corpus.words[id]).join(' '));
    }
    return { text: pickForm(forms), stems, df: docsUsing.size };
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Lower case when at least a quarter of uses are lower case; otherwise the most common spelling. */
export function pickForm(forms: Map<string, number>): string {
  const lowerForms = new Map<string, number>();
  let total = 0;
  let lower = 0;
  for (const [form, count] of forms) {
    total += count;
    if (form === form.toLowerCase()) {
      lowerForms.set(form, count);
      lower += count;
    }
  }
  const pool = lower > 0 && lower >= 0.25 * total ? lowerForms : forms;
  let best = '';
  let bestCount = -1;
  for (const [form, count] of [...pool].sort((x, y) => compare(x[0], y[0]))) {
    if (count > bestCount) {
      best = form;
      bestCount = count;
    }
  }
  return best;
}
