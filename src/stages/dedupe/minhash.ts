// MinHash by one-permutation hashing (one hash per shingle, K bins, minimum per bin) with
// optimal densification for empty bins (Shrivastava 2017), so the cost is O(shingles + K)
// rather than O(shingles x K). The probability that two signatures agree in a bin is the Jaccard
// similarity of the two shingle sets. Values are kept as 8 bits (b-bit MinHash, Li & Koenig 2010):
// a chance agreement has probability 1/256, which estimateJaccard corrects for.
import { combine } from './hash.js';

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
  // The first probes of every bin, computed once (bins fit in a byte: k <= 256).
  const probes = new Uint8Array(k * PROBES);
  for (let b = 0; b < k; b++) for (let a = 1; a <= PROBES; a++) probes[b * PROBES + a - 1] = probe(b, a);
  return {
    k,
    sign(elements, count, out) {
      if (count <= 0) return false;
      mins.fill(0xffffffff);
      filled.fill(0);
      for (let e = 0; e < count; e++) {
        // h = fmix32(element ^ seed), v = fmix32(h ^ 0x2545f491), inlined.
        let h = elements[e] ^ seed;
        h ^= h >>> 16;
        h = Math.imul(h, 0x85ebca6b);
        h ^= h >>> 13;
        h = Math.imul(h, 0xc2b2ae35);
        h ^= h >>> 16;
        // Multiply-shift picks the bin from the high bits; a second mix orders elements inside it.
        const bin = (((h >>> 0) * k) / 4294967296) | 0;
        let v = h ^ 0x2545f491;
        v ^= v >>> 16;
        v = Math.imul(v, 0x85ebca6b);
        v ^= v >>> 13;
        v = Math.imul(v, 0xc2b2ae35);
        v = (v ^ (v >>> 16)) >>> 0;
        if (filled[bin] === 0 || v < mins[bin]) {
          mins[bin] = v;
          filled[bin] = 1;
        }
      }
      for (let b = 0; b < k; b++) {
        if (filled[b] !== 0) {
          out[b] = mins[b] & 0xff;
          continue;
        }
        // Borrow from a pseudo-random non-empty bin; the probe sequence depends only on (b, attempt),
        // so two similar sets borrow alike (optimal densification, Shrivastava 2017).
        const base = b * PROBES - 1;
        let attempt = 1;
        while (attempt <= PROBES && filled[probes[base + attempt]] === 0) attempt++;
        let src = attempt <= PROBES ? probes[base + attempt] : -1;
        while (src < 0) {
          const p = probe(b, attempt);
          if (filled[p] !== 0) src = p;
          else attempt++;
        }
        out[b] = (mins[src] ^ (attempt * 0x9d)) & 0xff;
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
