// Word forms interned once per process: a text is scanned character by character and each token is
// looked up in an open-addressing table by a hash computed during the scan, so the hot path makes
// no substring, no lower-casing and no Map lookup per token. Tokens and stems are exactly those of
// src/text/tokens.ts (natural's RegexpTokenizer on non-letter/digit, Porter stemmer).
import { STOPWORDS, stem as porterStem, tokenize } from '../../text/tokens.js';

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;

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

export class Lexicon {
  private slots: Int32Array = new Int32Array(1 << 16); // entry id + 1; 0 = empty
  private mask = (1 << 16) - 1;
  private hashes: Int32Array = new Int32Array(1 << 12);
  /** Lower-case surface form of each entry. */
  readonly surfaces: string[] = [];
  /** Per entry: stem id << 1 | stop bit (one read on the hot path). Stem id -1 gives -2. */
  info: Int32Array = new Int32Array(1 << 12);
  // Character codes of every surface, back to back, for comparing without touching strings.
  private pool: Uint16Array = new Uint16Array(1 << 16);
  private poolUsed = 0;
  private offsets: Int32Array = new Int32Array(1 << 12);
  private lengths: Int32Array = new Int32Array(1 << 12);
  /** Stem strings by stem id. */
  readonly stems: string[] = [];
  private readonly stemIds = new Map<string, number>();

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

  stemOf(entry: number): number {
    return this.info[entry] >> 1;
  }

  isStop(entry: number): boolean {
    return (this.info[entry] & 1) === 1;
  }

  /** Entry of a lower-case token given as a string (slow path), or -1 when the table is full. */
  entryOf(surface: string): number {
    let h = FNV_OFFSET;
    for (let i = 0; i < surface.length; i++) h = Math.imul(h ^ surface.charCodeAt(i), FNV_PRIME);
    let slot = h & this.mask;
    for (;;) {
      const e = this.slots[slot] - 1;
      if (e < 0) break;
      if (this.hashes[e] === h && this.surfaces[e] === surface) return e;
      slot = (slot + 1) & this.mask;
    }
    return this.insert(surface, h, slot);
  }

  /**
   * Entry of the ASCII token text[start, end) lower-cased, whose FNV hash over lower-case codes is h.
   * Compares in place; allocates only for a form never seen before.
   */
  entryOfAscii(text: string, start: number, end: number, h: number): number {
    const len = end - start;
    let slot = h & this.mask;
    for (;;) {
      const e = this.slots[slot] - 1;
      if (e < 0) break;
      if (this.hashes[e] === h && this.lengths[e] === len) {
        const off = this.offsets[e];
        const pool = this.pool;
        let i = 0;
        for (; i < len; i++) {
          let c = text.charCodeAt(start + i);
          if (c >= 65 && c <= 90) c |= 32;
          if (c !== pool[off + i]) break;
        }
        if (i === len) return e;
      }
      slot = (slot + 1) & this.mask;
    }
    return this.insert(text.slice(start, end).toLowerCase(), h, slot);
  }

  private insert(surface: string, h: number, slot: number): number {
    if (this.surfaces.length >= MAX_SURFACES) return -1;
    const e = this.surfaces.length;
    if (e >= this.hashes.length) {
      const n = this.hashes.length * 2;
      this.hashes = grow32(this.hashes, n);
      this.info = grow32(this.info, n);
      this.offsets = grow32(this.offsets, n);
      this.lengths = grow32(this.lengths, n);
    }
    if (this.poolUsed + surface.length > this.pool.length) {
      let size = this.pool.length * 2;
      while (size < this.poolUsed + surface.length) size *= 2;
      const p = new Uint16Array(size);
      p.set(this.pool);
      this.pool = p;
    }
    for (let i = 0; i < surface.length; i++) this.pool[this.poolUsed + i] = surface.charCodeAt(i);
    this.offsets[e] = this.poolUsed;
    this.lengths[e] = surface.length;
    this.poolUsed += surface.length;
    // A flat copy: a slice would keep the whole abstract it came from alive.
    this.surfaces.push(flatten(surface));
    this.hashes[e] = h;
    // Stopwords keep their surface as stem, as analyze() does; phrases still match them exactly.
    const stop = isStopSurface(surface);
    this.info[e] = (this.internStem(stop ? surface : porterStem(surface)) << 1) | (stop ? 1 : 0);
    this.slots[slot] = e + 1;
    if ((e + 1) * 2 > this.slots.length) this.rehash();
    return e;
  }

  private rehash(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let e = 0; e < this.surfaces.length; e++) {
      let slot = this.hashes[e] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
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
      let h = FNV_OFFSET;
      let ascii = true;
      while (i < n) {
        c = text.charCodeAt(i);
        if (c < 128) {
          if (ASCII[c] !== 1) break;
          if (c >= 65 && c <= 90) c |= 32;
          h = Math.imul(h ^ c, FNV_PRIME);
          i++;
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
        const e = lex.entryOfAscii(text, start, i, h);
        if (e >= 0) {
          const info = lex.info[e];
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
    return text.slice(this.from[i], this.to[j - 1]).replace(/\s+/g, ' ');
  }
}
