// N-grams of stem ids (1 to 3 content words in a row, not across punctuation) and an
// open-addressing table keyed by them, in typed arrays: no string keys, no per-n-gram objects.
import { BREAK, type DocTokens, lexicon, STOP } from './lexicon.js';

const NONE = -1;

function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ c, 0x27d4eb2f);
  return h ^ (h >>> 15);
}

// N-gram keys packed into 64 bits (two ints), for tables that keep the key in the slot itself. Stem
// ids (and stem id + 1 for the optional second and third words) fit in 21 bits: the lexicon holds
// fewer than 2^21 stems (MAX_STEMS).
const BITS = 21;
const LOW = (1 << (BITS - 10)) - 1; // the 11 low bits of the second word go in the first int
const WORD = (1 << BITS) - 1;

export function keyLo(a: number, b: number): number {
  return a | (((b + 1) & LOW) << BITS);
}

export function keyHi(b: number, c: number): number {
  // Top bit set: no key is all zeros, so 0 marks an empty slot.
  return ((b + 1) >>> (32 - BITS)) | ((c + 1) << 10) | 0x80000000;
}

export function hash2(lo: number, hi: number): number {
  let h = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ hi, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Document frequencies being counted (the first pass over a corpus): slots of four ints holding the
 * packed key and the count, so that counting an n-gram touches one cache line. Entry order is not
 * kept (nothing depends on it): toTable() lists them in slot order.
 */
export class GramCounter {
  size = 0;
  private slots: Int32Array;
  private mask: number;

  constructor(capacity = 1 << 14) {
    let n = 16;
    while (n * 3 < capacity * 4) n *= 2;
    this.slots = new Int32Array(n * 4);
    this.mask = n - 1;
  }

  /** Count one more document for the key. */
  increment(a: number, b: number, c: number): void {
    const lo = keyLo(a, b);
    const hi = keyHi(b, c);
    const slots = this.slots;
    const mask = this.mask;
    let s = hash2(lo, hi) & mask;
    for (;;) {
      const i = s << 2;
      const h = slots[i + 1];
      if (h === 0) {
        slots[i] = lo;
        slots[i + 1] = hi;
        slots[i + 2] = 1;
        this.size++;
        // At most three quarters full (see GramIndex).
        if (this.size * 4 > (mask + 1) * 3) this.rehash((mask + 1) * 2);
        return;
      }
      if (h === hi && slots[i] === lo) {
        slots[i + 2]++;
        return;
      }
      s = (s + 1) & mask;
    }
  }

  /** Drop entries whose count is at most `maxCount`. */
  prune(maxCount: number): void {
    const slots = this.slots;
    let kept = 0;
    for (let i = 0; i < slots.length; i += 4) {
      if (slots[i + 1] === 0) continue;
      if (slots[i + 2] <= maxCount) {
        slots[i] = 0;
        slots[i + 1] = 0;
        slots[i + 2] = 0;
      } else kept++;
    }
    this.size = kept;
    this.rehash(this.mask + 1);
  }

  private rehash(n: number): void {
    const old = this.slots;
    const slots = new Int32Array(n * 4);
    const mask = n - 1;
    for (let i = 0; i < old.length; i += 4) {
      const hi = old[i + 1];
      if (hi === 0) continue;
      const lo = old[i];
      let s = hash2(lo, hi) & mask;
      while (slots[(s << 2) + 1] !== 0) s = (s + 1) & mask;
      const j = s << 2;
      slots[j] = lo;
      slots[j + 1] = hi;
      slots[j + 2] = old[i + 2];
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** The counts as an NgramTable. */
  toTable(): NgramTable {
    const t = new NgramTable(this.size + 16);
    const slots = this.slots;
    for (let i = 0; i < slots.length; i += 4) {
      const hi = slots[i + 1];
      if (hi === 0) continue;
      const lo = slots[i];
      const a = lo & WORD;
      const b = (((lo >>> BITS) & LOW) | ((hi & 0x3ff) << (BITS - 10))) - 1;
      const c = ((hi >>> 10) & WORD) - 1;
      const e = t.add(a, b, c); // before reading t.count: adding may grow it
      t.count[e] = slots[i + 2];
    }
    return t;
  }
}

/** A set of n-gram keys (up to three stem ids, -1 padded) with an int count per key. */
export class NgramTable {
  a: Int32Array;
  b: Int32Array;
  c: Int32Array;
  count: Int32Array;
  /** Last document that touched each entry (counting document frequency once per document). */
  last: Int32Array;
  size = 0;
  // Slots of four ints (entry + 1, a, b, c): a probe compares the key in the slot's own cache line,
  // so a lookup in a large table costs one cache miss, not one per key array.
  private slots: Int32Array;
  private mask: number;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.c = new Int32Array(cap);
    this.count = new Int32Array(cap);
    this.last = new Int32Array(cap).fill(-1);
    this.slots = new Int32Array(cap * 8);
    this.mask = cap * 2 - 1;
  }

  find(a: number, b: number, c: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let slot = hash3(a, b, c) & mask;
    for (;;) {
      const i = slot << 2;
      const e = slots[i] - 1;
      if (e < 0) return -1;
      if (slots[i + 1] === a && slots[i + 2] === b && slots[i + 3] === c) return e;
      slot = (slot + 1) & mask;
    }
  }

  /** Entry id of the key, inserting it with count 0 when absent. */
  add(a: number, b: number, c: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let slot = hash3(a, b, c) & mask;
    for (;;) {
      const i = slot << 2;
      const e = slots[i] - 1;
      if (e < 0) break;
      if (slots[i + 1] === a && slots[i + 2] === b && slots[i + 3] === c) return e;
      slot = (slot + 1) & mask;
    }
    const e = this.size;
    if (e >= this.a.length) {
      this.grow();
      return this.add(a, b, c);
    }
    this.a[e] = a;
    this.b[e] = b;
    this.c[e] = c;
    this.count[e] = 0;
    this.last[e] = -1;
    const i = slot << 2;
    slots[i] = e + 1;
    slots[i + 1] = a;
    slots[i + 2] = b;
    slots[i + 3] = c;
    this.size = e + 1;
    return e;
  }

  private grow(): void {
    const cap = this.a.length * 2;
    const copy = (x: Int32Array) => {
      const y = new Int32Array(cap);
      y.set(x);
      return y;
    };
    this.a = copy(this.a);
    this.b = copy(this.b);
    this.c = copy(this.c);
    this.count = copy(this.count);
    const last = new Int32Array(cap).fill(-1);
    last.set(this.last);
    this.last = last;
    this.rehash(cap * 2);
  }

  private rehash(slotCount: number): void {
    const slots = new Int32Array(slotCount * 4);
    const mask = slotCount - 1;
    this.mask = mask;
    for (let e = 0; e < this.size; e++) {
      const a = this.a[e];
      const b = this.b[e];
      const c = this.c[e];
      let slot = hash3(a, b, c) & mask;
      while (slots[slot << 2] !== 0) slot = (slot + 1) & mask;
      const i = slot << 2;
      slots[i] = e + 1;
      slots[i + 1] = a;
      slots[i + 2] = b;
      slots[i + 3] = c;
    }
    this.slots = slots;
  }

  /** Empty the table, keeping its capacity. */
  clear(): void {
    this.size = 0;
    this.slots.fill(0);
  }

  /** True when entry `inner` is a contiguous part of entry `outer`. */
  contains(outer: number, inner: number): boolean {
    const on = this.order(outer);
    const inn = this.order(inner);
    if (inn > on) return false;
    const o0 = this.a[outer], o1 = this.b[outer], o2 = this.c[outer];
    const i0 = this.a[inner], i1 = this.b[inner], i2 = this.c[inner];
    if (inn === 1) return i0 === o0 || i0 === o1 || i0 === o2;
    if (inn === 2) return (i0 === o0 && i1 === o1) || (on === 3 && i0 === o1 && i1 === o2);
    return i0 === o0 && i1 === o1 && i2 === o2;
  }

  /** Drop entries whose count is at most `maxCount` (ids of the others change). */
  prune(maxCount: number): void {
    let w = 0;
    for (let e = 0; e < this.size; e++) {
      if (this.count[e] <= maxCount) continue;
      this.a[w] = this.a[e];
      this.b[w] = this.b[e];
      this.c[w] = this.c[e];
      this.count[w] = this.count[e];
      this.last[w] = this.last[e];
      w++;
    }
    this.size = w;
    this.rehash(this.mask + 1);
  }

  /** Length (1 to 3) of entry e. */
  order(e: number): number {
    return this.c[e] !== NONE ? 3 : this.b[e] !== NONE ? 2 : 1;
  }

  /** The entry's stems joined by spaces (for saving and explaining). */
  key(e: number): string {
    const s = lexicon.stems;
    let k = s[this.a[e]];
    if (this.b[e] !== NONE) k += ` ${s[this.b[e]]}`;
    if (this.c[e] !== NONE) k += ` ${s[this.c[e]]}`;
    return k;
  }

  /** Add a key given as stems joined by spaces (interning the stems); -1 when a stem cannot be interned. */
  addKey(key: string): number {
    // As key.split(' ') into one to three parts, without the array.
    const s1 = key.indexOf(' ');
    if (s1 < 0) {
      const a = lexicon.internStem(key);
      return a < 0 ? -1 : this.add(a, NONE, NONE);
    }
    const s2 = key.indexOf(' ', s1 + 1);
    if (s2 >= 0 && key.indexOf(' ', s2 + 1) >= 0) return -1;
    const a = lexicon.internStem(key.slice(0, s1));
    const b = lexicon.internStem(s2 < 0 ? key.slice(s1 + 1) : key.slice(s1 + 1, s2));
    const c = s2 < 0 ? NONE : lexicon.internStem(key.slice(s2 + 1));
    if (a < 0 || b < 0 || (s2 >= 0 && c < 0)) return -1;
    return this.add(a, b, c);
  }
}

/**
 * The n-gram occurrences of one document, in reusable buffers: key stems, start token and length.
 * Only content words (not stopwords, not numbers) form n-grams, and never across punctuation.
 */
export class NgramBuffer {
  length = 0;
  a: Int32Array = new Int32Array(1024);
  b: Int32Array = new Int32Array(1024);
  c: Int32Array = new Int32Array(1024);
  start: Int32Array = new Int32Array(1024);
  n: Uint8Array = new Uint8Array(1024);
  title: Uint8Array = new Uint8Array(1024);

  private ensure(size: number): void {
    if (size <= this.a.length) return;
    let cap = this.a.length;
    while (cap < size) cap *= 2;
    const g32 = (x: Int32Array) => {
      const y = new Int32Array(cap);
      y.set(x);
      return y;
    };
    const g8 = (x: Uint8Array) => {
      const y = new Uint8Array(cap);
      y.set(x);
      return y;
    };
    this.a = g32(this.a);
    this.b = g32(this.b);
    this.c = g32(this.c);
    this.start = g32(this.start);
    this.n = g8(this.n);
    this.title = g8(this.title);
  }

  /** Collect the 1..maxN-grams of a tokenized document. */
  collect(doc: DocTokens, maxN: number): void {
    this.length = 0;
    this.ensure(doc.length * maxN + 1);
    const stems = doc.stem;
    const flags = doc.flags;
    const { a, b, c, start, n, title } = this;
    let k = 0;
    let run = 0; // content words in a row ending at the current token
    for (let i = 0; i < doc.length; i++) {
      const f = flags[i];
      const s = stems[i];
      if ((f & STOP) !== 0 || s < 0) {
        run = 0;
        continue;
      }
      run = (f & BREAK) !== 0 ? 1 : run + 1;
      const t = i < doc.titleEnd ? 1 : 0;
      a[k] = s;
      b[k] = NONE;
      c[k] = NONE;
      start[k] = i;
      n[k] = 1;
      title[k] = t;
      k++;
      if (maxN >= 2 && run >= 2) {
        a[k] = stems[i - 1];
        b[k] = s;
        c[k] = NONE;
        start[k] = i - 1;
        n[k] = 2;
        title[k] = t;
        k++;
      }
      if (maxN >= 3 && run >= 3) {
        a[k] = stems[i - 2];
        b[k] = stems[i - 1];
        c[k] = s;
        start[k] = i - 2;
        n[k] = 3;
        title[k] = t;
        k++;
      }
    }
    this.length = k;
  }
}

/**
 * The distinct n-grams of one document (from its NgramBuffer), in order of first occurrence, with
 * how often each occurs (in all and in the title) and the list of its occurrences in reading order.
 * Built once per document and shared: keywords, the model and corpus statistics each then look up
 * every n-gram once, not once per occurrence.
 */
export class DocGrams {
  /** Number of distinct n-grams. */
  size = 0;
  a: Int32Array = new Int32Array(256);
  b: Int32Array = new Int32Array(256);
  c: Int32Array = new Int32Array(256);
  /** Length in words (1 to 3). */
  n: Uint8Array = new Uint8Array(256);
  /** Occurrences, and how many of them are in the title (title occurrences come first). */
  count: Int32Array = new Int32Array(256);
  titleCount: Int32Array = new Int32Array(256);
  /** First occurrence (an index into the buffer); next[k] is the following occurrence of the same n-gram, or -1. */
  first: Int32Array = new Int32Array(256);
  next: Int32Array = new Int32Array(1024);
  private lastOcc: Int32Array = new Int32Array(256);
  private slotOf: Int32Array = new Int32Array(256);
  // Open addressing: entry + 1 per slot; emptied entry by entry after each document.
  private slots: Int32Array = new Int32Array(1024);
  private mask = 1023;

  /** Group the occurrences of `buf`. */
  build(buf: NgramBuffer): void {
    const slots = this.slots;
    for (let e = 0; e < this.size; e++) slots[this.slotOf[e]] = 0;
    this.size = 0;
    const len = buf.length;
    if (len * 2 > this.mask + 1) this.resize(len);
    if (this.next.length < len) this.next = new Int32Array(Math.max(len, this.next.length * 2));
    const ba = buf.a;
    const bb = buf.b;
    const bc = buf.c;
    const bn = buf.n;
    const bt = buf.title;
    const next = this.next;
    for (let k = 0; k < len; k++) {
      const a = ba[k];
      const b = bb[k];
      const c = bc[k];
      let e = this.lookup(a, b, c);
      if (e < 0) {
        e = this.insert(a, b, c, bn[k], k);
      } else {
        next[this.lastOcc[e]] = k;
      }
      next[k] = -1;
      this.lastOcc[e] = k;
      this.count[e]++;
      if (bt[k] !== 0) this.titleCount[e]++;
    }
  }

  private lookup(a: number, b: number, c: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let slot = hash3(a, b, c) & mask;
    for (;;) {
      const e = slots[slot] - 1;
      if (e < 0) {
        this.freeSlot = slot;
        return -1;
      }
      if (this.a[e] === a && this.b[e] === b && this.c[e] === c) return e;
      slot = (slot + 1) & mask;
    }
  }

  private freeSlot = 0;

  private insert(a: number, b: number, c: number, n: number, k: number): number {
    const e = this.size;
    if (e >= this.a.length) this.growEntries();
    this.a[e] = a;
    this.b[e] = b;
    this.c[e] = c;
    this.n[e] = n;
    this.count[e] = 0;
    this.titleCount[e] = 0;
    this.first[e] = k;
    this.slots[this.freeSlot] = e + 1;
    this.slotOf[e] = this.freeSlot;
    this.size = e + 1;
    return e;
  }

  private resize(occurrences: number): void {
    let size = this.mask + 1;
    while (size < occurrences * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
  }

  private growEntries(): void {
    const n = this.a.length * 2;
    const g32 = (x: Int32Array) => {
      const y = new Int32Array(n);
      y.set(x);
      return y;
    };
    this.a = g32(this.a);
    this.b = g32(this.b);
    this.c = g32(this.c);
    this.count = g32(this.count);
    this.titleCount = g32(this.titleCount);
    this.first = g32(this.first);
    this.lastOcc = g32(this.lastOcc);
    this.slotOf = g32(this.slotOf);
    const m = new Uint8Array(n);
    m.set(this.n);
    this.n = m;
  }

  /** True when n-gram `inner` is a contiguous part of n-gram `outer` (as NgramTable.contains). */
  contains(outer: number, inner: number): boolean {
    const on = this.n[outer];
    const inn = this.n[inner];
    if (inn > on) return false;
    const o0 = this.a[outer], o1 = this.b[outer], o2 = this.c[outer];
    const i0 = this.a[inner], i1 = this.b[inner], i2 = this.c[inner];
    if (inn === 1) return i0 === o0 || i0 === o1 || i0 === o2;
    if (inn === 2) return (i0 === o0 && i1 === o1) || (on === 3 && i0 === o1 && i1 === o2);
    return i0 === o0 && i1 === o1 && i2 === o2;
  }
}

interface Shared {
  buffer: NgramBuffer;
  version: number;
  grams: DocGrams | null;
  gramsVersion: number;
}

function sharedOf(doc: DocTokens): Shared {
  let entry = doc.derived as Shared | undefined;
  if (!entry) {
    entry = { buffer: new NgramBuffer(), version: -1, grams: null, gramsVersion: -1 };
    doc.derived = entry;
  }
  if (entry.version !== doc.version) {
    entry.buffer.collect(doc, 3);
    entry.version = doc.version;
  }
  return entry;
}

/** The 1..3-grams of a document, collected once per load and shared by keywords and models. */
export function docNgrams(doc: DocTokens): NgramBuffer {
  return sharedOf(doc).buffer;
}

/** The distinct 1..3-grams of a document (see DocGrams), grouped once per load. */
export function docGrams(doc: DocTokens): DocGrams {
  const entry = sharedOf(doc);
  if (entry.gramsVersion !== doc.version) {
    entry.grams ??= new DocGrams();
    entry.grams.build(entry.buffer);
    entry.gramsVersion = doc.version;
  }
  return entry.grams!;
}

export { NONE as NO_STEM };
