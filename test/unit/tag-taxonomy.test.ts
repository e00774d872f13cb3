import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { DocTokens } from '../../src/stages/tag/lexicon.js';
import { CompiledTaxonomy } from '../../src/stages/tag/matcher.js';
import { parseTaxonomy } from '../../src/stages/tag/taxonomy.js';
import { defaultTaxonomy, defaultTaxonomyText, tagCorpus } from '../../src/stages/tag/index.js';
import { DEFAULT_TAXONOMY_CACHE_PATH, taxonomyCache } from '../../src/stages/tag/default-taxonomy.js';

function compile(yaml: string): CompiledTaxonomy {
  return new CompiledTaxonomy(parseTaxonomy(yaml, 'test.yaml'));
}

function tagsOf(tx: CompiledTaxonomy, title: string, abstract = '', explain = false) {
  const d = new DocTokens();
  d.load(title, abstract);
  return tx.match(d, explain);
}

function parseError(yaml: string): string {
  try {
    parseTaxonomy(yaml, 'my.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as Error).message;
  }
  throw new Error('expected a DataError');
}

describe('taxonomy files', () => {
  it('the default taxonomy parses and compiles', () => {
    const t = defaultTaxonomy();
    expect(t.tags.length).toBeGreaterThan(40);
    for (const id of ['vision', 'llm', 'graphs', 'gpu-kernels', 'kernel-methods', 'convolution', 'hierarchical-labels', 'hierarchical-models']) {
      expect(t.tags.map((x) => x.id)).toContain(id);
    }
    expect(defaultTaxonomyText()).toContain('version: 1');
    expect(new CompiledTaxonomy(t).phraseCount).toBeGreaterThan(500);
  });

  it('taxonomy/default.json is the parsed default.yaml (UPDATE_TAXONOMY_CACHE=1 rewrites it)', () => {
    const want = taxonomyCache(defaultTaxonomyText());
    if (process.env.UPDATE_TAXONOMY_CACHE === '1') writeFileSync(DEFAULT_TAXONOMY_CACHE_PATH, want);
    expect(readFileSync(DEFAULT_TAXONOMY_CACHE_PATH, 'utf8'), 'run: UPDATE_TAXONOMY_CACHE=1 npx vitest run test/unit/tag-taxonomy.test.ts').toBe(want);
    expect(defaultTaxonomy()).toEqual(parseTaxonomy(defaultTaxonomyText(), 'taxonomy/default.yaml'));
  });

  it('matches phrases on stems: "kernels", "Kernel" and "kernel-level" all match kernel', () => {
    const tx = compile(`
defaults: { min_score: 1 }
tags:
  k: [kernel]
  gnn: [graph neural network]`);
    for (const title of ['Kernels', 'A Kernel', 'kernel-level learning', 'KERNEL']) expect(tagsOf(tx, title).tags).toEqual(['k']);
    expect(tagsOf(tx, 'Graph Neural Networks').tags).toEqual(['gnn']);
    expect(tagsOf(tx, 'graph-neural-network models').tags).toEqual(['gnn']);
    // Not across punctuation, not out of order.
    expect(tagsOf(tx, 'graph. Neural network').tags).toEqual([]);
    expect(tagsOf(tx, 'neural graph network').tags).toEqual([]);
  });

  it('weights, title weight and min_score decide', () => {
    const tx = compile(`
defaults: { min_score: 3, title_weight: 3 }
tags:
  a: [apple]
  b: [{ phrase: banana, weight: 3 }]`);
    expect(tagsOf(tx, 'x', 'apple apple').tags).toEqual([]);
    expect(tagsOf(tx, 'x', 'apple apple apple').tags).toEqual(['a']);
    expect(tagsOf(tx, 'an apple', '').tags).toEqual(['a']);
    expect(tagsOf(tx, 'x', 'banana').tags).toEqual(['b']);
  });

  it('near and not_near look within the window', () => {
    const tx = compile(`
defaults: { min_score: 1 }
tags:
  gpu: [{ phrase: kernel, near: [cuda], window: 3 }]
  att: [{ phrase: attention, not_near: [received], window: 2 }]`);
    expect(tagsOf(tx, 'a fused CUDA kernel').tags).toEqual(['gpu']);
    expect(tagsOf(tx, 'cuda one two three kernel').tags).toEqual(['gpu']);
    expect(tagsOf(tx, 'cuda one two three four kernel').tags).toEqual([]);
    expect(tagsOf(tx, 'self attention layers').tags).toEqual(['att']);
    expect(tagsOf(tx, 'this has received attention').tags).toEqual([]);
  });

  it('competing senses: each occurrence goes to the nearest context, the rest follow the paper', () => {
    const tx = compile(`
defaults: { min_score: 1, window: 6 }
tags:
  gpu: [{ phrase: kernel, near: [cuda, triton, fused] }]
  stats: [{ phrase: kernel, near: [gaussian process, rkhs, regression] }]
  conv: [{ phrase: kernel, near: [cnn, convolution, kernel size] }]`);
    expect(tagsOf(tx, 'Triton kernels for training').tags).toEqual(['gpu']);
    expect(tagsOf(tx, 'Kernel regression in an RKHS').tags).toEqual(['stats']);
    expect(tagsOf(tx, 'Large kernel CNNs').tags).toEqual(['conv']);
    // The nearer context wins: "kernel size" overlaps the occurrence, "cuda" is far.
    expect(tagsOf(tx, 'cuda a b c d kernel size').tags).toEqual(['conv']);
    // No context near the title occurrence (context does not cross from the abstract into the
    // title): it takes the sense of the paper's other occurrences.
    const r = tagsOf(tx, 'Toward Large Kernel Models', 'We study kernel regression with a Gaussian process prior.', true);
    expect(r.tags).toEqual(['stats']);
    expect(r.reasons![0].reasons.join(' ')).toContain('same sense as elsewhere in the paper');
    // No context anywhere: no sense at all.
    expect(tagsOf(tx, 'Kernel', 'a kernel').tags).toEqual([]);
  });

  it('exact phrases and "=" context phrases match word forms, not stems', () => {
    const tx = compile(`
defaults: { min_score: 1 }
tags:
  opt: [{ phrase: optimization, exact: true }]
  gen: [{ phrase: kernel, near: ["=kernel generation"] }]`);
    expect(tagsOf(tx, 'convex optimization').tags).toEqual(['opt']);
    expect(tagsOf(tx, 'an optimal bound').tags).toEqual([]);
    expect(tagsOf(tx, 'GPU kernel generation').tags).toEqual(['gen']);
    expect(tagsOf(tx, 'channel-specific kernel generators').tags).toEqual([]);
  });

  it('implies and at_least_one', () => {
    const tx = compile(`
defaults: { min_score: 3 }
families:
  area: { color: blue, at_least_one: true }
  method: { color: magenta }
tags:
  systems: { family: area, phrases: [gpu] }
  vision: { family: area, phrases: [image] }
  gpu-kernels: { family: method, implies: [systems], phrases: [{ phrase: cuda, weight: 3 }] }`);
    expect(tagsOf(tx, 'x', 'cuda').tags).toEqual(['gpu-kernels', 'systems']);
    // No area reaches 3: the best-scoring one is given.
    expect(tagsOf(tx, 'x', 'image image gpu').tags).toEqual(['vision']);
    expect(tagsOf(tx, 'x', 'nothing relevant').tags).toEqual([]);
  });

  it('YAML aliases share context lists, and JSON taxonomies work', () => {
    const tx = compile(`
defaults: { min_score: 1 }
tags:
  a: [{ phrase: kernel, near: &cues [cuda, triton] }]
  b: [{ phrase: launch, near: *cues }]`);
    expect(tagsOf(tx, 'triton launch').tags).toEqual(['b']);
    const json = compile(JSON.stringify({ version: 1, defaults: { min_score: 1 }, tags: { vision: { phrases: ['image', { phrase: 'pixel', weight: 2 }] } } }));
    expect(tagsOf(json, 'pixels').tags).toEqual(['vision']);
  });

  it('an invalid file gets an error naming the file, line, tag and problem', () => {
    expect(parseError('tags:\n  vision:\n    family: area\n    phrases: [image]\n')).toMatch(/^my\.yaml:3: tag 'vision': unknown family 'area'/);
    expect(parseError('families: { area: { color: blue } }\ntags:\n  vision:\n    family: area\n    phrases: [image]\n    nera: [x]\n')).toMatch(
      /my\.yaml:6: tag 'vision': unknown key 'nera'/,
    );
    expect(parseError('tags:\n  gpu:\n    phrases:\n      - { phrase: kernel, near: cuda triton, window: -1 }\n')).toMatch(
      /my\.yaml:4: tag 'gpu', phrase 1: window must be a number from 0 to 100, found number -1/,
    );
    expect(parseError('tags:\n  gpu:\n    phrases:\n      - { phrase: kernel, near: 5 }\n')).toMatch(/tag 'gpu', phrase 1: 'near' must be a list of phrases/);
    expect(parseError('tags:\n  Vision Tag: [image]\n')).toMatch(/my\.yaml:2: tag 'Vision Tag': tag ids are lower-case/);
    expect(parseError('tags:\n  __proto__: [image]\n')).toMatch(/tag '__proto__': tag ids are lower-case/);
    expect(parseError('tags:\n  a: []\n')).toMatch(/tag 'a': phrases is empty/);
    expect(parseError('tags:\n  a: [\'!!!\']\n')).toMatch(/tag 'a', phrase 1: "!!!" has no words/);
    expect(parseError('tags:\n  a: { phrases: [x], implies: [b] }\n')).toMatch(/tag 'a': implies unknown tag 'b'/);
    expect(parseError('tags:\n  a: [x]\n  a: [y]\n')).toMatch(/my\.yaml:3: not valid YAML or JSON: 'a' is defined twice/);
    expect(parseError('tags: [x, y]\n')).toMatch(/tags must be a mapping/);
    expect(parseError('version: 2\ntags: { a: [x] }\n')).toMatch(/version: this papers understands taxonomy version 1/);
    expect(parseError('tags:\n  a: [x\n')).toMatch(/^my\.yaml(:\d+)?: not valid YAML or JSON/);
    expect(parseError('families: { area: { color: purple } }\ntags: { a: { family: area, phrases: [x] } }\n')).toMatch(/family 'area': color string "purple" is not one of/);
  });

  it('regular expressions are rejected, and no input makes matching slow', () => {
    expect(parseError("tags:\n  evil: ['(a+)+$']\n")).toMatch(/tag 'evil', phrase 1: "\(a\+\)\+\$" looks like a regular expression/);
    expect(parseError("tags:\n  evil: [{ phrase: x, near: ['(x|y)*'] }]\n")).toMatch(/tag 'evil', phrase 1: 'near': "\(x\|y\)\*" looks like a regular expression/);
    // The classic catastrophic input against the closest thing a taxonomy can say.
    const tx = compile(`
defaults: { min_score: 1, window: 10 }
tags:
  a: [a, a a, a a a, { phrase: a, near: [a a a a a a a a], not_near: [b] }]
  b: [{ phrase: a, near: [a a] }]`);
    tagsOf(tx, 'x', `${'a '.repeat(500)}!`); // warm up the JIT
    // CPU time of this process, so that other work on a shared machine does not count.
    const cpuMs = (f: () => void) => {
      const t = process.cpuUsage();
      f();
      const d = process.cpuUsage(t);
      return (d.user + d.system) / 1000;
    };
    let r: ReturnType<typeof tagsOf> | undefined;
    expect(cpuMs(() => (r = tagsOf(tx, 'x', `${'a '.repeat(50_000)}!`)))).toBeLessThan(1000);
    expect(r!.tags).toEqual(['a']);
    // And the same length as one word with no spaces.
    expect(cpuMs(() => tagsOf(tx, 'x', `${'a'.repeat(50_000)}!`))).toBeLessThan(1000);
  });

  it('alias bombs are refused', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 8; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const yaml = `${lines.map((l) => `# ${l}`).join('\n')}\ndefaults: { min_score: 1 }\ntags:\n  t:\n    phrases: [{ phrase: y, near: ${lines.slice(0, 5).map((l) => l.split(': ')[1]).join(' ')} }]\n`;
    // Built as flow lists nested in one near: list; whatever the shape, it must end quickly.
    const start = performance.now();
    try {
      parseTaxonomy(yaml, 'bomb.yaml');
    } catch {
      // rejected is fine
    }
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('tags are sorted, stable ids; the same input gives the same output', () => {
    const records = [
      { id: 'a', title: 'Liger Kernel: Efficient Triton Kernels for LLM Training', abstract: 'Fused Triton kernels for large language model training on GPUs.' },
      { id: 'b', title: 'Graph neural networks for node classification', abstract: 'We propose a GNN for node classification on citation graphs.' },
    ];
    const one = tagCorpus(records);
    const two = tagCorpus(records.map((r) => ({ ...r })));
    expect(JSON.stringify(one)).toBe(JSON.stringify(two));
    for (const r of one) {
      expect([...(r.tags as string[])].sort()).toEqual(r.tags);
      for (const t of r.tags as string[]) expect(t).toMatch(/^[a-z0-9][a-z0-9.+-]*$/);
    }
    expect(one[0].tags).toEqual(expect.arrayContaining(['gpu-kernels', 'llm', 'systems']));
    expect(one[1].tags).toEqual(expect.arrayContaining(['graphs']));
  });
});
