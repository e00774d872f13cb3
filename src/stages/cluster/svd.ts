// Truncated SVD (LSA) of the sparse TF-IDF matrix by a randomized range finder on A^T A
// (Halko, Martinsson & Tropp 2011). Only V-by-l dense blocks are held (V = vocabulary, l = rank
// plus oversampling), never an n-by-l one, so it scales with the vocabulary, not the corpus.
import { forEachRow, TF_WEIGHT, type TfidfMatrix } from './matrix.js';
import { orthonormalize, symmetricEigen } from './linalg.js';
import type { Random } from './random.js';

export interface SvdOptions {
  rank: number;
  oversample: number;
  powerIterations: number;
}

export interface Projection {
  /** Right singular vectors as a cols x dims row-major matrix, rounded to float32. */
  components: Float32Array;
  dims: number;
  singularValues: Float64Array;
}

/** Z = A^T (A Q) over the given rows; q and the result are cols x l row-major. */
function normalProduct(m: TfidfMatrix, rows: Uint32Array | null, q: Float64Array, l: number): Float64Array {
  const z = new Float64Array(m.cols * l);
  const y = new Float64Array(l);
  const idf = m.idf;
  forEachRow(m, rows, (_row, cols, counts, start, end, scale) => {
    if (start === end) return;
    y.fill(0);
    for (let k = start; k < end; k++) {
      const w = TF_WEIGHT[counts[k]] * idf[cols[k]] * scale;
      const o = cols[k] * l;
      for (let j = 0; j < l; j++) y[j] += w * q[o + j];
    }
    for (let k = start; k < end; k++) {
      const w = TF_WEIGHT[counts[k]] * idf[cols[k]] * scale;
      const o = cols[k] * l;
      for (let j = 0; j < l; j++) z[o + j] += w * y[j];
    }
  });
  return z;
}

/** Q^T A^T A Q = sum over rows of (a Q)^T (a Q), an l x l matrix. */
function projectedGram(m: TfidfMatrix, rows: Uint32Array | null, q: Float64Array, l: number): Float64Array {
  const g = new Float64Array(l * l);
  const y = new Float64Array(l);
  const idf = m.idf;
  forEachRow(m, rows, (_row, cols, counts, start, end, scale) => {
    if (start === end) return;
    y.fill(0);
    for (let k = start; k < end; k++) {
      const w = TF_WEIGHT[counts[k]] * idf[cols[k]] * scale;
      const o = cols[k] * l;
      for (let j = 0; j < l; j++) y[j] += w * q[o + j];
    }
    for (let i = 0; i < l; i++) {
      const yi = y[i];
      if (yi === 0) continue;
      const gi = i * l;
      for (let j = i; j < l; j++) g[gi + j] += yi * y[j];
    }
  });
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) g[i * l + j] = g[j * l + i];
  return g;
}

/**
 * The top right singular vectors of A restricted to `rows` (all rows when null). The number of
 * dimensions returned can be below options.rank when the matrix has lower rank.
 */
export function truncatedSvd(m: TfidfMatrix, rows: Uint32Array | null, options: SvdOptions, rng: Random): Projection {
  const nRows = rows ? rows.length : m.rows;
  const l0 = Math.max(1, Math.min(options.rank + options.oversample, m.cols, nRows));
  let q: Float64Array = new Float64Array(m.cols * l0);
  for (let i = 0; i < q.length; i++) q[i] = rng.gaussian();
  let l = l0;
  for (let it = 0; it <= options.powerIterations; it++) {
    const z = normalProduct(m, rows, q, l);
    const o = orthonormalize(z, m.cols, l, it === options.powerIterations ? 2 : 1);
    q = o.q;
    l = o.cols;
    if (l === 0) break;
  }
  if (l === 0) return { components: new Float32Array(0), dims: 0, singularValues: new Float64Array(0) };
  const { values, vectors } = symmetricEigen(projectedGram(m, rows, q, l), l);
  let dims = Math.min(options.rank, l);
  while (dims > 0 && !(values[dims - 1] > values[0] * 1e-10)) dims--;
  const components = new Float32Array(m.cols * dims);
  // V = Q W; the sign of each component is fixed (largest entry positive) so it does not depend on
  // rounding paths.
  const col = new Float64Array(m.cols);
  for (let j = 0; j < dims; j++) {
    let best = 0;
    for (let t = 0; t < m.cols; t++) {
      let s = 0;
      const o = t * l;
      for (let i = 0; i < l; i++) s += q[o + i] * vectors[i * l + j];
      col[t] = s;
      if (Math.abs(s) > Math.abs(best)) best = s;
    }
    const sign = best < 0 ? -1 : 1;
    for (let t = 0; t < m.cols; t++) components[t * dims + j] = sign * col[t];
  }
  const singularValues = new Float64Array(dims);
  for (let j = 0; j < dims; j++) singularValues[j] = Math.sqrt(Math.max(0, values[j]));
  return { components, dims, singularValues };
}

/**
 * Reduced, L2-normalized vector of one row: out = normalize(a P) where a's weights come from
 * counts. The same arithmetic serves fitting and `--model` assignment, so both agree exactly.
 */
export function projectCounts(
  cols: ArrayLike<number>,
  counts: ArrayLike<number>,
  start: number,
  end: number,
  idf: Float64Array,
  scale: number,
  components: Float32Array,
  dims: number,
  acc: Float64Array,
  out: Float32Array,
  outOffset: number,
): boolean {
  acc.fill(0, 0, dims);
  for (let k = start; k < end; k++) {
    const w = TF_WEIGHT[counts[k]] * idf[cols[k]] * scale;
    const o = cols[k] * dims;
    for (let j = 0; j < dims; j++) acc[j] += w * components[o + j];
  }
  let norm = 0;
  for (let j = 0; j < dims; j++) norm += acc[j] * acc[j];
  if (!(norm > 0)) {
    out.fill(0, outOffset, outOffset + dims);
    return false;
  }
  const inv = 1 / Math.sqrt(norm);
  for (let j = 0; j < dims; j++) out[outOffset + j] = acc[j] * inv;
  return true;
}

/** Reduced vectors of every row: an n x dims Float32Array; `empty` marks rows with no features. */
export function projectAll(m: TfidfMatrix, p: Projection): { vectors: Float32Array; empty: Uint8Array } {
  const dims = p.dims;
  const vectors = new Float32Array(m.rows * dims);
  const empty = new Uint8Array(m.rows);
  const acc = new Float64Array(dims);
  forEachRow(m, null, (row, cols, counts, start, end, scale) => {
    if (!projectCounts(cols, counts, start, end, m.idf, scale, p.components, dims, acc, vectors, row * dims)) empty[row] = 1;
  });
  return { vectors, empty };
}
