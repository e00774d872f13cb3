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

/**
 * Chooses the vocabulary and rewrites the corpus counts into the compact matrix, block by block
 * (each pass-1 block is released as soon as it is converted).
 */
export function buildMatrix(corpus: Corpus, limits: VocabularyLimits): TfidfMatrix {
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

  const invNorm = new Float64Array(n);
  const blocks: MatrixBlock[] = [];
  const source = corpus.blocks;
  for (let b = 0; b < source.length; b++) {
    const src = source[b];
    const rowsHere = src.rowStart.length - 1;
    let used = 0;
    for (let k = 0; k < src.cols.length; k++) if (columnOfTerm[src.cols[k]] >= 0) used++;
    const cols = new Uint16Array(used);
    const counts = new Uint8Array(used);
    const rowStart = new Uint32Array(rowsHere + 1);
    let p = 0;
    for (let r = 0; r < rowsHere; r++) {
      rowStart[r] = p;
      let norm = 0;
      for (let k = src.rowStart[r]; k < src.rowStart[r + 1]; k++) {
        const col = columnOfTerm[src.cols[k]];
        if (col < 0) continue;
        cols[p] = col;
        counts[p] = src.counts[k];
        const w = TF_WEIGHT[src.counts[k]] * idf[col];
        norm += w * w;
        p++;
      }
      invNorm[src.firstRow + r] = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    }
    rowStart[rowsHere] = p;
    blocks.push({ firstRow: src.firstRow, rowStart, cols, counts });
    source[b] = { firstRow: src.firstRow, rowStart: new Uint32Array(0), cols: new Uint32Array(0), counts: new Uint8Array(0) };
  }
  corpus.blocks = [];
  return { rows: n, cols: kept.length, blocks, terms, idf, invNorm, columnOfTerm };
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
