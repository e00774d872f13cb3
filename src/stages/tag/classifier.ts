// Learned tags: one-vs-rest linear SVMs (L2-regularized squared hinge loss, trained by dual
// coordinate descent as in Hsieh et al. 2008 / LIBLINEAR) over TF-IDF features of stem unigrams and
// bigrams. Models are versioned JSON with the big arrays as base64 float32, so they load fast.
import { DataError } from '../../errors.js';
import { type DocTokens, lexicon, MAX_STEMS } from './lexicon.js';
import { KeywordStats, type SerializedKeywordStats } from './keywords.js';
import { type DocGrams, docGrams, docNgrams, NgramBuffer, NgramTable, NO_STEM } from './ngrams.js';
import { scoreModel } from './evaluate.js';
import { LinearScorer } from './simd.js';

export const MODEL_FORMAT = 'papers-tag-model';
// Occurrence counts (in the title, elsewhere) below these have their 1 + log(tf) remembered.
const TF_TITLE = 8;
const TF_REST = 64;
export const MODEL_VERSION = 1;

export interface TrainOptions {
  /** SVM regularization: larger fits the training data more closely. */
  c: number;
  /** Longest n-gram feature (1 or 2 content words, 3 allowed). */
  ngrams: number;
  /** Keep features seen in at least this many training papers. */
  minDf: number;
  /** Stop when the projected gradient spread is below this (LIBLINEAR's eps). */
  tolerance: number;
  maxIterations: number;
  seed: number;
  /** Multi-label models: labels whose decision value exceeds this are predicted. */
  threshold: number;
  /** A title occurrence counts this many times (titles summarize the paper). */
  titleWeight: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  c: 0.5,
  ngrams: 2,
  minDf: 2,
  tolerance: 0.1,
  maxIterations: 1000,
  seed: 1,
  threshold: 0,
  titleWeight: 2,
};

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[] | Int32Array, random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
}

/** Lower-case tag id for a label ("cs.CV" -> "cs.cv", "Machine Learning" -> "machine-learning"). */
export function labelToTag(label: string): string {
  const t = label
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9.+-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '');
  return t.slice(0, 64) || 'label';
}

/**
 * Training papers as n-gram ids with counts (CSR), so that cross-validation folds can build their
 * own vocabulary without tokenizing again.
 */
export class LabelledCorpus {
  readonly ngrams = new NgramTable(1 << 14);
  private readonly buffer = new NgramBuffer();
  private ids: Int32Array = new Int32Array(1 << 16);
  private tfs: Float32Array = new Float32Array(1 << 16);
  private nnz = 0;
  private starts: number[] = [0];
  /** Label indexes per paper. */
  readonly labelsOf: number[][] = [];
  readonly labels: string[] = [];
  private readonly labelIndex = new Map<string, number>();
  /** True when some paper's label field is a list. */
  multiLabel = false;

  constructor(
    readonly maxN = DEFAULT_TRAIN_OPTIONS.ngrams,
    readonly titleWeight = DEFAULT_TRAIN_OPTIONS.titleWeight,
  ) {}

  get size(): number {
    return this.labelsOf.length;
  }

  add(doc: DocTokens, labels: string[], isList: boolean): void {
    if (isList) this.multiLabel = true;
    const buf = this.buffer;
    buf.collect(doc, this.maxN);
    const start = this.nnz;
    const t = this.ngrams;
    const docNo = this.labelsOf.length;
    for (let k = 0; k < buf.length; k++) {
      const e = t.add(buf.a[k], buf.b[k], buf.c[k]);
      if (t.last[e] === docNo) {
        // Seen earlier in this paper: find its slot (papers are short, a backwards scan is cheap).
        for (let j = this.nnz - 1; j >= start; j--) {
          if (this.ids[j] === e) {
            this.tfs[j] += buf.title[k] ? this.titleWeight : 1;
            break;
          }
        }
        continue;
      }
      t.last[e] = docNo;
      t.count[e]++;
      if (this.nnz >= this.ids.length) {
        const ids = new Int32Array(this.ids.length * 2);
        ids.set(this.ids);
        this.ids = ids;
        const tfs = new Float32Array(this.tfs.length * 2);
        tfs.set(this.tfs);
        this.tfs = tfs;
      }
      this.ids[this.nnz] = e;
      this.tfs[this.nnz] = buf.title[k] ? this.titleWeight : 1;
      this.nnz++;
    }
    this.starts.push(this.nnz);
    const idx: number[] = [];
    for (const l of labels) {
      let i = this.labelIndex.get(l);
      if (i === undefined) {
        i = this.labels.length;
        this.labels.push(l);
        this.labelIndex.set(l, i);
      }
      if (!idx.includes(i)) idx.push(i);
    }
    this.labelsOf.push(idx);
  }

  /** Paper d's n-gram ids and counts. */
  row(d: number): { ids: Int32Array; tfs: Float32Array } {
    return { ids: this.ids.subarray(this.starts[d], this.starts[d + 1]), tfs: this.tfs.subarray(this.starts[d], this.starts[d + 1]) };
  }
}

interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** Vocabulary of a set of training papers: corpus n-gram id -> feature index, and idf. */
interface Vocab {
  featureOf: Int32Array;
  ngramOf: Int32Array;
  idf: Float32Array;
}

function buildVocab(corpus: LabelledCorpus, docs: ArrayLike<number>, minDf: number): Vocab {
  const m = corpus.ngrams.size;
  const df = new Int32Array(m);
  for (let i = 0; i < docs.length; i++) {
    const { ids } = corpus.row(docs[i]);
    for (let k = 0; k < ids.length; k++) df[ids[k]]++;
  }
  const featureOf = new Int32Array(m).fill(-1);
  const kept: number[] = [];
  for (let e = 0; e < m; e++) if (df[e] >= minDf) kept.push(e);
  // Feature order: most frequent first (the rows a paper touches then sit close together in memory),
  // ties by n-gram key, so the model file does not depend on reading order.
  const keys = kept.map((e) => corpus.ngrams.key(e));
  const order = kept.map((_, i) => i).sort((x, y) => df[kept[y]] - df[kept[x]] || (keys[x] < keys[y] ? -1 : keys[x] > keys[y] ? 1 : 0));
  const ngramOf = new Int32Array(kept.length);
  const idf = new Float32Array(kept.length);
  const n = docs.length;
  order.forEach((i, f) => {
    const e = kept[i];
    featureOf[e] = f;
    ngramOf[f] = e;
    idf[f] = Math.log((1 + n) / (1 + df[e])) + 1;
  });
  return { featureOf, ngramOf, idf };
}

function vectorizeRows(corpus: LabelledCorpus, docs: ArrayLike<number>, vocab: Vocab): Csr {
  const indptr = new Int32Array(docs.length + 1);
  let nnz = 0;
  for (let i = 0; i < docs.length; i++) {
    const { ids } = corpus.row(docs[i]);
    for (let k = 0; k < ids.length; k++) if (vocab.featureOf[ids[k]] >= 0) nnz++;
    indptr[i + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let w = 0;
  for (let i = 0; i < docs.length; i++) {
    const { ids, tfs } = corpus.row(docs[i]);
    const from = w;
    let norm = 0;
    for (let k = 0; k < ids.length; k++) {
      const f = vocab.featureOf[ids[k]];
      if (f < 0) continue;
      const v = (1 + Math.log(tfs[k])) * vocab.idf[f];
      indices[w] = f;
      values[w] = v;
      norm += v * v;
      w++;
    }
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let k = from; k < w; k++) values[k] *= inv;
    }
  }
  return { rows: docs.length, cols: vocab.idf.length, indptr, indices, values };
}

/**
 * Dual coordinate descent for min_w 1/2 |w|^2 + C sum max(0, 1 - y_i w.x_i)^2, with a bias feature
 * of value 1 (regularized, as LIBLINEAR does). Returns w (cols + 1, bias last).
 */
function trainBinary(x: Csr, y: Int8Array, c: number, tolerance: number, maxIterations: number, random: () => number): Float64Array {
  const n = x.rows;
  const w = new Float64Array(x.cols + 1);
  const bias = x.cols;
  const alpha = new Float64Array(n);
  const diag = 0.5 / c;
  const qd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 1 + diag; // bias feature squared
    for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) s += x.values[k] * x.values[k];
    qd[i] = s;
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Shrinking as in LIBLINEAR: coordinates stuck at the bound leave the active set.
  let active = n;
  let pgMaxOld = Infinity;
  for (let iter = 0; iter < maxIterations; iter++) {
    let pgMax = -Infinity;
    let pgMin = Infinity;
    for (let s = 0; s < active; s++) {
      const j = s + Math.floor(random() * (active - s));
      const t = order[s];
      order[s] = order[j];
      order[j] = t;
    }
    for (let s = 0; s < active; s++) {
      const i = order[s];
      const yi = y[i];
      let dot = w[bias];
      for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) dot += w[x.indices[k]] * x.values[k];
      const g = yi * dot - 1 + diag * alpha[i];
      let pg = 0;
      if (alpha[i] === 0) {
        if (g > pgMaxOld) {
          active--;
          order[s] = order[active];
          order[active] = i;
          s--;
          continue;
        }
        if (g < 0) pg = g;
      } else pg = g;
      if (pg > pgMax) pgMax = pg;
      if (pg < pgMin) pgMin = pg;
      if (Math.abs(pg) > 1e-12) {
        const old = alpha[i];
        const a = Math.max(old - g / qd[i], 0);
        alpha[i] = a;
        const d = (a - old) * yi;
        for (let k = x.indptr[i]; k < x.indptr[i + 1]; k++) w[x.indices[k]] += d * x.values[k];
        w[bias] += d;
      }
    }
    if (pgMax - pgMin <= tolerance) {
      if (active === n) break;
      // Converged on the active set: check everything once more.
      active = n;
      pgMaxOld = Infinity;
      continue;
    }
    // (LIBLINEAR also keeps the lowest gradient, for alphas at an upper bound; squared hinge has none.)
    pgMaxOld = pgMax <= 0 ? Infinity : pgMax;
  }
  return w;
}

/** Weights of every label, feature-major (weights[f * labels + k]) for fast scoring. */
function trainAll(x: Csr, labelsOf: number[][], rows: ArrayLike<number>, labelCount: number, o: TrainOptions): { weights: Float32Array; bias: Float32Array } {
  const weights = new Float32Array(x.cols * labelCount);
  const bias = new Float32Array(labelCount);
  for (let k = 0; k < labelCount; k++) {
    const y = new Int8Array(x.rows);
    for (let i = 0; i < x.rows; i++) y[i] = labelsOf[rows[i]].includes(k) ? 1 : -1;
    const w = trainBinary(x, y, o.c, o.tolerance, o.maxIterations, rng(o.seed + k));
    for (let f = 0; f < x.cols; f++) weights[f * labelCount + k] = w[f];
    bias[k] = w[x.cols];
  }
  return { weights, bias };
}

export interface Prediction {
  /** Label indexes predicted, best first. */
  labels: number[];
  /** Decision value per label (a buffer reused by the next predict call). */
  scores: Float64Array;
}

export interface TermWeight {
  term: string;
  weight: number;
}

/** A trained model: features, per-label weights, and (optionally) keyword statistics. */
type ModelHeader = Partial<SerializedModel> & Pick<SerializedModel, 'field' | 'labels' | 'tags' | 'features'>;

/** The checks check() and fromJSON() share, in the order both report them: format to n-gram size. */
function checkModelHeader(data: unknown, path: string): ModelHeader {
  const fail = (what: string) => new DataError(`not a papers tag model: ${what}`, { path });
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw fail('expected a JSON object');
  const m = data as Partial<SerializedModel>;
  if (m.format !== MODEL_FORMAT) throw fail(`"format" is ${JSON.stringify(m.format)}, expected "${MODEL_FORMAT}"`);
  if (m.version !== MODEL_VERSION) {
    throw new DataError(`model version ${JSON.stringify(m.version)} is not supported (this papers reads version ${MODEL_VERSION}); train it again`, { path });
  }
  if (typeof m.field !== 'string') throw fail('"field" must be a string');
  if (!Array.isArray(m.labels) || !m.labels.every((l) => typeof l === 'string') || m.labels.length === 0) throw fail('"labels" must be a non-empty list of strings');
  if (!Array.isArray(m.tags) || m.tags.length !== m.labels.length) throw fail('"tags" must have one entry per label');
  if (!m.features || !Array.isArray(m.features.terms) || typeof m.features.idf !== 'string') throw fail('"features" must have "terms" and "idf"');
  const ngrams = m.features.ngrams;
  if (ngrams !== 1 && ngrams !== 2 && ngrams !== 3) throw fail('"features.ngrams" must be 1, 2 or 3');
  return m as ModelHeader;
}

export class TagModel {
  private readonly x: Float64Array;
  /** Feature of a single word by stem id (-1 none): one array read instead of a hash probe. */
  private readonly unigramFeature: Int32Array;
  /** Stems that start some phrase feature: other phrases need no lookup at all. */
  private readonly startsPhrase: Uint8Array;
  /** 1 + log(tf) by title and other occurrences (NaN: not computed yet); see vectorizeGrams. */
  private readonly logTf = new Float64Array(TF_TITLE * TF_REST).fill(NaN);
  private touched: Int32Array = new Int32Array(1024);
  private values: Float64Array = new Float64Array(1024);
  /** The weights (feature-major, rows padded) and the scoring loop. */
  private readonly scorer: LinearScorer;

  constructor(
    readonly field: string,
    readonly multiLabel: boolean,
    readonly labels: string[],
    readonly tags: string[],
    readonly features: NgramTable,
    readonly idf: Float32Array,
    /** features x labels, row-major (or a scorer already holding them). */
    weights: Float32Array | LinearScorer,
    readonly bias: Float32Array,
    public threshold: number,
    readonly ngrams: number,
    readonly titleWeight: number,
    readonly training: Record<string, number>,
    readonly keywordStats?: KeywordStats,
  ) {
    this.x = new Float64Array(idf.length);
    if (weights instanceof LinearScorer) this.scorer = weights;
    else {
      this.scorer = new LinearScorer(idf.length, labels.length);
      this.scorer.setRows(weights);
    }
    let max = -1;
    for (let f = 0; f < features.size; f++) max = Math.max(max, features.a[f]);
    this.unigramFeature = new Int32Array(max + 1).fill(-1);
    this.startsPhrase = new Uint8Array(max + 1);
    for (let f = 0; f < features.size; f++) {
      if (features.b[f] === NO_STEM) this.unigramFeature[features.a[f]] = f;
      else this.startsPhrase[features.a[f]] = 1;
    }
  }

  private feature(a: number, b: number, c: number): number {
    if (a >= this.unigramFeature.length) return -1;
    if (b === NO_STEM) return this.unigramFeature[a];
    return this.startsPhrase[a] === 1 ? this.features.find(a, b, c) : -1;
  }

  /** The weights, features x labels, row-major (a copy). */
  get weights(): Float32Array {
    return this.scorer.rows();
  }

  /** Decision values of a tokenized paper, and the predicted labels. */
  predict(doc: DocTokens): Prediction {
    const titleWeight = this.titleWeight;
    // Count features per distinct n-gram: a feature is one n-gram, its first occurrence orders it, and
    // its term frequency is summed in reading order (title occurrences come first). With a zero title
    // weight a feature seen only in the title so far would still read as untouched: scan occurrences.
    const count = titleWeight > 0 ? this.vectorizeGrams(docGrams(doc), titleWeight, null) : this.vectorizeOccurrences(doc, titleWeight);
    return this.decide(count);
  }

  /**
   * As predict, with the feature of each distinct n-gram of the paper already looked up
   * (featureOf[e] for g's n-gram e, -1 for none; see GramIndex).
   */
  predictResolved(doc: DocTokens, g: DocGrams, featureOf: Int32Array): Prediction {
    const titleWeight = this.titleWeight;
    if (!(titleWeight > 0)) return this.predict(doc);
    return this.decide(this.vectorizeGrams(g, titleWeight, featureOf));
  }

  /** Scores of the vector in touched/values, and the labels they give. */
  private decide(count: number): Prediction {
    const L = this.labels.length;
    const scores = this.scorer.score(this.bias, this.touched, this.values, count);
    let best = 0;
    for (let k = 1; k < L; k++) if (scores[k] > scores[best]) best = k;
    const labels: number[] = [];
    if (!this.multiLabel) labels.push(best);
    else {
      for (let k = 0; k < L; k++) if (scores[k] > this.threshold) labels.push(k);
      labels.sort((p, q) => scores[q] - scores[p] || p - q);
      // Every paper has at least one label: the best one when none passes the threshold.
      if (labels.length === 0) labels.push(best);
    }
    return { labels, scores };
  }

  /**
   * The paper's TF-IDF vector, L2-normalized: touched[i] and values[i] for i below the returned
   * count, features in order of first occurrence.
   */
  private vectorizeGrams(g: DocGrams, titleWeight: number, featureOf: Int32Array | null): number {
    let touched = this.touched;
    let count = 0;
    const maxN = this.ngrams;
    const gn = g.n;
    const ga = g.a;
    const gb = g.b;
    const gc = g.c;
    const gCount = g.count;
    const gTitle = g.titleCount;
    for (let e = 0; e < g.size; e++) {
      if (gn[e] > maxN) continue;
      const f = featureOf !== null ? featureOf[e] : this.feature(ga[e], gb[e], gc[e]);
      if (f < 0) continue;
      if (count === touched.length) touched = this.growTouched();
      const inTitle = gTitle[e];
      const all = gCount[e];
      touched[count] = f;
      // 1 + log(tf), remembered for the small counts that make up nearly all of them.
      const key = inTitle < TF_TITLE && all - inTitle < TF_REST ? inTitle * TF_REST + (all - inTitle) : -1;
      let logTf = key >= 0 ? this.logTf[key] : NaN;
      if (logTf !== logTf) {
        let tf = 0;
        for (let i = 0; i < inTitle; i++) tf += titleWeight;
        for (let i = inTitle; i < all; i++) tf += 1;
        logTf = 1 + Math.log(tf);
        if (key >= 0) this.logTf[key] = logTf;
      }
      this.values[count] = logTf;
      count++;
    }
    const values = this.values;
    const idf = this.idf;
    let norm = 0;
    for (let i = 0; i < count; i++) {
      const v = values[i] * idf[touched[i]];
      values[i] = v;
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < count; i++) values[i] = values[i] * inv;
    return count;
  }

  /** As vectorizeGrams, one occurrence at a time (any title weight, even 0). */
  private vectorizeOccurrences(doc: DocTokens, titleWeight: number): number {
    const buf = docNgrams(doc);
    const x = this.x;
    let touched = this.touched;
    let count = 0;
    const maxN = this.ngrams;
    for (let k = 0; k < buf.length; k++) {
      if (buf.n[k] > maxN) continue;
      const f = this.feature(buf.a[k], buf.b[k], buf.c[k]);
      if (f < 0) continue;
      if (x[f] === 0) {
        if (count === touched.length) touched = this.growTouched();
        touched[count++] = f;
      }
      x[f] += buf.title[k] ? titleWeight : 1;
    }
    const idf = this.idf;
    let norm = 0;
    for (let i = 0; i < count; i++) {
      const f = touched[i];
      const v = (1 + Math.log(x[f])) * idf[f];
      x[f] = v;
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const values = this.values;
    for (let i = 0; i < count; i++) {
      const f = touched[i];
      values[i] = x[f] * inv;
      x[f] = 0;
    }
    return count;
  }

  private growTouched(): Int32Array {
    const n = this.touched.length * 2;
    const t = new Int32Array(n);
    t.set(this.touched);
    this.touched = t;
    const v = new Float64Array(n);
    v.set(this.values);
    this.values = v;
    return t;
  }

  /** The terms of a paper that pushed it most towards label k (run after predict on the same doc). */
  explain(doc: DocTokens, k: number, top = 5): TermWeight[] {
    const buf = docNgrams(doc);
    const counts = new Map<number, { n: number; start: number; len: number }>();
    for (let j = 0; j < buf.length; j++) {
      if (buf.n[j] > this.ngrams) continue;
      const f = this.feature(buf.a[j], buf.b[j], buf.c[j]);
      if (f < 0) continue;
      const w = buf.title[j] ? this.titleWeight : 1;
      const c = counts.get(f);
      if (c) c.n += w;
      else counts.set(f, { n: w, start: buf.start[j], len: buf.n[j] });
    }
    let norm = 0;
    for (const [f, c] of counts) norm += ((1 + Math.log(c.n)) * this.idf[f]) ** 2;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const stride = this.scorer.stride;
    const weights = this.scorer.weights;
    const out: Array<TermWeight & { f: number }> = [];
    for (const [f, c] of counts) {
      const contribution = (1 + Math.log(c.n)) * this.idf[f] * inv * weights[f * stride + k];
      if (contribution > 0) out.push({ f, term: doc.span(c.start, c.start + c.len).toLowerCase(), weight: contribution });
    }
    out.sort((a, b) => b.weight - a.weight || a.f - b.f);
    return out.slice(0, top).map(({ term, weight }) => ({ term, weight }));
  }

  toJSON(): SerializedModel {
    const terms: string[] = [];
    for (let f = 0; f < this.features.size; f++) terms.push(this.features.key(f));
    return {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      field: this.field,
      multi_label: this.multiLabel,
      threshold: this.threshold,
      labels: this.labels,
      tags: this.tags,
      training: this.training,
      features: { ngrams: this.ngrams, title_weight: this.titleWeight, terms, idf: encodeFloats(this.idf) },
      weights: encodeFloats(this.scorer.rows()),
      bias: Array.from(this.bias),
      keywords: this.keywordStats?.toJSON(),
    };
  }

  /**
   * Check a parsed model file as fromJSON does, with the same errors in the same order, without
   * building the model (no weight matrix, no feature table, nothing interned in the lexicon): what a
   * caller that only needs to know whether the file loads, and whether it holds keyword statistics,
   * reads. Returns undefined for the rare files only a full load can judge exactly.
   */
  static check(data: unknown, path: string): { keywordStats: boolean; threshold: number } | undefined {
    const fail = (what: string) => new DataError(`not a papers tag model: ${what}`, { path });
    const m = checkModelHeader(data, path);
    const terms = m.features.terms;
    decodeBytes(m.features.idf, terms.length, 'features.idf', path);
    if (typeof m.weights !== 'string') throw fail('"weights" must be a base64 string');
    // (fromJSON allocates the matrix here: one too large to allocate fails there in its own way.)
    if (terms.length * m.labels.length > 1 << 28) return undefined;
    checkBase64Length(m.weights, terms.length * m.labels.length, 'weights', path);
    if (!Array.isArray(m.bias) || m.bias.length !== m.labels.length) throw fail('"bias" must have one number per label');
    // Features: as NgramTable.addKey reads them (one to three stems joined by single spaces, each key
    // once). Interning could only fail past MAX_STEMS stems: a file that could get near that is left
    // to the full load.
    if (lexicon.stems.length + 3 * terms.length >= MAX_STEMS) return undefined;
    const seen = new Set<string>();
    for (let f = 0; f < terms.length; f++) {
      const term = terms[f];
      if (typeof term !== 'string') throw fail(`feature ${f} is not a string`);
      const s1 = term.indexOf(' ');
      const s2 = s1 < 0 ? -1 : term.indexOf(' ', s1 + 1);
      const words = s2 >= 0 && term.indexOf(' ', s2 + 1) >= 0;
      if (words || seen.has(term)) throw fail(`feature ${f} ("${term}") is repeated or not 1 to 3 words`);
      seen.add(term);
    }
    let keywordStats = false;
    if (m.keywords) {
      const k = m.keywords;
      if (!Array.isArray(k.terms) || !Array.isArray(k.df) || k.terms.length !== k.df.length || typeof k.documents !== 'number') {
        throw fail('"keywords" must have "documents", "terms" and "df" of equal length');
      }
      // KeywordStats.fromJSON fails on keys that are not strings in its own way: let it.
      for (const t of k.terms) if (typeof t !== 'string') return undefined;
      keywordStats = true;
    }
    return { keywordStats, threshold: typeof m.threshold === 'number' ? m.threshold : 0 };
  }

  /** Check and load a parsed model file; problems are DataErrors naming the file. */
  static fromJSON(data: unknown, path: string): TagModel {
    const fail = (what: string) => new DataError(`not a papers tag model: ${what}`, { path });
    const m = checkModelHeader(data, path);
    const ngrams = m.features.ngrams;
    const idf = decodeFloats(m.features.idf, m.features.terms.length, 'features.idf', path);
    if (typeof m.weights !== 'string') throw fail('"weights" must be a base64 string');
    const scorer = new LinearScorer(m.features.terms.length, m.labels.length);
    // Straight into the scorer; anything unusual goes the long way, which also words the error.
    if (!scorer.setRowsBase64(m.weights)) scorer.setRows(decodeBytes(m.weights, m.features.terms.length * m.labels.length, 'weights', path));
    if (!Array.isArray(m.bias) || m.bias.length !== m.labels.length) throw fail('"bias" must have one number per label');
    const features = new NgramTable(m.features.terms.length + 16);
    for (let f = 0; f < m.features.terms.length; f++) {
      const term = m.features.terms[f];
      if (typeof term !== 'string') throw fail(`feature ${f} is not a string`);
      const e = features.addKey(term);
      if (e !== f) throw fail(`feature ${f} ("${term}") is repeated or not 1 to 3 words`);
    }
    let stats: KeywordStats | undefined;
    if (m.keywords) {
      const k = m.keywords;
      if (!Array.isArray(k.terms) || !Array.isArray(k.df) || k.terms.length !== k.df.length || typeof k.documents !== 'number') {
        throw fail('"keywords" must have "documents", "terms" and "df" of equal length');
      }
      stats = KeywordStats.fromJSON(k);
    }
    return new TagModel(
      m.field,
      m.multi_label === true,
      m.labels,
      m.tags.map((t) => String(t)),
      features,
      idf,
      scorer,
      Float32Array.from(m.bias.map(Number)),
      typeof m.threshold === 'number' ? m.threshold : 0,
      ngrams,
      typeof m.features.title_weight === 'number' && m.features.title_weight >= 0 ? m.features.title_weight : 1,
      m.training && typeof m.training === 'object' ? m.training : {},
      stats,
    );
  }
}

export interface SerializedModel {
  format: string;
  version: number;
  field: string;
  multi_label: boolean;
  threshold: number;
  labels: string[];
  tags: string[];
  training: Record<string, number>;
  features: { ngrams: number; title_weight: number; terms: string[]; idf: string };
  weights: string;
  bias: number[];
  keywords?: SerializedKeywordStats;
}

function encodeFloats(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/**
 * The check decodeBytes makes, without decoding when the text is plain base64 (whose decoded length
 * follows from its own length): a DataError when the text does not hold `length` float32 numbers.
 */
function checkBase64Length(s: string, length: number, what: string, path: string): void {
  if (s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    const bytes = (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
    if (bytes === length * 4) return;
  }
  decodeBytes(s, length, what, path);
}

/** The bytes of `length` little-endian float32 numbers in base64. */
function decodeBytes(s: string, length: number, what: string, path: string): Uint8Array {
  const bytes = Buffer.from(s, 'base64');
  if (bytes.length !== length * 4) {
    throw new DataError(`not a papers tag model: "${what}" holds ${bytes.length} bytes, expected ${length * 4} (${length} float32 numbers)`, { path });
  }
  return bytes;
}

function decodeFloats(s: string, length: number, what: string, path: string): Float32Array {
  const bytes = decodeBytes(s, length, what, path);
  const out = new Float32Array(length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Train on every paper of a corpus. */
export function trainModel(corpus: LabelledCorpus, field: string, options: Partial<TrainOptions> = {}, keywordStats?: KeywordStats): TagModel {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  if (corpus.size === 0) throw new DataError(`no training papers have a "${field}" label`);
  if (corpus.labels.length < 2) throw new DataError(`training needs at least two different labels in "${field}", found ${corpus.labels.length}`);
  const rows = Int32Array.from({ length: corpus.size }, (_, i) => i);
  const vocab = buildVocab(corpus, rows, o.minDf);
  const x = vectorizeRows(corpus, rows, vocab);
  const { weights, bias } = trainAll(x, corpus.labelsOf, rows, corpus.labels.length, o);
  const features = new NgramTable(vocab.ngramOf.length + 16);
  for (let f = 0; f < vocab.ngramOf.length; f++) {
    const e = vocab.ngramOf[f];
    features.add(corpus.ngrams.a[e], corpus.ngrams.b[e], corpus.ngrams.c[e]);
  }
  const tags = corpus.labels.map(labelToTag);
  return new TagModel(
    field,
    corpus.multiLabel,
    corpus.labels.slice(),
    tags,
    features,
    vocab.idf,
    weights,
    bias,
    o.threshold,
    corpus.maxN,
    corpus.titleWeight,
    { documents: corpus.size, c: o.c, min_df: o.minDf, seed: o.seed },
    keywordStats,
  );
}

export interface LabelScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvalReport {
  folds: number;
  documents: number;
  multiLabel: boolean;
  /** Single-label: share of papers whose label was predicted; multi-label: exact set matches. */
  accuracy: number;
  macroF1: number;
  microF1: number;
  perLabel: LabelScore[];
}

/** Split paper indexes into k folds, stratified by (first) label, seeded. */
export function stratifiedFolds(corpus: LabelledCorpus, k: number, seed: number): number[][] {
  const byLabel = new Map<number, number[]>();
  for (let d = 0; d < corpus.size; d++) {
    const l = corpus.labelsOf[d][0] ?? -1;
    let list = byLabel.get(l);
    if (!list) byLabel.set(l, (list = []));
    list.push(d);
  }
  const random = rng(seed);
  const folds: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const l of [...byLabel.keys()].sort((a, b) => a - b)) {
    const list = byLabel.get(l)!;
    shuffle(list, random);
    for (const d of list) {
      folds[next].push(d);
      next = (next + 1) % k;
    }
  }
  for (const f of folds) f.sort((a, b) => a - b);
  return folds;
}

/** Train on `train`, predict `test`: predicted label sets, in `test` order. */
export function trainAndPredict(corpus: LabelledCorpus, train: ArrayLike<number>, test: ArrayLike<number>, options: Partial<TrainOptions> = {}): number[][] {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  const vocab = buildVocab(corpus, train, o.minDf);
  const x = vectorizeRows(corpus, train, vocab);
  const L = corpus.labels.length;
  const { weights, bias } = trainAll(x, corpus.labelsOf, train, L, o);
  const xt = vectorizeRows(corpus, test, vocab);
  const out: number[][] = [];
  const scores = new Float64Array(L);
  for (let i = 0; i < xt.rows; i++) {
    scores.set(bias);
    for (let p = xt.indptr[i]; p < xt.indptr[i + 1]; p++) {
      const base = xt.indices[p] * L;
      const v = xt.values[p];
      for (let k = 0; k < L; k++) scores[k] += v * weights[base + k];
    }
    let best = 0;
    for (let k = 1; k < L; k++) if (scores[k] > scores[best]) best = k;
    if (!corpus.multiLabel) out.push([best]);
    else {
      const labels: number[] = [];
      for (let k = 0; k < L; k++) if (scores[k] > o.threshold) labels.push(k);
      out.push(labels.length ? labels : [best]);
    }
  }
  return out;
}

/** Per-label precision, recall and F1 of predictions (label indexes) against the corpus' labels. */
export function score(corpus: LabelledCorpus, docs: number[], predicted: number[][], folds: number): EvalReport {
  const names = (ks: number[]) => ks.map((k) => corpus.labels[k]);
  return scoreModel(
    docs.map((d) => names(corpus.labelsOf[d])),
    predicted.map(names),
    corpus.multiLabel,
    folds,
  );
}

/** k-fold stratified cross-validation: every paper is predicted by a model that did not see it. */
export function crossValidate(corpus: LabelledCorpus, k: number, options: Partial<TrainOptions> = {}): EvalReport {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  if (k < 2) throw new DataError('cross-validation needs at least 2 folds');
  if (corpus.size < k) throw new DataError(`cross-validation with ${k} folds needs at least ${k} labelled papers, found ${corpus.size}`);
  const folds = stratifiedFolds(corpus, k, o.seed);
  const docs: number[] = [];
  const predicted: number[][] = [];
  for (let i = 0; i < k; i++) {
    const train: number[] = [];
    folds.forEach((f, j) => {
      if (j !== i) for (const d of f) train.push(d);
    });
    const pred = trainAndPredict(corpus, Int32Array.from(train), Int32Array.from(folds[i]), o);
    folds[i].forEach((d, j) => {
      docs.push(d);
      predicted.push(pred[j]);
    });
  }
  return score(corpus, docs, predicted, k);
}

export { NO_STEM };
