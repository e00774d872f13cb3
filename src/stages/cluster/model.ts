// A fitted clustering saved as versioned JSON, so later papers join existing topics without a
// refit (`--save-model` / `--model`). Matrices are base64 of little-endian float32/float64, which
// keeps the file small and the numbers exact.
import { DataError } from '../../errors.js';
import { stem } from '../../text/tokens.js';

import { isStopToken } from './corpus.js';
import { TF_WEIGHT } from './matrix.js';
import { BIGRAM_BUCKETS, BIGRAM_PREFIX, bigramBucket, hashWord, scanText, WordIndex, WordSpans } from './words.js';

const STOP = -2;

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

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function encode(values: Float32Array | Float64Array): string {
  if (LITTLE_ENDIAN) return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
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
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
  else for (let i = 0; i < count; i++) out[i] = width === 4 ? bytes.readFloatLE(i * 4) : bytes.readDoubleLE(i * 8);
  for (let i = 0; i < count; i++) {
    // v - v is 0 for finite numbers only (NaN and infinities give NaN).
    const v = out[i];
    if (v - v !== 0) throw new DataError(`cluster model: ${what} holds a non-finite number`, { path });
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
  /**
   * Lower-case word -> (column, stem hash): one probe per token once a word was seen. Column is
   * -1 for a word not in the vocabulary and STOP for a stop token.
   */
  private readonly words = new WordIndex();
  private readonly column = new Map<string, number>();
  private readonly spans = new WordSpans();
  /**
   * Bigram buckets with a column, compactly (undefined without phrase features): per 32 buckets,
   * [a bit per bucket that has a column, how many buckets before these 32 have one]; the columns
   * of those buckets, in bucket order, in bucketColumns. Small enough to stay in cache, unlike a
   * column per bucket (a million of them).
   */
  private readonly bucketIndex: Int32Array | undefined;
  private readonly bucketColumns: Int32Array | undefined;
  private readonly dims: number;
  private readonly k: number;
  private readonly components: Float32Array;
  private readonly centroids: Float64Array;
  /** |centroid|^2, summed as assignNearest sums it */
  private readonly cc: Float64Array;
  private readonly acc: Float64Array;
  private readonly vec: Float32Array;
  /**
   * One row of FEATURE_STRIDE (+ k with the shortcut) numbers per column, so a feature's data
   * shares cache lines: [stamp of the last paper that used it, its position in order, idf, then
   * V_f . c for each centroid c (filled when the shortcut is built)].
   */
  private readonly feature: Float64Array;
  private readonly stride: number;
  // Per-paper scratch: features in first-appearance order, their counts, weights and row offsets.
  private order = new Int32Array(256);
  private counts = new Int32Array(256);
  private weight = new Float64Array(256);
  private offset = new Int32Array(256);
  private unique = 0;
  private stamp = 0;
  /** Stem hash of the word learn() last looked up. */
  private missStemHash = 0;
  /** Certified shortcut to the nearest centroid (built once enough papers came to pay for it; null: none). */
  private shortcut: Shortcut | null | undefined;
  private papersSeen = 0;

  constructor(readonly model: ClusterModel) {
    let bucketColumn: Int32Array | undefined;
    let bucketBits: Int32Array | undefined;
    model.terms.forEach((t, i) => {
      if (t.startsWith(BIGRAM_PREFIX)) {
        const bucket = Number(t.slice(BIGRAM_PREFIX.length));
        // A bucket name no fitter writes can never match a phrase.
        if (!Number.isInteger(bucket) || bucket < 0 || bucket >= BIGRAM_BUCKETS) return;
        bucketColumn ??= new Int32Array(BIGRAM_BUCKETS).fill(-1);
        bucketBits ??= new Int32Array(BIGRAM_BUCKETS >>> 5);
        // Map.set semantics: a repeated name keeps the last column.
        bucketColumn[bucket] = i;
        bucketBits[bucket >>> 5] |= 1 << (bucket & 31);
      } else this.column.set(t, i);
    });
    if (bucketColumn && bucketBits) {
      const index = new Int32Array(bucketBits.length * 2);
      let rank = 0;
      for (let i = 0; i < bucketBits.length; i++) {
        index[2 * i] = bucketBits[i];
        index[2 * i + 1] = rank;
        rank += popcount(bucketBits[i]);
      }
      const columns = new Int32Array(rank);
      for (let b = 0, r = 0; b < BIGRAM_BUCKETS; b++) if (bucketColumn[b] >= 0) columns[r++] = bucketColumn[b];
      this.bucketIndex = index;
      this.bucketColumns = columns;
    }
    const d = (this.dims = model.dims);
    const k = (this.k = model.clusters.length);
    this.components = model.components;
    this.centroids = Float64Array.from(model.centroids);
    this.cc = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += this.centroids[c * d + j] * this.centroids[c * d + j];
      this.cc[c] = s;
    }
    this.acc = new Float64Array(d);
    this.vec = new Float32Array(d);
    // The shortcut pays when centroids are fewer than dimensions and its set-up is cheap.
    const terms = model.terms.length;
    if (!(k < d && terms * k <= SHORTCUT_MAX_PRODUCTS && terms * d * (d / 2 + k) <= SHORTCUT_MAX_SETUP)) this.shortcut = null;
    const stride = (this.stride = FEATURE_STRIDE + (this.shortcut === null ? 0 : k));
    this.feature = new Float64Array(model.terms.length * stride);
    for (let f = 0; f < model.terms.length; f++) this.feature[f * stride + 2] = model.idf[f];
  }

  /** Column and stem hash of a word not in the table yet (cached while the table is not full). */
  private learn(w: number): number {
    const word = this.spans.word(w);
    const s = isStopToken(word) ? undefined : stem(word);
    const column = s === undefined ? STOP : (this.column.get(s) ?? -1);
    const stemHash = s === undefined ? 0 : hashWord(s);
    // The table is bounded: past a million distinct words, new ones are looked up each time.
    if (this.words.size < 1_000_000) this.words.add(this.spans, w, column, stemHash);
    this.missStemHash = stemHash;
    return column;
  }

  private count(text: string): void {
    if (!text) return;
    const spans = this.spans;
    const n = scanText(text, spans);
    const words = this.words;
    const index = this.bucketIndex;
    let hasPrev = false;
    let prevHash = 0;
    for (let w = 0; w < n; w++) {
      let column: number;
      let stemHash: number;
      if (words.find(spans, w)) {
        column = words.a;
        stemHash = words.b;
      } else {
        column = this.learn(w);
        stemHash = this.missStemHash;
      }
      if (column === STOP) {
        hasPrev = false;
        continue;
      }
      if (column >= 0) this.tally(column);
      if (hasPrev && index !== undefined) {
        const bucket = bigramBucket(prevHash, stemHash);
        const i = (bucket >>> 5) << 1;
        const bits = index[i];
        const bit = 1 << (bucket & 31);
        if ((bits & bit) !== 0) this.tally(this.bucketColumns![index[i + 1] + popcount(bits & (bit - 1))]);
      }
      prevHash = stemHash;
      hasPrev = true;
    }
  }

  private tally(c: number): void {
    const feature = this.feature;
    const o = c * this.stride;
    if (feature[o] !== this.stamp) {
      feature[o] = this.stamp;
      const u = this.unique;
      if (u === this.order.length) {
        const order = new Int32Array(u * 2);
        order.set(this.order);
        this.order = order;
        const counts = new Int32Array(u * 2);
        counts.set(this.counts);
        this.counts = counts;
        this.weight = new Float64Array(u * 2);
        this.offset = new Int32Array(u * 2);
      }
      feature[o + 1] = u;
      this.order[u] = c;
      this.counts[u] = 1;
      this.unique = u + 1;
    } else this.counts[feature[o + 1]]++;
  }

  /** Cluster number of a paper's text, or UNCLUSTERED when none of its words are known. */
  clusterOf(title: string, abstract: string): number {
    const k = this.k;
    const d = this.dims;
    if (k === 0 || d === 0) return UNCLUSTERED;
    // Counts in first-appearance order, title then abstract: the order fitting sums in.
    if (++this.stamp === 2 ** 52) {
      for (let o = 0; o < this.feature.length; o += this.stride) this.feature[o] = 0;
      this.stamp = 1;
    }
    this.unique = 0;
    this.count(title);
    this.count(abstract);
    const u = this.unique;
    if (u === 0) return UNCLUSTERED;
    const order = this.order;
    const counts = this.counts;
    const feature = this.feature;
    const stride = this.stride;
    for (let t = 0; t < u; t++) if (counts[t] > 255) counts[t] = 255;
    let norm = 0;
    for (let t = 0; t < u; t++) {
      const w = TF_WEIGHT[counts[t]] * feature[order[t] * stride + 2];
      norm += w * w;
    }
    if (!(norm > 0)) return UNCLUSTERED;
    // The arithmetic of projectCounts and assignNearest, in the same order, so a paper lands
    // where fitting put it.
    const scale = 1 / Math.sqrt(norm);
    const weight = this.weight;
    for (let t = 0; t < u; t++) weight[t] = TF_WEIGHT[counts[t]] * feature[order[t] * stride + 2] * scale;
    if (this.shortcut === undefined && ++this.papersSeen >= SHORTCUT_AFTER) this.shortcut = Shortcut.of(this.model, this.centroids, this.cc, feature, stride);
    if (this.shortcut) {
      const c = this.shortcut.nearest(order, weight, u);
      if (c >= 0) return c;
    }
    return this.exactNearest(u);
  }

  /** The nearest centroid as fitting computes it: project, normalize, compare (or UNCLUSTERED). */
  private exactNearest(u: number): number {
    const k = this.k;
    const d = this.dims;
    const order = this.order;
    const acc = this.acc;
    const components = this.components;
    // acc[j] = sum over features t, in order, of w[t] * components[row t][j]: four dimensions at
    // a time with the sums in registers (each sum still adds the features in the same order).
    const weight = this.weight;
    const offset = this.offset;
    for (let t = 0; t < u; t++) offset[t] = order[t] * d;
    let j = 0;
    for (; j + 3 < d; j += 4) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < u; t++) {
        const w = weight[t];
        const o = offset[t] + j;
        s0 += w * components[o];
        s1 += w * components[o + 1];
        s2 += w * components[o + 2];
        s3 += w * components[o + 3];
      }
      acc[j] = s0;
      acc[j + 1] = s1;
      acc[j + 2] = s2;
      acc[j + 3] = s3;
    }
    for (; j < d; j++) {
      let s = 0;
      for (let t = 0; t < u; t++) s += weight[t] * components[offset[t] + j];
      acc[j] = s;
    }
    let sq = 0;
    for (let i = 0; i < d; i++) sq += acc[i] * acc[i];
    if (!(sq > 0)) return UNCLUSTERED;
    const inv = 1 / Math.sqrt(sq);
    const x = this.vec;
    for (let i = 0; i < d; i++) x[i] = acc[i] * inv;
    const centers = this.centroids;
    const cc = this.cc;
    let bestC = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      const co = c * d;
      let dot = 0;
      let i = 0;
      for (; i + 3 < d; i += 4) {
        dot += x[i] * centers[co + i] + x[i + 1] * centers[co + i + 1] + x[i + 2] * centers[co + i + 2] + x[i + 3] * centers[co + i + 3];
      }
      for (; i < d; i++) dot += x[i] * centers[co + i];
      const dist = cc[c] - 2 * dot;
      if (dist < bestD) {
        bestD = dist;
        bestC = c;
      }
    }
    return bestC;
  }

  labelOf(cluster: number): string {
    return cluster === UNCLUSTERED ? UNCLUSTERED_LABEL : this.model.clusters[cluster].label;
  }
}

/** Number of bits set in a 32-bit integer. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Numbers before the centroid products in a feature row: stamp, position, idf. */
const FEATURE_STRIDE = 3;

/**
 * Most multiplications the shortcut's set-up may take (terms * d * (d / 2 + k): about a second;
 * hundreds of --dims would cost more than it saves), and most centroid products it may keep.
 */
const SHORTCUT_MAX_SETUP = 3e8;
const SHORTCUT_MAX_PRODUCTS = 4_000_000;

/** Papers assigned exactly before the shortcut is built (its set-up costs about as much as this many papers). */
const SHORTCUT_AFTER = 1_000;

/**
 * The nearest centroid without the projection, when it is certain. With a the paper's unit
 * TF-IDF weights, V the components and x = V^T a, fitting assigns normalize(x) to the c with the
 * least |c|^2 - 2 x.c / |x|. Here s_c = x.c comes from G = V C^T (k numbers per feature instead of
 * dims), and the unknown 1/|x| is bounded: |x| <= sigma |a| (sigma >= the largest singular value of
 * V) and |x| >= s_c / |c| for every c. Each distance is linear in 1/|x|, so when the same centroid
 * is nearest at both ends of that interval with a clear margin, it is nearest everywhere in it,
 * also for the exact arithmetic (float32 rounding of the normalized vector moves a distance by
 * under 1e-7 |c|). Otherwise nearest() returns -1 and the caller computes exactly.
 */
class Shortcut {
  private readonly score: Float64Array;

  private constructor(
    private readonly k: number,
    /** the assigner's feature rows; V_f . c for centroid c at f * stride + FEATURE_STRIDE + c */
    private readonly g: Float64Array,
    private readonly stride: number,
    private readonly cc: Float64Array,
    /** 1 / |c| (0 for a zero centroid: it bounds nothing) */
    private readonly invNorm: Float64Array,
    /** 1 / sigma */
    private readonly invSigma: number,
    /** margin a certified distance gap must clear */
    private readonly tolerance: number,
  ) {
    this.score = new Float64Array(k);
  }

  /** Fills V_f . c into the feature rows; null when the model gives no usable bound. */
  static of(model: ClusterModel, centroids: Float64Array, cc: Float64Array, g: Float64Array, stride: number): Shortcut | null {
    const d = model.dims;
    const k = model.clusters.length;
    const terms = model.terms.length;
    const v = model.components;
    // sigma^2 <= the largest Gershgorin row sum of V^T V.
    const gram = new Float64Array(d * d);
    for (let f = 0; f < terms; f++) {
      const o = f * d;
      for (let i = 0; i < d; i++) {
        const vi = v[o + i];
        if (vi === 0) continue;
        const gi = i * d;
        for (let j = i; j < d; j++) gram[gi + j] += vi * v[o + j];
      }
    }
    let bound = 0;
    for (let i = 0; i < d; i++) {
      let row = 0;
      for (let j = 0; j < d; j++) row += Math.abs(i <= j ? gram[i * d + j] : gram[j * d + i]);
      if (row > bound) bound = row;
    }
    if (!(bound > 0) || !Number.isFinite(bound)) return null;
    for (let f = 0; f < terms; f++) {
      const o = f * d;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += v[o + j] * centroids[c * d + j];
        g[f * stride + FEATURE_STRIDE + c] = s;
      }
    }
    const invNorm = new Float64Array(k);
    let maxNorm = 0;
    for (let c = 0; c < k; c++) {
      const n = Math.sqrt(cc[c]);
      invNorm[c] = n > 0 ? 1 / n : 0;
      if (n > maxNorm) maxNorm = n;
    }
    if (!Number.isFinite(maxNorm)) return null;
    // Slack for rounding in the bound itself.
    const sigma = Math.sqrt(bound) * (1 + 1e-9);
    return new Shortcut(k, g, stride, cc, invNorm, 1 / sigma, 1e-5 * Math.max(1, maxNorm));
  }

  /** The certain nearest centroid of the paper with these features and weights, or -1. */
  nearest(order: Int32Array, weight: Float64Array, u: number): number {
    const k = this.k;
    const g = this.g;
    const stride = this.stride;
    const s = this.score;
    s.fill(0);
    let a2 = 0;
    for (let t = 0; t < u; t++) {
      const w = weight[t];
      a2 += w * w;
      const o = order[t] * stride + FEATURE_STRIDE;
      for (let c = 0; c < k; c++) s[c] += w * g[o + c];
    }
    let lo = 0;
    for (let c = 0; c < k; c++) {
      const b = s[c] * this.invNorm[c];
      if (b > lo) lo = b;
    }
    // A tiny lower bound leaves 1/|x| too open to settle anything (and would magnify rounding).
    if (!(lo > 1e-6)) return -1;
    // 1/|x| lies in [lambdaMin, lambdaMax], widened for rounding.
    const lambdaMin = (this.invSigma / Math.sqrt(a2)) * (1 - 1e-9);
    const lambdaMax = (1 / lo) * (1 + 1e-9);
    if (!(lambdaMin <= lambdaMax)) return -1;
    const atMin = this.best(lambdaMin);
    if (atMin < 0) return -1;
    return this.best(lambdaMax) === atMin ? atMin : -1;
  }

  /** The centroid nearest at 1/|x| = lambda by more than the tolerance, or -1. */
  private best(lambda: number): number {
    const cc = this.cc;
    const s = this.score;
    let bestC = -1;
    let bestD = Infinity;
    let second = Infinity;
    for (let c = 0; c < this.k; c++) {
      const dist = cc[c] - 2 * lambda * s[c];
      if (dist < bestD) {
        second = bestD;
        bestD = dist;
        bestC = c;
      } else if (dist < second) second = dist;
    }
    return second - bestD > this.tolerance ? bestC : -1;
  }
}
