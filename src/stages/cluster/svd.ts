// Truncated SVD (LSA) of the sparse TF-IDF matrix by a randomized range finder on A^T A
// (Halko, Martinsson & Tropp 2011). Only V-by-l dense blocks are held (V = vocabulary, l = rank
// plus oversampling) and one for the SVD's rows (a sample of at most 10,000 papers), never an
// n-by-l one, so it scales with the vocabulary, not the corpus.
import type { Corpus } from './corpus.js';
import { forEachRow, readRows, TF_WEIGHT, type TfidfMatrix, type Vocabulary } from './matrix.js';
import { orthonormalize, symmetricEigen } from './linalg.js';
import type { Random } from './random.js';

/** Bytes of Y = A Q read per chunk in A^T Y (about half a typical L2 cache). */
const Y_CHUNK_BYTES = 256 * 1024;

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

/**
 * The rows' entries by column (rows ascending within a column), with their weights, so that
 * A^T Y can add each column's terms in row order, as a row-by-row pass would, with the column's
 * output row kept in cache instead of scattered writes.
 */
interface ColumnMajor {
  colStart: Uint32Array;
  /** position of the row among the rows read */
  rowOf: Uint32Array;
  weight: Float64Array;
  rows: number;
}

function columnMajor(m: TfidfMatrix, rows: Uint32Array | null): ColumnMajor {
  const colStart = new Uint32Array(m.cols + 1);
  let nnz = 0;
  let nRows = 0;
  forEachRow(m, rows, (_row, cols, _counts, start, end) => {
    for (let k = start; k < end; k++) colStart[cols[k] + 1]++;
    nnz += end - start;
    nRows++;
  });
  for (let c = 0; c < m.cols; c++) colStart[c + 1] += colStart[c];
  const fill = colStart.slice(0, m.cols);
  const rowOf = new Uint32Array(nnz);
  const weight = new Float64Array(nnz);
  const idf = m.idf;
  let position = 0;
  forEachRow(m, rows, (_row, cols, counts, start, end, scale) => {
    for (let k = start; k < end; k++) {
      const at = fill[cols[k]]++;
      rowOf[at] = position;
      weight[at] = TF_WEIGHT[counts[k]] * idf[cols[k]] * scale;
    }
    position++;
  });
  return { colStart, rowOf, weight, rows: nRows };
}

/** Z = A^T (A Q) over the given rows; q and the result are cols x l row-major. */
function normalProduct(m: TfidfMatrix, rows: Uint32Array | null, byColumn: ColumnMajor, q: Float64Array, l: number): Float64Array {
  // Y = A Q, row by row (each row's sums in its own entry order).
  const y = new Float64Array(byColumn.rows * l);
  const idf = m.idf;
  let position = 0;
  forEachRow(m, rows, (_row, cols, counts, start, end, scale) => {
    const yo = position++ * l;
    if (start === end) return;
    // Two entries at a time: y[j] still adds them one after the other.
    let k = start;
    for (; k + 1 < end; k += 2) {
      const w0 = TF_WEIGHT[counts[k]] * idf[cols[k]] * scale;
      const w1 = TF_WEIGHT[counts[k + 1]] * idf[cols[k + 1]] * scale;
      const o0 = cols[k] * l;
      const o1 = cols[k + 1] * l;
      for (let j = 0; j < l; j++) {
        let v = y[yo + j];
        v += w0 * q[o0 + j];
        v += w1 * q[o1 + j];
        y[yo + j] = v;
      }
    }
    if (k < end) {
      const w = TF_WEIGHT[counts[k]] * idf[cols[k]] * scale;
      const o = cols[k] * l;
      for (let j = 0; j < l; j++) y[yo + j] += w * q[o + j];
    }
  });
  // Z = A^T Y, column by column, each adding its rows in row order; rows in chunks whose part of
  // Y stays in cache (a column's entries are sorted by row, so each chunk continues where the
  // previous one stopped, and the order of the sums is unchanged).
  const z = new Float64Array(m.cols * l);
  const { colStart, rowOf, weight } = byColumn;
  const next = colStart.slice(0, m.cols);
  const chunk = Math.max(1, Math.floor(Y_CHUNK_BYTES / (8 * l)));
  for (let first = 0; first < byColumn.rows; first += chunk) {
    const limit = first + chunk;
    for (let c = 0; c < m.cols; c++) {
      let e = next[c];
      const end = colStart[c + 1];
      if (e === end || rowOf[e] >= limit) continue;
      const o = c * l;
      // Four entries at a time where the chunk has them: z[j] still adds them one after the other.
      for (; e + 3 < end && rowOf[e + 3] < limit; e += 4) {
        const w0 = weight[e];
        const w1 = weight[e + 1];
        const w2 = weight[e + 2];
        const w3 = weight[e + 3];
        const y0 = rowOf[e] * l;
        const y1 = rowOf[e + 1] * l;
        const y2 = rowOf[e + 2] * l;
        const y3 = rowOf[e + 3] * l;
        for (let j = 0; j < l; j++) {
          let v = z[o + j];
          v += w0 * y[y0 + j];
          v += w1 * y[y1 + j];
          v += w2 * y[y2 + j];
          v += w3 * y[y3 + j];
          z[o + j] = v;
        }
      }
      for (; e < end && rowOf[e] < limit; e++) {
        const w = weight[e];
        const yo = rowOf[e] * l;
        for (let j = 0; j < l; j++) z[o + j] += w * y[yo + j];
      }
      next[c] = e;
    }
  }
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
  const byColumn = columnMajor(m, rows);
  for (let it = 0; it <= options.powerIterations; it++) {
    const z = normalProduct(m, rows, byColumn, q, l);
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
  // W's columns transposed, so each dot product below reads both operands in order.
  const wt = new Float64Array(dims * l);
  for (let j = 0; j < dims; j++) for (let i = 0; i < l; i++) wt[j * l + i] = vectors[i * l + j];
  const col = new Float64Array(m.cols);
  for (let j = 0; j < dims; j++) {
    let best = 0;
    const wo = j * l;
    for (let t = 0; t < m.cols; t++) {
      let s = 0;
      const o = t * l;
      for (let i = 0; i < l; i++) s += q[o + i] * wt[wo + i];
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

/**
 * projectAll straight from the corpus counts (no TF-IDF matrix of all rows is built), releasing
 * each corpus block once read: the same vectors, with far less memory at scale.
 */
export function projectCorpus(corpus: Corpus, vocabulary: Vocabulary, p: Projection): { vectors: Float32Array; empty: Uint8Array } {
  const dims = p.dims;
  const n = corpus.rows;
  const vectors = new Float32Array(n * dims);
  const empty = new Uint8Array(n);
  const acc = new Float64Array(dims);
  readRows(corpus, vocabulary, null, true, (row, cols, counts, length, scale) => {
    if (!projectCounts(cols, counts, 0, length, vocabulary.idf, scale, p.components, dims, acc, vectors, row * dims)) empty[row] = 1;
  });
  return { vectors, empty };
}
