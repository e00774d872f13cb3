// Word forms interned once per process: a text is scanned character by character and each token is
// looked up in an open-addressing table by a hash computed during the scan, so the hot path makes
// no substring, no lower-casing and no Map lookup per token. Tokens and stems are exactly those of
// src/text/tokens.ts (natural's RegexpTokenizer on non-letter/digit, Porter stemmer).
import { STOPWORDS, stem as porterStem, tokenize } from '../../text/tokens.js';


/** Flags of a token in a DocTokens buffer. */
export const STOP = 1; // stopword, one letter, or digits only (as analyze() says)
export const BREAK = 2; // punctuation, or the title/abstract boundary, precedes this token
export const TITLE = 4; // token of the title

// ASCII classes: 1 = letter or digit, 2 = clause punctuation (breaks phrases and n-grams).
const ASCII = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII[c] = 1;
for (let c = 65; c <= 90; c++) ASCII[c] = 1;
for (let c = 97; c <= 122; c++) ASCII[c] = 1;
// Hyphens, slashes and apostrophes join words into phrases ("kernel-level", "input/output"); clause
// punctuation, TeX and markup characters do not.
for (const ch of '.,;:!?()[]{}"_|=<>*#$%&~^\\@') ASCII[ch.charCodeAt(0)] = 2;
// By UTF-16 code: the lower-case code of an ASCII letter or digit, else 0.
const WORD_CHAR = new Uint8Array(0x10000);
for (let c = 0; c < 128; c++) if (ASCII[c] === 1) WORD_CHAR[c] = c >= 65 && c <= 90 ? c | 32 : c;

// Links are not words of the paper: their tokens are masked (no stem, no n-grams).
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"]+|\b(?:github|gitlab|huggingface)\.(?:com|co|io)\/[^\s<>"]+/gi;

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
// Non-ASCII separators that do not break a phrase: hyphens, apostrophes, spaces.
const SOFT_SEPARATORS = new Set([0x2010, 0x2011, 0x2012, 0x2013, 0x2019, 0x2018, 0x00a0, 0x202f, 0x2009, 0x200a, 0x2002, 0x2003, 0x00ad]);
// 0 = unknown, 1 = letter/digit, 2 = breaking separator, 3 = soft separator (BMP cache).
const BMP = new Uint8Array(0x10000);

function classifyNonAscii(cp: number): number {
  if (cp < 0x10000) {
    const k = BMP[cp];
    if (k !== 0) return k;
  }
  const k = LETTER_OR_DIGIT.test(String.fromCodePoint(cp)) ? 1 : SOFT_SEPARATORS.has(cp) ? 3 : 2;
  if (cp < 0x10000) BMP[cp] = k;
  return k;
}

function isStopSurface(surface: string): boolean {
  if (surface.length < 2 || STOPWORDS.has(surface)) return true;
  for (let i = 0; i < surface.length; i++) {
    const c = surface.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Beyond this many distinct word forms new forms are stemmed each time instead of cached. */
export const MAX_SURFACES = 2_000_000;
/** Beyond this many distinct stems, unseen stems get id -1 (they are not counted anywhere). */
export const MAX_STEMS = 1_500_000;

// Tokens are identified while they are scanned: the lower-case codes of their last 16 characters,
// a byte each, are shifted into four ints (p0 holds the last four), which with the length identify
// any ASCII token of up to 16 characters exactly. Each slot of the lexicon's hash table holds, next to
// the entry, that key (length, ASCII or not, p0..p3) and the entry's info (stem id << 1 | stop bit),
// so a lookup reads one slot: one cache line, and never the token's characters again (but for
// tokens longer than 16 characters, whose first characters are compared with the pool).
const SLOT = 8; // ints per slot
const S_ENTRY = 0; // entry + 1; 0 = empty
const S_HASH = 1;
const S_LENGTH = 2; // length << 1 | 1 when every character is ASCII
const S_INFO = 3;
const S_P0 = 4; // p0..p3
const PACKED = 16;

/** Slot hash of a token from its packed last characters and its length. */
function tokenHash(p0: number, p1: number, p2: number, p3: number, len: number): number {
  let h = Math.imul(p0 ^ len, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ p1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ p2, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ p3, 0x27d4eb2f);
  return h ^ (h >>> 15);
}

export class Lexicon {
  private slots: Int32Array = new Int32Array(SLOT << 16);
  private mask = (1 << 16) - 1;
  /** Per entry: info, and where its characters start in the pool. */
  private rec: Int32Array = new Int32Array(2 << 12);
  /** Lower-case surface form of each entry. */
  readonly surfaces: string[] = [];
  // Character codes of every surface, back to back.
  private pool: Uint16Array = new Uint16Array(1 << 16);
  private poolUsed = 0;
  /** Stem strings by stem id. */
  readonly stems: string[] = [];
  private readonly stemIds = new Map<string, number>();
  /** Info of the entry the last entryOfAscii call found or made. */
  lastInfo = 0;

  get size(): number {
    return this.surfaces.length;
  }

  /** Id of a stem string, interning it (or -1 when the stem table is full). */
  internStem(s: string): number {
    let id = this.stemIds.get(s);
    if (id === undefined) {
      if (this.stems.length >= MAX_STEMS) return -1;
      id = this.stems.length;
      this.stems.push(s);
      this.stemIds.set(s, id);
    }
    return id;
  }

  /** Id of a stem string if known, else -1 (never interns). */
  stemId(s: string): number {
    return this.stemIds.get(s) ?? -1;
  }

  /** Stem id << 1 | stop bit of an entry. Stem id -1 gives -2. */
  info(entry: number): number {
    return this.rec[2 * entry];
  }

  stemOf(entry: number): number {
    return this.rec[2 * entry] >> 1;
  }

  isStop(entry: number): boolean {
    return (this.rec[2 * entry] & 1) === 1;
  }

  /** Entry of a lower-case token given as a string (slow path), or -1 when the table is full. */
  entryOf(surface: string): number {
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    for (let i = 0; i < surface.length; i++) {
      p3 = (p3 << 8) | (p2 >>> 24);
      p2 = (p2 << 8) | (p1 >>> 24);
      p1 = (p1 << 8) | (p0 >>> 24);
      p0 = (p0 << 8) | (surface.charCodeAt(i) & 0xff);
    }
    const h = tokenHash(p0, p1, p2, p3, surface.length);
    const slots = this.slots;
    let slot = h & this.mask;
    for (;;) {
      const i = slot * SLOT;
      const e = slots[i + S_ENTRY] - 1;
      if (e < 0) break;
      if (slots[i + S_HASH] === h && this.surfaces[e] === surface) return e;
      slot = (slot + 1) & this.mask;
    }
    return this.insert(surface, h, slot);
  }

  /**
   * Entry of the ASCII token text[start, end) lower-cased, whose last lower-case codes are packed in
   * p0..p3 (see above); its info is then in lastInfo. Allocates only for a form never seen before.
   */
  entryOfAscii(text: string, start: number, end: number, p0: number, p1: number, p2: number, p3: number): number {
    const len = end - start;
    const h = tokenHash(p0, p1, p2, p3, len);
    const slots = this.slots;
    const mask = this.mask;
    const lenAscii = (len << 1) | 1;
    let slot = h & mask;
    for (;;) {
      const i = slot * SLOT;
      const e = slots[i + S_ENTRY] - 1;
      if (e < 0) break;
      if (slots[i + S_LENGTH] === lenAscii && slots[i + S_P0] === p0 && slots[i + S_P0 + 1] === p1 && slots[i + S_P0 + 2] === p2 && slots[i + S_P0 + 3] === p3) {
        if (len <= PACKED || this.sameHead(text, start, len, e)) {
          this.lastInfo = slots[i + S_INFO];
          return e;
        }
      }
      slot = (slot + 1) & mask;
    }
    const e = this.insert(text.slice(start, end).toLowerCase(), h, slot);
    if (e >= 0) this.lastInfo = this.rec[2 * e];
    return e;
  }

  /** Whether the characters of text[start, start + len) before its last 16, lower-cased, are those of entry e. */
  private sameHead(text: string, start: number, len: number, e: number): boolean {
    const pool = this.pool;
    const off = this.rec[2 * e + 1];
    const head = len - PACKED;
    for (let i = 0; i < head; i++) {
      let c = text.charCodeAt(start + i);
      if (c >= 65 && c <= 90) c |= 32;
      if (c !== pool[off + i]) return false;
    }
    return true;
  }

  private insert(surface: string, h: number, slot: number): number {
    if (this.surfaces.length >= MAX_SURFACES) return -1;
    const e = this.surfaces.length;
    if (2 * (e + 1) > this.rec.length) this.rec = grow32(this.rec, this.rec.length * 2);
    if (this.poolUsed + surface.length > this.pool.length) {
      let size = this.pool.length * 2;
      while (size < this.poolUsed + surface.length) size *= 2;
      const p = new Uint16Array(size);
      p.set(this.pool);
      this.pool = p;
    }
    let ascii = 1;
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    for (let i = 0; i < surface.length; i++) {
      const c = surface.charCodeAt(i);
      if (c >= 128) ascii = 0;
      this.pool[this.poolUsed + i] = c;
      p3 = (p3 << 8) | (p2 >>> 24);
      p2 = (p2 << 8) | (p1 >>> 24);
      p1 = (p1 << 8) | (p0 >>> 24);
      p0 = (p0 << 8) | (c & 0xff);
    }
    this.rec[2 * e + 1] = this.poolUsed;
    this.poolUsed += surface.length;
    // A flat copy: a slice would keep the whole abstract it came from alive.
    this.surfaces.push(flatten(surface));
    // Stopwords keep their surface as stem, as analyze() does; phrases still match them exactly.
    const stop = isStopSurface(surface);
    const info = (this.internStem(stop ? surface : porterStem(surface)) << 1) | (stop ? 1 : 0);
    this.rec[2 * e] = info;
    const slots = this.slots;
    const i = slot * SLOT;
    slots[i + S_ENTRY] = e + 1;
    slots[i + S_HASH] = h;
    slots[i + S_LENGTH] = (surface.length << 1) | ascii;
    slots[i + S_INFO] = info;
    slots[i + S_P0] = p0;
    slots[i + S_P0 + 1] = p1;
    slots[i + S_P0 + 2] = p2;
    slots[i + S_P0 + 3] = p3;
    if ((e + 1) * 2 > this.mask + 1) this.rehash();
    return e;
  }

  private rehash(): void {
    const size = (this.mask + 1) * 2;
    const slots = new Int32Array(size * SLOT);
    const mask = size - 1;
    const old = this.slots;
    for (let s = 0; s < old.length; s += SLOT) {
      if (old[s + S_ENTRY] === 0) continue;
      let slot = old[s + S_HASH] & mask;
      while (slots[slot * SLOT + S_ENTRY] !== 0) slot = (slot + 1) & mask;
      slots.set(old.subarray(s, s + SLOT), slot * SLOT);
    }
    this.slots = slots;
    this.mask = mask;
  }
}

function flatten(s: string): string {
  return s.length === 0 ? s : (' ' + s).slice(1);
}

function grow32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

/** The process-wide lexicon: stem ids must agree between taxonomies, models and documents. */
export const lexicon = new Lexicon();

/** Stem id of a phrase word as documents will produce it (interning it). */
export function stemIdOfWord(word: string): number {
  const e = lexicon.entryOf(word);
  if (e >= 0) return lexicon.stemOf(e);
  return lexicon.internStem(isStopSurface(word) ? word : porterStem(word));
}

/** Stem ids of a phrase: tokenized and stemmed as document text is. */
export function phraseStemIds(phrase: string): number[] {
  return tokenize(phrase).map(stemIdOfWord);
}

/**
 * Token buffers for one document, reused across documents (no per-token objects).
 * Positions [0, titleEnd) are the title, the rest the abstract.
 */
export class DocTokens {
  length = 0;
  titleEnd = 0;
  entry: Int32Array = new Int32Array(1024); // lexicon entry, -1 when the lexicon is full
  stem: Int32Array = new Int32Array(1024); // stem id, -1 when unknown
  flags: Uint8Array = new Uint8Array(1024);
  /** Character offsets of each token in its text (the title or the abstract). */
  from: Int32Array = new Int32Array(1024);
  to: Int32Array = new Int32Array(1024);
  title = '';
  abstract = '';
  /** Surfaces of tokens whose entry is -1 (only when the lexicon is full). */
  readonly overflow = new Map<number, string>();

  /** Incremented by every load (lets derived buffers know they are stale). */
  version = 0;
  /** Data derived from the tokens (n-grams), kept by ngrams.ts; checked against `version`. */
  derived: unknown = undefined;

  reset(): void {
    this.version++;
    this.length = 0;
    this.titleEnd = 0;
    if (this.overflow.size) this.overflow.clear();
  }

  /** Lower-case surface of token i. */
  surface(i: number): string {
    const e = this.entry[i];
    return e >= 0 ? lexicon.surfaces[e] : (this.overflow.get(i) ?? '');
  }

  private ensure(n: number): void {
    if (n <= this.entry.length) return;
    let size = this.entry.length;
    while (size < n) size *= 2;
    this.entry = grow32(this.entry, size);
    this.stem = grow32(this.stem, size);
    this.from = grow32(this.from, size);
    this.to = grow32(this.to, size);
    const f = new Uint8Array(size);
    f.set(this.flags);
    this.flags = f;
  }

  private pushEntry(e: number, flags: number, from: number, to: number, surface?: string): void {
    const i = this.length;
    if (i >= this.entry.length) this.ensure(i + 1);
    this.entry[i] = e;
    this.from[i] = from;
    this.to[i] = to;
    if (e >= 0) {
      this.stem[i] = lexicon.stemOf(e);
      if (lexicon.isStop(e)) flags |= STOP;
    } else {
      const s = surface ?? '';
      const stop = isStopSurface(s);
      this.stem[i] = lexicon.stemId(stop ? s : porterStem(s));
      if (stop) flags |= STOP;
      this.overflow.set(i, s);
    }
    this.flags[i] = flags;
    this.length = i + 1;
  }

  /** Append the tokens of a text; the first token gets BREAK. */
  append(text: string, title: boolean): void {
    const base = title ? TITLE : 0;
    let pendingBreak = true;
    const n = text.length;
    // Tokens are separated by at least one character, so this bounds the count for ASCII text.
    this.ensure(this.length + (n >> 1) + 2);
    let entry = this.entry;
    let stems = this.stem;
    let flagArr = this.flags;
    let fromArr = this.from;
    let toArr = this.to;
    let len = this.length;
    const lex = lexicon;
    let i = 0;
    while (i < n) {
      let c = text.charCodeAt(i);
      if (c < 128) {
        const k = ASCII[c];
        if (k !== 1) {
          if (k === 2) pendingBreak = true;
          i++;
          continue;
        }
      } else {
        const cp = text.codePointAt(i)!;
        const k = classifyNonAscii(cp);
        if (k !== 1) {
          if (k === 2) pendingBreak = true;
          i += cp > 0xffff ? 2 : 1;
          continue;
        }
      }
      // A token starts at i.
      const start = i;
      let p0 = 0;
      let p1 = 0;
      let p2 = 0;
      let p3 = 0;
      let ascii = true;
      while (i < n) {
        c = text.charCodeAt(i);
        const lc = WORD_CHAR[c];
        if (lc !== 0) {
          p3 = (p3 << 8) | (p2 >>> 24);
          p2 = (p2 << 8) | (p1 >>> 24);
          p1 = (p1 << 8) | (p0 >>> 24);
          p0 = (p0 << 8) | lc;
          i++;
        } else if (c < 128) {
          break;
        } else {
          const cp = text.codePointAt(i)!;
          if (classifyNonAscii(cp) !== 1) break;
          ascii = false;
          i += cp > 0xffff ? 2 : 1;
        }
      }
      const flags = base | (pendingBreak ? BREAK : 0);
      pendingBreak = false;
      if (ascii) {
        const e = lex.entryOfAscii(text, start, i, p0, p1, p2, p3);
        if (e >= 0) {
          const info = lex.lastInfo;
          entry[len] = e;
          stems[len] = info >> 1;
          flagArr[len] = flags | (info & 1);
          fromArr[len] = start;
          toArr[len] = i;
          len++;
          continue;
        }
        this.length = len;
        this.pushEntry(e, flags, start, i, text.slice(start, i).toLowerCase());
      } else {
        // Lower-casing can change letters into marks (İ -> i + U+0307): split as the tokenizer would.
        this.length = len;
        let first = true;
        for (const part of tokenize(text.slice(start, i))) {
          const e = lex.entryOf(part);
          this.pushEntry(e, first ? flags : base, start, i, e < 0 ? part : undefined);
          first = false;
        }
      }
      // The slow paths may have grown the buffers.
      len = this.length;
      this.ensure(len + ((n - i) >> 1) + 2);
      entry = this.entry;
      stems = this.stem;
      flagArr = this.flags;
      fromArr = this.from;
      toArr = this.to;
    }
    this.length = len;
  }

  /** Mask the tokens of links in text appended from token `first` on. */
  private maskLinks(text: string, first: number): void {
    if (text.indexOf('://') < 0 && text.indexOf('www.') < 0 && text.indexOf('.com/') < 0 && text.indexOf('.io/') < 0) return;
    URL.lastIndex = 0;
    let t = first;
    for (let m = URL.exec(text); m; m = URL.exec(text)) {
      const from = m.index;
      const to = from + m[0].length;
      while (t < this.length && this.from[t] < from) t++;
      for (; t < this.length && this.from[t] < to; t++) {
        this.stem[t] = -1;
        this.flags[t] |= STOP | BREAK;
      }
    }
  }

  /** Tokenize a paper: title then abstract, with a break between them. */
  load(title: string, abstract: string | undefined): void {
    this.reset();
    this.title = title ?? '';
    this.abstract = abstract ?? '';
    if (title) this.append(title, true);
    this.titleEnd = this.length;
    if (abstract) {
      this.append(abstract, false);
      this.maskLinks(abstract, this.titleEnd);
    }
  }

  /** The text of tokens [i, j) as written, whitespace collapsed (i and j in the same part). */
  span(i: number, j: number): string {
    const text = (this.flags[i] & TITLE) !== 0 ? this.title : this.abstract;
    const from = this.from[i];
    const to = this.to[j - 1];
    // Usually words are apart by single spaces or punctuation: nothing to collapse.
    let plain = true;
    for (let k = from; k < to; k++) {
      const c = text.charCodeAt(k);
      if (c > 32 && c < 128) continue;
      if (c === 32 && k + 1 < to) {
        const d = text.charCodeAt(k + 1);
        if (d > 32 && d < 128) continue;
      }
      plain = false;
      break;
    }
    const s = text.slice(from, to);
    return plain ? s : s.replace(/\s+/g, ' ');
  }
}
