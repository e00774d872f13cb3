// `papers cluster` as a library: TF-IDF -> LSA -> k-means -> c-TF-IDF labels.
// Two ways in: clusterRecords(records) for an array, or ClusterFitter for a stream (pass 1 keeps
// only compact vectors; the caller re-reads its records for pass 2 and annotates each one).
import { silentDiagnostics, type Diagnostics } from '../../errors.js';
import { safeAssign, type Paper } from '../../record.js';
import { Corpus } from './corpus.js';
import { assignNearest, kmeansRestarts, lloydTyped, takeRows, type KMeansEngine, type KMeansRun } from './kmeans.js';
import { describeClusters } from './labels.js';
import { buildRows, chooseVocabulary, vocabularyLimits, type TfidfMatrix } from './matrix.js';
import { ModelAssigner, UNCLUSTERED, UNCLUSTERED_LABEL, type ClusterInfo, type ClusterModel } from './model.js';
import { hash32, Random, sampleIndices } from './random.js';
import { chooseK, type KScore } from './select-k.js';
import { projectCorpus, truncatedSvd } from './svd.js';

export { parseModel, serializeModel, ModelAssigner, UNCLUSTERED, UNCLUSTERED_LABEL, MODEL_FORMAT, MODEL_VERSION } from './model.js';
export type { ClusterInfo, ClusterModel } from './model.js';

export interface ClusterOptions {
  /** Number of clusters; undefined chooses it (silhouette over kMin..kMax). */
  k: number | undefined;
  seed: number;
  /** LSA dimensions (fewer for small corpora). */
  dims: number;
  /** k-means++ starts; the lowest inertia wins. */
  restarts: number;
  kMin: number;
  /** Upper end of the automatic range; undefined follows corpus size. */
  kMax: number | undefined;
  /** Words in a label, terms listed per cluster, representatives per cluster. */
  labelTerms: number;
  topTerms: number;
  representatives: number;
  /** Documents kept whole for labels and representatives (all of them up to this size). */
  sampleSize: number;
  /** 'auto' uses ml-kmeans for small inputs and typed arrays beyond. */
  engine: 'auto' | KMeansEngine;
  diagnostics: Diagnostics;
  /** Called as each phase of fit() begins (callers time them; this code reads no clock). */
  progress?: (phase: 'vocabulary' | 'svd' | 'project' | 'choose-k' | 'k-means' | 'labels') => void;
}

export const DEFAULT_SEED = 42;

export const DEFAULT_OPTIONS: ClusterOptions = {
  k: undefined,
  seed: DEFAULT_SEED,
  dims: 50,
  restarts: 10,
  kMin: 2,
  kMax: undefined,
  labelTerms: 3,
  topTerms: 10,
  representatives: 3,
  sampleSize: 10_000,
  engine: 'auto',
  diagnostics: silentDiagnostics,
};

/** Largest automatic k for a corpus size: about sqrt(n/2), between 2 and 30. */
export function defaultKMax(n: number): number {
  return Math.max(2, Math.min(30, Math.round(Math.sqrt(n / 2))));
}

// Beyond these sizes, work on seeded samples: the SVD sees SVD_FIT_ROWS papers; k-means restarts
// run on all papers up to FULL_FIT_ROWS, else on RESTART_ROWS of them, and the best start is
// refined by Lloyd's iterations on REFINE_ROWS; every paper is then assigned to the centers.
const SVD_FIT_ROWS = 10_000;
const FULL_FIT_ROWS = 20_000;
const RESTART_ROWS = 10_000;
const REFINE_ROWS = 100_000;
// ml-kmeans is used while n*k*d stays below this (its number[][] loops are ~10x slower).
const ML_KMEANS_WORK = 2_000_000;

export interface ClusterFit {
  clusters: ClusterInfo[];
  model: ClusterModel;
  /** Cluster number by input position (UNCLUSTERED for papers without vocabulary words). */
  assignment: Int32Array;
  k: number;
  /** Silhouette by k when k was chosen automatically. */
  kScores: KScore[];
}

function optionsWithDefaults(options: Partial<ClusterOptions>): ClusterOptions {
  const o: ClusterOptions = { ...DEFAULT_OPTIONS };
  for (const key of Object.keys(options) as Array<keyof ClusterOptions>) {
    if (options[key] !== undefined) (o as unknown as Record<string, unknown>)[key] = options[key];
  }
  return o;
}

/** Streaming fit: add() every paper (pass 1), then fit(). */
export class ClusterFitter {
  readonly options: ClusterOptions;
  private readonly corpus: Corpus;
  private fitted = false;

  constructor(options: Partial<ClusterOptions> = {}) {
    this.options = optionsWithDefaults(options);
    this.corpus = new Corpus({ sampleSize: this.options.sampleSize, seed: this.options.seed });
  }

  get size(): number {
    return this.corpus.rows;
  }

  add(record: Pick<Paper, 'id' | 'title' | 'abstract'>): void {
    if (this.fitted) throw new Error('ClusterFitter: add() after fit()');
    const title = typeof record.title === 'string' ? record.title : '';
    const abstract = typeof record.abstract === 'string' ? record.abstract : '';
    this.corpus.add(String(record.id ?? ''), title, abstract);
  }

  fit(): ClusterFit {
    if (this.fitted) throw new Error('ClusterFitter: fit() called twice');
    this.fitted = true;
    const o = this.options;
    const diag = o.diagnostics;
    const corpus = this.corpus;
    const sample = corpus.finish();
    const n = corpus.rows;
    o.progress?.('vocabulary');
    const vocabulary = chooseVocabulary(corpus, vocabularyLimits(n));
    const rng = new Random(hash32(o.seed, 0x5bd1));
    const svdRows = n > SVD_FIT_ROWS ? sampleIndices(n, SVD_FIT_ROWS, rng) : null;
    // Small corpora cluster best in few dimensions (about sqrt(n): 8 for 60 papers, 11 for 119;
    // measured on labelled subsets of arxiv-cs-2016), large ones at `dims`.
    const rank = Math.max(1, Math.min(o.dims, Math.max(2, Math.round(Math.sqrt(n)))));
    o.progress?.('svd');
    // The SVD reads only its rows: their TF-IDF matrix is built alone (rows renumbered in order).
    let svdMatrix: TfidfMatrix | undefined = buildRows(corpus, vocabulary, svdRows);
    const projection = truncatedSvd(svdMatrix, null, { rank, oversample: 20, powerIterations: 4 }, rng);
    svdMatrix = undefined;
    const d = projection.dims;
    o.progress?.('project');
    const { vectors, empty } = projectCorpus(corpus, vocabulary, projection);
    const { terms, idf, columnOfTerm } = vocabulary;

    // Compact the rows that have words (in place: no second n x d buffer).
    const present: number[] = [];
    for (let row = 0; row < n; row++) {
      if (empty[row]) continue;
      if (present.length !== row) vectors.copyWithin(present.length * d, row * d, row * d + d);
      present.push(row);
    }
    const m = present.length;
    const x = vectors.subarray(0, m * d);
    const assignment = new Int32Array(n).fill(UNCLUSTERED);
    if (m < n) diag.info(`${n - m} paper(s) have no vocabulary word and stay unclustered`);

    let k = 0;
    let kScores: KScore[] = [];
    if (m > 0 && d > 0) {
      if (o.k !== undefined) {
        k = Math.min(o.k, m);
        if (k < o.k) diag.warn(`--k ${o.k} is more than the ${m} papers that can be clustered; using ${k}`);
      } else {
        o.progress?.('choose-k');
        const kMax = o.kMax ?? defaultKMax(m);
        const chosen = chooseK(x, m, d, {
          kMin: o.kMin,
          kMax,
          seed: o.seed,
          engine: 'typed',
          restarts: Math.min(o.restarts, m <= 2_000 ? 3 : 2),
          sampleSize: 2_000,
          maxShare: 0.5,
        });
        k = chosen.k;
        kScores = chosen.scores;
        diag.info(`k=${k} chosen by silhouette (k:score) from ${kScores.map((s) => `${s.k}:${s.silhouette.toFixed(3)}`).join(' ')}`);
      }
    }

    o.progress?.('k-means');
    let centers: Float64Array = new Float64Array(0);
    if (k > 0) centers = this.kmeans(x, m, d, k).centers;
    // Final centroids in float32, as saved in a model: assignment here and with --model agree.
    const centers32 = Float64Array.from(Float32Array.from(centers));
    const labels = new Int32Array(m);
    const distances = new Float64Array(m);
    if (k > 0) assignNearest(x, m, d, centers32, k, labels, distances);

    // Number clusters by decreasing size; ties by the earliest paper in the cluster.
    const sizes = new Int32Array(k);
    const first = new Int32Array(k).fill(-1);
    for (let i = 0; i < m; i++) {
      sizes[labels[i]]++;
      if (first[labels[i]] < 0) first[labels[i]] = i;
    }
    const order = Array.from({ length: k }, (_, c) => c)
      .filter((c) => sizes[c] > 0)
      .sort((a, b) => sizes[b] - sizes[a] || first[a] - first[b]);
    const renumber = new Int32Array(k).fill(-1);
    order.forEach((c, i) => (renumber[c] = i));
    const kept = order.length;
    const centroids = new Float32Array(kept * d); // exact: centers32 holds float32 values
    order.forEach((c, i) => centroids.set(centers32.subarray(c * d, c * d + d), i * d));
    const positionOfRow = new Int32Array(n).fill(-1);
    for (let i = 0; i < m; i++) {
      assignment[present[i]] = renumber[labels[i]];
      positionOfRow[present[i]] = i;
    }

    o.progress?.('labels');
    const sampleLabels = new Int32Array(sample.length);
    sample.forEach((doc, i) => (sampleLabels[i] = assignment[doc.row]));
    const descriptions = describeClusters(corpus, sample, sampleLabels, kept, (t) => columnOfTerm[t] >= 0, o);
    const members: number[][] = Array.from({ length: kept }, () => []);
    sample.forEach((doc, i) => {
      if (sampleLabels[i] >= 0) members[sampleLabels[i]].push(i);
    });
    const clusters: ClusterInfo[] = order.map((c, id) => {
      const reps = members[id]
        .map((i) => ({ i, dist: distances[positionOfRow[sample[i].row]] }))
        .sort((a, b) => a.dist - b.dist || sample[a.i].row - sample[b.i].row)
        .slice(0, o.representatives);
      return {
        id,
        size: sizes[c],
        label: descriptions[id].label,
        terms: descriptions[id].terms,
        representatives: reps.map((r) => sample[r.i].id),
        representativeTitles: reps.map((r) => sample[r.i].title),
      };
    });
    const model: ClusterModel = { terms, idf, components: projection.components, dims: d, centroids, clusters, seed: o.seed, documents: n };
    return { clusters, model, assignment, k: kept, kScores };
  }

  private kmeans(x: Float32Array, m: number, d: number, k: number): KMeansRun {
    const o = this.options;
    const engine: KMeansEngine = o.engine === 'auto' ? (m * k * d <= ML_KMEANS_WORK ? 'ml-kmeans' : 'typed') : o.engine;
    const base = { restarts: o.restarts, seed: o.seed, engine, maxIterations: 100, tolerance: 1e-6 };
    if (m <= FULL_FIT_ROWS) return kmeansRestarts(x, m, d, k, base);
    // Large input: choose the best start on a sample, refine on a bigger one; all papers are
    // assigned to the resulting centers afterwards.
    const rng = new Random(hash32(o.seed, 0xc1a5));
    const small = takeRows(x, d, sampleIndices(m, RESTART_ROWS, rng));
    const start = kmeansRestarts(small, RESTART_ROWS, d, k, { ...base, engine: 'typed' });
    const refineRows = Math.min(m, REFINE_ROWS);
    const big = refineRows === m ? x : takeRows(x, d, sampleIndices(m, refineRows, rng));
    return lloydTyped(big, refineRows, d, start.centers, k, { maxIterations: 30, tolerance: 1e-6 });
  }
}

/** A copy of the record with `cluster` and `cluster_label` set; other fields unchanged. */
export function annotate(record: Paper, cluster: number, label: string): Paper {
  const out = {} as Paper;
  safeAssign(out as Record<string, unknown>, record as Record<string, unknown>);
  out.cluster = cluster;
  out.cluster_label = label;
  return out;
}

/** Clusters an array of papers: every record gets `cluster` and `cluster_label`. */
export function clusterRecords(
  records: Paper[],
  options: Partial<ClusterOptions> = {},
): { records: Paper[]; clusters: ClusterInfo[]; model: ClusterModel; k: number; kScores: KScore[] } {
  const fitter = new ClusterFitter(options);
  for (const r of records) fitter.add(r);
  const fit = fitter.fit();
  const out = records.map((r, i) => {
    const c = fit.assignment[i];
    return annotate(r, c, c === UNCLUSTERED ? UNCLUSTERED_LABEL : fit.clusters[c].label);
  });
  return { records: out, clusters: fit.clusters, model: fit.model, k: fit.k, kScores: fit.kScores };
}

/** Assigns papers to the clusters of a saved model without refitting. */
export function assignRecords(records: Iterable<Paper>, model: ClusterModel): Paper[] {
  const assigner = new ModelAssigner(model);
  const out: Paper[] = [];
  for (const r of records) out.push(assignRecord(assigner, r));
  return out;
}

export function assignRecord(assigner: ModelAssigner, record: Paper): Paper {
  const title = typeof record.title === 'string' ? record.title : '';
  const abstract = typeof record.abstract === 'string' ? record.abstract : '';
  const c = assigner.clusterOf(title, abstract);
  return annotate(record, c, assigner.labelOf(c));
}
