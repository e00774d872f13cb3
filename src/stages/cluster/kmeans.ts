// k-means on reduced vectors (n x d Float32Array, rows L2-normalized). Two engines run the same
// algorithm (Lloyd's iterations from given centers, an empty cluster keeps its old center, stop
// when no center moves more than the tolerance): ml-kmeans on number[][] for small inputs, and a
// typed-array loop for large ones (ml-kmeans needs an array of arrays and a function call per
// distance, which is slow at scale; see docs/sections/cluster.md for the measurement).
import { kmeans as mlKmeans } from 'ml-kmeans';
import { hash32, Random, sampleIndices } from './random.js';

const SEED_ROWS = 20_000;

export type KMeansEngine = 'ml-kmeans' | 'typed';

export interface KMeansRun {
  /** k x d row-major */
  centers: Float64Array;
  labels: Int32Array;
  inertia: number;
  iterations: number;
}

export interface LloydOptions {
  maxIterations: number;
  /** Squared distance a center may still move when the run counts as converged (as ml-kmeans). */
  tolerance: number;
}

export const DEFAULT_LLOYD: LloydOptions = { maxIterations: 100, tolerance: 1e-6 };

/**
 * k-means++ seeding with greedy local trials (as scikit-learn and ml-kmeans): each new center is
 * the best of 2 + ln k candidates drawn in proportion to squared distance.
 */
export function kmeansPlusPlus(x: Float32Array, n: number, d: number, k: number, rng: Random): Float64Array {
  const centers = new Float64Array(k * d);
  const xx = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j] * x[i * d + j];
    xx[i] = s;
  }
  const closest = new Float64Array(n);
  const trial = new Float64Array(n);
  const best = new Float64Array(n);
  // Squared distances of every point to point p, into out (|x|^2 + |p|^2 - 2 x.p).
  const distancesTo = (p: number, out: Float64Array): number => {
    const po = p * d;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let dot = 0;
      let j = 0;
      for (; j + 3 < d; j += 4) dot += x[o + j] * x[po + j] + x[o + j + 1] * x[po + j + 1] + x[o + j + 2] * x[po + j + 2] + x[o + j + 3] * x[po + j + 3];
      for (; j < d; j++) dot += x[o + j] * x[po + j];
      const dd = Math.max(0, xx[i] + xx[p] - 2 * dot);
      out[i] = dd;
      total += dd;
    }
    return total;
  };
  const first = rng.int(n);
  for (let j = 0; j < d; j++) centers[j] = x[first * d + j];
  let pot = distancesTo(first, closest);
  const trials = 2 + Math.floor(Math.log(k));
  for (let c = 1; c < k; c++) {
    let bestPot = Infinity;
    let bestIndex = -1;
    for (let t = 0; t < trials; t++) {
      const candidate = pot > 0 ? drawProportional(closest, pot, rng) : rng.int(n);
      distancesTo(candidate, trial);
      let candPot = 0;
      for (let i = 0; i < n; i++) {
        if (closest[i] < trial[i]) trial[i] = closest[i];
        candPot += trial[i];
      }
      if (candPot < bestPot) {
        bestPot = candPot;
        bestIndex = candidate;
        best.set(trial);
      }
    }
    for (let j = 0; j < d; j++) centers[c * d + j] = x[bestIndex * d + j];
    closest.set(best);
    pot = bestPot;
  }
  return centers;
}

function drawProportional(weights: Float64Array, total: number, rng: Random): number {
  let r = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  // Rounding left a remainder: the last point with weight.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return 0;
}

/**
 * Nearest center of every row (ties to the lower center number); returns the inertia.
 * Distances use |x|^2 - 2 x.c + |c|^2, which turns the inner loop into one dot product.
 */
export function assignNearest(
  x: Float32Array,
  n: number,
  d: number,
  centers: Float64Array,
  k: number,
  labels: Int32Array,
  distances?: Float64Array,
): number {
  const cc = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += centers[c * d + j] * centers[c * d + j];
    cc[c] = s;
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let xx = 0;
    for (let j = 0; j < d; j++) xx += x[o + j] * x[o + j];
    let bestC = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      const co = c * d;
      let dot = 0;
      let j = 0;
      for (; j + 3 < d; j += 4) {
        dot += x[o + j] * centers[co + j] + x[o + j + 1] * centers[co + j + 1] + x[o + j + 2] * centers[co + j + 2] + x[o + j + 3] * centers[co + j + 3];
      }
      for (; j < d; j++) dot += x[o + j] * centers[co + j];
      const dist = cc[c] - 2 * dot;
      if (dist < bestD) {
        bestD = dist;
        bestC = c;
      }
    }
    labels[i] = bestC;
    const dd = Math.max(0, xx + bestD);
    if (distances) distances[i] = dd;
    inertia += dd;
  }
  return inertia;
}

/**
 * Lloyd's iterations in typed arrays, from the given centers (not modified). Hamerly's bounds
 * (an upper bound to the own center, a lower bound to the second nearest) skip the distance
 * computations that cannot change an assignment, so each iteration gives the same labels as a
 * plain Lloyd step at a fraction of the cost; cluster sums are updated only for papers that move.
 */
export function lloydTyped(x: Float32Array, n: number, d: number, init: Float64Array, k: number, options: LloydOptions = DEFAULT_LLOYD): KMeansRun {
  let centers = Float64Array.from(init);
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const xx = new Float64Array(n);
  const cc = new Float64Array(k);
  const half = new Float64Array(k);
  const moved = new Float64Array(k);
  const sums = new Float64Array(k * d);
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j] * x[i * d + j];
    xx[i] = s;
  }
  // Rounding slack for the bound tests: skip only when clearly inside the bound.
  const slack = 1e-9;
  let iterations = 0;
  for (;;) {
    iterations++;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += centers[c * d + j] * centers[c * d + j];
      cc[c] = s;
    }
    if (iterations > 1) {
      for (let c = 0; c < k; c++) {
        let m = Infinity;
        for (let e = 0; e < k; e++) {
          if (e === c) continue;
          let s = 0;
          for (let j = 0; j < d; j++) {
            const t = centers[c * d + j] - centers[e * d + j];
            s += t * t;
          }
          if (s < m) m = s;
        }
        half[c] = Math.sqrt(m) / 2;
      }
    }
    for (let i = 0; i < n; i++) {
      const o = i * d;
      const a = labels[i];
      if (iterations > 1) {
        const bound = Math.max(half[a], lower[i]) - slack;
        if (upper[i] <= bound) continue;
        let dot = 0;
        const ao = a * d;
        for (let j = 0; j < d; j++) dot += x[o + j] * centers[ao + j];
        upper[i] = Math.sqrt(Math.max(0, xx[i] + cc[a] - 2 * dot));
        if (upper[i] <= bound) continue;
      }
      // Nearest and second nearest center.
      let b1 = Infinity;
      let b2 = Infinity;
      let best = 0;
      for (let c = 0; c < k; c++) {
        const co = c * d;
        let dot = 0;
        let j = 0;
        for (; j + 3 < d; j += 4) dot += x[o + j] * centers[co + j] + x[o + j + 1] * centers[co + j + 1] + x[o + j + 2] * centers[co + j + 2] + x[o + j + 3] * centers[co + j + 3];
        for (; j < d; j++) dot += x[o + j] * centers[co + j];
        const dist = cc[c] - 2 * dot;
        if (dist < b1) {
          b2 = b1;
          b1 = dist;
          best = c;
        } else if (dist < b2) b2 = dist;
      }
      upper[i] = Math.sqrt(Math.max(0, xx[i] + b1));
      lower[i] = b2 === Infinity ? Infinity : Math.sqrt(Math.max(0, xx[i] + b2));
      if (iterations === 1 || best !== a) {
        if (iterations > 1) {
          sizes[a]--;
          for (let j = 0; j < d; j++) sums[a * d + j] -= x[o + j];
        }
        sizes[best]++;
        for (let j = 0; j < d; j++) sums[best * d + j] += x[o + j];
        labels[i] = best;
      }
    }
    const next = new Float64Array(k * d);
    let converged = true;
    let maxMove = 0;
    let secondMove = 0;
    let maxAt = -1;
    for (let c = 0; c < k; c++) {
      const so = c * d;
      let shift = 0;
      for (let j = 0; j < d; j++) {
        const v = sizes[c] > 0 ? sums[so + j] / sizes[c] : centers[so + j];
        next[so + j] = v;
        const t = v - centers[so + j];
        shift += t * t;
      }
      if (shift > options.tolerance) converged = false;
      moved[c] = Math.sqrt(shift);
      if (moved[c] > maxMove) {
        secondMove = maxMove;
        maxMove = moved[c];
        maxAt = c;
      } else if (moved[c] > secondMove) secondMove = moved[c];
    }
    centers = next;
    if (converged || iterations >= options.maxIterations) break;
    for (let i = 0; i < n; i++) {
      upper[i] += moved[labels[i]];
      lower[i] -= labels[i] === maxAt ? secondMove : maxMove;
    }
  }
  const inertia = assignNearest(x, n, d, centers, k, labels);
  return { centers, labels, inertia, iterations };
}

/** The same iterations through ml-kmeans (number[][] rows, one initialization per call). */
export function lloydMl(x: Float32Array, n: number, d: number, init: Float64Array, k: number, options: LloydOptions = DEFAULT_LLOYD): KMeansRun {
  const data: number[][] = new Array(n);
  for (let i = 0; i < n; i++) data[i] = Array.from(x.subarray(i * d, (i + 1) * d));
  const initialization: number[][] = [];
  for (let c = 0; c < k; c++) initialization.push(Array.from(init.subarray(c * d, (c + 1) * d)));
  const result = mlKmeans(data, k, { initialization, maxIterations: options.maxIterations, tolerance: options.tolerance });
  const centers = new Float64Array(k * d);
  result.centroids.forEach((row, c) => centers.set(row, c * d));
  const labels = new Int32Array(n);
  const inertia = assignNearest(x, n, d, centers, k, labels);
  return { centers, labels, inertia, iterations: result.iterations };
}

export interface RestartOptions extends LloydOptions {
  restarts: number;
  seed: number;
  engine: KMeansEngine;
}

/**
 * Several seeded k-means++ starts, each run to convergence; the run with the lowest inertia wins
 * (ties go to the earlier start, so the result does not depend on timing).
 */
export function kmeansRestarts(x: Float32Array, n: number, d: number, k: number, options: RestartOptions): KMeansRun {
  let best: KMeansRun | undefined;
  for (let r = 0; r < Math.max(1, options.restarts); r++) {
    const rng = new Random(hash32(options.seed, r + 1));
    // Seeding looks at most SEED_ROWS points: it only has to start Lloyd near good centers, and
    // on all points it would cost more than the iterations.
    const pool = n > SEED_ROWS ? takeRows(x, d, sampleIndices(n, SEED_ROWS, rng)) : x;
    const init = kmeansPlusPlus(pool, Math.min(n, SEED_ROWS), d, k, rng);
    const run = options.engine === 'ml-kmeans' ? lloydMl(x, n, d, init, k, options) : lloydTyped(x, n, d, init, k, options);
    if (!best || run.inertia < best.inertia) best = run;
  }
  return best!;
}

/** Rows of x picked by index, as a new contiguous matrix. */
export function takeRows(x: Float32Array, d: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) out.set(x.subarray(rows[i] * d, rows[i] * d + d), i * d);
  return out;
}
