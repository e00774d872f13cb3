// MinHash by one-permutation hashing (one hash per shingle, K bins, minimum per bin) with
// optimal densification for empty bins (Shrivastava 2017), so the cost is O(shingles + K)
// rather than O(shingles x K). The probability that two signatures agree in a bin is the Jaccard
// similarity of the two shingle sets. Values are kept as 8 bits (b-bit MinHash, Li & Koenig 2010):
// a chance agreement has probability 1/256, which estimateJaccard corrects for.
import { combine, fmix32 } from './hash.js';

export interface MinHasher {
  /** Number of bins (signature length), at most 256. */
  readonly k: number;
  /** Signature of a set of 32-bit element hashes (repeats are fine); false when the set is empty. */
  sign(elements: ArrayLike<number>, count: number, out: Uint8Array): boolean;
}

const PROBES = 16;

export function createMinHasher(k: number, seed: number): MinHasher {
  if (!Number.isInteger(k) || k < 2 || k > 256) throw new Error(`MinHash size must be an integer in 2..256, got ${k}`);
  const mins = new Uint32Array(k);
  const filled = new Uint8Array(k);
  const probe = (b: number, attempt: number) => Math.floor((combine(b + 1, attempt ^ seed) * k) / 4294967296);
  // The first probes of every bin, computed once.
  const probes = new Uint16Array(k * PROBES);
  for (let b = 0; b < k; b++) for (let a = 1; a <= PROBES; a++) probes[b * PROBES + a - 1] = probe(b, a);
  return {
    k,
    sign(elements, count, out) {
      mins.fill(0xffffffff);
      filled.fill(0);
      let any = false;
      for (let e = 0; e < count; e++) {
        const h = fmix32(elements[e] ^ seed);
        // Multiply-shift picks the bin from the high bits; a second mix orders elements inside it.
        const bin = Math.floor((h * k) / 4294967296);
        const v = fmix32(h ^ 0x2545f491);
        if (!filled[bin] || v < mins[bin]) {
          mins[bin] = v;
          filled[bin] = 1;
          any = true;
        }
      }
      if (!any) return false;
      // Rotation densification (Shrivastava & Li 2014): an empty bin takes the value of the next
      // non-empty bin to its right (circularly), salted with the distance. One pass each way, O(k).
      for (let b = 0; b < k; b++) {
        if (filled[b]) {
          out[b] = mins[b] & 0xff;
          continue;
        }
        // Borrow from a pseudo-random non-empty bin; the probe sequence depends only on (b, attempt),
        // so two similar sets borrow alike (optimal densification, Shrivastava 2017).
        for (let attempt = 1; ; attempt++) {
          const src = attempt <= PROBES ? probes[b * PROBES + attempt - 1] : probe(b, attempt);
          if (filled[src]) {
            out[b] = (mins[src] ^ (attempt * 0x9d)) & 0xff;
            break;
          }
        }
      }
      return true;
    },
  };
}

const CHANCE = 1 / 256;

/** Jaccard similarity estimated from the share of agreeing bins, corrected for 8-bit chance agreement. */
export function estimateJaccard(a: Uint8Array, b: Uint8Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return Math.max(0, (same / a.length - CHANCE) / (1 - CHANCE));
}

/** Key of band b: its `rows` consecutive signature values hashed to 32 bits, salted with the band number. */
export function bandKey(sig: ArrayLike<number>, b: number, rows: number): number {
  let h = 0x3c6ef372 + b;
  for (let r = 0; r < rows; r++) h = combine(h, sig[b * rows + r]);
  return h;
}

/** All band keys of a signature. */
export function bandKeys(sig: ArrayLike<number>, bands: number, rows: number, out: Uint32Array, offset = 0): void {
  for (let b = 0; b < bands; b++) out[offset + b] = bandKey(sig, b, rows);
}
