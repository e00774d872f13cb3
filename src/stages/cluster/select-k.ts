// Automatic k: fit each k of a bounded range on a seeded sample and keep the best mean
// silhouette, skipping solutions where one cluster takes most of the papers.
import { kmeansRestarts, takeRows, type KMeansEngine } from './kmeans.js';
import { Random, sampleIndices } from './random.js';

export interface ChooseKOptions {
  kMin: number;
  kMax: number;
  seed: number;
  engine: KMeansEngine;
  restarts: number;
  /** Points the silhouette is computed on (all points when fewer). */
  sampleSize: number;
  /** A solution whose largest cluster holds more than this share of papers is a catch-all. */
  maxShare: number;
}

export interface KScore {
  k: number;
  silhouette: number;
  largestShare: number;
}

/** Mean silhouette (Euclidean) of labelled points, from a precomputed distance matrix. */
export function silhouette(dist: Float32Array, m: number, labels: Int32Array, k: number): number {
  const sizes = new Int32Array(k);
  for (let i = 0; i < m; i++) sizes[labels[i]]++;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < m; i++) {
    sums.fill(0);
    const o = i * m;
    for (let j = 0; j < m; j++) if (j !== i) sums[labels[j]] += dist[o + j];
    const own = labels[i];
    if (sizes[own] <= 1) continue; // scikit-learn: a singleton scores 0
    const a = sums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sums[c] / sizes[c]);
    if (!Number.isFinite(b)) continue;
    const s = (b - a) / Math.max(a, b);
    if (Number.isFinite(s)) total += s;
  }
  return total / m;
}

export function chooseK(x: Float32Array, n: number, d: number, options: ChooseKOptions): { k: number; scores: KScore[] } {
  const kMax = Math.min(options.kMax, n);
  const kMin = Math.min(Math.max(2, options.kMin), kMax);
  if (kMax < 2) return { k: Math.max(1, kMax), scores: [] };
  const rows = sampleIndices(n, options.sampleSize, new Random(options.seed ^ 0x5eed));
  const m = rows.length;
  const xs = m === n ? x.subarray(0, n * d) : takeRows(x, d, rows);
  const dist = new Float32Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const v = xs[i * d + t] - xs[j * d + t];
        s += v * v;
      }
      dist[i * m + j] = dist[j * m + i] = Math.sqrt(s);
    }
  }
  const scores: KScore[] = [];
  for (let k = kMin; k <= Math.min(kMax, m); k++) {
    const run = kmeansRestarts(xs, m, d, k, { ...options, maxIterations: 100, tolerance: 1e-6 });
    const sizes = new Int32Array(k);
    for (let i = 0; i < m; i++) sizes[run.labels[i]]++;
    const used = sizes.filter((s) => s > 0).length;
    scores.push({ k, silhouette: silhouette(dist, m, run.labels, k), largestShare: Math.max(...sizes) / m });
    if (used < k) break; // more centers than distinct groups: larger k cannot help
  }
  const fair = scores.filter((s) => s.largestShare <= options.maxShare);
  const pool = fair.length ? fair : scores;
  let best = pool[0];
  for (const s of pool) if (s.silhouette > best.silhouette) best = s;
  return { k: best.k, scores };
}
