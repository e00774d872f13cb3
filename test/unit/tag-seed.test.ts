// The default taxonomy on the seed listing (119 papers from a trending-papers page), read with the
// real listing parser. The senses pinned here were checked by hand, paper by paper; papers whose
// sense is unclear (e.g. "Layer-wise Scaling Kernels") are left out.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentDiagnostics } from '../../src/errors.js';
import { IdRegistry, type Paper } from '../../src/record.js';
import { parseText } from '../../src/stages/parse/index.js';
import { compiledDefault, tagCorpus } from '../../src/stages/tag/index.js';

async function* chunks(text: string) {
  yield text;
}

let records: Paper[] = [];
let tagged: Paper[] = [];

beforeAll(async () => {
  const text = readFileSync(new URL('../../fixtures/trending-listing.txt', import.meta.url), 'utf8');
  records = [];
  for await (const r of parseText(chunks(text), 'fixtures/trending-listing.txt', {}, silentDiagnostics, new IdRegistry())) records.push(r);
  tagged = tagCorpus(records, { explain: true });
});

/** Paper by its position in the listing (1-based, as the listing is read). */
const paper = (n: number) => tagged[n - 1];
const tagsOf = (n: number) => paper(n).tags as string[];
/** Tags that "kernel" occurrences of paper n were credited to (from --explain reasons). */
function kernelSenses(n: number): string[] {
  const reasons = paper(n).tag_reasons as Record<string, string[]>;
  return Object.keys(reasons)
    .filter((t) => ['gpu-kernels', 'kernel-methods', 'convolution', 'systems'].includes(t))
    .filter((t) => reasons[t].some((r) => /^"[^"]*\bkernels?\b[^"]*"/i.test(r)))
    .sort();
}

describe('default taxonomy on the seed listing', () => {
  it('reads 119 papers with the real parser', () => {
    expect(records).toHaveLength(119);
    expect(paper(1).title).toBe('Fisher Information Embedding for Node and Graph Learning');
    expect(paper(119).title).toBe('Hierarchical Text Classification Using Black Box Large Language Models');
  });

  it('gives every paper at least one research-area tag', () => {
    const areas = new Set(compiledDefault().tags.filter((t) => t.family === 'area').map((t) => t.id));
    const without = tagged.filter((r) => !(r.tags as string[]).some((t) => areas.has(t))).map((r) => r.title);
    expect(without).toEqual([]);
  });

  // "kernel" in the three senses (paper numbers in listing order; title shown for the reader).
  const GPU = [
    [28, 'KernelBench: Can LLMs Write Efficient GPU Kernels?'],
    [34, 'MultiKernelBench: A Multi-Platform Benchmark for Kernel Generation'],
    [42, 'Liger Kernel: Efficient Triton Kernels for LLM Training'],
    [61, 'ThunderKittens: Simple, Fast, and Adorable AI Kernels'],
    [63, 'FlashFormer: Whole-Model Kernels for Efficient Low-Batch Inference'],
    [64, 'Tilus: A Virtual Machine for Arbitrary Low-Precision GPGPU Computation in LLM Serving'],
    [94, 'Faster Neighborhood Attention: Reducing the O(n^2) Cost of Self Attention at the Threadblock Level'],
    [114, 'ConCuR: Conciseness Makes State-of-the-Art Kernel Generation'],
    [19, 'Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss'],
    [12, 'Scale-DiT: Ultra-High-Resolution Image Generation with Hierarchical Local Attention'],
    [93, 'Dual Grained Quantization: Efficient Fine-Grained Quantization for LLM'],
    [108, 'HetuMoE: An Efficient Trillion-scale Mixture-of-Expert Distributed Training System'],
  ] as const;
  const METHODS = [
    [38, 'Covariant quantum kernels for data with group structure'],
    [41, 'Toward Large Kernel Models'],
    [53, 'Spectrally Transformed Kernel Regression'],
    [58, 'A Fast, Well-Founded Approximation to the Empirical Neural Tangent Kernel'],
    [62, 'Generalized Kernel Thinning'],
    [67, 'Distributed Adaptive Sampling for Kernel Matrix Approximation'],
    [68, 'An Empirical Analysis of the Laplace and Neural Tangent Kernels'],
    [75, 'Dimensionality Reduction for General KDE Mode Finding'],
    [85, 'Adaptive Kernel Design for Bayesian Optimization Is a Piece of CAKE with LLMs'],
    [95, 'Convolutional Deep Kernel Machines'],
    [99, 'Kernel Density Estimators in Large Dimensions'],
    [100, 'Differentially Private Kernelized Contextual Bandits'],
    [105, 'A theory of representation learning gives a deep generalisation of kernel methods'],
    [33, 'Improved Algorithms for Kernel Matrix-Vector Multiplication Under Sparsity Assumptions'],
  ] as const;
  const CONV = [
    [4, 'Learned Adaptive Kernels for High-Fidelity Image Downscaling'],
    [9, 'DeepRFTv2: Kernel-level Learning for Image Deblurring'],
    [48, 'InceptionNeXt: When Inception Meets ConvNeXt'],
    [80, 'Large Selective Kernel Network for Remote Sensing Object Detection'],
    [86, 'Scaling Up Your Kernels to 31x31: Revisiting Large Kernel Design in CNNs'],
    [97, 'FlexConv: Continuous Kernel Convolutions with Differentiable Kernel Sizes'],
    [104, 'Scaling Up Your Kernels: Large Kernel Design in ConvNets towards Universal Representations'],
    [109, 'UniRepLKNet: A Universal Perception Large-Kernel ConvNet for Audio, Video, Point Cloud, Time-Series and Image Recognition'],
  ] as const;

  it.each(GPU)('paper %i (%s): "kernel" is a GPU kernel', (n, title) => {
    expect(paper(n).title).toBe(title);
    expect(tagsOf(n)).toContain('gpu-kernels');
    expect(tagsOf(n)).not.toContain('kernel-methods');
    expect(kernelSenses(n)).toEqual(['gpu-kernels']);
  });

  it.each(METHODS)('paper %i (%s): "kernel" is a kernel method', (n, title) => {
    expect(paper(n).title).toBe(title);
    expect(tagsOf(n)).toContain('kernel-methods');
    expect(tagsOf(n)).not.toContain('gpu-kernels');
    expect(kernelSenses(n)).toEqual(['kernel-methods']);
  });

  it.each(CONV)('paper %i (%s): "kernel" is a convolution kernel', (n, title) => {
    expect(paper(n).title).toBe(title);
    expect(tagsOf(n)).toContain('convolution');
    expect(tagsOf(n)).not.toContain('gpu-kernels');
    expect(tagsOf(n)).not.toContain('kernel-methods');
    expect(kernelSenses(n)).toEqual(['convolution']);
  });

  it('explains a sense by the context that decided it', () => {
    const gpu = (paper(42).tag_reasons as Record<string, string[]>)['gpu-kernels'].join('; ');
    expect(gpu).toMatch(/"kernels?" \(title\) near "(triton|efficient triton kernels)"/i);
    const methods = (paper(41).tag_reasons as Record<string, string[]>)['kernel-methods'].join('; ');
    // "Toward Large Kernel Models": nothing near the title's "Kernel", the abstract's kernel machines decide.
    expect(methods).toContain('"kernel machines"');
    expect(methods).toMatch(/"Kernel" \(title\) \(same sense as elsewhere in the paper\)/);
  });

  // "hierarchical" as a task (classifying into a label hierarchy) vs as an architecture.
  const TASK = [
    [45, 'Revisiting Hierarchical Text Classification: Inference and Metrics'],
    [47, 'SpaDeLeF: A Dataset for Hierarchical Classification of Lexical Functions for Collocations in Spanish'],
    [71, 'Introducing Three New Benchmark Datasets for Hierarchical Text Classification'],
    [77, 'HDLTex: Hierarchical Deep Learning for Text Classification'],
    [87, 'A Capsule Network for Hierarchical Multi-Label Image Classification'],
    [88, 'Online Continual Learning on Hierarchical Label Expansion'],
    [119, 'Hierarchical Text Classification Using Black Box Large Language Models'],
  ] as const;
  const ARCH = [
    [13, 'Random Long-Context Access for Mamba via Hardware-aligned Hierarchical Sparse Attention'],
    [26, 'Data-independent Module-aware Pruning for Hierarchical Vision Transformers'],
    [44, 'HMT: Hierarchical Memory Transformer for Long Context Language Processing'],
    [57, 'LLaVA-UHD v2: an MLLM Integrating High-Resolution Feature Pyramid via Hierarchical Window Transformer'],
    [78, 'HiP Attention: Sparse Sub-Quadratic Attention with Hierarchical Attention Pruning'],
    [81, 'Swin Transformer: Hierarchical Vision Transformer using Shifted Windows'],
    [103, 'Hierarchical Transformers Are More Efficient Language Models'],
  ] as const;

  it.each(TASK)('paper %i (%s): "hierarchical" is the classification task', (n, title) => {
    expect(paper(n).title).toBe(title);
    expect(tagsOf(n)).toContain('hierarchical-labels');
    expect(tagsOf(n)).not.toContain('hierarchical-models');
  });

  it.each(ARCH)('paper %i (%s): "hierarchical" is the architecture', (n, title) => {
    expect(paper(n).title).toBe(title);
    expect(tagsOf(n)).toContain('hierarchical-models');
    expect(tagsOf(n)).not.toContain('hierarchical-labels');
  });

  it('adds sorted tags and keywords and leaves every other field as it was', () => {
    for (let i = 0; i < records.length; i++) {
      const before = records[i];
      const after = tagged[i];
      const tags = after.tags as string[];
      expect(tags.length).toBeGreaterThan(0);
      expect([...tags].sort()).toEqual(tags);
      expect(Array.isArray(after.keywords)).toBe(true);
      for (const key of Object.keys(before)) expect(after[key]).toEqual(before[key]);
      expect(Object.keys(after).slice(0, Object.keys(before).length)).toEqual(Object.keys(before));
    }
  });

  it('keywords: distinctive terms and phrases in their written form, no stopwords or prose words', () => {
    expect(paper(58).keywords).toEqual(expect.arrayContaining(['eNTK', 'neural tangent kernels']));
    expect(paper(42).keywords).toEqual(expect.arrayContaining(['Triton kernels', 'LLM training']));
    expect(paper(14).keywords).toEqual(expect.arrayContaining(['AML', 'Anti-Money Laundering']));
    const all = tagged.flatMap((r) => r.keywords as string[]);
    for (const k of all) {
      expect(k.split(/[\s-]+/).length).toBeLessThanOrEqual(3);
      expect(k).not.toMatch(/^(the|of|and|we|our|this|paper|novel|propose|toward|efficient|https?)\b/i);
      expect(k).not.toMatch(/github|http/i);
    }
    expect(tagged.every((r) => (r.keywords as string[]).length <= 8)).toBe(true);
  });

  it('is deterministic and does not depend on object identity', () => {
    const again = tagCorpus(JSON.parse(JSON.stringify(records)), { explain: true });
    expect(JSON.stringify(again)).toBe(JSON.stringify(tagged));
  });
});
