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
import { BytePool, CHUNK_BITS, CHUNK_MASK, Column, U32List, radixSortByKey } from './columns.js';
import { authorKeyHashes, differByQualifier, foldText, foldedWordHashes, hasSeriesMarker, titleFeatures } from './fold.js';
import { SEED_HI, SEED_LO, combine, fmix32, hashString } from './hash.js';
import { bandKey, createMinHasher, type MinHasher } from './minhash.js';
import { completeness, isEmptyValue } from './merge.js';
import { DedupePlan } from './plan.js';
import { DEFAULT_DEDUPE_OPTIONS, MATCH_RULES, type DedupeOptions, type MatchRule } from './types.js';

const F_TEXT = 1; // has an abstract signature
const F_GENERIC_LIST = 2; // title is a known generic title
const F_TITLE = 4; // has a title with letters or digits
const F_DOI = 8; // has a (publisher) DOI key
const F_ARX = 16; // has an arXiv id key (from arxiv_id or an arXiv DOI)

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


type KeyCol = Column<Uint32Array>;

// Bucket sources, in the order a round visits them; the title and text bands are one source each.
const K_DOI = 0;
const K_ARX = 1;
const K_ID = 2;
const K_TITLE = 3;
const K_PREFIX = 4;
const K_TBAND = 5;
const K_XBAND = 6;
const SOURCES = ['doi', 'arxiv', 'id', 'title', 'prefix', 'title-lsh', 'text-lsh'] as const;

const NAME_SEED = 0x51f15e;

export class DedupeIndex {
  readonly options: DedupeOptions;
  private n = 0;
  // ---- pass 1: columns grown in chunks ----
  private readonly presentCol = new Column(Uint8Array); // bit k: FIELDS[k] is not empty
  private readonly idCol = new Column(Uint32Array, 2);
  private readonly doiCol = new Column(Uint32Array, 2); // a DOI that is not arXiv's own
  private readonly doiArxCol = new Column(Uint32Array, 2); // the arXiv id inside an arXiv DataCite DOI
  private readonly arxCol = new Column(Uint32Array, 2); // from arxiv_id
  private readonly titleCol = new Column(Uint32Array, 2);
  private readonly prefixCol = new Column(Uint32Array, 2);
  private readonly titleRefCol = new Column(Uint32Array);
  private readonly titleLenCol = new Column(Uint16Array);
  private readonly titlePool = new BytePool();
  private readonly titleBandCols: KeyCol[]; // one column per band (a band's keys lie together)
  private readonly wordsCol = new Column(Uint8Array);
  private readonly flagsCol = new Column(Uint8Array);
  private readonly yearOwnCol = new Column(Uint16Array);
  private readonly yearDateCol = new Column(Uint16Array);
  private readonly venueCol = new Column(Uint32Array);
  private readonly numbersCol = new Column(Uint32Array);
  private readonly nameRefCol = new Column(Uint32Array);
  private readonly nameCountCol = new Column(Uint8Array);
  private readonly namesList = new U32List(4096);
  private readonly textSigCol: Column<Uint8Array>;
  private readonly textSizeCol = new Column(Uint16Array);
  private readonly scoreCol = new Column(Float64Array);
  private readonly titleHasher: MinHasher;
  private readonly textHasher: MinHasher;
  private readonly titleSigBuf: Uint8Array;
  private readonly decoder = new TextDecoder();
  private shingleBuf: Uint32Array = new Uint32Array(1024);
  private wordBuf: Uint32Array = new Uint32Array(1024);
  private gramBuf: Uint32Array = new Uint32Array(256);
  private readonly nameBuf: number[] = [];
  private resolved = false;

  // ---- resolve: the columns read in place. The narrow ones as flat arrays (record i at i); the
  // wide ones as their chunks (record i in chunk i >>> CB, at (i & CM) x width), so no copy of them
  // is ever made.
  private present: Uint8Array = new Uint8Array(0);
  private words: Uint8Array = new Uint8Array(0);
  private flags: Uint8Array = new Uint8Array(0);
  private titleLen: Uint16Array = new Uint16Array(0);
  private yearOwn: Uint16Array = new Uint16Array(0);
  private yearDate: Uint16Array = new Uint16Array(0);
  private nameCount: Uint8Array = new Uint8Array(0);
  private textSize: Uint16Array = new Uint16Array(0);
  private idKey: Uint32Array[] = [];
  private doiKey: Uint32Array[] = [];
  private doiArxKey: Uint32Array[] = [];
  private arxKey: Uint32Array[] = [];
  private titleKey: Uint32Array[] = [];
  private prefixKey: Uint32Array[] = [];
  private titleRef: Uint32Array[] = [];
  private titleBands: Uint32Array[][] = [];
  private venue: Uint32Array[] = [];
  private numbers: Uint32Array[] = [];
  private nameRef: Uint32Array[] = [];
  private names: Uint32Array = new Uint32Array(0);
  private textSig: Uint8Array[] = [];
  private textSig32: Uint32Array[] | undefined;

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
    this.titleBandCols = Array.from({ length: o.titleBands }, () => new Column(Uint32Array));
    this.textSigCol = new Column(Uint8Array, this.textHasher.k);
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
    if (Object.hasOwn(record, 'title') && !isEmptyValue(record.title)) present |= 1 << S_T;
    if (Object.hasOwn(record, 'abstract') && !isEmptyValue(record.abstract)) present |= 1 << S_X;
    if (Object.hasOwn(record, 'authors') && !isEmptyValue(record.authors)) present |= 1 << S_N;
    if (Object.hasOwn(record, 'year') && !isEmptyValue(record.year)) present |= 1 << S_Y;
    if (Object.hasOwn(record, 'date') && !isEmptyValue(record.date)) present |= 1 << S_D;
    if (Object.hasOwn(record, 'doi') && !isEmptyValue(record.doi)) present |= 1 << S_I;
    if (Object.hasOwn(record, 'arxiv_id') && !isEmptyValue(record.arxiv_id)) present |= 1 << S_R;
    if (Object.hasOwn(record, 'venue') && !isEmptyValue(record.venue)) present |= 1 << S_V;
    this.presentCol.set(i, present);
    this.setKey(this.idCol, i, typeof record.id === 'string' ? record.id : String(record.id));

    let flags = 0;
    const doi = typeof record.doi === 'string' ? normalizeDoi(record.doi) : undefined;
    // An arXiv DataCite DOI names the preprint, not a published version.
    const ad = doi ? ARXIV_DOI.exec(doi) : null;
    if (ad) {
      const a = normalizeArxivId(ad[1]);
      if (a) {
        this.setKey(this.doiArxCol, i, a.toLowerCase());
        flags |= F_ARX;
      }
    } else if (doi) {
      this.setKey(this.doiCol, i, doi);
      flags |= F_DOI;
    }
    const arxiv = normalizeArxivId(record.arxiv_id);
    if (arxiv) {
      this.setKey(this.arxCol, i, arxiv.toLowerCase());
      flags |= F_ARX;
    }

    const title = typeof record.title === 'string' ? record.title : '';
    const folded = foldText(title);
    const tf = titleFeatures(folded, PREFIX_WORDS);
    if (folded) {
      flags |= F_TITLE;
      // The key of the title without its spaces.
      this.titleCol.set(i, hashSkipping(folded, 32, SEED_HI), 0);
      this.titleCol.set(i, hashSkipping(folded, 32, SEED_LO), 1);
      if (this.titleCol.get(i, 0) === 0 && this.titleCol.get(i, 1) === 0) this.titleCol.set(i, 1, 1);
      // Candidates for a dropped subtitle: titles that start with the same words.
      if (tf.head) this.setKey(this.prefixCol, i, tf.head);
      const [ref, len] = this.titlePool.add(folded, MAX_TITLE_BYTES);
      this.titleRefCol.set(i, ref);
      this.titleLenCol.set(i, len);
      const bytes = this.titlePool.view(ref, len);
      if (this.gramBuf.length < bytes.length + 2) this.gramBuf = new Uint32Array(2 * (bytes.length + 2));
      const count = titleGramsInto(bytes, this.gramBuf);
      if (this.titleHasher.sign(this.gramBuf, count, this.titleSigBuf)) {
        const rows = o.titleRows;
        for (let b = 0; b < o.titleBands; b++) this.titleBandCols[b].set(i, bandKey(this.titleSigBuf, b, rows));
      }
    }
    if (tf.generic) flags |= F_GENERIC_LIST;
    this.wordsCol.set(i, Math.min(255, tf.contentWords));
    if (tf.numbers) this.numbersCol.set(i, hashString(tf.numbers, 0x4e554d) || 1);

    const own = typeof record.year === 'number' ? record.year : parseYear(record.year);
    if (own !== undefined && Number.isInteger(own) && own > 0 && own < 65536) this.yearOwnCol.set(i, own);
    const dated = parseYear(record.date);
    if (dated !== undefined) this.yearDateCol.set(i, dated);
    if (typeof record.venue === 'string') {
      const v = foldText(record.venue);
      if (v) this.venueCol.set(i, hashSkipping(v, 32, 0x2f1) || 1);
    }

    // Two surname keys per author (the second 0 when there is none).
    const names = this.nameBuf;
    names.length = 0;
    const authors = authorKeyHashes(record.authors, NAME_SEED, names);
    this.nameRefCol.set(i, this.namesList.length);
    const count = Math.min(authors, MAX_AUTHORS);
    this.nameCountCol.set(i, count);
    for (let k = 0; k < 2 * count; k++) this.namesList.push(names[k]);

    // The text signature covers the abstract alone (titles are compared on their own), so a merged
    // record whose abstract comes from another member has that member's signature.
    const abstract = typeof record.abstract === 'string' ? record.abstract : '';
    if (abstract) {
      const words = foldedWordHashes(abstract, WORD_SEED, this.wordBuf);
      this.wordBuf = words.buffer;
      if (words.count >= o.minAbstractWords) {
        const n = this.shingles(words.buffer, words.count);
        if (this.textHasher.sign(this.shingleBuf, n, this.textSigCol.row(i))) {
          flags |= F_TEXT;
          this.textSizeCol.set(i, Math.min(65535, distinctCount(this.shingleBuf, n)));
        }
      }
    }
    this.flagsCol.set(i, flags);
    this.scoreCol.set(i, completeness(record));
  }

  /** key64(s) into the two halves of record i in `col`. */
  private setKey(col: KeyCol, i: number, s: string): void {
    const hi = hashString(s, SEED_HI);
    const lo = hashString(s, SEED_LO);
    col.set(i, hi, 0);
    col.set(i, hi === 0 && lo === 0 ? 1 : lo, 1);
  }

  /** Word shingles (from word hashes) into shingleBuf; returns their number. */
  private shingles(wordHashes: Uint32Array, words: number): number {
    const k = this.options.shingleWords;
    const count = Math.max(1, words - k + 1);
    if (this.shingleBuf.length < count) this.shingleBuf = new Uint32Array(count * 2);
    const out = this.shingleBuf;
    if (k === 3 && words >= 3) {
      for (let s = 0; s < count; s++) out[s] = combine(combine(combine(0x6a09e667, wordHashes[s]), wordHashes[s + 1]), wordHashes[s + 2]);
      return count;
    }
    for (let s = 0; s < count; s++) {
      let h = 0x6a09e667;
      const end = Math.min(s + k, words);
      for (let w = s; w < end; w++) h = combine(h, wordHashes[w]);
      out[s] = h;
    }
    return count;
  }

  /** Memory held by the pass-1 columns, in bytes. */
  bytes(): number {
    const cols = [
      this.presentCol, this.idCol, this.doiCol, this.doiArxCol, this.arxCol, this.titleCol, this.prefixCol, this.titleRefCol, this.titleLenCol,
      ...this.titleBandCols, this.wordsCol, this.flagsCol, this.yearOwnCol, this.yearDateCol, this.venueCol, this.numbersCol, this.nameRefCol,
      this.nameCountCol, this.textSigCol, this.textSizeCol, this.scoreCol,
    ];
    return cols.reduce((s, c) => s + c.bytes(), 0) + this.titlePool.bytes() + this.namesList.bytes();
  }

  /** The columns for resolve() (read in place); returns the completeness scores. */
  private freeze(): Float64Array {
    const n = this.n;
    this.present = this.presentCol.flat(n);
    this.words = this.wordsCol.flat(n);
    this.flags = this.flagsCol.flat(n);
    this.titleLen = this.titleLenCol.flat(n);
    this.yearOwn = this.yearOwnCol.flat(n);
    this.yearDate = this.yearDateCol.flat(n);
    this.nameCount = this.nameCountCol.flat(n);
    this.textSize = this.textSizeCol.flat(n);
    this.idKey = this.idCol.chunksFor(n);
    this.doiKey = this.doiCol.chunksFor(n);
    this.doiArxKey = this.doiArxCol.chunksFor(n);
    this.arxKey = this.arxCol.chunksFor(n);
    this.titleKey = this.titleCol.chunksFor(n);
    this.prefixKey = this.prefixCol.chunksFor(n);
    this.titleRef = this.titleRefCol.chunksFor(n);
    this.titleBands = this.titleBandCols.map((c) => c.chunksFor(n));
    this.venue = this.venueCol.chunksFor(n);
    this.numbers = this.numbersCol.chunksFor(n);
    this.nameRef = this.nameRefCol.chunksFor(n);
    this.names = this.namesList.view();
    this.textSig = this.textSigCol.chunksFor(n);
    // Signatures compared four bins at a time where they fill whole 32-bit words.
    const k = this.textHasher.k;
    this.textSig32 = k % 4 === 0 ? this.textSig.map((c) => new Uint32Array(c.buffer, c.byteOffset, c.length >>> 2)) : undefined;
    // A side's title and text are only read where the field is present: keep the flags to match,
    // so a record's own title or text can be told from its flags alone.
    for (let i = 0; i < n; i++) {
      const p = this.present[i];
      if (!(p & (1 << S_T))) this.flags[i] &= ~F_TITLE;
      if (!(p & (1 << S_X))) this.flags[i] &= ~F_TEXT;
    }
    const score = new Float64Array(n);
    for (let i = 0; i < n; i++) score[i] = this.scoreCol.get(i);
    return score;
  }

  // ---- sides: which record supplies each field ----

  /** A record on its own. */
  private recordSide(out: Int32Array, i: number, generic: number): void {
    const p = this.present[i];
    for (let k = 0; k < FIELDS.length; k++) out[k] = p & (1 << k) ? i : -1;
    // Identifiers come from the members that have one (mergeGroup writes the group's into the output).
    const f = this.flags[i];
    out[S_I] = f & F_DOI ? i : -1;
    out[S_R] = f & F_ARX ? i : -1;
    out[S_ID] = i;
    out[S_GEN] = generic;
  }

  private sameKey(col: Uint32Array[], i: number, j: number): boolean {
    return keyHi(col, i) === keyHi(col, j) && keyLo(col, i) === keyLo(col, j);
  }

  /** The column holding record r's arXiv id: its arxiv_id first, else its arXiv DOI. */
  private arxColOf(r: number): Uint32Array[] {
    return keyHi(this.arxKey, r) !== 0 || keyLo(this.arxKey, r) !== 0 ? this.arxKey : this.doiArxKey;
  }

  private yearOf(s: Int32Array): number {
    const y = s[S_Y] >= 0 ? this.yearOwn[s[S_Y]] : 0;
    return y || (s[S_D] >= 0 ? this.yearDate[s[S_D]] : 0);
  }

  private titleOf(s: Int32Array): number {
    return s[S_T] >= 0 && this.flags[s[S_T]] & F_TITLE ? s[S_T] : -1;
  }

  private textOf(s: Int32Array): number {
    return s[S_X] >= 0 && this.flags[s[S_X]] & F_TEXT ? s[S_X] : -1;
  }

  private namesOf(s: Int32Array): number {
    return s[S_N] >= 0 && this.nameCount[s[S_N]] > 0 ? s[S_N] : -1;
  }

  // ---- similarity of records (by the record indices that supply the field) ----

  // Trigram sets of recently compared titles: a record meets many candidates in a row.
  private readonly gramCacheId = new Int32Array(64).fill(-1);
  private readonly gramCache: Uint32Array[] = new Array<Uint32Array>(64);

  private gramSet(i: number): Uint32Array {
    const slot = i & 63;
    if (this.gramCacheId[slot] === i) return this.gramCache[slot];
    const set = uniqueSorted(titleGrams(this.titleBytes(i)));
    this.gramCacheId[slot] = i;
    this.gramCache[slot] = set;
    return set;
  }

  private titleJaccard(i: number, j: number): number {
    return sortedJaccard(this.gramSet(i), this.gramSet(j));
  }

  /** Estimated share of the smaller shingle set contained in the larger (estimateJaccard, counted four bytes at a time). */
  private textContainment(i: number, j: number): number {
    const k = this.textHasher.k;
    let same = 0;
    if (this.textSig32) {
      const w = k >>> 2;
      const si = this.textSig32[i >>> CB];
      const sj = this.textSig32[j >>> CB];
      for (let a = (i & CM) * w, b = (j & CM) * w, end = a + w; a < end; a++, b++) {
        const x = si[a] ^ sj[b];
        // A high bit per zero byte of x (an agreeing bin), then their count.
        const z = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f);
        same += Math.imul(z >>> 7, 0x01010101) >>> 24;
      }
    } else {
      const si = this.textSig[i >>> CB];
      const sj = this.textSig[j >>> CB];
      for (let a = (i & CM) * k, b = (j & CM) * k, end = a + k; a < end; a++, b++) if (si[a] === sj[b]) same++;
    }
    const jac = Math.max(0, (same / k - CHANCE) / (1 - CHANCE));
    const a = this.textSize[i];
    const b = this.textSize[j];
    if (jac <= 0 || a === 0 || b === 0) return 0;
    const inter = (jac * (a + b)) / (1 + jac);
    return Math.min(1, inter / Math.min(a, b));
  }

  /** Authors of one record found in the other (by a surname key), over the shorter list; undefined when either has none. */
  private authorOverlap(i: number, j: number): number | undefined {
    if (i < 0 || j < 0) return undefined;
    const ca = this.nameCount[i];
    const cb = this.nameCount[j];
    if (ca === 0 || cb === 0) return undefined;
    const names = this.names;
    const ra = at32(this.nameRef, i);
    const rb = at32(this.nameRef, j);
    let shared = 0;
    for (let x = 0; x < ca; x++) {
      const h1 = names[ra + 2 * x];
      const h2 = names[ra + 2 * x + 1];
      for (let y = 0; y < cb; y++) {
        const g1 = names[rb + 2 * y];
        const g2 = names[rb + 2 * y + 1];
        if (h1 === g1 || h1 === g2 || (h2 !== 0 && (h2 === g1 || h2 === g2))) {
          shared++;
          break;
        }
      }
    }
    return Math.min(1, shared / Math.min(ca, cb));
  }

  private titleBytes(i: number): Uint8Array {
    return this.titlePool.view(at32(this.titleRef, i), this.titleLen[i]);
  }

  private titleText(i: number): string {
    return this.decoder.decode(this.titleBytes(i));
  }

  /** True when the titles differ by "erratum", "addendum", "reply"...: a different item about the same paper. */
  private qualified(i: number, j: number): boolean {
    return differByQualifier(this.titleText(i), this.titleText(j));
  }

  /** Share of the longer title covered when the shorter one is a word prefix of it, else 0. */
  private prefixCover(i: number, j: number): number {
    let a = this.titleBytes(i);
    let b = this.titleBytes(j);
    let short = i;
    if (a.length > b.length) {
      [a, b] = [b, a];
      short = j;
    }
    if (a.length === b.length || b[a.length] !== 32 || this.words[short] < this.options.prefixMinWords) return 0;
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return 0;
    if (hasSeriesMarker(this.decoder.decode(b.subarray(a.length + 1)))) return 0;
    return a.length / b.length;
  }

  /** Identifier conflict between two sides: different DOIs or different arXiv ids. */
  private conflict(a: Int32Array, b: Int32Array): boolean {
    const da = a[S_I];
    const db = b[S_I];
    if (da >= 0 && db >= 0 && !this.sameKey(this.doiKey, da, db)) return true;
    const xa = a[S_R];
    const xb = b[S_R];
    if (xa < 0 || xb < 0) return false;
    const ca = this.arxColOf(xa);
    const cb = this.arxColOf(xb);
    return keyHi(ca, xa) !== keyHi(cb, xb) || keyLo(ca, xa) !== keyLo(cb, xb);
  }

  /**
   * The one rule set, whichever bucket proposed the pair. Each side says which record supplies each
   * field (a record alone, or a group's view). Returns the strongest rule that accepts, or null.
   */
  judge(a: Int32Array, b: Int32Array): Verdict | null {
    const o = this.options;
    const ti = this.titleOf(a);
    const tj = this.titleOf(b);
    const bothIds = (a[S_I] >= 0 && b[S_I] >= 0) || (a[S_R] >= 0 && b[S_R] >= 0);
    // Most candidate pairs: no identifier on both sides, different titles, and abstracts too
    // different for the text rule, the only rule left to them. (What follows would say null too.)
    if (!bothIds) {
      if (ti < 0 || tj < 0) return null;
      const xi = this.textOf(a);
      const xj = this.textOf(b);
      if (xi >= 0 && xj >= 0 && !this.sameKey(this.titleKey, ti, tj) && this.textContainment(xi, xj) < o.textThreshold) return null;
    }
    // Conflicting identifiers veto every other rule.
    if (this.conflict(a, b)) return null;
    if (a[S_I] >= 0 && b[S_I] >= 0) return { rule: 'doi', score: 1 };
    if (a[S_R] >= 0 && b[S_R] >= 0) return { rule: 'arxiv', score: 1 };
    if (ti < 0 || tj < 0) return null;
    const titleEqual = this.sameKey(this.titleKey, ti, tj);
    if (titleEqual && this.sameKey(this.idKey, a[S_ID], b[S_ID])) return { rule: 'id', score: 1 };

    const yi = this.yearOf(a);
    const yj = this.yearOf(b);
    const gap = yi && yj ? Math.abs(yi - yj) : 0;
    const vi = a[S_V] >= 0 ? at32(this.venue, a[S_V]) : 0;
    const vj = b[S_V] >= 0 ? at32(this.venue, b[S_V]) : 0;
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
        if (titleEqual || (at32(this.numbers, ti) === at32(this.numbers, tj) && !this.qualified(ti, tj))) text = { rule: 'text', score: round4(c) };
      }
      textAgrees = c >= o.titleTextThreshold;
    }
    const generic = a[S_GEN] || b[S_GEN] || (this.flags[ti] | this.flags[tj]) & F_GENERIC_LIST;
    if (generic || !textAgrees || overlap === 0 || gap > titleGap) return text;
    if (titleEqual) return { rule: 'title', score: 1 };
    // With abstracts on both sides the text rule decides; fuzzy titles are for records without one.
    if (bothText) return text;
    // Near titles that number different parts of a series ("Part I" / "Part II", "X" / "X v2") stay apart.
    if ((overlap === undefined || overlap >= o.authorOverlap) && sim() >= o.nearTitleThreshold) {
      return at32(this.numbers, ti) !== at32(this.numbers, tj) || this.qualified(ti, tj) ? null : { rule: 'near_title', score: round4(sim()) };
    }
    // A dropped subtitle needs authors on both sides to agree; a tail like "Part II" is not a subtitle.
    if (overlap !== undefined && overlap >= o.authorOverlap) {
      const cover = this.prefixCover(ti, tj);
      if (cover > 0 && !this.qualified(ti, tj)) return { rule: 'title_prefix', score: round4(cover) };
    }
    return text;
  }

  /** Record r's key in bucket source `kind` (band `band`) into hi[p] (and lo[p]); false when it has none. */
  private keyOf(kind: number, band: number, r: number, p: number, hi: Uint32Array, lo: Uint32Array): boolean {
    let col: Uint32Array[];
    switch (kind) {
      case K_DOI:
        col = this.doiKey;
        break;
      case K_ARX:
        col = this.arxColOf(r);
        break;
      case K_ID:
        col = this.idKey;
        break;
      case K_TITLE:
        col = this.titleKey;
        break;
      case K_PREFIX:
        col = this.prefixKey;
        if (keyHi(col, r) === 0 && keyLo(col, r) === 0) return false;
        break;
      case K_TBAND:
        hi[p] = at32(this.titleBands[band], r);
        return true;
      default:
        hi[p] = this.textBandKey(r, band);
        return true;
    }
    hi[p] = keyHi(col, r);
    lo[p] = keyLo(col, r);
    return true;
  }

  /** bandKey of record r's text signature (read in place). */
  private textBandKey(r: number, b: number): number {
    const rows = this.options.textRows;
    const sig = this.textSig[r >>> CB];
    let h = 0x3c6ef372 + b;
    for (let x = (r & CM) * this.textHasher.k + b * rows, end = x + rows; x < end; x++) h = combine(h, sig[x]);
    return h;
  }

  /** The record supplying record i's own key in source `kind` (i itself), or -1 when it has none. */
  private recordMember(kind: number, i: number): number {
    const f = this.flags[i];
    switch (kind) {
      case K_DOI:
        return f & F_DOI ? i : -1;
      case K_ARX:
        return f & F_ARX ? i : -1;
      case K_ID:
        return i;
      case K_XBAND:
        return f & F_TEXT ? i : -1;
      default:
        return f & F_TITLE ? i : -1;
    }
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
   *
   * Work. Round 0 compares records; each bucket source sorts the n keys and compares each member of a
   * bucket with at most bucketWindow earlier ones (most candidate pairs are settled by the quick test
   * at the top of judge). A later round only needs the buckets that differ from round 0: a bucket
   * whose key no record of a merged group (nor a record whose generic-title flag changed) carries holds
   * the same single records, in the same order, as in round 0, where each of its pairs was judged on
   * the same sides and did not merge; such buckets are skipped, so later rounds cost little.
   */
  *resolveSteps(): Generator<void, DedupePlan, void> {
    if (this.resolved) throw new Error('DedupeIndex.resolve called twice');
    this.resolved = true;
    const n = this.n;
    const o = this.options;
    const score = this.freeze();
    const flags = this.flags;
    const titleKey = this.titleKey;
    // Rank: more complete first, then earlier. The best-ranked member survives; fields are filled in rank order.
    const better = (x: number, y: number): number => (x < 0 ? y : y < 0 ? x : score[y] > score[x] || (score[y] === score[x] && y < x) ? y : x);

    const parent = new Int32Array(n);
    const size = new Int32Array(n).fill(1);
    // src[k][root]: the member supplying FIELDS[k] to the group's output; anchor: the survivor.
    const src = FIELDS.map(() => new Int32Array(n));
    const anchor = new Int32Array(n);
    // grown[r]: r absorbed another group at some point (its view is no longer its record alone).
    const grown = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      parent[i] = i;
      anchor[i] = i;
      const p = this.present[i];
      for (let k = 0; k < FIELDS.length; k++) src[k][i] = p & (1 << k) ? i : -1;
      src[S_I][i] = flags[i] & F_DOI ? i : -1;
      src[S_R][i] = flags[i] & F_ARX ? i : -1;
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
    /** The member supplying group r's key in source `kind` (its view), or -1. */
    const viewMember = (kind: number, r: number): number => {
      switch (kind) {
        case K_DOI:
          return src[S_I][r];
        case K_ARX:
          return src[S_R][r];
        case K_ID:
          return anchor[r];
        case K_XBAND: {
          const x = src[S_X][r];
          return x >= 0 && flags[x] & F_TEXT ? x : -1;
        }
        default: {
          const t = src[S_T][r];
          return t >= 0 && flags[t] & F_TITLE ? t : -1;
        }
      }
    };

    const edgeA = new U32List();
    const edgeB = new U32List();
    const edgeRule = new U32List();
    const edgeScore = new U32List();
    const ruleIndex = new Map(MATCH_RULES.map((r, k) => [r, k]));
    let comparisons = 0;
    const bySource = SOURCES.map(() => 0);
    let source = 0;
    const A = new Int32Array(SLOTS);
    const B = new Int32Array(SLOTS);
    const GA = new Int32Array(SLOTS);
    const GB = new Int32Array(SLOTS);

    // Records that belong to a group of two or more (in order of joining).
    const dirty = new U32List();
    // In a later round, the keys of the current source that buckets must hold to be visited; a
    // record joining a group mid-source adds its key.
    const dirtyKeys = new KeySet();
    let watchKind = -1;
    let watchBand = 0;
    const oneHi = new Uint32Array(1);
    const oneLo = new Uint32Array(1);
    const markDirty = (r: number) => {
      dirty.push(r);
      if (watchKind < 0) return;
      const m = this.recordMember(watchKind, r);
      if (m >= 0 && this.keyOf(watchKind, watchBand, m, 0, oneHi, oneLo)) dirtyKeys.add(oneHi[0]);
    };

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
      if (size[ra] === 1) markDirty(ra);
      if (size[rb] === 1) markDirty(rb);
      const [big, small] = size[ra] > size[rb] || (size[ra] === size[rb] && ra < rb) ? [ra, rb] : [rb, ra];
      parent[small] = big;
      size[big] += size[small];
      grown[big] = 1;
      for (let k = 0; k < FIELDS.length; k++) src[k][big] = better(src[k][big], src[k][small]);
      anchor[big] = better(anchor[big], anchor[small]);
      edgeA.push(ea);
      edgeB.push(eb);
      edgeRule.push(ruleIndex.get(v.rule)!);
      edgeScore.push(Math.round(v.score * 10000));
      return true;
    };

    // Generic-title flags of round 0, by record.
    let generic0 = new Uint8Array(0);
    const runs = new RunFinder(n);
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    const has = new Uint8Array(n);
    const titleHi = new Uint32Array(n);
    const titleLo = new Uint32Array(n);
    const titleHas = new Uint8Array(n);
    const from = new Int32Array(n);
    const visit = new Uint8Array(n);
    // Round 0: pairs the judge rejected (one pair often shares several buckets). Only saves work:
    // a record pair's verdict does not change. A 4-way set-associative table, bounded (2^20 pairs,
    // 8 MB): most pairs never reach it (the quick test settles them).
    const sets = Math.min(1 << 18, Math.max(256, 1 << Math.ceil(Math.log2(o.bucketWindow * n + 1))));
    const rejectedA = new Int32Array(sets * 4);
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
    // Later rounds: every rejection of the round (a rejection is final within a round; a union that
    // changes a view starts another round anyway).
    const rejectedPairs = new PairSet();

    /**
     * One round over `items` (record indices in round 0; group roots, in order of first appearance,
     * later). Returns the number of unions made.
     */
    const self = this;
    function* round(items: Int32Array, views: boolean): Generator<void, number, void> {
      const m = items.length;
      const side = (out: Int32Array, item: number, g: number) => (views ? viewSide(out, item, g) : self.recordSide(out, item, g));
      const S = new Int32Array(SLOTS);
      const generic = new Uint8Array(m);
      let unions = 0;
      if (views) rejectedPairs.clear();
      else rejectedA.fill(-1);

      /** The member supplying each item's key in source `kind` (through its side) into from[]. */
      const membersOf = (kind: number): void => {
        for (let p = 0; p < m; p++) {
          const r = items[p];
          // An item that never absorbed another has its own record's fields as its view.
          from[p] = views && grown[r] ? viewMember(kind, r) : self.recordMember(kind, r);
        }
      };
      /** Keys of source `kind` (band `band`) of every item, from the members in from[]; has[p] 0 when none. */
      const keysOf = (kind: number, band: number, kh: Uint32Array, kl: Uint32Array, kx: Uint8Array): void => {
        for (let p = 0; p < m; p++) {
          const member = from[p];
          kx[p] = member >= 0 && self.keyOf(kind, band, member, p, kh, kl) ? 1 : 0;
        }
      };
      const keys: Keys = { hi, lo, has, m };
      const hiOnly: Keys = { hi, lo: undefined, has, m };
      const titles: Keys = { hi: titleHi, lo: titleLo, has: titleHas, m };

      // Generic by frequency: a short title recurring in three or more different years names a column.
      membersOf(K_TITLE);
      keysOf(K_TITLE, 0, titleHi, titleLo, titleHas);
      runs.each(titles, (run) => {
        if (run.length < o.genericTitleFrequency) return;
        side(S, items[run[0]], 0);
        if (self.words[self.titleOf(S)] > o.genericTitleWords) return;
        const years = new Set<number>();
        for (let k = 0; k < run.length && years.size < 3; k++) {
          side(S, items[run[k]], 0);
          const y = self.yearOf(S);
          if (y) years.add(y);
        }
        if (years.size >= 3) for (let k = 0; k < run.length; k++) generic[run[k]] = 1;
      });
      // Single records whose generic flag is not the one of round 0 are judged anew, like groups.
      const changed: number[] = [];
      if (!views) generic0 = generic;
      else for (let p = 0; p < m; p++) if (size[items[p]] === 1 && generic[p] !== generic0[items[p]]) changed.push(items[p]);

      const tryPair = (p: number, q: number): void => {
        const ra = find(items[p]);
        const rb = find(items[q]);
        if (ra === rb) return;
        if (!views) {
          // The quick test of judge on the two records, before the table of rejected pairs.
          const fp = flags[p];
          const fq = flags[q];
          if ((fp & fq & (F_DOI | F_ARX)) === 0) {
            const both = fp & fq;
            if (
              (both & F_TITLE) === 0 ||
              ((both & F_TEXT) !== 0 &&
                (keyHi(titleKey, p) !== keyHi(titleKey, q) || keyLo(titleKey, p) !== keyLo(titleKey, q)) &&
                self.textContainment(p, q) < o.textThreshold)
            ) {
              comparisons++;
              bySource[source]++;
              return;
            }
          }
          if (rejected(p, q)) return;
          comparisons++;
          bySource[source]++;
          self.recordSide(A, p, generic[p]);
          self.recordSide(B, q, generic[q]);
          const v = self.judge(A, B);
          if (!v) reject(p, q);
          else if (union(ra, rb, v, p, q)) unions++;
          return;
        }
        if (rejectedPairs.has(p, q)) return;
        comparisons++;
        bySource[source]++;
        viewSide(A, ra, generic[p]);
        viewSide(B, rb, generic[q]);
        const v = self.judge(A, B);
        if (!v) rejectedPairs.add(p, q);
        else if (union(ra, rb, v, anchor[ra], anchor[rb])) unions++;
      };
      /** Compare each member of a bucket with up to `bucketWindow` earlier members, nearest first. */
      const scan = (run: ArrayLike<number>) => {
        for (let x = 1; x < run.length; x++) {
          const low = Math.max(0, x - o.bucketWindow);
          for (let y = x - 1; y >= low; y--) tryPair(run[y], run[x]);
        }
      };

      /**
       * One bucket source (keys computed): its buckets in key order; in a later round, those that
       * differ from round 0.
       */
      const visitSource = (kind: number, band: number, k: Keys): void => {
        if (!views) {
          runs.each(k, scan);
          return;
        }
        dirtyKeys.clear();
        for (const list of [dirty.view(), changed]) {
          for (let x = 0; x < list.length; x++) {
            const r = self.recordMember(kind, list[x]);
            if (r >= 0 && self.keyOf(kind, band, r, 0, oneHi, oneLo)) dirtyKeys.add(oneHi[0]);
          }
        }
        if (dirtyKeys.size === 0) return;
        for (let p = 0; p < m; p++) visit[p] = k.has[p] && dirtyKeys.has(k.hi[p]) ? 1 : 0;
        // Buckets are visited in key order, as round 0 did. When a union makes more records dirty, the
        // buckets after the current one that now hold a dirty key are visited in a second pass.
        watchKind = kind;
        watchBand = band;
        const before = dirty.length;
        let stop = -1;
        runs.each({ hi: k.hi, lo: k.lo, has: visit, m }, (run, key) => {
          if (stop >= 0 && key > stop) return;
          scan(run);
          if (stop < 0 && dirty.length !== before) stop = key;
        });
        if (stop >= 0) {
          runs.each(k, (run, key) => {
            if (key > stop && dirtyKeys.has(key)) scan(run);
          });
        }
        watchKind = -1;
      };

      // Each source reads its keys when it starts (the title keys: when the round starts).
      for (const kind of [K_DOI, K_ARX, K_ID, K_TITLE, K_PREFIX]) {
        source = kind;
        if (kind === K_TITLE) visitSource(kind, 0, titles);
        else {
          membersOf(kind);
          keysOf(kind, 0, hi, lo, has);
          visitSource(kind, 0, keys);
        }
        yield;
      }
      // LSH buckets, one band at a time (32-bit band keys; a chance collision only costs a judge).
      // The members supplying the bands are read once per source.
      for (const [kind, bands] of [[K_TBAND, o.titleBands], [K_XBAND, o.textBands]]) {
        source = kind;
        membersOf(kind);
        for (let b = 0; b < bands; b++) {
          keysOf(kind, b, hi, lo, has);
          visitSource(kind, b, hiOnly);
          yield;
        }
      }
      return unions;
    }

    // Round 0 on records; then rounds on group views until one merges nothing.
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    let unions = yield* round(all, false);
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
      idHi[i] = keyHi(this.idKey, i);
      idLo[i] = keyLo(this.idKey, i);
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

const CHANCE = 1 / 256;
const CB = CHUNK_BITS;
const CM = CHUNK_MASK;

/** Record i's value in a chunked column of one value per record. */
function at32(col: Uint32Array[], i: number): number {
  return col[i >>> CB][i & CM];
}

/** The high half of record i's key in a chunked key column (two values per record). */
function keyHi(col: Uint32Array[], i: number): number {
  return col[i >>> CB][(i & CM) << 1];
}

/** The low half of record i's key. */
function keyLo(col: Uint32Array[], i: number): number {
  return col[i >>> CB][((i & CM) << 1) | 1];
}

/** hashString(s with every `skip` code unit removed, seed). */
function hashSkipping(s: string, skip: number, seed: number): number {
  let h = (seed ^ 0x811c9dc5) | 0;
  let len = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === skip) continue;
    h = Math.imul(h ^ c, 0x01000193);
    len++;
  }
  return fmix32(h ^ len);
}

interface Keys {
  hi: Uint32Array;
  lo: Uint32Array | undefined;
  has: Uint8Array;
  /** Positions 0..m-1 are read. */
  m: number;
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

  /** Call fn(run, key) for each run of two or more positions with equal keys (high half, then low half), in order of the high half. */
  each(keys: Keys, fn: (run: ArrayLike<number>, key: number) => void): void {
    let n = 0;
    for (let p = 0; p < keys.m; p++) {
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
        const key = hi[s];
        const lo = keys.lo;
        if (!lo) fn(run, key);
        else {
          // Same high half: split by the low half (rarely more than one part), keeping order in each.
          let same = true;
          for (let k = 1; k < run.length && same; k++) same = lo[run[k]] === lo[run[0]];
          if (same) fn(run, key);
          else {
            const parts = new Map<number, number[]>();
            for (const p of run) {
              const part = parts.get(lo[p]);
              if (part) part.push(p);
              else parts.set(lo[p], [p]);
            }
            for (const part of parts.values()) if (part.length > 1) fn(part, key);
          }
        }
      }
      s = e;
    }
  }
}

/** A set of 32-bit keys (open addressing, linear probing), cleared in time proportional to its capacity. */
class KeySet {
  private keys = new Uint32Array(64);
  private used = new Uint8Array(64);
  size = 0;

  clear(): void {
    if (this.size === 0) return;
    this.used.fill(0);
    this.size = 0;
  }

  private slot(key: number): number {
    return Math.imul(key ^ (key >>> 16), 0x45d9f3b) >>> 0;
  }

  add(key: number): void {
    if (2 * (this.size + 1) > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let s = this.slot(key) & mask;
    while (this.used[s]) {
      if (this.keys[s] === key) return;
      s = (s + 1) & mask;
    }
    this.used[s] = 1;
    this.keys[s] = key;
    this.size++;
  }

  has(key: number): boolean {
    const mask = this.keys.length - 1;
    let s = this.slot(key) & mask;
    while (this.used[s]) {
      if (this.keys[s] === key) return true;
      s = (s + 1) & mask;
    }
    return false;
  }

  private grow(): void {
    const keys = this.keys;
    const used = this.used;
    this.keys = new Uint32Array(keys.length * 2);
    this.used = new Uint8Array(keys.length * 2);
    this.size = 0;
    for (let s = 0; s < keys.length; s++) if (used[s]) this.add(keys[s]);
  }
}

/** A set of pairs of non-negative 31-bit integers (open addressing), grown as needed. */
class PairSet {
  private a = new Int32Array(1024).fill(-1);
  private b = new Int32Array(1024);
  private count = 0;

  clear(): void {
    if (this.count === 0) return;
    this.a.fill(-1);
    this.count = 0;
  }

  has(p: number, q: number): boolean {
    const mask = this.a.length - 1;
    let s = combine(p, q) & mask;
    for (;;) {
      const x = this.a[s];
      if (x === -1) return false;
      if (x === p && this.b[s] === q) return true;
      s = (s + 1) & mask;
    }
  }

  add(p: number, q: number): void {
    if (2 * (this.count + 1) > this.a.length) {
      const a = this.a;
      const b = this.b;
      this.a = new Int32Array(a.length * 2).fill(-1);
      this.b = new Int32Array(a.length * 2);
      this.count = 0;
      for (let s = 0; s < a.length; s++) if (a[s] !== -1) this.add(a[s], b[s]);
    }
    const mask = this.a.length - 1;
    let s = combine(p, q) & mask;
    while (this.a[s] !== -1) {
      if (this.a[s] === p && this.b[s] === q) return;
      s = (s + 1) & mask;
    }
    this.a[s] = p;
    this.b[s] = q;
    this.count++;
  }
}

/** Character trigrams of a folded title (UTF-8 bytes, padded with a space at both ends) as 24-bit ints. */
export function titleGrams(bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(Math.max(0, bytes.length));
  return out.subarray(0, titleGramsInto(bytes, out));
}

/** titleGrams into `out` (at least bytes.length long); returns their number. */
function titleGramsInto(bytes: Uint8Array, out: Uint32Array): number {
  const count = bytes.length;
  if (count < 1) return 0;
  let a = 32;
  let b = bytes[0];
  for (let k = 0; k < count; k++) {
    const c = k + 1 < bytes.length ? bytes[k + 1] : 32;
    out[k] = (a << 16) | (b << 8) | c;
    a = b;
    b = c;
  }
  return count;
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
