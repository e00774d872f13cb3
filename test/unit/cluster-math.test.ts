// The numerical parts of clustering: metrics, silhouette, linear algebra, SVD, k-means engines.
import { describe, expect, it } from 'vitest';
import { ari, nmi } from '../../src/stages/cluster/metrics.js';
import { silhouette } from '../../src/stages/cluster/select-k.js';
import { orthonormalize, orthonormalizeEigen, symmetricEigen } from '../../src/stages/cluster/linalg.js';
import { assignNearest, kmeansPlusPlus, kmeansRestarts, lloydMl, lloydTyped } from '../../src/stages/cluster/kmeans.js';
import { Random, sampleIndices, shuffledIndices } from '../../src/stages/cluster/random.js';
import { Corpus } from '../../src/stages/cluster/corpus.js';
import { buildMatrix, forEachRow, TF_WEIGHT } from '../../src/stages/cluster/matrix.js';
import { truncatedSvd } from '../../src/stages/cluster/svd.js';

describe('external scores match scikit-learn', () => {
  // Reference values from sklearn 1.2.1 (normalized_mutual_info_score, adjusted_rand_score).
  const truth = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2];
  const pred = [0, 0, 1, 1, 1, 1, 2, 2, 0, 2];
  it('NMI (arithmetic mean)', () => expect(nmi(truth, pred)).toBeCloseTo(0.6180656462921543, 12));
  it('ARI', () => expect(ari(truth, pred)).toBeCloseTo(0.4318181818181818, 12));
  it('perfect and label-permuted agreement score 1', () => {
    expect(nmi(['a', 'a', 'b'], [5, 5, 7])).toBeCloseTo(1, 12);
    expect(ari(['a', 'a', 'b'], [5, 5, 7])).toBeCloseTo(1, 12);
  });
  it('an uninformative clustering scores 0 NMI', () => expect(nmi([0, 0, 1, 1], [0, 0, 0, 0])).toBe(0));
});

describe('silhouette', () => {
  it('matches scikit-learn on a small example', () => {
    const pts = [[0, 0], [0, 1], [1, 0], [5, 5], [5, 6], [6, 5], [9, 0]];
    const m = pts.length;
    const dist = new Float32Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) dist[i * m + j] = Math.hypot(pts[i][0] - pts[j][0], pts[i][1] - pts[j][1]);
    // sklearn.metrics.silhouette_score -> 0.6521658188160142
    expect(silhouette(dist, m, Int32Array.from([0, 0, 0, 1, 1, 1, 1]), 2)).toBeCloseTo(0.6521658188160142, 6);
  });
});

describe('linear algebra', () => {
  it('symmetricEigen recovers A = V diag(values) V^T, values decreasing', () => {
    const rng = new Random(3);
    const l = 12;
    const b = Array.from({ length: l * l }, () => rng.gaussian());
    const a = new Float64Array(l * l);
    for (let i = 0; i < l; i++) for (let j = 0; j < l; j++) for (let t = 0; t < l; t++) a[i * l + j] += b[i * l + t] * b[j * l + t];
    const { values, vectors } = symmetricEigen(a, l);
    for (let i = 1; i < l; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
    for (let i = 0; i < l; i++) {
      for (let j = 0; j < l; j++) {
        let s = 0;
        for (let t = 0; t < l; t++) s += vectors[i * l + t] * values[t] * vectors[j * l + t];
        expect(s).toBeCloseTo(a[i * l + j], 8);
      }
    }
  });

  it('orthonormalize gives Q^T Q = I spanning the same columns; rank-deficient input loses columns', () => {
    const rng = new Random(5);
    const rows = 40;
    const l = 6;
    const z = Float64Array.from({ length: rows * l }, () => rng.gaussian());
    const { q, cols } = orthonormalize(z, rows, l);
    expect(cols).toBe(l);
    for (let i = 0; i < l; i++) {
      for (let j = 0; j < l; j++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += q[r * l + i] * q[r * l + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
    // Column 5 = column 0 + column 1: only 5 independent directions.
    for (let r = 0; r < rows; r++) z[r * l + 5] = z[r * l + 0] + z[r * l + 1];
    expect(orthonormalize(z, rows, l).cols).toBe(5);
    expect(orthonormalizeEigen(z, rows, l).cols).toBe(5);
  });
});

describe('seeded randomness', () => {
  it('is reproducible and seed-dependent', () => {
    const a = Array.from({ length: 5 }, ((r) => () => r.next())(new Random(1)));
    const b = Array.from({ length: 5 }, ((r) => () => r.next())(new Random(1)));
    const c = Array.from({ length: 5 }, ((r) => () => r.next())(new Random(2)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
  it('samples distinct sorted indices', () => {
    const s = sampleIndices(1000, 50, new Random(9));
    expect(s.length).toBe(50);
    expect(new Set(s).size).toBe(50);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
    expect([...shuffledIndices(10, new Random(1))].sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
  });
});

/** Points around k well separated unit-sphere centers in d dims. */
function blobs(n: number, d: number, k: number, spread: number, seed: number): { x: Float32Array; truth: number[] } {
  const rng = new Random(seed);
  const centers = Array.from({ length: k }, () => Array.from({ length: d }, () => rng.gaussian()));
  const x = new Float32Array(n * d);
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % k;
    truth.push(c);
    let norm = 0;
    const v = centers[c].map((m) => m + spread * rng.gaussian());
    for (const t of v) norm += t * t;
    v.forEach((t, j) => (x[i * d + j] = t / Math.sqrt(norm)));
  }
  return { x, truth };
}

describe('k-means engines', () => {
  it('ml-kmeans and the typed-array engine agree exactly from the same start', () => {
    const { x } = blobs(600, 16, 6, 0.9, 11);
    const init = kmeansPlusPlus(x, 600, 16, 6, new Random(4));
    const a = lloydTyped(x, 600, 16, init, 6);
    const b = lloydMl(x, 600, 16, init, 6);
    expect([...a.labels]).toEqual([...b.labels]);
    expect(a.iterations).toBe(b.iterations);
    expect(a.inertia).toBeCloseTo(b.inertia, 6);
  });

  it('recovers well separated groups and keeps the lowest-inertia restart', () => {
    const { x, truth } = blobs(400, 8, 5, 0.15, 2);
    const run = kmeansRestarts(x, 400, 8, 5, { restarts: 5, seed: 1, engine: 'typed', maxIterations: 100, tolerance: 1e-6 });
    expect(ari(truth, run.labels)).toBeCloseTo(1, 10);
    for (let r = 1; r <= 5; r++) {
      const single = kmeansRestarts(x, 400, 8, 5, { restarts: r, seed: 1, engine: 'typed', maxIterations: 100, tolerance: 1e-6 });
      expect(run.inertia).toBeLessThanOrEqual(single.inertia + 1e-9);
    }
  });

  it('assignNearest picks the nearest center and reports the squared distance', () => {
    const x = Float32Array.from([1, 0, 0, 1, 0.6, 0.8]);
    const centers = Float64Array.from([1, 0, 0, 1]);
    const labels = new Int32Array(3);
    const dist = new Float64Array(3);
    assignNearest(x, 3, 2, centers, 2, labels, dist);
    expect([...labels]).toEqual([0, 1, 1]);
    expect(dist[2]).toBeCloseTo(0.6 * 0.6 + 0.2 * 0.2, 6);
  });
});

describe('TF-IDF matrix and SVD', () => {
  const texts = [
    ['graph neural networks', 'message passing on graph nodes and graph edges'],
    ['graph attention', 'attention over graph nodes'],
    ['quantum channels', 'quantum entanglement of qubits in channels'],
    ['quantum codes', 'error correcting quantum codes for qubits'],
    ['image segmentation', 'pixels of an image are labelled by segmentation networks'],
    ['image denoising', 'denoising image pixels with networks'],
  ];
  function matrix() {
    const corpus = new Corpus({ sampleSize: 0, seed: 1 });
    for (const [t, a] of texts) corpus.add(t, t, a);
    corpus.finish();
    return buildMatrix(corpus, { minDf: 2, maxDfRatio: 0.5, maxFeatures: 100 });
  }

  it('keeps terms by document frequency and L2-normalizes rows', () => {
    const m = matrix();
    expect(m.terms).toContain('graph');
    expect(m.terms).toContain('quantum');
    expect(m.terms).not.toContain('edg'); // in one document only
    forEachRow(m, null, (_row, cols, counts, start, end, scale) => {
      let s = 0;
      for (let k = start; k < end; k++) s += (TF_WEIGHT[counts[k]] * m.idf[cols[k]] * scale) ** 2;
      expect(s).toBeCloseTo(1, 10);
    });
  });

  it('randomized SVD matches the exact top singular values of a small matrix', () => {
    const m = matrix();
    const dense: number[][] = Array.from({ length: m.rows }, () => new Array(m.cols).fill(0));
    forEachRow(m, null, (row, cols, counts, start, end, scale) => {
      for (let k = start; k < end; k++) dense[row][cols[k]] = TF_WEIGHT[counts[k]] * m.idf[cols[k]] * scale;
    });
    // Exact: eigenvalues of A A^T (rows x rows).
    const n = m.rows;
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let t = 0; t < m.cols; t++) g[i * n + j] += dense[i][t] * dense[j][t];
    const exact = symmetricEigen(g, n).values;
    const p = truncatedSvd(m, null, { rank: 3, oversample: 3, powerIterations: 2 }, new Random(1));
    expect(p.dims).toBe(3);
    for (let j = 0; j < 3; j++) expect(p.singularValues[j]).toBeCloseTo(Math.sqrt(exact[j]), 6);
  });
});
