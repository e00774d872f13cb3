// Seeded randomness: every random choice in clustering comes from here, so a seed fixes the output.

/** A small, fast 32-bit generator (mulberry32); good enough for sampling and initialization. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = hash32(seed >>> 0, 0x9e3779b9) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller; one value per call keeps the sequence simple). */
  gaussian(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** A 32-bit mix of two integers (murmur3 finalizer); used for order-independent sampling. */
export function hash32(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x85ebca6b, 0xcc9e2d51) ^ b) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Indices 0..n-1 in a seeded random order (Fisher-Yates). */
export function shuffledIndices(n: number, rng: Random): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** A sorted seeded sample of m distinct indices from 0..n-1 (all of them when m >= n). */
export function sampleIndices(n: number, m: number, rng: Random): Uint32Array {
  if (m >= n) {
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  // Floyd's algorithm: m draws, no n-sized allocation.
  const chosen = new Set<number>();
  for (let j = n - m; j < n; j++) {
    const t = rng.int(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Uint32Array.from(chosen).sort();
}
