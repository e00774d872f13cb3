// Word scanning for pass 1, the hot loop of clustering: the same words as tokenize() in
// src/text/tokens.ts (lower-cased text split on anything but letters and digits), found by one
// scan over char codes and looked up in an open-addressing table by a running hash, so no
// string is allocated for a word already seen. A unit test holds the words equal to tokenize().

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]+$/u;
// For BMP code points above ASCII: 0 = not yet known, 1 = letter/digit, 2 = separator.
const bmpClass = new Uint8Array(65536);

function isWordChar(code: number): boolean {
  let k = bmpClass[code];
  if (k === 0) {
    k = LETTER_OR_DIGIT.test(String.fromCharCode(code)) ? 1 : 2;
    bmpClass[code] = k;
  }
  return k === 1;
}

/**
 * Calls fn(start, end, hash) for each word of `lower` (already lower-cased), in order. Astral
 * letters (surrogate pairs) count as letters as in tokenize(); lone surrogates separate words.
 */
export function scanWords(lower: string, fn: (start: number, end: number, hash: number) => void): void {
  const n = lower.length;
  let start = -1;
  let h = 0;
  for (let i = 0; i < n; i++) {
    const c = lower.charCodeAt(i);
    let word: boolean;
    let width = 1;
    if (c < 128) word = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < n ? lower.charCodeAt(i + 1) : 0;
      word = d >= 0xdc00 && d <= 0xdfff && LETTER_OR_DIGIT.test(lower.slice(i, i + 2));
      if (word) width = 2;
    } else word = c > 0xdfff || c < 0xdc00 ? isWordChar(c) : false;
    if (word) {
      if (start < 0) {
        start = i;
        h = 0x811c9dc5 | 0;
      }
      h = Math.imul(h ^ c, 16777619);
      if (width === 2) {
        i++;
        h = Math.imul(h ^ lower.charCodeAt(i), 16777619);
      }
      continue;
    }
    if (start >= 0) {
      fn(start, i, h);
      start = -1;
    }
  }
  if (start >= 0) fn(start, n, h);
}

/** The words of a text, as tokenize() gives them. */
export function splitWords(text: string): string[] {
  if (!text) return [];
  const lower = text.toLowerCase();
  const out: string[] = [];
  scanWords(lower, (s, e) => out.push(lower.slice(s, e)));
  return out;
}

/** Word -> value (an integer), keyed without allocating the word string on a hit. */
export class WordTable {
  private keys: string[] = [];
  private values: number[] = [];
  private slots: Int32Array;
  private hashes: Int32Array;
  private mask: number;

  constructor(capacity = 1 << 14) {
    this.slots = new Int32Array(capacity).fill(-1);
    this.hashes = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.keys.length;
  }

  /** Index of text[start, end) with the given hash, or -1. */
  find(text: string, start: number, end: number, hash: number): number {
    const len = end - start;
    let slot = hash & this.mask;
    for (;;) {
      const id = this.slots[slot];
      if (id < 0) return -1;
      if (this.hashes[slot] === hash) {
        const k = this.keys[id];
        if (k.length === len) {
          let j = 0;
          while (j < len && k.charCodeAt(j) === text.charCodeAt(start + j)) j++;
          if (j === len) return id;
        }
      }
      slot = (slot + 1) & this.mask;
    }
  }

  value(index: number): number {
    return this.values[index];
  }

  /** Adds a word known to be absent; returns its index. */
  add(word: string, hash: number, value: number): number {
    if ((this.keys.length + 1) * 2 > this.slots.length) this.grow();
    const id = this.keys.length;
    this.keys.push(word);
    this.values.push(value);
    let slot = hash & this.mask;
    while (this.slots[slot] >= 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = id;
    this.hashes[slot] = hash;
    return id;
  }

  private grow(): void {
    const old = this.slots;
    const oldHashes = this.hashes;
    const size = old.length * 2;
    this.slots = new Int32Array(size).fill(-1);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
    for (let s = 0; s < old.length; s++) {
      const id = old[s];
      if (id < 0) continue;
      let slot = oldHashes[s] & this.mask;
      while (this.slots[slot] >= 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = id;
      this.hashes[slot] = oldHashes[s];
    }
  }
}

/** The hash scanWords gives a word. */
export function hashWord(word: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
  return h;
}

/**
 * Two-word phrases are features too (they separate topics that share words: "channel capacity"
 * vs "wireless channel"), hashed into a fixed number of buckets so their vocabulary cannot grow
 * with the corpus. The bucket depends only on the two stems, so a saved model finds it again.
 */
export const BIGRAM_BUCKETS = 1 << 20;
/** Vocabulary name of a bigram bucket: a control character keeps it apart from any word. */
export const BIGRAM_PREFIX = '\u0001';

export function bigramBucket(stemHashA: number, stemHashB: number): number {
  let h = Math.imul(stemHashA ^ 0x9e3779b9, 0x85ebca6b) ^ stemHashB;
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35);
  h ^= h >>> 13;
  return (h >>> 0) & (BIGRAM_BUCKETS - 1);
}
