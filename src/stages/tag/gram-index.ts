// What a Tagger needs to know about an n-gram (its model feature and its keyword document
// frequency), merged into one table so that each distinct n-gram of a paper costs one lookup that
// touches one cache line: single words by stem id, phrases by their stem ids packed into a 64-bit key
// stored in the slot itself. Separate lookups in the model's and the statistics' own tables cost
// four or more cache misses per phrase, and tagging is bound by those misses.
//
// A snapshot: built when the Tagger is made, from the model's features and the keyword statistics
// as they are then.
import type { DocGrams, NgramTable } from './ngrams.js';
import { hash2, keyHi, keyLo, NO_STEM } from './ngrams.js';

export class GramIndex {
  /** By stem id, two ints: model feature of the word (-1 none) and its document frequency. */
  private uni: Int32Array;
  // Phrase slots of four ints: key low, key high (0 = empty), feature, document frequency.
  private slots: Int32Array;
  private mask: number;
  /** log2 of the slot count; a key's home slot is the top `bits` bits of its hash. */
  private bits: number;
  /** Per distinct n-gram of the last resolved paper: model feature (-1 none) and document frequency. */
  feature: Int32Array = new Int32Array(256);
  df: Int32Array = new Int32Array(256);

  constructor(features: NgramTable | undefined, stats: NgramTable | undefined) {
    let maxStem = -1;
    let phrases = 0;
    for (const t of [features, stats]) {
      if (!t) continue;
      for (let e = 0; e < t.size; e++) {
        if (t.b[e] === NO_STEM) {
          if (t.a[e] > maxStem) maxStem = t.a[e];
        } else if (t === stats || !stats || stats.find(t.a[e], t.b[e], t.c[e]) < 0) phrases++; // distinct ones
      }
    }
    this.uni = new Int32Array((maxStem + 1) * 2);
    for (let s = 0; s <= maxStem; s++) this.uni[2 * s] = -1;
    // At most three quarters full: lookups stay within a line or two, in a table half the size it
    // would be at half full.
    let bits = 4;
    while ((1 << bits) * 3 < phrases * 4) bits++;
    this.bits = bits;
    this.slots = new Int32Array((1 << bits) * 4);
    this.mask = (1 << bits) - 1;
    if (stats) {
      for (let e = 0; e < stats.size; e++) {
        const a = stats.a[e];
        const b = stats.b[e];
        if (b === NO_STEM) this.uni[2 * a + 1] = stats.count[e];
        else this.slots[this.slot(a, b, stats.c[e]) + 3] = stats.count[e];
      }
    }
    if (features) {
      for (let f = 0; f < features.size; f++) {
        const a = features.a[f];
        const b = features.b[f];
        if (b === NO_STEM) this.uni[2 * a] = f;
        else this.slots[this.slot(a, b, features.c[f]) + 2] = f;
      }
    }
  }

  /** Index (into slots) of the key's slot, claiming an empty one (feature -1, df 0) when absent. */
  private slot(a: number, b: number, c: number): number {
    const lo = keyLo(a, b);
    const hi = keyHi(b, c);
    const slots = this.slots;
    const mask = this.mask;
    let s = hash2(lo, hi) >>> (32 - this.bits);
    for (;;) {
      const i = s << 2;
      const h = slots[i + 1];
      if (h === 0) {
        slots[i] = lo;
        slots[i + 1] = hi;
        slots[i + 2] = -1;
        slots[i + 3] = 0;
        return i;
      }
      if (h === hi && slots[i] === lo) return i;
      s = (s + 1) & mask;
    }
  }

  /** Fill `feature` and `df` for every distinct n-gram of g with at most maxN words (others untouched). */
  resolve(g: DocGrams, maxN: number): void {
    const m = g.size;
    if (this.feature.length < m) {
      let n = this.feature.length;
      while (n < m) n *= 2;
      this.feature = new Int32Array(n);
      this.df = new Int32Array(n);
    }
    const feature = this.feature;
    const df = this.df;
    const uni = this.uni;
    const uniStems = uni.length >> 1;
    const slots = this.slots;
    const mask = this.mask;
    const shift = 32 - this.bits;
    const ga = g.a;
    const gb = g.b;
    const gc = g.c;
    const gn = g.n;
    for (let e = 0; e < m; e++) {
      const n = gn[e];
      if (n > maxN) continue;
      const a = ga[e];
      if (n === 1) {
        if (a < uniStems) {
          feature[e] = uni[2 * a];
          df[e] = uni[2 * a + 1];
        } else {
          feature[e] = -1;
          df[e] = 0;
        }
        continue;
      }
      const b = gb[e];
      const lo = keyLo(a, b);
      const hi = keyHi(b, gc[e]);
      let s = hash2(lo, hi) >>> shift;
      for (;;) {
        const i = s << 2;
        const h = slots[i + 1];
        if (h === 0) {
          feature[e] = -1;
          df[e] = 0;
          break;
        }
        if (h === hi && slots[i] === lo) {
          feature[e] = slots[i + 2];
          df[e] = slots[i + 3];
          break;
        }
        s = (s + 1) & mask;
      }
    }
  }
}
