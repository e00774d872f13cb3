// Pass 1 of dedupe: each record is reduced to compact features in typed-array columns; resolve()
// generates candidate pairs from identifier, title and MinHash-LSH buckets (each record compared
// with a bounded window of earlier bucket members, never all pairs), judges each pair with one
// rule set, and joins accepted pairs with a guarded union-find.
//
// A group is judged through its "view": for each field, the member that will supply it in the
// merged output (the most complete member first, then the others by rank, as mergeGroup fills;
// the DOI and arXiv id are the group's, from whichever member has them, as mergeGroup writes them).
// After the record-level round, rounds over views repeat until none merges: the output is then a
// fixpoint, so deduping it again finds nothing (idempotence by construction, not by luck).
import { normalizeArxivId, normalizeDoi, parseYear, type Paper } from '../../record.js';
import { BytePool, Column, U32List, radixSortByKey } from './columns.js';
import {
  authorKeys, contentWordCount, differByQualifier, foldText, foldedWordHashes, hasSeriesMarker, isGenericTitleText, leadingContentWords, numberTokens,
} from './fold.js';
import { combine, hashString, key64 } from './hash.js';
import { bandKey, bandKeys, createMinHasher, estimateJaccard, type MinHasher } from './minhash.js';
import { completeness, isEmptyValue } from './merge.js';
import { DedupePlan } from './plan.js';
import { DEFAULT_DEDUPE_OPTIONS, MATCH_RULES, type DedupeOptions, type MatchRule } from './types.js';

const F_TEXT = 1; // has an abstract signature
const F_GENERIC_LIST = 2; // title is a known generic title
const F_TITLE = 4; // has a title with letters or digits

// Fields whose source a view tracks, in slot order, and the extra slots of a side.
const FIELDS = ['title', 'abstract', 'authors', 'year', 'date', 'doi', 'arxiv_id', 'venue'] as const;
const S_T = 0;
const S_X = 1;
const S_N = 2;
const S_Y = 3;
const S_D = 4;
const S_I = 5;
const S_R = 6;
const S_V = 7;
const S_ID = 8; // the record whose id the output carries (the survivor)
const S_GEN = 9; // 1 when the title is generic by frequency in the current round
const SLOTS = 10;
const MAX_ROUNDS = 50;

const MAX_TITLE_BYTES = 400;
const MAX_AUTHORS = 64;
const PREFIX_WORDS = 3;
const ARXIV_DOI = /^10\.48550\/arxiv\.(.+)$/;
const WORD_SEED = 0x3a8f05c5;

export interface Verdict {
  rule: MatchRule;
  score: number;
}

function checkOptions(o: DedupeOptions): void {
  const num = (name: keyof DedupeOptions, min: number, max: number, integer = false) => {
    const v = o[name] as unknown;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw new RangeError(`dedupe option ${name} must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got ${String(v)}`);
    }
  };
  num('yearGap', 0, 100, true);
  num('textYearGap', 0, 100, true);
  for (const name of ['nearTitleThreshold', 'authorOverlap', 'textThreshold', 'textTitleThreshold', 'titleTextThreshold', 'textAuthorOverride'] as const) {
    num(name, 0, 1);
  }
  num('minAbstractWords', 1, 100_000, true);
  num('genericTitleWords', 0, 100, true);
  num('genericTitleFrequency', 2, 1_000_000, true);
  num('prefixMinWords', 1, 100, true);
  num('bucketWindow', 1, 10_000, true);
  num('shingleWords', 1, 10, true);
  for (const name of ['titleBands', 'titleRows', 'textBands', 'textRows'] as const) num(name, 1, 256, true);
  num('seed', 0, 0xffffffff, true);
  for (const [b, r] of [
    [o.titleBands, o.titleRows],
    [o.textBands, o.textRows],
  ]) {
    const k = b * r;
    if (k < 2 || k > 256) throw new RangeError(`dedupe bands x rows must be in 2..256, got ${b} x ${r}`);
  }
}


/** A pair of 64-bit keys read from a column, or none. */
type KeyCol = Column<Uint32Array>;

export class DedupeIndex {
  readonly options: DedupeOptions;
  private n = 0;
  private readonly present = new Column(Uint8Array); // bit k: FIELDS[k] is not empty
  private readonly idKey = new Column(Uint32Array, 2);
  private readonly doiKey = new Column(Uint32Array, 2); // a DOI that is not arXiv's own
  private readonly doiArxKey = new Column(Uint32Array, 2); // the arXiv id inside an arXiv DataCite DOI
  private readonly arxKey = new Column(Uint32Array, 2); // from arxiv_id
  private readonly titleKey = new Column(Uint32Array, 2);
  private readonly prefixKey = new Column(Uint32Array, 2);
  private readonly titleRef = new Column(Uint32Array);
  private readonly titleLen = new Column(Uint16Array);
  private readonly titlePool = new BytePool();
  private readonly titleBandKeys: Column<Uint32Array>;
  private readonly words = new Column(Uint8Array);
  private readonly flags = new Column(Uint8Array);
  private readonly yearOwn = new Column(Uint16Array);
  private readonly yearDate = new Column(Uint16Array);
  private readonly venue = new Column(Uint32Array);
  private readonly numbers = new Column(Uint32Array);
  private readonly nameRef = new Column(Uint32Array);
  private readonly nameCount = new Column(Uint8Array);
  private readonly names = new U32List(4096);
  private readonly textSig: Column<Uint8Array>;
  private readonly textSize = new Column(Uint16Array);
  private readonly score = new Column(Float64Array);
  private readonly titleHasher: MinHasher;
  private readonly textHasher: MinHasher;
  private readonly titleSigBuf: Uint8Array;
  private readonly decoder = new TextDecoder();
  private shingleBuf: Uint32Array = new Uint32Array(1024);
  private wordBuf: Uint32Array = new Uint32Array(1024);
  private resolved = false;

  constructor(options: Partial<DedupeOptions> = {}) {
    const o: DedupeOptions = { ...DEFAULT_DEDUPE_OPTIONS };
    for (const key of Object.keys(options) as Array<keyof DedupeOptions>) {
      if (options[key] !== undefined) (o as unknown as Record<string, unknown>)[key] = options[key];
    }
    checkOptions(o);
    this.options = o;
    this.titleHasher = createMinHasher(o.titleBands * o.titleRows, o.seed ^ 0x7f4a7c15);
    this.textHasher = createMinHasher(o.textBands * o.textRows, o.seed ^ 0x1b873593);
    this.titleSigBuf = new Uint8Array(this.titleHasher.k);
    this.titleBandKeys = new Column(Uint32Array, o.titleBands);
    this.textSig = new Column(Uint8Array, this.textHasher.k);
  }

  get size(): number {
    return this.n;
  }

  /** Pass 1: reduce one record to its features. Records are numbered in call order from 0. */
  add(record: Paper): void {
    if (this.resolved) throw new Error('DedupeIndex.add after resolve()');
    const i = this.n++;
    const o = this.options;
    let present = 0;
    for (let k = 0; k < FIELDS.length; k++) if (Object.hasOwn(record, FIELDS[k]) && !isEmptyValue(record[FIELDS[k]])) present |= 1 << k;
    this.present.set(i, present);
    this.setKey(this.idKey, i, typeof record.id === 'string' ? record.id : String(record.id));

    const doi = typeof record.doi === 'string' ? normalizeDoi(record.doi) : undefined;
    // An arXiv DataCite DOI names the preprint, not a published version.
    const ad = doi ? ARXIV_DOI.exec(doi) : null;
    if (ad) {
      const a = normalizeArxivId(ad[1]);
      if (a) this.setKey(this.doiArxKey, i, a.toLowerCase());
    } else if (doi) this.setKey(this.doiKey, i, doi);
    const arxiv = normalizeArxivId(record.arxiv_id);
    if (arxiv) this.setKey(this.arxKey, i, arxiv.toLowerCase());

    const title = typeof record.title === 'string' ? record.title : '';
    const folded = foldText(title);
    let flags = 0;
    if (folded) {
      flags |= F_TITLE;
      this.setKey(this.titleKey, i, folded.replace(/ /g, ''));
      // Candidates for a dropped subtitle: titles that start with the same words.
      const head = leadingContentWords(folded, PREFIX_WORDS);
      if (head) this.setKey(this.prefixKey, i, head);
      const [ref, len] = this.titlePool.add(folded, MAX_TITLE_BYTES);
      this.titleRef.set(i, ref);
      this.titleLen.set(i, len);
      const grams = titleGrams(this.titlePool.view(ref, len));
      if (this.titleHasher.sign(grams, grams.length, this.titleSigBuf)) {
        bandKeys(this.titleSigBuf, o.titleBands, o.titleRows, this.titleBandKeys.row(i));
      }
    }
    if (isGenericTitleText(folded)) flags |= F_GENERIC_LIST;
    this.words.set(i, Math.min(255, contentWordCount(folded)));
    const numbers = numberTokens(folded);
    if (numbers) this.numbers.set(i, hashString(numbers, 0x4e554d) || 1);

    const own = typeof record.year === 'number' ? record.year : parseYear(record.year);
    if (own !== undefined && Number.isInteger(own) && own > 0 && own < 65536) this.yearOwn.set(i, own);
    const dated = parseYear(record.date);
    if (dated !== undefined) this.yearDate.set(i, dated);
    if (typeof record.venue === 'string') {
      const v = foldText(record.venue).replace(/ /g, '');
      if (v) this.venue.set(i, hashString(v, 0x2f1) || 1);
    }

    // Two surname keys per author (the second 0 when there is none).
    const authors = authorKeys(record.authors);
    this.nameRef.set(i, this.names.length);
    const count = Math.min(authors.length, MAX_AUTHORS);
    this.nameCount.set(i, count);
    for (let k = 0; k < count; k++) {
      this.names.push(hashString(authors[k][0], 0x51f15e) || 1);
      this.names.push(authors[k].length > 1 ? hashString(authors[k][1], 0x51f15e) || 1 : 0);
    }

    // The text signature covers the abstract alone (titles are compared on their own), so a merged
    // record whose abstract comes from another member has that member's signature.
    const abstract = typeof record.abstract === 'string' ? record.abstract : '';
    if (abstract) {
      const words = foldedWordHashes(abstract, WORD_SEED, this.wordBuf);
      this.wordBuf = words.buffer;
      if (words.count >= o.minAbstractWords) {
        const n = this.shingles(words.buffer, words.count);
        if (this.textHasher.sign(this.shingleBuf, n, this.textSig.row(i))) {
          flags |= F_TEXT;
          this.textSize.set(i, Math.min(65535, distinctCount(this.shingleBuf, n)));
        }
      }
    }
    this.flags.set(i, flags);
    this.score.set(i, completeness(record));
  }

  private setKey(col: KeyCol, i: number, s: string): void {
    const [hi, lo] = key64(s);
    col.set(i, hi, 0);
    col.set(i, lo, 1);
  }

  /** Word shingles (from word hashes) into shingleBuf; returns their number. */
  private shingles(wordHashes: Uint32Array, words: number): number {
    const k = this.options.shingleWords;
    const count = Math.max(1, words - k + 1);
    if (this.shingleBuf.length < count) this.shingleBuf = new Uint32Array(count * 2);
    for (let s = 0; s < count; s++) {
      let h = 0x6a09e667;
      const end = Math.min(s + k, words);
      for (let w = s; w < end; w++) h = combine(h, wordHashes[w]);
      this.shingleBuf[s] = h;
    }
    return count;
  }

  /** Memory held by the pass-1 columns, in bytes. */
  bytes(): number {
    const cols = [
      this.present, this.idKey, this.doiKey, this.doiArxKey, this.arxKey, this.titleKey, this.prefixKey, this.titleRef, this.titleLen,
      this.titleBandKeys, this.words, this.flags, this.yearOwn, this.yearDate, this.venue, this.numbers, this.nameRef, this.nameCount,
      this.textSig, this.textSize, this.score,
    ];
    return cols.reduce((s, c) => s + c.bytes(), 0) + this.titlePool.bytes() + this.names.bytes();
  }

  // ---- sides: which record supplies each field ----

  /** A record on its own. */
  private recordSide(out: Int32Array, i: number, generic: number): void {
    const p = this.present.get(i);
    for (let k = 0; k < FIELDS.length; k++) out[k] = p & (1 << k) ? i : -1;
    // Identifiers come from the members that have one (mergeGroup writes the group's into the output).
    out[S_I] = this.hasKey(this.doiKey, i) ? i : -1;
    out[S_R] = this.hasKey(this.arxKey, i) || this.hasKey(this.doiArxKey, i) ? i : -1;
    out[S_ID] = i;
    out[S_GEN] = generic;
  }

  private hasKey(col: KeyCol, i: number): boolean {
    return i >= 0 && (col.get(i, 0) !== 0 || col.get(i, 1) !== 0);
  }

  private sameKey(col: KeyCol, i: number, j: number): boolean {
    return col.get(i, 0) === col.get(j, 0) && col.get(i, 1) === col.get(j, 1);
  }

  /** The record holding the side's (publisher) DOI key, or -1. */
  private doiOf(s: Int32Array): number {
    return s[S_I];
  }

  /** The record and column holding the side's arXiv id: its arxiv_id first, else its arXiv DOI. */
  private arxOf(s: Int32Array): [number, KeyCol] | undefined {
    const r = s[S_R];
    if (r < 0) return undefined;
    return [r, this.hasKey(this.arxKey, r) ? this.arxKey : this.doiArxKey];
  }

  private yearOf(s: Int32Array): number {
    const y = s[S_Y] >= 0 ? this.yearOwn.get(s[S_Y]) : 0;
    return y || (s[S_D] >= 0 ? this.yearDate.get(s[S_D]) : 0);
  }

  private titleOf(s: Int32Array): number {
    return s[S_T] >= 0 && this.flags.get(s[S_T]) & F_TITLE ? s[S_T] : -1;
  }

  private textOf(s: Int32Array): number {
    return s[S_X] >= 0 && this.flags.get(s[S_X]) & F_TEXT ? s[S_X] : -1;
  }

  private namesOf(s: Int32Array): number {
    return s[S_N] >= 0 && this.nameCount.get(s[S_N]) > 0 ? s[S_N] : -1;
  }

  // ---- similarity of records (by the record indices that supply the field) ----

  // Trigram sets of recently compared titles: a record meets many candidates in a row.
  private readonly gramCacheId = new Int32Array(64).fill(-1);
  private readonly gramCache: Uint32Array[] = new Array<Uint32Array>(64);

  private gramSet(i: number): Uint32Array {
    const slot = i & 63;
    if (this.gramCacheId[slot] === i) return this.gramCache[slot];
    const set = uniqueSorted(titleGrams(this.titlePool.view(this.titleRef.get(i), this.titleLen.get(i))));
    this.gramCacheId[slot] = i;
    this.gramCache[slot] = set;
    return set;
  }

  private titleJaccard(i: number, j: number): number {
    return sortedJaccard(this.gramSet(i), this.gramSet(j));
  }

  /** Estimated share of the smaller shingle set contained in the larger. */
  private textContainment(i: number, j: number): number {
    const jac = estimateJaccard(this.textSig.row(i), this.textSig.row(j));
    const a = this.textSize.get(i);
    const b = this.textSize.get(j);
    if (jac <= 0 || a === 0 || b === 0) return 0;
    const inter = (jac * (a + b)) / (1 + jac);
    return Math.min(1, inter / Math.min(a, b));
  }

  /** Authors of one record found in the other (by a surname key), over the shorter list; undefined when either has none. */
  private authorOverlap(i: number, j: number): number | undefined {
    if (i < 0 || j < 0) return undefined;
    const ca = this.nameCount.get(i);
    const cb = this.nameCount.get(j);
    if (ca === 0 || cb === 0) return undefined;
    const ra = this.nameRef.get(i);
    const rb = this.nameRef.get(j);
    let shared = 0;
    for (let x = 0; x < ca; x++) {
      const h1 = this.names.get(ra + 2 * x);
      const h2 = this.names.get(ra + 2 * x + 1);
      for (let y = 0; y < cb; y++) {
        const g1 = this.names.get(rb + 2 * y);
        const g2 = this.names.get(rb + 2 * y + 1);
        if (h1 === g1 || h1 === g2 || (h2 !== 0 && (h2 === g1 || h2 === g2))) {
          shared++;
          break;
        }
      }
    }
    return Math.min(1, shared / Math.min(ca, cb));
  }

  /** True when the titles differ by "erratum", "addendum", "reply"...: a different item about the same paper. */
  private qualified(i: number, j: number): boolean {
    const a = this.decoder.decode(this.titlePool.view(this.titleRef.get(i), this.titleLen.get(i)));
    const b = this.decoder.decode(this.titlePool.view(this.titleRef.get(j), this.titleLen.get(j)));
    return differByQualifier(a, b);
  }

  /** Share of the longer title covered when the shorter one is a word prefix of it, else 0. */
  private prefixCover(i: number, j: number): number {
    let a = this.titlePool.view(this.titleRef.get(i), this.titleLen.get(i));
    let b = this.titlePool.view(this.titleRef.get(j), this.titleLen.get(j));
    let short = i;
    if (a.length > b.length) {
      [a, b] = [b, a];
      short = j;
    }
    if (a.length === b.length || b[a.length] !== 32 || this.words.get(short) < this.options.prefixMinWords) return 0;
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return 0;
    if (hasSeriesMarker(this.decoder.decode(b.subarray(a.length + 1)))) return 0;
    return a.length / b.length;
  }

  /** Identifier conflict between two sides: different DOIs or different arXiv ids. */
  private conflict(a: Int32Array, b: Int32Array): boolean {
    const da = this.doiOf(a);
    const db = this.doiOf(b);
    if (da >= 0 && db >= 0 && !this.sameKey(this.doiKey, da, db)) return true;
    const xa = this.arxOf(a);
    const xb = this.arxOf(b);
    return xa !== undefined && xb !== undefined && (xa[1].get(xa[0], 0) !== xb[1].get(xb[0], 0) || xa[1].get(xa[0], 1) !== xb[1].get(xb[0], 1));
  }

  /**
   * The one rule set, whichever bucket proposed the pair. Each side says which record supplies each
   * field (a record alone, or a group's view). Returns the strongest rule that accepts, or null.
   */
  judge(a: Int32Array, b: Int32Array): Verdict | null {
    const o = this.options;
    // Conflicting identifiers veto every other rule.
    if (this.conflict(a, b)) return null;
    if (this.doiOf(a) >= 0 && this.doiOf(b) >= 0) return { rule: 'doi', score: 1 };
    if (this.arxOf(a) && this.arxOf(b)) return { rule: 'arxiv', score: 1 };
    const ti = this.titleOf(a);
    const tj = this.titleOf(b);
    if (ti < 0 || tj < 0) return null;
    const titleEqual = this.sameKey(this.titleKey, ti, tj);
    if (titleEqual && this.sameKey(this.idKey, a[S_ID], b[S_ID])) return { rule: 'id', score: 1 };

    const yi = this.yearOf(a);
    const yj = this.yearOf(b);
    const gap = yi && yj ? Math.abs(yi - yj) : 0;
    const vi = a[S_V] >= 0 ? this.venue.get(a[S_V]) : 0;
    const vj = b[S_V] >= 0 ? this.venue.get(b[S_V]) : 0;
    // Different venues in different years: a conference paper and its journal version.
    const titleGap = vi && vj && vi !== vj ? 0 : o.yearGap;
    let titleSim = -1;
    const sim = () => (titleSim >= 0 ? titleSim : (titleSim = titleEqual ? 1 : this.titleJaccard(ti, tj)));

    const xi = this.textOf(a);
    const xj = this.textOf(b);
    const bothText = xi >= 0 && xj >= 0;
    const overlap = this.authorOverlap(this.namesOf(a), this.namesOf(b));
    let text: Verdict | null = null;
    let textAgrees = true;
    if (bothText) {
      const c = this.textContainment(xi, xj);
      // Disjoint authors veto the text rule too, unless the text is all but verbatim.
      if (c >= o.textThreshold && gap <= o.textYearGap && (overlap !== 0 || c >= o.textAuthorOverride) && sim() >= o.textTitleThreshold) {
        // Different parts of a series, or an erratum and its paper, may share most of their text.
        if (titleEqual || (this.numbers.get(ti) === this.numbers.get(tj) && !this.qualified(ti, tj))) text = { rule: 'text', score: round4(c) };
      }
      textAgrees = c >= o.titleTextThreshold;
    }
    const generic = a[S_GEN] || b[S_GEN] || (this.flags.get(ti) | this.flags.get(tj)) & F_GENERIC_LIST;
    if (generic || !textAgrees || overlap === 0 || gap > titleGap) return text;
    if (titleEqual) return { rule: 'title', score: 1 };
    // With abstracts on both sides the text rule decides; fuzzy titles are for records without one.
    if (bothText) return text;
    // Near titles that number different parts of a series ("Part I" / "Part II", "X" / "X v2") stay apart.
    if ((overlap === undefined || overlap >= o.authorOverlap) && sim() >= o.nearTitleThreshold) {
      return this.numbers.get(ti) !== this.numbers.get(tj) || this.qualified(ti, tj) ? null : { rule: 'near_title', score: round4(sim()) };
    }
    // A dropped subtitle needs authors on both sides to agree; a tail like "Part II" is not a subtitle.
    if (overlap !== undefined && overlap >= o.authorOverlap) {
      const cover = this.prefixCover(ti, tj);
      if (cover > 0 && !this.qualified(ti, tj)) return { rule: 'title_prefix', score: round4(cover) };
    }
    return text;
  }

  // ---- resolve ----

  /** Find the duplicate groups. After this the index is frozen; pass 2 runs on the returned plan. */
  resolve(): DedupePlan {
    const steps = this.resolveSteps();
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /**
   * resolve() in steps: the generator yields after each bucket source (a second or two for a million
   * records), so a caller can let its event loop run between steps (signals, progress).
   */
  *resolveSteps(): Generator<void, DedupePlan, void> {
    if (this.resolved) throw new Error('DedupeIndex.resolve called twice');
    this.resolved = true;
    const n = this.n;
    const o = this.options;
    const score = new Float64Array(n);
    for (let i = 0; i < n; i++) score[i] = this.score.get(i);
    // Rank: more complete first, then earlier. The best-ranked member survives; fields are filled in rank order.
    const better = (x: number, y: number): number => (x < 0 ? y : y < 0 ? x : score[y] > score[x] || (score[y] === score[x] && y < x) ? y : x);

    const parent = new Int32Array(n);
    const size = new Int32Array(n).fill(1);
    // src[k][root]: the member supplying FIELDS[k] to the group's output; anchor: the survivor.
    const src = FIELDS.map(() => new Int32Array(n));
    const anchor = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      parent[i] = i;
      anchor[i] = i;
      const p = this.present.get(i);
      for (let k = 0; k < FIELDS.length; k++) src[k][i] = p & (1 << k) ? i : -1;
      src[S_I][i] = this.hasKey(this.doiKey, i) ? i : -1;
      src[S_R][i] = this.hasKey(this.arxKey, i) || this.hasKey(this.doiArxKey, i) ? i : -1;
    }
    const find = (i: number): number => {
      let r = i;
      while (parent[r] !== r) r = parent[r];
      while (parent[i] !== r) {
        const next = parent[i];
        parent[i] = r;
        i = next;
      }
      return r;
    };
    const viewSide = (out: Int32Array, r: number, generic: number) => {
      for (let k = 0; k < FIELDS.length; k++) out[k] = src[k][r];
      out[S_ID] = anchor[r];
      out[S_GEN] = generic;
    };

    const edgeA = new U32List();
    const edgeB = new U32List();
    const edgeRule = new U32List();
    const edgeScore = new U32List();
    const ruleIndex = new Map(MATCH_RULES.map((r, k) => [r, k]));
    let comparisons = 0;
    const SOURCES = ['doi', 'arxiv', 'id', 'title', 'prefix', 'title-lsh', 'text-lsh'] as const;
    const bySource = SOURCES.map(() => 0);
    let source = 0;
    const A = new Int32Array(SLOTS);
    const B = new Int32Array(SLOTS);
    const GA = new Int32Array(SLOTS);
    const GB = new Int32Array(SLOTS);

    /** Join two groups unless their views (their future output records) would contradict each other. */
    const union = (ra: number, rb: number, v: Verdict, ea: number, eb: number): boolean => {
      viewSide(GA, ra, 0);
      viewSide(GB, rb, 0);
      if (this.conflict(GA, GB)) return false;
      if (v.rule !== 'doi' && v.rule !== 'arxiv' && v.rule !== 'id') {
        const ya = this.yearOf(GA);
        const yb = this.yearOf(GB);
        if (ya && yb && Math.abs(ya - yb) > (v.rule === 'text' ? o.textYearGap : o.yearGap)) return false;
        if ((v.rule !== 'text' || v.score < o.textAuthorOverride) && this.authorOverlap(this.namesOf(GA), this.namesOf(GB)) === 0) return false;
      }
      const [big, small] = size[ra] > size[rb] || (size[ra] === size[rb] && ra < rb) ? [ra, rb] : [rb, ra];
      parent[small] = big;
      size[big] += size[small];
      for (let k = 0; k < FIELDS.length; k++) src[k][big] = better(src[k][big], src[k][small]);
      anchor[big] = better(anchor[big], anchor[small]);
      edgeA.push(ea);
      edgeB.push(eb);
      edgeRule.push(ruleIndex.get(v.rule)!);
      edgeScore.push(Math.round(v.score * 10000));
      return true;
    };

    /**
     * One round over `items` (record indices in round 0; group roots, in order of first appearance,
     * later). Returns the number of unions made.
     */
    const self = this;
    function* round(items: Int32Array, views: boolean): Generator<void, number, void> {
      const m = items.length;
      const runs = new RunFinder(m);
      const side = (out: Int32Array, item: number, generic: number) => (views ? viewSide(out, item, generic) : self.recordSide(out, item, generic));
      // Keys of each item, through its side.
      const S = new Int32Array(SLOTS);
      const keysOf = (pick: (s: Int32Array) => [number, KeyCol] | undefined) => {
        const hi = new Uint32Array(m);
        const lo = new Uint32Array(m);
        const has = new Uint8Array(m);
        for (let p = 0; p < m; p++) {
          side(S, items[p], 0);
          const at = pick(S);
          if (!at) continue;
          has[p] = 1;
          hi[p] = at[1].get(at[0], 0);
          lo[p] = at[1].get(at[0], 1);
        }
        return { hi, lo, has };
      };
      // Generic by frequency: a short title recurring in three or more different years names a column.
      const generic = new Uint8Array(m);
      const titles = keysOf((s) => (self.titleOf(s) >= 0 ? [self.titleOf(s), self.titleKey] : undefined));
      runs.each(titles, (run) => {
        if (run.length < o.genericTitleFrequency) return;
        side(S, items[run[0]], 0);
        if (self.words.get(self.titleOf(S)) > o.genericTitleWords) return;
        const years = new Set<number>();
        for (let k = 0; k < run.length && years.size < 3; k++) {
          side(S, items[run[k]], 0);
          const y = self.yearOf(S);
          if (y) years.add(y);
        }
        if (years.size >= 3) for (let k = 0; k < run.length; k++) generic[run[k]] = 1;
      });

      let unions = 0;
      // Pairs the judge rejected in this round: one pair often shares several buckets. A rejection
      // is final within a round (a union that changes a view starts another round anyway).
      // A 4-way set-associative table, bounded (at most 2^22 pairs, 32 MB).
      const sets = Math.min(1 << 20, Math.max(256, 1 << Math.ceil(Math.log2(o.bucketWindow * m + 1))));
      const rejectedA = new Int32Array(sets * 4).fill(-1);
      const rejectedB = new Int32Array(sets * 4);
      let evict = 0;
      const rejected = (p: number, q: number): boolean => {
        const base = (combine(p, q) & (sets - 1)) * 4;
        for (let w = base; w < base + 4; w++) if (rejectedA[w] === p && rejectedB[w] === q) return true;
        return false;
      };
      const reject = (p: number, q: number): void => {
        const base = (combine(p, q) & (sets - 1)) * 4;
        let w = base;
        while (w < base + 4 && rejectedA[w] !== -1) w++;
        if (w === base + 4) w = base + (evict++ & 3);
        rejectedA[w] = p;
        rejectedB[w] = q;
      };
      const tryPair = (p: number, q: number): void => {
        const ra = find(items[p]);
        const rb = find(items[q]);
        if (ra === rb) return;
        if (rejected(p, q)) return;
        comparisons++;
        bySource[source]++;
        if (views) {
          viewSide(A, ra, generic[p]);
          viewSide(B, rb, generic[q]);
        } else {
          self.recordSide(A, items[p], generic[p]);
          self.recordSide(B, items[q], generic[q]);
        }
        const v = self.judge(A, B);
        if (!v) {
          reject(p, q);
          return;
        }
        if (union(ra, rb, v, views ? anchor[ra] : items[p], views ? anchor[rb] : items[q])) unions++;
      };
      /** Compare each member of a bucket with up to `bucketWindow` earlier members, nearest first. */
      const scan = (run: ArrayLike<number>) => {
        for (let x = 1; x < run.length; x++) {
          const lo = Math.max(0, x - o.bucketWindow);
          for (let y = x - 1; y >= lo; y--) tryPair(run[y], run[x]);
        }
      };
      source = 0;
      runs.each(keysOf((s) => (self.doiOf(s) >= 0 ? [self.doiOf(s), self.doiKey] : undefined)), scan);
      yield;
      source = 1;
      runs.each(keysOf((s) => self.arxOf(s)), scan);
      yield;
      source = 2;
      runs.each(keysOf((s) => [s[S_ID], self.idKey]), scan);
      yield;
      source = 3;
      runs.each(titles, scan);
      yield;
      source = 4;
      runs.each(keysOf((s) => (self.titleOf(s) >= 0 && self.hasKey(self.prefixKey, self.titleOf(s)) ? [self.titleOf(s), self.prefixKey] : undefined)), scan);

      // LSH buckets, one band at a time (32-bit band keys; a chance collision only costs a judge).
      function* banded(bands: number, sourceOf: (s: Int32Array) => number, keyOf: (i: number, band: number) => number): Generator<void, void, void> {
        const from = new Int32Array(m).fill(-1);
        const has = new Uint8Array(m);
        for (let p = 0; p < m; p++) {
          side(S, items[p], 0);
          from[p] = sourceOf(S);
          has[p] = from[p] >= 0 ? 1 : 0;
        }
        const hi = new Uint32Array(m);
        for (let b = 0; b < bands; b++) {
          for (let p = 0; p < m; p++) if (from[p] >= 0) hi[p] = keyOf(from[p], b);
          runs.each({ hi, lo: undefined, has }, scan);
          yield;
        }
      }
      yield;
      source = 5;
      yield* banded(o.titleBands, (s) => self.titleOf(s), (i, b) => self.titleBandKeys.get(i, b));
      source = 6;
      yield* banded(o.textBands, (s) => self.textOf(s), (i, b) => bandKey(self.textSig.row(i), b, o.textRows));
      return unions;
    }

    // Round 0 on records; then rounds on group views until one merges nothing.
    let unions = yield* round(Int32Array.from({ length: n }, (_, i) => i), false);
    let rounds = 1;
    while (unions > 0 && rounds < MAX_ROUNDS) {
      const roots: number[] = [];
      const seen = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const r = find(i);
        if (!seen[r]) {
          seen[r] = 1;
          roots.push(r);
        }
      }
      unions = yield* round(Int32Array.from(roots), true);
      rounds++;
    }
    if (unions > 0) o.diagnostics?.warn(`dedupe stopped after ${MAX_ROUNDS} rounds; running it again may merge more`);

    const roots = new Int32Array(n);
    for (let i = 0; i < n; i++) roots[i] = find(i);
    const idHi = new Uint32Array(n);
    const idLo = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      idHi[i] = this.idKey.get(i, 0);
      idLo[i] = this.idKey.get(i, 1);
    }
    return new DedupePlan({
      roots,
      scores: score,
      edges: { a: edgeA.toArray(), b: edgeB.toArray(), rule: edgeRule.toArray(), score: edgeScore.toArray() },
      comparisons,
      comparisonsBySource: Object.fromEntries(SOURCES.map((name, k) => [name, bySource[k]])),
      rounds,
      idHi,
      idLo,
      diagnostics: o.diagnostics,
    });
  }
}

interface Keys {
  hi: Uint32Array;
  lo: Uint32Array | undefined;
  has: Uint8Array;
}

/**
 * Finds runs of equal keys, reusing its buffers across the many bucket sources of a round. Positions
 * inside a run keep their order (the order of first appearance): the radix sort is stable.
 */
class RunFinder {
  private readonly items: Uint32Array;
  private readonly keys: Uint32Array;
  private readonly tmpItems: Uint32Array;
  private readonly tmpKeys: Uint32Array;

  constructor(m: number) {
    this.items = new Uint32Array(m);
    this.keys = new Uint32Array(m);
    this.tmpItems = new Uint32Array(m);
    this.tmpKeys = new Uint32Array(m);
  }

  /** Call fn(run) for each run of two or more positions with equal keys (high half, then low half). */
  each(keys: Keys, fn: (run: ArrayLike<number>) => void): void {
    let n = 0;
    for (let p = 0; p < keys.has.length; p++) {
      if (!keys.has[p]) continue;
      this.items[n] = p;
      this.keys[n] = keys.hi[p];
      n++;
    }
    const sorted = radixSortByKey(this.items.subarray(0, n), this.keys.subarray(0, n), this.tmpItems, this.tmpKeys);
    const items = sorted.items;
    const hi = sorted.keys;
    let s = 0;
    for (let e = 1; e <= n; e++) {
      if (e < n && hi[e] === hi[s]) continue;
      if (e - s > 1) {
        const run = items.subarray(s, e);
        const lo = keys.lo;
        if (!lo) fn(run);
        else {
          // Same high half: split by the low half (rarely more than one part), keeping order in each.
          let same = true;
          for (let k = 1; k < run.length && same; k++) same = lo[run[k]] === lo[run[0]];
          if (same) fn(run);
          else {
            const parts = new Map<number, number[]>();
            for (const p of run) {
              const part = parts.get(lo[p]);
              if (part) part.push(p);
              else parts.set(lo[p], [p]);
            }
            for (const part of parts.values()) if (part.length > 1) fn(part);
          }
        }
      }
      s = e;
    }
  }
}

/** Character trigrams of a folded title (UTF-8 bytes, padded with a space at both ends) as 24-bit ints. */
export function titleGrams(bytes: Uint8Array): Uint32Array {
  const len = bytes.length + 2;
  if (len < 3) return new Uint32Array(0);
  const out = new Uint32Array(len - 2);
  let a = 32;
  let b = bytes[0];
  for (let k = 0; k < out.length; k++) {
    const c = k + 1 < bytes.length ? bytes[k + 1] : 32;
    out[k] = (a << 16) | (b << 8) | c;
    a = b;
    b = c;
  }
  return out;
}

function uniqueSorted(a: Uint32Array): Uint32Array {
  const s = a.slice().sort();
  let w = 0;
  for (let r = 0; r < s.length; r++) if (r === 0 || s[r] !== s[r - 1]) s[w++] = s[r];
  return s.subarray(0, w);
}

function sortedJaccard(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  const union = a.length + b.length - inter;
  return union === 0 ? 0 : inter / union;
}

// A reusable open-addressing set for counting distinct shingles without sorting.
const SET_BITS = 12;
const setValues = new Uint32Array(1 << SET_BITS);
const setStamps = new Uint32Array(1 << SET_BITS);
let setStamp = 0;

function distinctCount(buf: Uint32Array, count: number): number {
  if (count > 1 << (SET_BITS - 1)) return uniqueSorted(buf.subarray(0, count)).length;
  setStamp = (setStamp + 1) >>> 0;
  if (setStamp === 0) {
    setStamps.fill(0);
    setStamp = 1;
  }
  const mask = (1 << SET_BITS) - 1;
  let distinct = 0;
  for (let k = 0; k < count; k++) {
    const v = buf[k];
    let slot = (Math.imul(v, 0x9e3779b1) >>> (32 - SET_BITS)) & mask;
    for (;;) {
      if (setStamps[slot] !== setStamp) {
        setStamps[slot] = setStamp;
        setValues[slot] = v;
        distinct++;
        break;
      }
      if (setValues[slot] === v) break;
      slot = (slot + 1) & mask;
    }
  }
  return distinct;
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
