// The fast paths of clustering give exactly what the plain algorithm gives: callback-free word
// scanning (ASCII read as bytes), the packed word index, the varint pass-1 storage, and the
// `--model` assigner with its certified shortcut, checked against reference implementations.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stem } from '../../src/text/tokens.js';
import { clusterRecords, ModelAssigner, UNCLUSTERED, type ClusterModel } from '../../src/stages/cluster/index.js';
import { Corpus, forEachEntry, isStopToken } from '../../src/stages/cluster/corpus.js';
import { assignNearest } from '../../src/stages/cluster/kmeans.js';
import { TF_WEIGHT } from '../../src/stages/cluster/matrix.js';
import { projectCounts } from '../../src/stages/cluster/svd.js';
import {
  BIGRAM_PREFIX, bigramBucket, hashWord, scanSpans, scanText, scanWords, splitWords, WordIndex, WordSpans,
} from '../../src/stages/cluster/words.js';
import type { Paper } from '../../src/record.js';

const root = new URL('../../', import.meta.url).pathname;
const papers: Paper[] = readFileSync(root + 'fixtures/cluster/arxiv-cs-60.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));

// Pieces that exercise every branch of the scanners: ASCII of both cases, digits, punctuation,
// Latin-1 and other BMP letters, letters whose lower case changes length (U+0130), final sigma,
// astral letters and symbols, lone surrogates, combining marks, and long words.
const PIECES = [
  'a', 'Z', 'q', '7', ' ', '-', ',', '.', '(', ')', '$', '\\', '_', '\t', '\n', 'é', 'É', 'ß', 'İ', 'Σ', 'ς', 'ﬁ', 'ǅ', '中',
  '\u0301', '\u00a0', '\u2010', '𝒜', '😀', '\ud835', '\udc9c', 'Graph', 'neural', 'NETWORKS', 'x86', 'representation',
  'internationalization', 'ab12cd34ef56gh', 'İstanbul', 'naïve', 'ΣΟΦΙΑΣ', 'learning-based', 'LLMs',
];
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((parts) => parts.join(''));

function referenceWords(s: string): string[] {
  const lower = s.toLowerCase();
  const out: string[] = [];
  scanWords(lower, (a, b) => out.push(lower.slice(a, b)));
  return out;
}

describe('scanText and scanSpans', () => {
  it('find the words scanWords finds, lower-cased, in order', () => {
    const spans = new WordSpans();
    fc.assert(
      fc.property(text, (s) => {
        const n = scanText(s, spans);
        const got = Array.from({ length: n }, (_, w) => spans.word(w));
        expect(got).toEqual(referenceWords(s));
        expect(got).toEqual(splitWords(s));
        // scanSpans on any text: the same boundaries as scanWords on that text.
        const m = scanSpans(s, spans);
        const bounds: number[] = [];
        scanWords(s, (a, b) => bounds.push(a, b));
        expect(Array.from({ length: m }, (_, w) => [spans.starts[w], spans.ends[w]]).flat()).toEqual(bounds);
      }),
      { numRuns: 2000 },
    );
  });

  it('read the fixture abstracts as tokenize() does', () => {
    const spans = new WordSpans();
    for (const p of papers) {
      const n = scanText(p.abstract ?? '', spans);
      expect(Array.from({ length: n }, (_, w) => spans.word(w))).toEqual(splitWords(p.abstract ?? ''));
    }
  });
});

describe('WordIndex', () => {
  it('maps words to values as a Map does, found from texts or as strings', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 30 }), (texts) => {
        const index = new WordIndex(4);
        const map = new Map<string, number>();
        const spans = new WordSpans();
        for (const t of texts) {
          const n = scanText(t, spans);
          for (let w = 0; w < n; w++) {
            const word = spans.word(w);
            const known = map.get(word);
            expect(index.find(spans, w)).toBe(known !== undefined);
            if (known === undefined) {
              // Alternate the two ways in, so each must find what the other added.
              if (map.size % 2) index.add(spans, w, map.size, 3 * map.size + 1);
              else index.addString(word, map.size, 3 * map.size + 1);
              map.set(word, map.size);
            } else expect([index.a, index.b]).toEqual([known, 3 * known + 1]);
            expect(index.findString(word)).toBe(true);
            expect(index.a).toBe(map.get(word));
          }
        }
        expect(index.size).toBe(map.size);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Corpus storage', () => {
  it('keeps each row as term counts in first-appearance order (varint entries)', () => {
    const corpus = new Corpus({ sampleSize: 5, seed: 3 });
    for (const p of papers) corpus.add(p.id, p.title, p.abstract ?? '');
    corpus.finish();
    // Reference: the same terms counted from tokenize() output, bigrams after their second word.
    const termOf = new Map(corpus.terms.map((t, i) => [t, i]));
    let row = 0;
    for (const block of corpus.blocks) {
      for (let r = 0; r + 1 < block.rowStart.length; r++, row++) {
        const p = papers[row];
        const expected = new Map<number, number>();
        for (const field of [p.title, p.abstract ?? '']) {
          let prev: string | undefined;
          for (const word of splitWords(field)) {
            if (isStopToken(word)) {
              prev = undefined;
              continue;
            }
            const s = stem(word);
            const t = termOf.get(s)!;
            expected.set(t, (expected.get(t) ?? 0) + 1);
            if (prev !== undefined) {
              const b = termOf.get(`${BIGRAM_PREFIX}${bigramBucket(hashWord(prev), hashWord(s))}`)!;
              expected.set(b, (expected.get(b) ?? 0) + 1);
            }
            prev = s;
          }
        }
        const got: Array<[number, number]> = [];
        forEachEntry(block.bytes, block.rowStart[r], block.rowStart[r + 1], (t, c) => got.push([t, c]));
        expect(got).toEqual([...expected].map(([t, c]) => [t, Math.min(c, 255)]));
      }
    }
    expect(row).toBe(papers.length);
  });
});

/** The plain `--model` assignment: a Map per word, projectCounts and assignNearest. */
function referenceCluster(model: ClusterModel, title: string, abstract: string): number {
  const column = new Map<string, number>();
  model.terms.forEach((t, i) => column.set(t, i));
  const counts = new Map<number, number>();
  for (const field of [title, abstract]) {
    let prev: string | undefined;
    for (const word of splitWords(field)) {
      if (isStopToken(word)) {
        prev = undefined;
        continue;
      }
      const s = stem(word);
      const c = column.get(s);
      if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1);
      if (prev !== undefined) {
        const b = column.get(`${BIGRAM_PREFIX}${bigramBucket(hashWord(prev), hashWord(s))}`);
        if (b !== undefined) counts.set(b, (counts.get(b) ?? 0) + 1);
      }
      prev = s;
    }
  }
  if (model.clusters.length === 0 || model.dims === 0 || counts.size === 0) return UNCLUSTERED;
  const cols = [...counts.keys()];
  const cnt = [...counts.values()].map((c) => Math.min(c, 255));
  let norm = 0;
  for (let k = 0; k < cols.length; k++) norm += (TF_WEIGHT[cnt[k]] * model.idf[cols[k]]) ** 2;
  if (!(norm > 0)) return UNCLUSTERED;
  const vec = new Float32Array(model.dims);
  if (!projectCounts(cols, cnt, 0, cols.length, model.idf, 1 / Math.sqrt(norm), model.components, model.dims, new Float64Array(model.dims), vec, 0)) {
    return UNCLUSTERED;
  }
  const label = new Int32Array(1);
  assignNearest(vec, 1, model.dims, Float64Array.from(model.centroids), model.clusters.length, label);
  return label[0];
}

describe('ModelAssigner', () => {
  const fitted = clusterRecords(papers, { k: 6, seed: 5 });
  // Texts near and between clusters: halves of two papers, and single sentences.
  const texts: Array<[string, string]> = [];
  papers.forEach((p, i) => {
    const q = papers[(i * 7 + 3) % papers.length];
    texts.push([p.title, p.abstract ?? '']);
    texts.push([q.title, `${(p.abstract ?? '').slice(0, 300)} ${(q.abstract ?? '').slice(300)}`]);
    for (const sentence of (p.abstract ?? '').split('. ')) texts.push(['', sentence]);
  });
  texts.push(['', ''], ['the of and', '$$ 42 !!'], ['İSTANBUL ΣΟΦΙΑΣ', 'naïve 𝒜 graphs']);

  it('assigns exactly as the plain algorithm, before and after its shortcut is built', () => {
    const assigner = new ModelAssigner(fitted.model);
    // More papers than the shortcut waits for, so both paths are compared.
    for (let round = 0; round < 3; round++) {
      for (const [t, a] of texts) expect(assigner.clusterOf(t, a)).toBe(referenceCluster(fitted.model, t, a));
    }
    expect(texts.length * 3).toBeGreaterThan(1_000);
  });

  it('assigns a fitted paper to the cluster fitting gave it', () => {
    const assigner = new ModelAssigner(fitted.model);
    for (let round = 0; round < 20; round++) {
      papers.forEach((p, i) => expect(assigner.clusterOf(p.title, p.abstract ?? '')).toBe(fitted.records[i].cluster));
    }
  });
});
