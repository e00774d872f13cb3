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

/** A set of n-gram keys (up to three stem ids, -1 padded) with an int count per key. */
export class NgramTable {
  a: Int32Array;
  b: Int32Array;
  c: Int32Array;
  count: Int32Array;
  /** Last document that touched each entry (counting document frequency once per document). */
  last: Int32Array;
  size = 0;
  // Pairs (entry + 1, hash): a probe compares hashes in the slot's own cache line and touches the
  // key arrays only on a hash match.
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
    this.slots = new Int32Array(cap * 4);
    this.mask = cap * 2 - 1;
  }

  find(a: number, b: number, c: number): number {
    const h = hash3(a, b, c);
    const slots = this.slots;
    let slot = h & this.mask;
    for (;;) {
      const e = slots[2 * slot] - 1;
      if (e < 0) return -1;
      if (slots[2 * slot + 1] === h && this.a[e] === a && this.b[e] === b && this.c[e] === c) return e;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Entry id of the key, inserting it with count 0 when absent. */
  add(a: number, b: number, c: number): number {
    const h = hash3(a, b, c);
    const slots = this.slots;
    let slot = h & this.mask;
    for (;;) {
      const e = slots[2 * slot] - 1;
      if (e < 0) break;
      if (slots[2 * slot + 1] === h && this.a[e] === a && this.b[e] === b && this.c[e] === c) return e;
      slot = (slot + 1) & this.mask;
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
    slots[2 * slot] = e + 1;
    slots[2 * slot + 1] = h;
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
    const slots = new Int32Array(slotCount * 2);
    this.mask = slotCount - 1;
    for (let e = 0; e < this.size; e++) {
      const h = hash3(this.a[e], this.b[e], this.c[e]);
      let slot = h & this.mask;
      while (slots[2 * slot] !== 0) slot = (slot + 1) & this.mask;
      slots[2 * slot] = e + 1;
      slots[2 * slot + 1] = h;
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
    const parts = key.split(' ');
    if (parts.length < 1 || parts.length > 3) return -1;
    const ids = parts.map((p) => lexicon.internStem(p));
    if (ids.some((x) => x < 0)) return -1;
    return this.add(ids[0], ids[1] ?? NONE, ids[2] ?? NONE);
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

const shared = new WeakMap<DocTokens, { buffer: NgramBuffer; version: number }>();

/** The 1..3-grams of a document, collected once per load and shared by keywords and models. */
export function docNgrams(doc: DocTokens): NgramBuffer {
  let entry = shared.get(doc);
  if (!entry) {
    entry = { buffer: new NgramBuffer(), version: -1 };
    shared.set(doc, entry);
  }
  if (entry.version !== doc.version) {
    entry.buffer.collect(doc, 3);
    entry.version = doc.version;
  }
  return entry.buffer;
}

export { NONE as NO_STEM };
