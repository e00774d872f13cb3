import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, tokenize } from '../../src/text/tokens.js';
import { BREAK, DocTokens, lexicon, STOP, TITLE } from '../../src/stages/tag/lexicon.js';
import { NgramBuffer, NgramTable } from '../../src/stages/tag/ngrams.js';

function surfaces(d: DocTokens): string[] {
  return Array.from({ length: d.length }, (_, i) => d.surface(i));
}

describe('the scanning tokenizer', () => {
  it('gives exactly the tokens and stems of src/text/tokens.ts', () => {
    const texts = [
      'Kernel-level Learning for Image Deblurring',
      'Poincaré Embeddings; ÉCOLE naïve façade — ĲSSEL İstanbul ΣΊΣΥΦΟΣ straße',
      'GPU kernels (CUDA/Triton) 31x31, O(n^2) & 16M tokens',
      '数据 データ 한국어 emoji 😀 mixed𝒳text',
      '',
      '   ',
    ];
    const d = new DocTokens();
    for (const t of texts) {
      d.load(t, '');
      expect(surfaces(d)).toEqual(tokenize(t));
      const ref = analyze(t);
      for (let i = 0; i < d.length; i++) {
        expect(lexicon.stems[d.stem[i]]).toBe(ref[i].stem);
        expect((d.flags[i] & STOP) !== 0).toBe(ref[i].stop);
      }
    }
  });

  it('agrees with tokens.ts on arbitrary text (property)', () => {
    const d = new DocTokens();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ maxLength: 80 }), (a, b) => {
        const text = a + b;
        d.load(text, ''); // as a title: links are masked only in abstracts
        expect(surfaces(d)).toEqual(tokenize(text));
        const ref = analyze(text);
        for (let i = 0; i < d.length; i++) expect(lexicon.stems[d.stem[i]]).toBe(ref[i].stem);
      }),
      { numRuns: 300 },
    );
  });

  it('marks the title, clause breaks and links', () => {
    const d = new DocTokens();
    d.load('Graph Learning', 'We use graphs. Code: https://github.com/x/graph_learning and www.example.org/graph here');
    expect(d.titleEnd).toBe(2);
    expect(d.flags[0] & TITLE).toBe(TITLE);
    expect(d.flags[2] & TITLE).toBe(0);
    expect(d.flags[2] & BREAK).toBe(BREAK); // first abstract word
    const words = surfaces(d);
    const code = words.indexOf('code');
    expect(d.flags[code] & BREAK).toBe(BREAK); // after "graphs."
    // Link tokens have no stem, so they match no phrase and make no keyword.
    for (let i = 0; i < d.length; i++) {
      if (['github', 'com', 'www', 'example', 'org'].includes(d.surface(i))) expect(d.stem[i]).toBe(-1);
    }
    expect(d.stem[words.lastIndexOf('here')]).toBeGreaterThanOrEqual(0);
    expect(d.span(0, 2)).toBe('Graph Learning');
  });
});

describe('n-grams', () => {
  it('are runs of content words within a clause', () => {
    const d = new DocTokens();
    d.load('Neural Tangent Kernels', 'the neural tangent kernel of wide networks, and kernels');
    const b = new NgramBuffer();
    b.collect(d, 3);
    const grams = Array.from({ length: b.length }, (_, k) => d.span(b.start[k], b.start[k] + b.n[k]).toLowerCase());
    expect(grams).toContain('neural tangent kernels');
    expect(grams).toContain('neural tangent kernel');
    expect(grams).toContain('wide networks');
    expect(grams).not.toContain('kernel of wide'); // "of" is a stopword
    expect(grams).not.toContain('networks and'); // and across the comma neither
    expect(grams).not.toContain('kernels neural'); // nor from the title into the abstract
  });

  it('the table finds, grows and prunes', () => {
    const t = new NgramTable(4);
    for (let i = 0; i < 1000; i++) t.count[t.add(i, i % 7, -1)] += i % 3;
    expect(t.size).toBe(1000);
    expect(t.find(10, 3, -1)).toBeGreaterThanOrEqual(0);
    expect(t.find(10, 4, -1)).toBe(-1);
    t.prune(1);
    for (let e = 0; e < t.size; e++) expect(t.count[e]).toBe(2);
    expect(t.find(11, 4, -1)).toBeGreaterThanOrEqual(0); // 11 % 3 == 2: kept
    expect(t.find(10, 3, -1)).toBe(-1); // 10 % 3 == 1: pruned
  });
});
