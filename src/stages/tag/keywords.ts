// Keywords: per paper, the terms and phrases (1 to 3 content words) with the highest TF-IDF against
// corpus statistics. Scoring is on stems; each keyword is shown in its most common written form in
// the paper. Corpus statistics come from a first pass (KeywordStatsBuilder) or from a saved model,
// and scoring a paper touches only that paper's n-grams: nothing is quadratic in the corpus size.
import { type DocTokens, stemIdOfWord } from './lexicon.js';
import { type DocGrams, docGrams, docNgrams, GramCounter, type NgramBuffer, NgramTable, NO_STEM } from './ngrams.js';

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
// By stem id: 1 for the stems of PROSE_WORDS (all interned when this is built, so any later stem is not one).
let proseStems: Uint8Array | undefined;
function proseTable(): Uint8Array {
  if (!proseStems) {
    const ids = PROSE_WORDS.map(stemIdOfWord);
    let max = 0;
    for (const id of ids) if (id > max) max = id;
    proseStems = new Uint8Array(max + 1);
    for (const id of ids) if (id >= 0) proseStems[id] = 1;
  }
  return proseStems;
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
  private readonly counter = new GramCounter(1 << 14);
  private documents = 0;
  private pruneLevel = 0;

  constructor(
    private readonly maxWords = DEFAULT_KEYWORD_OPTIONS.maxWords,
    private readonly maxEntries = 4_000_000,
  ) {}

  add(doc: DocTokens): void {
    this.documents++;
    // Each distinct n-gram of the paper once.
    const g = docGrams(doc);
    const t = this.counter;
    const maxWords = this.maxWords;
    const ga = g.a;
    const gb = g.b;
    const gc = g.c;
    const gn = g.n;
    for (let e = 0; e < g.size; e++) if (gn[e] <= maxWords) t.increment(ga[e], gb[e], gc[e]);
    if (t.size > this.maxEntries) {
      // Drop the rarest until at most half the budget is used.
      while (t.size > this.maxEntries / 2) t.prune(++this.pruneLevel);
    }
  }

  finish(): KeywordStats {
    return new KeywordStats(this.counter.toTable(), this.documents);
  }
}

/** Extracts keywords of one paper at a time, reusing its buffers. */
export class KeywordExtractor {
  private score = new Float64Array(256);
  private ord = new Uint8Array(256);
  private first = new Int32Array(256);
  private cand = new Int32Array(256);

  constructor(
    readonly stats: KeywordStats,
    readonly options: KeywordOptions = DEFAULT_KEYWORD_OPTIONS,
  ) {}

  extract(doc: DocTokens): string[] {
    if (this.options.count <= 0) return [];
    return this.extractResolved(doc, docGrams(doc), null);
  }

  /**
   * As extract, with the document frequency of each distinct n-gram of the paper already looked up
   * (dfOf[e] for g's n-gram e, for those of at most maxWords words; see GramIndex).
   */
  extractResolved(doc: DocTokens, g: DocGrams, dfOf: Int32Array | null): string[] {
    const { count, maxWords, titleWeight } = this.options;
    if (count <= 0) return [];
    const buf = docNgrams(doc);
    const m = g.size;
    if (this.score.length < m) this.grow(m);
    const score = this.score;
    const ord = this.ord;
    const first = this.first;
    const cand = this.cand;
    const prose = proseTable();
    const proseLimit = prose.length;
    const stats = this.stats;
    const n = stats.documents;
    const ga = g.a;
    const gb = g.b;
    const gc = g.c;
    const gn = g.n;
    const gCount = g.count;
    const gTitle = g.titleCount;
    let candidates = 0;
    for (let e = 0; e < m; e++) {
      const order = gn[e];
      if (order > maxWords) continue;
      const a = ga[e];
      const last = order === 1 ? a : order === 2 ? gb[e] : gc[e];
      if ((a < proseLimit && prose[a] === 1) || (last < proseLimit && prose[last] === 1)) continue;
      const occurrences = gCount[e];
      // A word must occur at least twice; a phrase twice, or be known from other papers.
      if (occurrences < 2 && order === 1) continue;
      const df = dfOf !== null ? dfOf[e] : stats.df(a, gb[e], gc[e]);
      if (occurrences < 2 && df < 2) continue;
      const idf = this.idf(n, df);
      // Term frequency summed as a backwards scan over the occurrences would: abstract ones, then title ones.
      const inTitle = gTitle[e];
      let tf = 0;
      for (let i = inTitle; i < occurrences; i++) tf += 1;
      for (let i = 0; i < inTitle; i++) tf += titleWeight;
      score[e] = this.logTf(tf) * idf;
      ord[e] = order;
      first[e] = buf.start[g.first[e]];
      cand[candidates++] = e;
    }
    // Highest score first; ties: earlier in the paper, then shorter (a total order: no two n-grams
    // start at the same word with the same length). The loop below usually stops long before the
    // end, so candidates come off a heap in that order rather than being sorted first.
    this.heapify(candidates);
    let left = candidates;
    // Greedy: a phrase takes the place of the shorter keywords it contains; a keyword inside a chosen
    // phrase is skipped.
    const chosen: number[] = [];
    let lowest = Infinity; // smallest score among the chosen, once full
    while (left > 0) {
      const e = cand[0];
      left = this.pop(left);
      // Full, and too weak to replace anything: nothing later can be stronger (scores descend).
      if (chosen.length >= count && score[e] < 0.5 * lowest) break;
      let inside = false;
      let contains = 0;
      let best = 0;
      for (const o of chosen) {
        if (g.contains(o, e)) inside = true;
        else if (g.contains(e, o)) {
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
          if (g.contains(e, chosen[i])) {
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
    const out: string[] = [];
    for (const e of chosen) out.push(this.surface(doc, buf, g, e, gn[e]));
    return out;
  }

  // The same values Math.log gives, remembered for the small arguments that make up most calls.
  private idfCache = new Float64Array(1024);
  private idfDocuments = -1;
  private logCache = new Float64Array(64);

  /** log((1 + n) / (1 + df)) + 1 */
  private idf(n: number, df: number): number {
    if (df < 0 || df >= 1024) return Math.log((1 + n) / (1 + df)) + 1;
    if (n !== this.idfDocuments) {
      this.idfCache.fill(0);
      this.idfDocuments = n;
    }
    let v = this.idfCache[df];
    if (v === 0) {
      v = Math.log((1 + n) / (1 + df)) + 1;
      // (A value of exactly 0 is simply computed each time.)
      this.idfCache[df] = v;
    }
    return v;
  }

  /** 1 + log(tf) */
  private logTf(tf: number): number {
    if (!(tf >= 0 && tf < 64) || tf !== Math.floor(tf)) return 1 + Math.log(tf);
    let v = this.logCache[tf];
    if (v === 0) {
      v = 1 + Math.log(tf);
      this.logCache[tf] = v;
    }
    return v;
  }

  private grow(size: number): void {
    let n = this.score.length;
    while (n < size) n *= 2;
    this.score = new Float64Array(n);
    this.ord = new Uint8Array(n);
    this.first = new Int32Array(n);
    this.cand = new Int32Array(n);
  }

  /** x comes before y: higher score, then earlier first occurrence, then shorter. */
  private before(x: number, y: number): boolean {
    const sx = this.score[x];
    const sy = this.score[y];
    if (sx !== sy) return sx > sy;
    const fx = this.first[x];
    const fy = this.first[y];
    if (fx !== fy) return fx < fy;
    return this.ord[x] < this.ord[y];
  }

  /** Make cand[0, n) a heap whose top comes `before` everything else. */
  private heapify(n: number): void {
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i, n);
  }

  /** Remove the top of the heap cand[0, n); returns the new size. */
  private pop(n: number): number {
    const last = n - 1;
    this.cand[0] = this.cand[last];
    if (last > 1) this.siftDown(0, last);
    return last;
  }

  private siftDown(i: number, n: number): void {
    const cand = this.cand;
    const v = cand[i];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.before(cand[child + 1], cand[child])) child++;
      if (!this.before(cand[child], v)) break;
      cand[i] = cand[child];
      i = child;
    }
    cand[i] = v;
  }

  /** Most common written form of a local n-gram in this paper (forms in the abstract preferred). */
  private surface(doc: DocTokens, buf: NgramBuffer, g: DocGrams, e: number, order: number): string {
    const next = g.next;
    const inAbstract = g.count[e] > g.titleCount[e];
    // One occurrence to look at (the usual case): its form, and no counting.
    let only = -1;
    let considered = 0;
    for (let k = g.first[e]; k >= 0; k = next[k]) {
      if (inAbstract && buf.title[k]) continue;
      only = k;
      if (++considered > 1) break;
    }
    if (considered === 1) {
      const s = doc.span(buf.start[only], buf.start[only] + order);
      const lower = s.toLowerCase();
      // (The paper writes no other form, so the lower-case one is preferred only for Title Case.)
      if (s !== lower && !inAbstract && isTitleCased(s)) return lower;
      return s;
    }
    const forms = new Map<string, number>();
    let best = '';
    let bestN = 0;
    for (let k = g.first[e]; k >= 0; k = next[k]) {
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
