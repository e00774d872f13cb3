// Keywords: per paper, the terms and phrases (1 to 3 content words) with the highest TF-IDF against
// corpus statistics. Scoring is on stems; each keyword is shown in its most common written form in
// the paper. Corpus statistics come from a first pass (KeywordStatsBuilder) or from a saved model,
// and scoring a paper touches only that paper's n-grams: nothing is quadratic in the corpus size.
import { type DocTokens, stemIdOfWord } from './lexicon.js';
import { docNgrams, NgramBuffer, NgramTable, NO_STEM } from './ngrams.js';

export interface KeywordOptions {
  /** How many keywords per paper (0 = none). */
  count: number;
  /** Longest phrase, in content words (1 to 3). */
  maxWords: number;
  /** A title occurrence counts this many times. */
  titleWeight: number;
}

// Words of academic prose that say nothing about a paper's topic: never a keyword, nor the first or
// last word of one (on top of the general stopwords, which never enter n-grams at all).
const PROSE_WORDS = (
  'toward towards revisit revisiting rethinking improved improving improve improves improvement improvements ' +
  'better best simple simpler fast faster efficient efficiently effective effectively effectiveness generalized beyond ' +
  'exploring exploration explore leveraging leverage leverages incorporating introducing introduce introduces combating ' +
  'breaking empirical analysis whole arbitrary adorable piece named called dubbed framework frameworks experiment ' +
  'experiments experimental extensive outperform outperforms outperforming performance performances perform performs ' +
  'compared comparison superior challenge challenges challenging issue issues address addresses addressing remains ' +
  'enable enables enabling allow allows allowing offer offers offering key crucial important widely popular specifically ' +
  'particular particularly number order terms respectively leading lead leads gain gains benefit benefits require ' +
  'requires required limited limitation limitations lack especially potential promising strong demonstrating ' +
  'achieving achieves yields yield consistently substantially notably code available publicly source github com https ' +
  'http www org surprisingly remarkably increasingly growing increasing no not against end correct tighter applicable ' +
  'founded finite ii iii iv yes ' +
  // TeX that leaks into abstracts.
  'hat tilde bar mathbb mathcal mathrm mathbf mathsf mathit frac sqrt leq geq le ge cdot times infty log exp emph ' +
  'textit textbf rightarrow leftarrow to mapsto ell sum prod int partial nabla approx sim equiv neq ' +
  'alpha beta gamma delta epsilon varepsilon theta lambda mu sigma tau phi varphi psi omega rho eta kappa xi zeta'
).split(' ');
let proseStems: Set<number> | undefined;
function isProse(stem: number): boolean {
  proseStems ??= new Set(PROSE_WORDS.map(stemIdOfWord));
  return proseStems.has(stem);
}

export const DEFAULT_KEYWORD_OPTIONS: KeywordOptions = { count: 8, maxWords: 3, titleWeight: 2 };

/** Document frequencies of n-grams over a corpus. */
export class KeywordStats {
  /** Document frequency of single words by stem id (a dense array: one read instead of a hash probe). */
  private unigram: Int32Array;

  constructor(
    readonly table: NgramTable,
    public documents: number,
  ) {
    let max = -1;
    for (let e = 0; e < table.size; e++) if (table.b[e] === NO_STEM && table.a[e] > max) max = table.a[e];
    this.unigram = new Int32Array(max + 1);
    for (let e = 0; e < table.size; e++) if (table.b[e] === NO_STEM) this.unigram[table.a[e]] = table.count[e];
  }

  df(a: number, b: number, c: number): number {
    if (b === NO_STEM) return a < this.unigram.length ? this.unigram[a] : 0;
    const e = this.table.find(a, b, c);
    return e < 0 ? 0 : this.table.count[e];
  }

  /** Serializable form: n-grams seen in at least `minDf` documents, most frequent first, at most `max`. */
  toJSON(minDf = 2, max = 500_000): SerializedKeywordStats {
    const ids: number[] = [];
    for (let e = 0; e < this.table.size; e++) if (this.table.count[e] >= minDf) ids.push(e);
    const keys = ids.map((e) => this.table.key(e));
    const order = ids.map((_, i) => i);
    order.sort((x, y) => this.table.count[ids[y]] - this.table.count[ids[x]] || (keys[x] < keys[y] ? -1 : keys[x] > keys[y] ? 1 : 0));
    const kept = order.slice(0, max);
    return {
      documents: this.documents,
      min_df: minDf,
      terms: kept.map((i) => keys[i]),
      df: kept.map((i) => this.table.count[ids[i]]),
    };
  }

  static fromJSON(data: SerializedKeywordStats): KeywordStats {
    const table = new NgramTable(data.terms.length + 16);
    for (let i = 0; i < data.terms.length; i++) {
      const e = table.addKey(data.terms[i]);
      if (e >= 0) table.count[e] = data.df[i];
    }
    return new KeywordStats(table, data.documents);
  }
}

export interface SerializedKeywordStats {
  documents: number;
  min_df: number;
  terms: string[];
  df: number[];
}

/**
 * First pass: counts in how many papers each n-gram occurs. Memory is bounded: past `maxEntries`
 * distinct n-grams the rarest are dropped (lossy counting), so an n-gram seen only once or twice
 * early in a huge corpus may be under-counted; frequent ones are exact.
 */
export class KeywordStatsBuilder {
  private readonly table = new NgramTable(1 << 14);
  private readonly buffer = new NgramBuffer();
  private documents = 0;
  private pruneLevel = 0;

  constructor(
    private readonly maxWords = DEFAULT_KEYWORD_OPTIONS.maxWords,
    private readonly maxEntries = 4_000_000,
  ) {}

  add(doc: DocTokens): void {
    const docNo = this.documents++;
    const buf = this.buffer;
    buf.collect(doc, this.maxWords);
    const t = this.table;
    for (let k = 0; k < buf.length; k++) {
      const e = t.add(buf.a[k], buf.b[k], buf.c[k]);
      if (t.last[e] !== docNo) {
        t.last[e] = docNo;
        t.count[e]++;
      }
    }
    if (t.size > this.maxEntries) {
      // Drop the rarest until at most half the budget is used.
      while (t.size > this.maxEntries / 2) t.prune(++this.pruneLevel);
    }
  }

  finish(): KeywordStats {
    return new KeywordStats(this.table, this.documents);
  }
}

/** Extracts keywords of one paper at a time, reusing its buffers. */
export class KeywordExtractor {
  private readonly local = new NgramTable(1024);
  private tf = new Float64Array(1024);
  private score = new Float64Array(1024);
  private ord = new Uint8Array(1024);
  private first = new Int32Array(1024);
  // Occurrence lists per local n-gram: head[e] -> first occurrence k, next[k] -> the following one.
  private head = new Int32Array(1024);
  private next = new Int32Array(4096);

  constructor(
    readonly stats: KeywordStats,
    readonly options: KeywordOptions = DEFAULT_KEYWORD_OPTIONS,
  ) {}

  extract(doc: DocTokens): string[] {
    const { count, maxWords, titleWeight } = this.options;
    if (count <= 0) return [];
    const buf = docNgrams(doc);
    const local = this.local;
    local.clear();
    if (this.next.length < buf.length) this.next = new Int32Array(buf.length * 2);
    const next = this.next;
    for (let k = buf.length - 1; k >= 0; k--) {
      if (buf.n[k] > maxWords) continue;
      const e = local.add(buf.a[k], buf.b[k], buf.c[k]);
      if (e >= this.tf.length) this.growLocal(local.a.length);
      if (local.count[e] === 0) {
        this.tf[e] = 0;
        this.head[e] = -1;
      }
      local.count[e]++;
      this.tf[e] += buf.title[k] ? titleWeight : 1;
      next[k] = this.head[e];
      this.head[e] = k; // walking backwards leaves each list in reading order
    }
    const tf = this.tf;
    const head = this.head;
    const score = this.score;
    const n = this.stats.documents;
    const m = local.size;
    if (this.ord.length < m) {
      this.ord = new Uint8Array(local.a.length);
      this.first = new Int32Array(local.a.length);
    }
    const ord = this.ord;
    const first = this.first;
    const candidates: number[] = [];
    for (let e = 0; e < m; e++) {
      const order = local.c[e] !== NO_STEM ? 3 : local.b[e] !== NO_STEM ? 2 : 1;
      const last = order === 1 ? local.a[e] : order === 2 ? local.b[e] : local.c[e];
      if (isProse(local.a[e]) || isProse(last)) continue;
      const df = this.stats.df(local.a[e], local.b[e], local.c[e]);
      // A word must occur at least twice; a phrase twice, or be known from other papers.
      if (local.count[e] < 2 && (order === 1 || df < 2)) continue;
      const idf = Math.log((1 + n) / (1 + df)) + 1;
      score[e] = (1 + Math.log(tf[e])) * idf;
      ord[e] = order;
      first[e] = buf.start[head[e]];
      candidates.push(e);
    }
    // Highest score first; ties: earlier in the paper, then shorter.
    candidates.sort((x, y) => score[y] - score[x] || first[x] - first[y] || ord[x] - ord[y]);
    // Greedy: a phrase takes the place of the shorter keywords it contains; a keyword inside a chosen
    // phrase is skipped.
    const chosen: number[] = [];
    let lowest = Infinity; // smallest score among the chosen, once full
    for (const e of candidates) {
      // Full, and too weak to replace anything: nothing later can be stronger (scores descend).
      if (chosen.length >= count && score[e] < 0.5 * lowest) break;
      let inside = false;
      let contains = 0;
      let best = 0;
      for (const o of chosen) {
        if (local.contains(o, e)) inside = true;
        else if (local.contains(e, o)) {
          contains++;
          if (score[o] > best) best = score[o];
        }
      }
      if (inside) continue;
      if (contains > 0) {
        // Only a phrase nearly as distinctive as the words it would replace.
        if (score[e] < 0.5 * best) continue;
        let at = -1;
        for (let i = chosen.length - 1; i >= 0; i--) {
          if (local.contains(e, chosen[i])) {
            chosen.splice(i, 1);
            at = i;
          }
        }
        chosen.splice(at, 0, e);
      } else if (chosen.length < count) {
        chosen.push(e);
      }
      if (chosen.length >= count) {
        lowest = Infinity;
        for (const o of chosen) if (score[o] < lowest) lowest = score[o];
      }
    }
    return chosen.map((e) => this.surface(doc, buf, e, local.order(e)));
  }

  private growLocal(size: number): void {
    const tf = new Float64Array(size);
    tf.set(this.tf);
    this.tf = tf;
    this.score = new Float64Array(size);
    const head = new Int32Array(size);
    head.set(this.head);
    this.head = head;
  }

  /** Most common written form of a local n-gram in this paper (forms in the abstract preferred). */
  private surface(doc: DocTokens, buf: NgramBuffer, e: number, order: number): string {
    const head = this.head;
    const next = this.next;
    let inAbstract = false;
    for (let k = head[e]; k >= 0; k = next[k]) if (!buf.title[k]) inAbstract = true;
    const forms = new Map<string, number>();
    let best = '';
    let bestN = 0;
    for (let k = head[e]; k >= 0; k = next[k]) {
      if (inAbstract && buf.title[k]) continue;
      const s = doc.span(buf.start[k], buf.start[k] + order);
      const c = (forms.get(s) ?? 0) + 1;
      forms.set(s, c);
      if (c > bestN) {
        best = s;
        bestN = c;
      }
    }
    // Prefer the lower-case form when the paper also writes it so ("Kernel" opening a sentence);
    // a word seen only in a Title Case title is shown in lower case; acronyms and names keep their case.
    const lower = best.toLowerCase();
    if (best !== lower && (forms.has(lower) || (!inAbstract && isTitleCased(best)))) return lower;
    return best;
  }
}

function isTitleCased(s: string): boolean {
  return /^\p{Lu}[\p{Ll}\d]*(?:[\s-]\p{Lu}?[\p{Ll}\d]*)*$/u.test(s);
}
