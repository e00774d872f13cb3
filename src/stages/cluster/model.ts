// A fitted clustering saved as versioned JSON, so later papers join existing topics without a
// refit (`--save-model` / `--model`). Matrices are base64 of little-endian float32/float64, which
// keeps the file small and the numbers exact.
import { DataError } from '../../errors.js';
import { stem } from '../../text/tokens.js';

import { isStopToken } from './corpus.js';
import { BIGRAM_PREFIX, bigramBucket, hashWord, scanWords, WordTable } from './words.js';

const STOP = -2;
import { assignNearest } from './kmeans.js';
import { projectCounts } from './svd.js';
import { TF_WEIGHT } from './matrix.js';

export const MODEL_FORMAT = 'papers-cluster-model';
export const MODEL_VERSION = 1;

export interface ClusterInfo {
  /** Cluster number: 0 is the largest. */
  id: number;
  size: number;
  label: string;
  /** Most distinctive terms, readable forms, best first. */
  terms: string[];
  /** Ids of the papers closest to the centroid, closest first. */
  representatives: string[];
  representativeTitles: string[];
}

export interface ClusterModel {
  /** Vocabulary stems in column order. */
  terms: string[];
  idf: Float64Array;
  /** terms.length x dims, row-major */
  components: Float32Array;
  dims: number;
  /** clusters.length x dims, row-major; row i is cluster i's centroid */
  centroids: Float32Array;
  clusters: ClusterInfo[];
  seed: number;
  /** Papers the model was fitted on. */
  documents: number;
}

/** Cluster number and label given to a paper with no vocabulary word (nothing to place it by). */
export const UNCLUSTERED = -1;
export const UNCLUSTERED_LABEL = 'unclustered';

function encode(values: Float32Array | Float64Array): string {
  const bytes = Buffer.alloc(values.length * values.BYTES_PER_ELEMENT);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof Float32Array) bytes.writeFloatLE(values[i], i * 4);
    else bytes.writeDoubleLE(values[i], i * 8);
  }
  return bytes.toString('base64');
}

function decode(text: unknown, width: 4 | 8, count: number, what: string, path: string): Float32Array | Float64Array {
  if (typeof text !== 'string') throw new DataError(`cluster model: ${what} is missing`, { path });
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== count * width) throw new DataError(`cluster model: ${what} has ${bytes.length / width} values, expected ${count}`, { path });
  const out = width === 4 ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = width === 4 ? bytes.readFloatLE(i * 4) : bytes.readDoubleLE(i * 8);
    if (!Number.isFinite(v)) throw new DataError(`cluster model: ${what} holds a non-finite number`, { path });
    out[i] = v;
  }
  return out;
}

export function serializeModel(model: ClusterModel): string {
  const doc = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    seed: model.seed,
    documents: model.documents,
    dims: model.dims,
    clusters: model.clusters.map((c) => ({
      id: c.id,
      size: c.size,
      label: c.label,
      terms: c.terms,
      representatives: c.representatives,
      representative_titles: c.representativeTitles,
    })),
    vocabulary: model.terms,
    idf: encode(model.idf),
    components: encode(model.components),
    centroids: encode(model.centroids),
  };
  return `${JSON.stringify(doc, null, 1)}\n`;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Reads a saved model; anything malformed is a DataError naming the file. */
export function parseModel(text: string, path: string): ClusterModel {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new DataError(`not a cluster model (not valid JSON: ${(err as Error).message})`, { path });
  }
  if (!doc || typeof doc !== 'object' || doc.format !== MODEL_FORMAT) {
    throw new DataError(`not a cluster model (expected "format": "${MODEL_FORMAT}"; write one with papers cluster --save-model)`, { path });
  }
  if (doc.version !== MODEL_VERSION) {
    throw new DataError(`cluster model version ${String(doc.version)} is not supported (this papers reads version ${MODEL_VERSION})`, { path });
  }
  const terms = doc.vocabulary;
  if (!isStringArray(terms)) throw new DataError('cluster model: vocabulary must be a list of strings', { path });
  const dims = doc.dims;
  if (!isCount(dims)) throw new DataError('cluster model: dims must be a non-negative integer', { path });
  if (!Array.isArray(doc.clusters)) throw new DataError('cluster model: clusters must be a list', { path });
  const clusters: ClusterInfo[] = doc.clusters.map((raw: unknown, i: number) => {
    const c = raw as Record<string, unknown>;
    if (!c || typeof c !== 'object' || c.id !== i || !isCount(c.size) || typeof c.label !== 'string' || !isStringArray(c.terms) || !isStringArray(c.representatives) || !isStringArray(c.representative_titles)) {
      throw new DataError(`cluster model: cluster ${i} is malformed`, { path });
    }
    return { id: i, size: c.size, label: c.label, terms: c.terms, representatives: c.representatives, representativeTitles: c.representative_titles };
  });
  return {
    terms,
    idf: decode(doc.idf, 8, terms.length, 'idf', path) as Float64Array,
    components: decode(doc.components, 4, terms.length * dims, 'components', path) as Float32Array,
    dims,
    centroids: decode(doc.centroids, 4, clusters.length * dims, 'centroids', path) as Float32Array,
    clusters,
    seed: typeof doc.seed === 'number' ? doc.seed : 0,
    documents: isCount(doc.documents) ? doc.documents : 0,
  };
}

/** Places papers in the clusters of a fitted model, one at a time (a pure map: shardable). */
export class ModelAssigner {
  private readonly column = new Map<string, number>();
  /** lower-case word -> index into wordColumn / wordStemHash */
  private readonly words = new WordTable();
  /** column of a word (-1 when not in the vocabulary, STOP for a stop token) and its stem's hash */
  private readonly wordColumn: number[] = [];
  private readonly wordStemHash: number[] = [];
  /** bigram bucket -> column */
  private readonly bucketColumn = new Map<number, number>();
  private readonly acc: Float64Array;
  private readonly vec: Float32Array;
  private readonly label = new Int32Array(1);
  private readonly centroids: Float64Array;
  // Per-paper scratch, indexed by column.
  private readonly mark: Int32Array;
  private readonly slot: Int32Array;
  private stamp = 0;
  private order: number[] = [];
  private counts: number[] = [];

  constructor(readonly model: ClusterModel) {
    model.terms.forEach((t, i) => {
      if (t.startsWith(BIGRAM_PREFIX)) this.bucketColumn.set(Number(t.slice(BIGRAM_PREFIX.length)), i);
      else this.column.set(t, i);
    });
    this.acc = new Float64Array(model.dims);
    this.vec = new Float32Array(model.dims);
    this.centroids = Float64Array.from(model.centroids);
    this.mark = new Int32Array(model.terms.length);
    this.slot = new Int32Array(model.terms.length);
  }

  private count(text: string): void {
    if (!text) return;
    const lower = text.toLowerCase();
    let prevHash = 0;
    let hasPrev = false;
    scanWords(lower, (start, end, hash) => {
      let at = this.words.find(lower, start, end, hash);
      let column: number;
      let stemHash: number;
      if (at >= 0) {
        column = this.wordColumn[at];
        stemHash = this.wordStemHash[at];
      } else {
        const word = lower.slice(start, end);
        const s = isStopToken(word) ? undefined : stem(word);
        column = s === undefined ? STOP : (this.column.get(s) ?? -1);
        stemHash = s === undefined ? 0 : hashWord(s);
        // The table is bounded: past a million distinct words, new ones are looked up each time.
        if (this.words.size < 1_000_000) {
          at = this.words.add(word, hash, this.wordColumn.length);
          this.wordColumn.push(column);
          this.wordStemHash.push(stemHash);
        }
      }
      if (column === STOP) {
        hasPrev = false;
        return;
      }
      this.tally(column);
      if (hasPrev) this.tally(this.bucketColumn.get(bigramBucket(prevHash, stemHash)) ?? -1);
      prevHash = stemHash;
      hasPrev = true;
    });
  }

  private tally(c: number): void {
    if (c < 0) return;
    if (this.mark[c] !== this.stamp) {
      this.mark[c] = this.stamp;
      this.slot[c] = this.order.length;
      this.order.push(c);
      this.counts.push(1);
    } else this.counts[this.slot[c]]++;
  }

  /** Cluster number of a paper's text, or UNCLUSTERED when none of its words are known. */
  clusterOf(title: string, abstract: string): number {
    const m = this.model;
    if (m.clusters.length === 0 || m.dims === 0) return UNCLUSTERED;
    // Counts in first-appearance order, title then abstract: the order fitting sums in.
    this.stamp++;
    this.order = [];
    this.counts = [];
    this.count(title);
    this.count(abstract);
    const order = this.order;
    if (order.length === 0) return UNCLUSTERED;
    const cnt = this.counts.map((c) => Math.min(c, 255));
    let norm = 0;
    for (let k = 0; k < order.length; k++) {
      const w = TF_WEIGHT[cnt[k]] * m.idf[order[k]];
      norm += w * w;
    }
    if (!(norm > 0)) return UNCLUSTERED;
    if (!projectCounts(order, cnt, 0, order.length, m.idf, 1 / Math.sqrt(norm), m.components, m.dims, this.acc, this.vec, 0)) return UNCLUSTERED;
    assignNearest(this.vec, 1, m.dims, this.centroids, m.clusters.length, this.label);
    return this.label[0];
  }

  labelOf(cluster: number): string {
    return cluster === UNCLUSTERED ? UNCLUSTERED_LABEL : this.model.clusters[cluster].label;
  }
}
