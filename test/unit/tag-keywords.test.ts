import { describe, expect, it } from 'vitest';
import type { Paper } from '../../src/record.js';
import { KeywordExtractor, KeywordStats, KeywordStatsBuilder } from '../../src/stages/tag/keywords.js';
import { DocTokens } from '../../src/stages/tag/lexicon.js';
import { buildKeywordStats, createTagger, tagCorpus } from '../../src/stages/tag/index.js';

const corpus: Paper[] = [
  {
    id: 'ntk',
    title: 'An Empirical Analysis of the Neural Tangent Kernel',
    abstract:
      'The neural tangent kernel describes wide networks. We compute the empirical Neural Tangent Kernel of ResNets and compare ' +
      'neural tangent kernels with the Laplace kernel. Kernel regression with the neural tangent kernel is studied.',
  },
  {
    id: 'gpu',
    title: 'Fused GPU Kernels for Attention',
    abstract: 'We write fused GPU kernels in Triton. Our GPU kernels reduce memory traffic; fused kernels are faster than PyTorch.',
  },
  {
    id: 'graph',
    title: 'Graph Neural Networks for Molecules',
    abstract: 'Graph neural networks predict molecule properties. We train graph neural networks on molecular graphs.',
  },
  { id: 'other', title: 'A study of the kernel', abstract: 'The kernel is studied in networks of networks.' },
];

describe('keywords', () => {
  it('picks distinctive terms and phrases, scored on stems, in their written form', () => {
    const out = tagCorpus(corpus);
    const kw = (id: string) => out.find((r) => r.id === id)!.keywords as string[];
    // "Neural Tangent Kernel" and "neural tangent kernels" are one stem phrase; the lower-case form
    // is shown because the paper writes it so.
    expect(kw('ntk')).toContain('neural tangent kernel');
    expect(kw('ntk').filter((k) => /tangent/i.test(k))).toHaveLength(1);
    // The longer phrase takes the place of the words and phrases it contains.
    expect(kw('gpu')).toEqual(expect.arrayContaining(['fused GPU kernels']));
    expect(kw('gpu')).not.toContain('GPU kernels');
    expect(kw('graph')).toEqual(expect.arrayContaining(['graph neural networks']));
    for (const k of out.flatMap((r) => r.keywords as string[])) {
      expect(k).not.toMatch(/^(the|we|of|a|is|our)$/i);
      expect(k.split(/[\s-]+/).length).toBeLessThanOrEqual(3);
    }
  });

  it('a word that occurs once is not a keyword; a phrase needs two occurrences or other papers', () => {
    const out = tagCorpus(corpus);
    const other = out.find((r) => r.id === 'other')!.keywords as string[];
    expect(other).not.toContain('study');
    expect(other).toEqual(expect.arrayContaining(['kernel', 'networks']));
  });

  it('--keywords N and 0', () => {
    expect(tagCorpus(corpus, { keywords: 2 }).every((r) => (r.keywords as string[]).length <= 2)).toBe(true);
    expect(tagCorpus(corpus, { keywords: 0 }).every((r) => r.keywords === undefined)).toBe(true);
  });

  it('streaming with saved statistics gives what the whole-corpus pass gives', () => {
    const stats = buildKeywordStats(corpus);
    const saved = KeywordStats.fromJSON(JSON.parse(JSON.stringify(stats.toJSON(1))));
    const tagger = createTagger({ keywordStats: saved });
    const streamed = corpus.map((r) => tagger.tag(r));
    expect(JSON.stringify(streamed)).toBe(JSON.stringify(tagCorpus(corpus)));
  });

  it('the first pass stays within its memory bound and counts frequent n-grams exactly', () => {
    const builder = new KeywordStatsBuilder(3, 2000);
    const d = new DocTokens();
    for (let i = 0; i < 3000; i++) {
      // A frequent phrase plus words seen once each.
      d.load(`paper ${i}`, `graph neural networks for word${i}a word${i}b word${i}c in topic${i % 5}`);
      builder.add(d);
    }
    const stats = builder.finish();
    expect(stats.table.size).toBeLessThanOrEqual(2000);
    expect(stats.documents).toBe(3000);
    const d2 = new DocTokens();
    d2.load('graph neural networks', '');
    const ex = new KeywordExtractor(stats);
    // The frequent phrase kept its exact document frequency.
    const e = stats.table.addKey('graph neural network');
    expect(stats.table.count[e]).toBe(3000);
    // Once in this paper, but known from the corpus: a phrase qualifies; its single words do not.
    expect(ex.extract(d2)).toEqual(['graph neural networks']);
  });

  it('never copies prototype-polluting keys, and passes unknown fields through', () => {
    const rec = JSON.parse('{"id":"p","title":"GPU kernels","abstract":"CUDA kernels, fused GPU kernels.","__proto__":{"polluted":true},"extra":{"a":1}}') as Paper;
    const [out] = tagCorpus([rec]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(false);
    expect(out.extra).toEqual({ a: 1 });
    expect(out.tags).toContain('gpu-kernels');
  });
});
