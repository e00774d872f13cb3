// Small dense linear algebra for the SVD: a symmetric eigensolver and orthonormalization.

/**
 * Eigen-decomposition of a symmetric l x l matrix (row-major, not modified) by cyclic Jacobi
 * rotations: exact to rounding and deterministic, fast enough for l of a few hundred.
 * Returns eigenvalues in decreasing order and the matching eigenvectors as columns of `vectors`.
 */
export function symmetricEigen(matrix: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < l; i++) {
      diag += a[i * l + i] * a[i * l + i];
      for (let j = i + 1; j < l; j++) off += a[i * l + j] * a[i * l + j];
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < l - 1; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q];
        if (apq === 0) continue;
        const app = a[p * l + p];
        const aqq = a[q * l + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p];
          const akq = a[k * l + q];
          a[k * l + p] = c * akp - s * akq;
          a[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k];
          const aqk = a[q * l + k];
          a[p * l + k] = c * apk - s * aqk;
          a[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p];
          const vkq = v[k * l + q];
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: l }, (_, i) => i).sort((x, y) => a[y * l + y] - a[x * l + x] || x - y);
  const values = new Float64Array(l);
  const vectors = new Float64Array(l * l);
  order.forEach((src, dst) => {
    values[dst] = a[src * l + src];
    for (let k = 0; k < l; k++) vectors[k * l + dst] = v[k * l + src];
  });
  return { values, vectors };
}

function gramOf(z: Float64Array, rows: number, l: number): Float64Array {
  const gram = new Float64Array(l * l);
  // Four rows at a time: each entry still adds the rows one after another, in order (a zero
  // term adds nothing: the sums are never -0 and all terms are finite).
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const o0 = r * l;
    const o1 = o0 + l;
    const o2 = o1 + l;
    const o3 = o2 + l;
    for (let i = 0; i < l; i++) {
      const a0 = z[o0 + i];
      const a1 = z[o1 + i];
      const a2 = z[o2 + i];
      const a3 = z[o3 + i];
      const gi = i * l;
      for (let j = i; j < l; j++) {
        let g = gram[gi + j];
        g += a0 * z[o0 + j];
        g += a1 * z[o1 + j];
        g += a2 * z[o2 + j];
        g += a3 * z[o3 + j];
        gram[gi + j] = g;
      }
    }
  }
  for (; r < rows; r++) {
    const o = r * l;
    for (let i = 0; i < l; i++) {
      const zi = z[o + i];
      if (zi === 0) continue;
      const gi = i * l;
      for (let j = i; j < l; j++) gram[gi + j] += zi * z[o + j];
    }
  }
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) gram[i * l + j] = gram[j * l + i];
  return gram;
}

/** Lower Cholesky factor of a symmetric matrix, or undefined when it is not clearly positive definite. */
function cholesky(g: Float64Array, l: number): Float64Array | undefined {
  const L = new Float64Array(l * l);
  let maxDiag = 0;
  for (let i = 0; i < l; i++) maxDiag = Math.max(maxDiag, g[i * l + i]);
  for (let j = 0; j < l; j++) {
    let s = g[j * l + j];
    for (let t = 0; t < j; t++) s -= L[j * l + t] * L[j * l + t];
    if (!(s > maxDiag * 1e-12)) return undefined;
    const djj = Math.sqrt(s);
    L[j * l + j] = djj;
    for (let i = j + 1; i < l; i++) {
      let v = g[i * l + j];
      for (let t = 0; t < j; t++) v -= L[i * l + t] * L[j * l + t];
      L[i * l + j] = v / djj;
    }
  }
  return L;
}

/**
 * Orthonormal basis of the column space of z (rows x l, row-major): Cholesky QR, twice by default
 * (cheap: one Gram matrix and a triangular solve per round; the second round restores
 * orthogonality to rounding precision, which intermediate power iterations do not need). When z is rank-deficient (a tiny corpus) the
 * Gram matrix's eigenvectors are used instead and empty directions are dropped, so the result
 * has fewer columns rather than noise.
 */
export function orthonormalize(z: Float64Array, rows: number, l: number, rounds = 2): { q: Float64Array; cols: number } {
  let cur = z;
  for (let round = 0; round < rounds; round++) {
    const L = cholesky(gramOf(cur, rows, l), l);
    if (!L) return orthonormalizeEigen(z, rows, l);
    // Q = Z L^-T, row by row (forward substitution); four rows at a time, each as on its own.
    const next = new Float64Array(rows * l);
    let r = 0;
    for (; r + 3 < rows; r += 4) {
      const o0 = r * l;
      const o1 = o0 + l;
      const o2 = o1 + l;
      const o3 = o2 + l;
      for (let j = 0; j < l; j++) {
        let v0 = cur[o0 + j];
        let v1 = cur[o1 + j];
        let v2 = cur[o2 + j];
        let v3 = cur[o3 + j];
        const lj = j * l;
        for (let t = 0; t < j; t++) {
          const f = L[lj + t];
          v0 -= next[o0 + t] * f;
          v1 -= next[o1 + t] * f;
          v2 -= next[o2 + t] * f;
          v3 -= next[o3 + t] * f;
        }
        const djj = L[lj + j];
        next[o0 + j] = v0 / djj;
        next[o1 + j] = v1 / djj;
        next[o2 + j] = v2 / djj;
        next[o3 + j] = v3 / djj;
      }
    }
    for (; r < rows; r++) {
      const o = r * l;
      for (let j = 0; j < l; j++) {
        let v = cur[o + j];
        for (let t = 0; t < j; t++) v -= next[o + t] * L[j * l + t];
        next[o + j] = v / L[j * l + j];
      }
    }
    cur = next;
  }
  return { q: cur, cols: l };
}

/** Orthonormalization through the Gram matrix's eigenvectors; drops directions with no energy. */
export function orthonormalizeEigen(z: Float64Array, rows: number, l: number): { q: Float64Array; cols: number } {
  let cur = z;
  let width = l;
  for (let round = 0; round < 2; round++) {
    const { values, vectors } = symmetricEigen(gramOf(cur, rows, width), width);
    const top = values[0];
    let keep = 0;
    while (keep < width && values[keep] > Math.max(top * 1e-12, 1e-300)) keep++;
    // Q = Z W diag(1/sqrt(lambda)) for the kept eigenpairs.
    const scale = new Float64Array(keep);
    for (let j = 0; j < keep; j++) scale[j] = 1 / Math.sqrt(values[j]);
    const next = new Float64Array(rows * keep);
    for (let r = 0; r < rows; r++) {
      const o = r * width;
      const no = r * keep;
      for (let i = 0; i < width; i++) {
        const zi = cur[o + i];
        if (zi === 0) continue;
        const wi = i * width;
        for (let j = 0; j < keep; j++) next[no + j] += zi * vectors[wi + j];
      }
      for (let j = 0; j < keep; j++) next[no + j] *= scale[j];
    }
    cur = next;
    width = keep;
  }
  return { q: cur, cols: width };
}
