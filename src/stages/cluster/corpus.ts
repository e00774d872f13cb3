// Pass 1 of clustering: tokenize each record once and keep only compact term counts.
// Memory per record is ~2.5 bytes per distinct term (a varint of the term id with a flag for a
// count above 1, then that count) until the vocabulary is chosen; no per-record objects are kept,
// except for a bounded, seeded sample of documents used for labels and representatives.
import { stem, STOPWORDS } from '../../text/tokens.js';
import { hash32 } from './random.js';
import { BIGRAM_BUCKETS, BIGRAM_PREFIX, bigramBucket, hashWord, scanSpans, scanText, WordIndex, WordSpans } from './words.js';
import { I32List, U32List } from '../../util/typed-list.js';

/** TeX macro names that survive in abstracts after "$\mathcal{O}$" loses its punctuation. */
const TEX_WORDS = new Set(
  'mathcal mathbb mathbf mathrm mathit mathsf mathfrak boldsymbol operatorname textbf textit texttt textrm emph frac dfrac tfrac sqrt cdot cdots ldots dots leq geq neq le ge ll gg approx sim simeq propto infty rightarrow leftarrow leftrightarrow longrightarrow mapsto widetilde widehat tilde hat bar overline underline vec left right big bigl bigr langle rangle lfloor rfloor lceil rceil sum prod int log exp min max arg argmin argmax sup inf lim mid vert cite ref eqref url href ie eg cf resp wrt'.split(' '),
);

/** True for tokens that never become features: stopwords, TeX names, numbers, single characters. */
export function isStopToken(surface: string): boolean {
  return surface.length < 2 || STOPWORDS.has(surface) || TEX_WORDS.has(surface) || /^\d+(?:\.\d+)?$/.test(surface);
}

const BLOCK_BYTES = 1 << 20;
/** Most bytes one entry takes: a 5-byte varint and a count byte. */
const ENTRY_MAX_BYTES = 6;

/**
 * Rows of term counts, stored in blocks so growth never copies the whole corpus. Each entry is a
 * varint (7 bits a byte, low bits first) of term * 2 + (count > 1 ? 1 : 0), followed by the count
 * byte when the count is above 1; entries keep the order in which the row met its terms.
 */
export interface CountBlock {
  firstRow: number;
  /** rowStart[r - firstRow] .. rowStart[r - firstRow + 1] are the bytes of row r's entries. */
  rowStart: Uint32Array;
  bytes: Uint8Array;
}

/**
 * Calls fn(term, count) for each entry of bytes[start, end) (see CountBlock), in order.
 * Hot loops decode inline instead; this is the reference.
 */
export function forEachEntry(bytes: Uint8Array, start: number, end: number, fn: (term: number, count: number) => void): void {
  let p = start;
  while (p < end) {
    let v = 0;
    let shift = 1;
    let b = bytes[p++];
    while (b >= 128) {
      v += (b - 128) * shift;
      shift *= 128;
      b = bytes[p++];
    }
    v += b * shift;
    const many = v % 2;
    const term = (v - many) / 2;
    fn(term, many ? bytes[p++] : 1);
  }
}

export interface SampleDoc {
  row: number;
  hash: number;
  id: string;
  title: string;
  /** Word ids (see Corpus.words) in reading order; -1 where a stop token or the end of the title breaks a phrase. */
  words: Int32Array;
  /** words[0 .. titleLength) come from the title. */
  titleLength: number;
}

export interface CorpusOptions {
  /** Documents kept whole (for labels and representatives); the rest keep only counts. */
  sampleSize: number;
  seed: number;
}

const WORD_GAP = /[^\p{L}\p{N}]+/u;

export { splitWords } from './words.js';

/**
 * Accumulates documents one at a time. Term ids are assigned in order of first appearance,
 * so the same input always gives the same ids.
 */
export class Corpus {
  /** term id -> stem */
  readonly terms: string[] = [];
  private readonly termIndex = new Map<string, number>();
  /** lower-case word -> term id, or -1 for a stop token */
  private readonly termOfWord = new WordIndex();
  private readonly spans = new WordSpans();
  /** Words as written (case kept) in sampled documents, and their term ids. */
  readonly words: string[] = [];
  /** word as written -> word id, or -1 for a stop token */
  private readonly wordTable = new WordIndex();
  private readonly sampleSpans = new WordSpans();
  private readonly wordTerms = new I32List();
  /** document frequency by term id */
  private dfCounts = new Uint32Array(1024);
  /** hash of each word term's stem (for bigram buckets) */
  private readonly stemHash = new I32List();
  /** bigram bucket -> term id, or -1 */
  private bucketTerm: Int32Array | undefined;
  rows = 0;
  blocks: CountBlock[] = [];
  private current: { firstRow: number; rowStart: U32List; bytes: Uint8Array; used: number } | undefined;
  /** Per-document scratch by term id: [stamp of the last document that used it, its slot in uniq]. */
  private seen = new Int32Array(2048);
  private uniq = new Uint32Array(256);
  private cnt = new Uint32Array(256);
  private unique = 0;
  /** Max-heap on hash: the sampleSize documents with the smallest hashes. */
  private readonly heap: SampleDoc[] = [];

  constructor(readonly options: CorpusOptions) {}

  get vocabularySize(): number {
    return this.terms.length;
  }

  documentFrequency(term: number): number {
    return this.dfCounts[term];
  }

  /** Term id of a sampled word (always >= 0: stop tokens are never words). */
  wordTerm(word: number): number {
    return this.wordTerms.data[word];
  }

  /** Term id of a lower-case word (-1 for a stop token); new words get new ids. */
  private termOf(word: string): number {
    if (this.termOfWord.findString(word)) return this.termOfWord.a;
    const t = this.termOfStem(word);
    this.termOfWord.addString(word, t, 0);
    return t;
  }

  /** Term id of word w of the scanned text, a word not seen before (it is remembered). */
  private newWord(spans: WordSpans, w: number): number {
    const t = this.termOfStem(spans.word(w));
    this.termOfWord.add(spans, w, t, 0);
    return t;
  }

  private termOfStem(word: string): number {
    if (isStopToken(word)) return -1;
    const s = stem(word);
    const known = this.termIndex.get(s);
    if (known !== undefined) return known;
    const t = this.newTerm(s);
    this.termIndex.set(s, t);
    return t;
  }

  private newTerm(name: string): number {
    const t = this.terms.length;
    this.terms.push(name);
    this.stemHash.push(name.charCodeAt(0) === 1 ? 0 : hashWord(name));
    if (t >= this.dfCounts.length) this.growTermArrays();
    return t;
  }

  /** Term id of the bigram bucket of two word terms. */
  private bigramTerm(a: number, b: number): number {
    const buckets = (this.bucketTerm ??= new Int32Array(BIGRAM_BUCKETS).fill(-1));
    const bucket = bigramBucket(this.stemHash.data[a], this.stemHash.data[b]);
    let t = buckets[bucket];
    if (t < 0) t = buckets[bucket] = this.newTerm(`${BIGRAM_PREFIX}${bucket}`);
    return t;
  }

  /** True for the term ids of bigram buckets (never shown in labels). */
  isBigram(term: number): boolean {
    return this.terms[term].charCodeAt(0) === 1;
  }

  private growTermArrays(): void {
    const size = this.dfCounts.length * 2;
    const grow = <T extends Uint32Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.dfCounts = grow(this.dfCounts, (n) => new Uint32Array(n));
    const seen = new Int32Array(size * 2);
    seen.set(this.seen);
    this.seen = seen;
  }

  private countWords(text: string, stamp: number): void {
    if (!text) return;
    const spans = this.spans;
    const n = scanText(text, spans);
    const table = this.termOfWord;
    let prev = -1;
    for (let w = 0; w < n; w++) {
      const t = table.find(spans, w) ? table.a : this.newWord(spans, w);
      if (t < 0) {
        prev = -1;
        continue;
      }
      this.tally(t, stamp);
      if (prev >= 0) this.tally(this.bigramTerm(prev, t), stamp);
      prev = t;
    }
  }

  private tally(t: number, stamp: number): void {
    const seen = this.seen;
    if (seen[2 * t] !== stamp) {
      seen[2 * t] = stamp;
      if (this.unique === this.uniq.length) {
        const u = new Uint32Array(this.unique * 2);
        u.set(this.uniq);
        this.uniq = u;
        const c = new Uint32Array(this.unique * 2);
        c.set(this.cnt);
        this.cnt = c;
      }
      seen[2 * t + 1] = this.unique;
      this.uniq[this.unique] = t;
      this.cnt[this.unique] = 1;
      this.unique++;
    } else {
      this.cnt[seen[2 * t + 1]]++;
    }
  }

  /** Add one document (title and abstract); returns its row number. */
  add(id: string, title: string, abstract: string): number {
    const row = this.rows++;
    const stamp = row + 1;
    this.unique = 0;
    this.countWords(title, stamp);
    this.countWords(abstract, stamp);
    this.appendRow(this.unique);
    this.offerSample(row, id, title, abstract);
    return row;
  }

  private appendRow(unique: number): void {
    let block = this.current;
    if (!block || block.used + unique * ENTRY_MAX_BYTES > block.bytes.length) {
      this.sealBlock();
      const size = Math.max(BLOCK_BYTES, unique * ENTRY_MAX_BYTES);
      block = this.current = { firstRow: this.rows - 1, rowStart: new U32List(1024), bytes: new Uint8Array(size), used: 0 };
    }
    block.rowStart.push(block.used);
    const bytes = block.bytes;
    let p = block.used;
    for (let k = 0; k < unique; k++) {
      const t = this.uniq[k];
      this.dfCounts[t]++;
      // Counts above 255 in one abstract carry no more topic than 255 do.
      const count = Math.min(this.cnt[k], 255);
      let v = t * 2 + (count > 1 ? 1 : 0);
      while (v >= 128) {
        bytes[p++] = (v % 128) + 128;
        v = Math.floor(v / 128);
      }
      bytes[p++] = v;
      if (count > 1) bytes[p++] = count;
    }
    block.used = p;
  }

  private sealBlock(): void {
    const b = this.current;
    if (!b) return;
    b.rowStart.push(b.used);
    this.blocks.push({ firstRow: b.firstRow, rowStart: b.rowStart.toArray(), bytes: b.bytes.slice(0, b.used) });
    this.current = undefined;
  }

  private offerSample(row: number, id: string, title: string, abstract: string): void {
    const size = this.options.sampleSize;
    if (size <= 0) return;
    const h = hash32(row, this.options.seed);
    const heap = this.heap;
    if (heap.length >= size) {
      const top = heap[0];
      if (h > top.hash || (h === top.hash && row > top.row)) return;
    }
    const t = this.wordIds(title);
    const a = this.wordIds(abstract);
    const words = new Int32Array(t.length + 1 + a.length);
    words.set(t);
    words[t.length] = -1;
    words.set(a, t.length + 1);
    const doc: SampleDoc = { row, hash: h, id, title, words, titleLength: t.length };
    if (heap.length < size) {
      heap.push(doc);
      siftUp(heap, heap.length - 1);
    } else {
      heap[0] = doc;
      siftDown(heap, 0);
    }
  }

  /**
   * Word ids keeping the case as written (for readable labels), with -1 wherever a phrase cannot
   * continue: at a stop token, and at punctuation other than a hyphen ("graph, neural" and
   * "classification (HTC)" are no phrases; "graph-structured" is).
   */
  private wordIds(text: string): Int32Array {
    if (!text) return new Int32Array(0);
    // The words as written (scanSpans finds the same words in any case).
    const spans = this.sampleSpans;
    const n = scanSpans(text, spans);
    const out = new Int32Array(2 * n);
    let length = 0;
    const table = this.wordTable;
    for (let w = 0; w < n; w++) {
      const start = spans.starts[w];
      if (w > 0 && length > 0) {
        for (let i = spans.ends[w - 1]; i < start; i++) {
          const c = text.charCodeAt(i);
          if (!(c === 32 || c === 45 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0x2010 || c === 0x2011)) {
            out[length++] = -1;
            break;
          }
        }
      }
      if (table.find(spans, w)) out[length++] = table.a;
      else {
        const id = this.newSampledWord(spans.word(w));
        table.add(spans, w, id, 0);
        out[length++] = id;
      }
    }
    return out.slice(0, length);
  }

  /** Registers a word as written; returns its word id, or -1 for a stop token. */
  private newSampledWord(form: string): number {
    const lower = form.toLowerCase();
    // Lower-casing can split a token (rare Unicode): such a word is not sampled.
    const t = lower.length !== form.length && WORD_GAP.test(lower) ? -1 : this.termOf(lower);
    let w = -1;
    if (t >= 0) {
      w = this.words.length;
      this.words.push(form);
      this.wordTerms.push(t);
    }
    return w;
  }

  /** Ends pass 1: seals storage and returns the sampled documents in row order. */
  finish(): SampleDoc[] {
    this.sealBlock();
    this.bucketTerm = undefined;
    this.seen = new Int32Array(0);
    return [...this.heap].sort((a, b) => a.row - b.row);
  }
}

function less(a: SampleDoc, b: SampleDoc): boolean {
  return a.hash > b.hash || (a.hash === b.hash && a.row > b.row);
}

function siftUp(heap: SampleDoc[], i: number): void {
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(heap[i], heap[p])) break;
    [heap[i], heap[p]] = [heap[p], heap[i]];
    i = p;
  }
}

function siftDown(heap: SampleDoc[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && less(heap[l], heap[m])) m = l;
    if (r < heap.length && less(heap[r], heap[m])) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m], heap[i]];
    i = m;
  }
}
