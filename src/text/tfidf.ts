// Sparse TF-IDF vectors kept by us (natural's TfIdf recomputes document frequencies per query).

export interface SparseVector {
  indices: Uint32Array; // ascending feature ids
  values: Float32Array;
}

export interface VocabularyOptions {
  /** Keep terms in at least this many documents (absolute count). */
  minDf?: number;
  /** Drop terms in more than this fraction of documents. */
  maxDfRatio?: number;
  /** Keep at most this many terms, the most frequent (ties broken by term). */
  maxFeatures?: number;
}

export interface Vocabulary {
  terms: string[];
  index: Map<string, number>;
  idf: Float64Array;
  documents: number;
}

/** Counts document frequencies over a first pass. */
export class DocumentFrequencies {
  readonly df = new Map<string, number>();
  documents = 0;

  add(terms: Iterable<string>): void {
    this.documents++;
    const seen = new Set<string>();
    for (const t of terms) {
      if (seen.has(t)) continue;
      seen.add(t);
      this.df.set(t, (this.df.get(t) ?? 0) + 1);
    }
  }

  /** Smooth idf as scikit-learn computes it: ln((1 + n) / (1 + df)) + 1. */
  vocabulary(options: VocabularyOptions = {}): Vocabulary {
    const n = this.documents;
    const minDf = options.minDf ?? 1;
    const maxDf = (options.maxDfRatio ?? 1) * n;
    let kept: Array<[string, number]> = [];
    for (const [term, df] of this.df) if (df >= minDf && df <= maxDf) kept.push([term, df]);
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (options.maxFeatures !== undefined && kept.length > options.maxFeatures) kept = kept.slice(0, options.maxFeatures);
    kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const terms = kept.map(([t]) => t);
    const index = new Map<string, number>();
    const idf = new Float64Array(terms.length);
    kept.forEach(([t, df], i) => {
      index.set(t, i);
      idf[i] = Math.log((1 + n) / (1 + df)) + 1;
    });
    return { terms, index, idf, documents: n };
  }
}

/** TF-IDF vector of one document: sublinear tf (1 + ln tf) by default, L2-normalized. */
export function vectorize(terms: Iterable<string>, vocab: Vocabulary, sublinear = true): SparseVector {
  const counts = new Map<number, number>();
  for (const t of terms) {
    const i = vocab.index.get(t);
    if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
  }
  const indices = Uint32Array.from(counts.keys()).sort();
  const values = new Float32Array(indices.length);
  let norm = 0;
  for (let k = 0; k < indices.length; k++) {
    const tf = counts.get(indices[k])!;
    const w = (sublinear ? 1 + Math.log(tf) : tf) * vocab.idf[indices[k]];
    values[k] = w;
    norm += w * w;
  }
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let k = 0; k < values.length; k++) values[k] *= inv;
  }
  return { indices, values };
}

/** Dot product of two sparse vectors (both sorted by index). */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const x = a.indices[i];
    const y = b.indices[j];
    if (x === y) {
      s += a.values[i++] * b.values[j++];
    } else if (x < y) i++;
    else j++;
  }
  return s;
}
