// The TF-IDF matrix, compact: per entry a Uint16 column and a Uint8 count (3 bytes); weights are
// computed on the fly as (1 + ln count) * idf[column] / rowNorm, so no Float per entry is stored.
import type { Corpus } from './corpus.js';

/** At most this many features: columns fit a Uint16. */
export const MAX_FEATURES = 65535;

/** Sublinear term frequency by count (index 0 unused). */
export const TF_WEIGHT: Float64Array = (() => {
  const t = new Float64Array(256);
  for (let c = 1; c < 256; c++) t[c] = 1 + Math.log(c);
  return t;
})();

export interface VocabularyLimits {
  minDf: number;
  maxDfRatio: number;
  maxFeatures: number;
}

/**
 * Cut-offs that follow corpus size: a 30-paper listing keeps every term shared by two papers;
 * larger corpora drop rarer terms (noise, typos) and cap the vocabulary so memory stays flat.
 */
export function vocabularyLimits(documents: number): VocabularyLimits {
  const minDf = documents < 10 ? 1 : documents < 2_000 ? 2 : Math.max(2, Math.min(20, Math.round(documents / 2_000)));
  return {
    minDf,
    maxDfRatio: documents < 10 ? 0.8 : 0.5,
    // More columns than this add cost (the SVD works on vocabulary-sized blocks), not topics.
    maxFeatures: Math.min(30_000, Math.max(10_000, Math.round(documents * 2))),
  };
}

export interface MatrixBlock {
  firstRow: number;
  rowStart: Uint32Array;
  cols: Uint16Array;
  counts: Uint8Array;
}

export interface TfidfMatrix {
  rows: number;
  cols: number;
  blocks: MatrixBlock[];
  /** column -> stem */
  terms: string[];
  idf: Float64Array;
  /** 1 / L2 norm of each row's weights; 0 for a row with no features. */
  invNorm: Float64Array;
  /** corpus term id -> column, or -1 */
  columnOfTerm: Int32Array;
}

/** Smooth idf as scikit-learn computes it. */
export function smoothIdf(documents: number, df: number): number {
  return Math.log((1 + documents) / (1 + df)) + 1;
}

export interface Vocabulary {
  /** column -> stem */
  terms: string[];
  idf: Float64Array;
  /** corpus term id -> column, or -1 */
  columnOfTerm: Int32Array;
}

/** The features: terms within the document-frequency limits, at most maxFeatures of them (the most frequent). */
export function chooseVocabulary(corpus: Corpus, limits: VocabularyLimits): Vocabulary {
  const n = corpus.rows;
  const select = (maxDf: number): number[] => {
    const out: number[] = [];
    for (let t = 0; t < corpus.vocabularySize; t++) {
      const df = corpus.documentFrequency(t);
      if (df >= limits.minDf && df <= maxDf) out.push(t);
    }
    return out;
  };
  let kept = select(Math.max(limits.minDf, Math.floor(limits.maxDfRatio * n)));
  // Papers that all share their words (one topic, or a copy pasted twice) still get features.
  if (kept.length === 0) kept = select(n);
  const cap = Math.min(limits.maxFeatures, MAX_FEATURES);
  if (kept.length > cap) {
    kept.sort((a, b) => corpus.documentFrequency(b) - corpus.documentFrequency(a) || compare(corpus.terms[a], corpus.terms[b]));
    kept.length = cap;
  }
  kept.sort((a, b) => compare(corpus.terms[a], corpus.terms[b]));
  const columnOfTerm = new Int32Array(corpus.vocabularySize).fill(-1);
  const terms: string[] = new Array(kept.length);
  const idf = new Float64Array(kept.length);
  kept.forEach((t, col) => {
    columnOfTerm[t] = col;
    terms[col] = corpus.terms[t];
    idf[col] = smoothIdf(n, corpus.documentFrequency(t));
  });
  return { terms, idf, columnOfTerm };
}

/**
 * Reads the corpus rows (all, or the sorted subset given) as feature columns and counts, in each
 * row's order, with the row's 1 / L2 norm: calls fn(position, cols, counts, length, invNorm) with
 * scratch arrays valid during the call. With release, each corpus block is dropped once read
 * (a full pass only).
 */
export function readRows(
  corpus: Corpus,
  vocabulary: Vocabulary,
  subset: Uint32Array | null,
  release: boolean,
  fn: (position: number, cols: Uint16Array, counts: Uint8Array, length: number, invNorm: number) => void,
): void {
  const { columnOfTerm, idf } = vocabulary;
  let cols = new Uint16Array(1024);
  let counts = new Uint8Array(1024);
  const blocks = corpus.blocks;
  let position = 0;
  let next = subset ? 0 : -1;
  for (let bi = 0; bi < blocks.length; bi++) {
    const block = blocks[bi];
    const rowsHere = block.rowStart.length - 1;
    const bytes = block.bytes;
    for (let r = 0; r < rowsHere; r++) {
      const row = block.firstRow + r;
      if (subset) {
        if (next >= subset.length) break;
        if (subset[next] !== row) continue;
        next++;
      }
      const end = block.rowStart[r + 1];
      if (end - block.rowStart[r] > cols.length) {
        cols = new Uint16Array(end - block.rowStart[r]);
        counts = new Uint8Array(end - block.rowStart[r]);
      }
      let length = 0;
      let norm = 0;
      let p = block.rowStart[r];
      while (p < end) {
        let v = 0;
        let shift = 1;
        let b = bytes[p++];
        while (b >= 128) {
          v += (b - 128) * shift;
          shift *= 128;
          b = bytes[p++];
        }
        v += b * shift;
        const many = v % 2;
        const count = many ? bytes[p++] : 1;
        const col = columnOfTerm[(v - many) / 2];
        if (col < 0) continue;
        cols[length] = col;
        counts[length] = count;
        const w = TF_WEIGHT[count] * idf[col];
        norm += w * w;
        length++;
      }
      fn(position++, cols, counts, length, norm > 0 ? 1 / Math.sqrt(norm) : 0);
    }
    if (release) blocks[bi] = { firstRow: block.firstRow, rowStart: new Uint32Array(0), bytes: new Uint8Array(0) };
    if (subset && next >= subset.length) break;
  }
  if (release) corpus.blocks = [];
}

/** The TF-IDF matrix of the given rows (all when null), renumbered 0.. in order. */
export function buildRows(corpus: Corpus, vocabulary: Vocabulary, subset: Uint32Array | null, release = false): TfidfMatrix {
  const rowCount = subset ? subset.length : corpus.rows;
  const invNorm = new Float64Array(rowCount);
  const rowStart = new Uint32Array(rowCount + 1);
  let data = new GrowableEntries(1 << 16);
  readRows(corpus, vocabulary, subset, release, (position, cols, counts, length, scale) => {
    rowStart[position] = data.length;
    data.append(cols, counts, length);
    invNorm[position] = scale;
  });
  rowStart[rowCount] = data.length;
  const blocks: MatrixBlock[] = rowCount ? [{ firstRow: 0, rowStart, cols: data.cols.slice(0, data.length), counts: data.counts.slice(0, data.length) }] : [];
  data = new GrowableEntries(0);
  return { rows: rowCount, cols: vocabulary.terms.length, blocks, terms: vocabulary.terms, idf: vocabulary.idf, invNorm, columnOfTerm: vocabulary.columnOfTerm };
}

class GrowableEntries {
  cols: Uint16Array;
  counts: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.cols = new Uint16Array(capacity);
    this.counts = new Uint8Array(capacity);
  }
  append(cols: Uint16Array, counts: Uint8Array, n: number): void {
    if (this.length + n > this.cols.length) {
      let size = Math.max(1024, this.cols.length * 2);
      while (this.length + n > size) size *= 2;
      const c = new Uint16Array(size);
      c.set(this.cols.subarray(0, this.length));
      this.cols = c;
      const k = new Uint8Array(size);
      k.set(this.counts.subarray(0, this.length));
      this.counts = k;
    }
    this.cols.set(cols.subarray(0, n), this.length);
    this.counts.set(counts.subarray(0, n), this.length);
    this.length += n;
  }
}

/**
 * Chooses the vocabulary and rewrites the corpus counts into the compact matrix (the corpus
 * blocks are released as they are converted).
 */
export function buildMatrix(corpus: Corpus, limits: VocabularyLimits): TfidfMatrix {
  return buildRows(corpus, chooseVocabulary(corpus, limits), null, true);
}

/**
 * Calls fn for each row (all rows, or the sorted subset given), with the row's slice of its block.
 * Weight of entry k: TF_WEIGHT[counts[k]] * idf[cols[k]] * scale.
 */
export function forEachRow(
  m: TfidfMatrix,
  subset: Uint32Array | null,
  fn: (row: number, cols: Uint16Array, counts: Uint8Array, start: number, end: number, scale: number) => void,
): void {
  if (!subset) {
    for (const b of m.blocks) {
      const rowsHere = b.rowStart.length - 1;
      for (let r = 0; r < rowsHere; r++) fn(b.firstRow + r, b.cols, b.counts, b.rowStart[r], b.rowStart[r + 1], m.invNorm[b.firstRow + r]);
    }
    return;
  }
  let bi = 0;
  for (let i = 0; i < subset.length; i++) {
    const row = subset[i];
    while (bi + 1 < m.blocks.length && m.blocks[bi + 1].firstRow <= row) bi++;
    const b = m.blocks[bi];
    const r = row - b.firstRow;
    fn(row, b.cols, b.counts, b.rowStart[r], b.rowStart[r + 1], m.invNorm[row]);
  }
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
