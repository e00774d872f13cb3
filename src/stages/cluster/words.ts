// Word scanning, the hot loop of clustering (pass 1 of fitting and `--model`): the same words as
// tokenize() in src/text/tokens.ts (lower-cased text split on anything but letters and digits),
// found by one scan over char codes (scanWords, and the callback-free scanSpans/scanText below)
// and looked up in a WordIndex without allocating a string for a word already seen. Unit tests
// hold the words equal to tokenize() and the fast scanners equal to scanWords.

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

// ---------------------------------------------------------------------------------------------
// Callback-free scanning and a cache-friendly word index, for the per-record hot loops
// (`cluster --model` and pass 1 of fitting). Same words as scanWords, in the same order.

/**
 * Per ASCII code: 0 for a separator; for a-z and 0-9 the char's base-37 digit (a-z 1..26,
 * 0-9 27..36: never 0, so packing is one-to-one); NOT_PACKABLE for A-Z (a word char that is never
 * packed; lower-cased text has none).
 */
const NOT_PACKABLE = 37;
const ASCII_DIGIT = (() => {
  const t = new Uint8Array(128);
  for (let c = 97; c <= 122; c++) t[c] = c - 96;
  for (let c = 48; c <= 57; c++) t[c] = c - 48 + 27;
  for (let c = 65; c <= 90; c++) t[c] = NOT_PACKABLE;
  return t;
})();

/** Words of at most this many packable chars are keyed by their packed chars (two base-37 ints). */
export const PACKED_MAX = 12;

/** Word boundaries of one text, filled by scanSpans (reused across texts). */
export class WordSpans {
  starts = new Int32Array(512);
  ends = new Int32Array(512);
  /**
   * For a word of up to PACKED_MAX chars a-z/0-9, its chars packed in base 37: the first six in
   * key0, the rest in key1 (each below 37^6 < 2^32, kept as int32); key0 is 0 for other words.
   */
  key0 = new Int32Array(512);
  key1 = new Int32Array(512);
  count = 0;
  /** The text the positions refer to; lower-case already, or ASCII (lower-cased by lower()). */
  private source = '';
  private sourceIsLower = true;
  private lowered: string | undefined;

  setSource(text: string, isLower: boolean): void {
    this.source = text;
    this.sourceIsLower = isLower;
    this.lowered = isLower ? text : undefined;
  }

  /** The source, lower-cased (same positions). */
  lower(): string {
    return (this.lowered ??= this.source.toLowerCase());
  }

  /** Word w, lower-cased. */
  word(w: number): string {
    const s = this.source.slice(this.starts[w], this.ends[w]);
    return this.sourceIsLower ? s : s.toLowerCase();
  }

  reserve(n: number): void {
    if (n <= this.starts.length) return;
    let size = this.starts.length;
    while (size < n) size *= 2;
    this.starts = new Int32Array(size);
    this.ends = new Int32Array(size);
    this.key0 = new Int32Array(size);
    this.key1 = new Int32Array(size);
  }
}

/**
 * The words of `lower` as scanWords finds them (same boundaries, same order), into `spans`;
 * returns their number. No callback and no allocation once the buffers are large enough.
 */
export function scanSpans(lower: string, spans: WordSpans): number {
  spans.setSource(lower, true);
  const n = lower.length;
  // A word takes at least one char and is followed by a separator or the end.
  spans.reserve((n >> 1) + 1);
  const starts = spans.starts;
  const ends = spans.ends;
  const key0 = spans.key0;
  const key1 = spans.key1;
  let count = 0;
  let i = 0;
  while (i < n) {
    let c = lower.charCodeAt(i);
    // Skip separators.
    if (c < 128) {
      if (ASCII_DIGIT[c] === 0) {
        i++;
        continue;
      }
    } else if (!isWordStart(lower, i, c)) {
      i++;
      continue;
    }
    const start = i;
    let packable = true;
    let k = 0;
    let k0 = 0;
    for (;;) {
      if (c < 128) {
        const digit = ASCII_DIGIT[c];
        if (digit === 0) break;
        if (digit === NOT_PACKABLE) packable = false;
        k = (Math.imul(k, 37) + digit) | 0;
        i++;
        if (i - start === 6) {
          k0 = k;
          k = 0;
        }
      } else if (c >= 0xd800 && c <= 0xdbff) {
        if (!isWordStart(lower, i, c)) break;
        packable = false;
        i += 2;
      } else {
        if (!(c > 0xdfff || c < 0xdc00) || !isWordChar(c)) break;
        packable = false;
        i++;
      }
      if (i >= n) break;
      c = lower.charCodeAt(i);
    }
    starts[count] = start;
    ends[count] = i;
    const len = i - start;
    if (packable && len <= PACKED_MAX) {
      if (len <= 6) {
        key0[count] = len === 6 ? k0 : k;
        key1[count] = 0;
      } else {
        key0[count] = k0;
        key1[count] = k;
      }
    } else key0[count] = 0;
    count++;
  }
  spans.count = count;
  return count;
}

/** Per byte: ASCII_DIGIT, with A-Z given the digits of a-z (ASCII lower-casing). */
const FOLDED_DIGIT = (() => {
  const t = new Uint8Array(256);
  t.set(ASCII_DIGIT);
  for (let c = 65; c <= 90; c++) t[c] = ASCII_DIGIT[c + 32];
  return t;
})();
const asciiBuffer = new Uint8Array(1 << 16);
const encoder = new TextEncoder();

/**
 * The words of text.toLowerCase(), as scanSpans finds them, into `spans` (whose source becomes
 * the text, for word() and lower()); returns their number. An ASCII text is read as bytes, with
 * A-Z folded to a-z (all that lower-casing does to ASCII), so it is neither lower-cased nor read
 * char by char through the string.
 */
export function scanText(text: string, spans: WordSpans): number {
  const buf = asciiBuffer;
  const n = text.length;
  // Every char took one byte only when the text is ASCII (and fitted the buffer).
  if (n > buf.length || encoder.encodeInto(text, buf).written !== n) {
    return scanSpans(text.toLowerCase(), spans);
  }
  spans.setSource(text, false);
  spans.reserve((n >> 1) + 1);
  const starts = spans.starts;
  const ends = spans.ends;
  const key0 = spans.key0;
  const key1 = spans.key1;
  let count = 0;
  let i = 0;
  while (i < n) {
    let digit = FOLDED_DIGIT[buf[i]];
    if (digit === 0) {
      i++;
      continue;
    }
    const start = i;
    let k = 0;
    let k0 = 0;
    do {
      k = (Math.imul(k, 37) + digit) | 0;
      i++;
      if (i - start === 6) {
        k0 = k;
        k = 0;
      }
      // Past the text's end the buffer holds older bytes: i < n decides.
      digit = FOLDED_DIGIT[buf[i]];
    } while (digit !== 0 && i < n);
    starts[count] = start;
    ends[count] = i;
    const len = i - start;
    if (len <= 6) {
      key0[count] = len === 6 ? k0 : k;
      key1[count] = 0;
    } else if (len <= PACKED_MAX) {
      key0[count] = k0;
      key1[count] = k;
    } else key0[count] = 0;
    count++;
  }
  spans.count = count;
  return count;
}

/** For a non-ASCII code unit c at i: does a word character start here (as scanWords decides)? */
function isWordStart(text: string, i: number, c: number): boolean {
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    return d >= 0xdc00 && d <= 0xdfff && LETTER_OR_DIGIT.test(text.slice(i, i + 2));
  }
  return c > 0xdfff || c < 0xdc00 ? isWordChar(c) : false;
}

/** Longer words (no real word is) are not kept: lookups miss them, so callers look them up each time. */
const MAX_POOLED = 0xffff;

/** Slots of the small table that holds the first words seen (the frequent ones, mostly). */
const HOT_SLOTS = 1 << 14;
const HOT_WORDS = HOT_SLOTS >> 1;

/**
 * Word -> two integers (a, b), keyed exactly, allocating nothing on a hit. A word of up to
 * PACKED_MAX chars a-z/0-9 (nearly every token) is keyed by its chars packed in base 37 into two
 * ints, so a lookup reads one 16-byte slot [key0, key1, a, b]. The first HOT_WORDS such words go
 * to a small table (256 KB, which mostly stays in cache: frequent words come early), later ones to a
 * growing one. Other words go to a table keyed by hash, with their chars in a pool.
 * find() returns whether the word is known and leaves its values in `a` and `b`.
 */
export class WordIndex {
  a = 0;
  b = 0;
  private readonly hot = new Int32Array(HOT_SLOTS * 4);
  private hotSize = 0;
  private packed: Int32Array;
  private packedMask: number;
  private packedSize = 0;
  /** Long and non-ASCII words: 4 ints per slot [hash, pool offset (-1: empty), a, b]. */
  private other: Int32Array;
  private otherMask: number;
  private otherSize = 0;
  /** At each offset: the word's length, then its chars. */
  private pool = new Uint16Array(1 << 12);
  private poolUsed = 0;
  /** One-word spans for findString() and addString(). */
  private readonly keys = new WordSpans();

  constructor(capacity = 1 << 14) {
    this.packed = new Int32Array(capacity * 4);
    this.packedMask = capacity - 1;
    this.other = WordIndex.emptyOther(1 << 10);
    this.otherMask = (1 << 10) - 1;
  }

  get size(): number {
    return this.hotSize + this.packedSize + this.otherSize;
  }

  private static emptyOther(capacity: number): Int32Array {
    const s = new Int32Array(capacity * 4);
    for (let i = 1; i < s.length; i += 4) s[i] = -1;
    return s;
  }

  /** Whether word w of `spans` is known; if so its values are left in a and b. */
  find(spans: WordSpans, w: number): boolean {
    const k0 = spans.key0[w];
    if (k0 === 0) return this.findOther(spans.lower(), spans.starts[w], spans.ends[w]);
    const k1 = spans.key1[w];
    const h = mixKeys(k0, k1);
    const hot = this.hot;
    let slot = h & (HOT_SLOTS - 1);
    for (;;) {
      const o = slot << 2;
      const s0 = hot[o];
      if (s0 === k0 && hot[o + 1] === k1) {
        this.a = hot[o + 2];
        this.b = hot[o + 3];
        return true;
      }
      if (s0 === 0) break;
      slot = (slot + 1) & (HOT_SLOTS - 1);
    }
    if (this.hotSize < HOT_WORDS) return false;
    const slots = this.packed;
    const mask = this.packedMask;
    slot = h & mask;
    for (;;) {
      const o = slot << 2;
      const s0 = slots[o];
      if (s0 === k0 && slots[o + 1] === k1) {
        this.a = slots[o + 2];
        this.b = slots[o + 3];
        return true;
      }
      if (s0 === 0) return false;
      slot = (slot + 1) & mask;
    }
  }

  /** find() for a whole string (keyed as the same word found in a text). */
  findString(word: string): boolean {
    const k = packWord(word);
    if (k === undefined) return this.findOther(word, 0, word.length);
    this.keys.key0[0] = k[0];
    this.keys.key1[0] = k[1];
    return this.find(this.keys, 0);
  }

  /** add() for a whole string, known to be absent. */
  addString(word: string, a: number, b: number): void {
    const k = packWord(word);
    this.keys.setSource(word, true);
    this.keys.starts[0] = 0;
    this.keys.ends[0] = word.length;
    this.keys.key0[0] = k === undefined ? 0 : k[0];
    this.keys.key1[0] = k === undefined ? 0 : k[1];
    this.add(this.keys, 0, a, b);
  }

  private findOther(text: string, start: number, end: number): boolean {
    const len = end - start;
    if (len > MAX_POOLED) return false;
    const hash = hashRange(text, start, end);
    const slots = this.other;
    const pool = this.pool;
    let slot = hash & this.otherMask;
    for (;;) {
      const o = slot << 2;
      const off = slots[o + 1];
      if (off < 0) return false;
      if (slots[o] === hash && pool[off] === len) {
        let j = 0;
        while (j < len && pool[off + 1 + j] === text.charCodeAt(start + j)) j++;
        if (j === len) {
          this.a = slots[o + 2];
          this.b = slots[o + 3];
          return true;
        }
      }
      slot = (slot + 1) & this.otherMask;
    }
  }

  /** Adds word w of `spans`, known to be absent. Words too long to keep are not added. */
  add(spans: WordSpans, w: number, a: number, b: number): void {
    const k0 = spans.key0[w];
    if (k0 !== 0) {
      const k1 = spans.key1[w];
      const h = mixKeys(k0, k1);
      let slots: Int32Array;
      let mask: number;
      if (this.hotSize < HOT_WORDS) {
        slots = this.hot;
        mask = HOT_SLOTS - 1;
        this.hotSize++;
      } else {
        if ((this.packedSize + 1) * 2 > this.packedMask + 1) this.growPacked();
        slots = this.packed;
        mask = this.packedMask;
        this.packedSize++;
      }
      let slot = h & mask;
      while (slots[slot << 2] !== 0) slot = (slot + 1) & mask;
      const o = slot << 2;
      slots[o] = k0;
      slots[o + 1] = k1;
      slots[o + 2] = a;
      slots[o + 3] = b;
      return;
    }
    const text = spans.lower();
    const start = spans.starts[w];
    const end = spans.ends[w];
    const len = end - start;
    if (len > MAX_POOLED) return;
    if ((this.otherSize + 1) * 2 > this.otherMask + 1) this.growOther();
    if (this.poolUsed + len + 1 > this.pool.length) {
      let size = this.pool.length * 2;
      while (this.poolUsed + len + 1 > size) size *= 2;
      const next = new Uint16Array(size);
      next.set(this.pool.subarray(0, this.poolUsed));
      this.pool = next;
    }
    const off = this.poolUsed;
    this.pool[off] = len;
    for (let j = 0; j < len; j++) this.pool[off + 1 + j] = text.charCodeAt(start + j);
    this.poolUsed += len + 1;
    const hash = hashRange(text, start, end);
    let slot = hash & this.otherMask;
    while (this.other[(slot << 2) + 1] >= 0) slot = (slot + 1) & this.otherMask;
    const o = slot << 2;
    this.other[o] = hash;
    this.other[o + 1] = off;
    this.other[o + 2] = a;
    this.other[o + 3] = b;
    this.otherSize++;
  }

  private growPacked(): void {
    const old = this.packed;
    const capacity = (this.packedMask + 1) * 2;
    const slots = new Int32Array(capacity * 4);
    const mask = capacity - 1;
    for (let o = 0; o < old.length; o += 4) {
      if (old[o] === 0) continue;
      let slot = mixKeys(old[o], old[o + 1]) & mask;
      while (slots[slot << 2] !== 0) slot = (slot + 1) & mask;
      slots.set(old.subarray(o, o + 4), slot << 2);
    }
    this.packed = slots;
    this.packedMask = mask;
  }

  private growOther(): void {
    const old = this.other;
    const capacity = (this.otherMask + 1) * 2;
    const slots = WordIndex.emptyOther(capacity);
    const mask = capacity - 1;
    for (let o = 0; o < old.length; o += 4) {
      if (old[o + 1] < 0) continue;
      let slot = old[o] & mask;
      while (slots[(slot << 2) + 1] >= 0) slot = (slot + 1) & mask;
      slots.set(old.subarray(o, o + 4), slot << 2);
    }
    this.other = slots;
    this.otherMask = mask;
  }
}

/** Packed keys of a whole word when it is packable (1..PACKED_MAX chars a-z/0-9), as scanText packs it. */
function packWord(word: string): [number, number] | undefined {
  const len = word.length;
  if (len === 0 || len > PACKED_MAX) return undefined;
  let k0 = 0;
  let k1 = 0;
  for (let i = 0; i < len; i++) {
    const c = word.charCodeAt(i);
    const digit = c < 128 ? ASCII_DIGIT[c] : 0;
    if (digit === 0 || digit === NOT_PACKABLE) return undefined;
    if (i < 6) k0 = (Math.imul(k0, 37) + digit) | 0;
    else k1 = (Math.imul(k1, 37) + digit) | 0;
  }
  return [k0, k1];
}

function mixKeys(k0: number, k1: number): number {
  let h = Math.imul(k0 ^ Math.imul(k1, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 13);
}

/** FNV-1a of text[start, end), finalized so low bits index well. */
function hashRange(text: string, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h ^ (h >>> 15);
}
