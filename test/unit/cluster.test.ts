// papers cluster as a library: determinism, numbering, labels, pass-through, models, edge cases.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataError, silentDiagnostics } from '../../src/errors.js';
import { IdRegistry, type Paper } from '../../src/record.js';
import { parseText } from '../../src/stages/parse/index.js';
import {
  ClusterFitter, ModelAssigner, UNCLUSTERED, UNCLUSTERED_LABEL, assignRecords, clusterRecords, parseModel, serializeModel,
} from '../../src/stages/cluster/index.js';
import { ari, nmi } from '../../src/stages/cluster/metrics.js';

const root = new URL('../../', import.meta.url).pathname;

async function parseFile(path: string): Promise<Paper[]> {
  const text = readFileSync(root + path, 'utf8');
  const out: Paper[] = [];
  const chunks = (async function* () {
    yield text;
  })();
  for await (const r of parseText(chunks, path, {}, silentDiagnostics, new IdRegistry())) out.push(r);
  return out;
}

function readJsonl(path: string): Array<Paper & { primary_category: string }> {
  return readFileSync(root + path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

const seed = await parseFile('fixtures/trending-listing.txt');
const sample = readJsonl('fixtures/cluster/arxiv-cs-60.jsonl');

/** Lower-case text with hyphens as spaces, to find a label's words in a paper. */
function plain(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ');
}

describe('clusterRecords on the seed listing', () => {
  const first = clusterRecords(seed);

  it('is deterministic: the same input gives the same bytes (automatic k)', () => {
    const again = clusterRecords(seed);
    expect(JSON.stringify(again.records)).toBe(JSON.stringify(first.records));
    expect(JSON.stringify(again.clusters)).toBe(JSON.stringify(first.clusters));
    expect(serializeModel(again.model)).toBe(serializeModel(first.model));
  });

  it('is deterministic with a fixed k and depends on the seed only through the seed', () => {
    const a = clusterRecords(seed, { k: 5, seed: 7 });
    const b = clusterRecords(seed, { k: 5, seed: 7 });
    expect(JSON.stringify(a.records)).toBe(JSON.stringify(b.records));
    expect(a.clusters.length).toBe(5);
  });

  it('chooses a sensible k with no catch-all cluster', () => {
    expect(first.k).toBeGreaterThanOrEqual(4);
    expect(first.k).toBeLessThanOrEqual(10);
    const largest = Math.max(...first.clusters.map((c) => c.size));
    expect(largest / seed.length).toBeLessThanOrEqual(0.5);
  });

  it('numbers clusters 0.. by decreasing size and labels every record consistently', () => {
    const { records, clusters } = first;
    clusters.forEach((c, i) => {
      expect(c.id).toBe(i);
      if (i > 0) expect(c.size).toBeLessThanOrEqual(clusters[i - 1].size);
      expect(records.filter((r) => r.cluster === i).length).toBe(c.size);
    });
    expect(clusters.reduce((s, c) => s + c.size, 0)).toBe(seed.length);
    for (const r of records) {
      expect(Number.isInteger(r.cluster)).toBe(true);
      expect(r.cluster_label).toBe(clusters[r.cluster as number].label);
    }
  });

  it('labels with words and phrases written in the cluster, not stems', () => {
    for (const c of first.clusters) {
      expect(c.label).toBe(c.terms.slice(0, 3).join(', '));
      expect(c.terms.length).toBeGreaterThanOrEqual(3);
      const text = first.records
        .filter((r) => r.cluster === c.id)
        .map((r) => plain(`${r.title} ${r.abstract ?? ''}`))
        .join(' | ');
      for (const term of c.terms) expect(text).toContain(plain(term).trim());
    }
  });

  it('gives representatives from the cluster, closest first', () => {
    for (const c of first.clusters) {
      expect(c.representatives.length).toBe(Math.min(3, c.size));
      for (const id of c.representatives) expect(first.records.find((r) => r.id === id)?.cluster).toBe(c.id);
      expect(c.representativeTitles).toEqual(c.representatives.map((id) => first.records.find((r) => r.id === id)!.title));
    }
  });
});

describe('quality on labelled abstracts (fixture of 60 arXiv papers, 6 categories)', () => {
  const truth = sample.map((r) => r.primary_category);
  it('recovers the categories with k = 6', () => {
    const { records } = clusterRecords(sample, { k: 6 });
    const pred = records.map((r) => r.cluster as number);
    // Seeds 1..10 give NMI 0.55..0.74 here; a random split scores about 0.1.
    expect(nmi(truth, pred)).toBeGreaterThan(0.5);
    expect(ari(truth, pred)).toBeGreaterThan(0.35);
  });
  it('picks a small k on its own', () => {
    const result = clusterRecords(sample);
    expect(result.k).toBeGreaterThanOrEqual(3);
    expect(result.k).toBeLessThanOrEqual(8);
    expect(nmi(truth, result.records.map((r) => r.cluster as number))).toBeGreaterThan(0.45);
  });
});

describe('records pass through', () => {
  it('keeps unknown fields and their order, adds cluster fields, never touches prototypes', () => {
    const hostile = JSON.parse('{"id":"x1","title":"Quantum error correction codes","abstract":"Stabilizer codes for qubits.","__proto__":{"polluted":true},"extra":{"a":1}}') as Paper;
    const others = sample.slice(0, 20);
    const { records } = clusterRecords([hostile, ...others], { k: 3 });
    const out = records[0];
    expect(Object.keys(out)).toEqual(['id', 'title', 'abstract', 'extra', 'cluster', 'cluster_label']);
    expect(out.extra).toEqual({ a: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    // The input record is not modified.
    expect(hostile.cluster).toBeUndefined();
  });

  it('re-clustering replaces the fields in place', () => {
    const once = clusterRecords(sample, { k: 4 }).records;
    const twice = clusterRecords(once, { k: 4 }).records;
    expect(twice.map((r) => Object.keys(r).join())).toEqual(once.map((r) => Object.keys(r).join()));
  });
});

describe('edge cases', () => {
  it('no records: no clusters', () => {
    const r = clusterRecords([]);
    expect(r.records).toEqual([]);
    expect(r.clusters).toEqual([]);
  });

  it('papers without usable words stay unclustered', () => {
    const recs: Paper[] = [
      { id: 'a', title: '' },
      { id: 'b', title: 'The of and 2019' },
      ...sample.slice(0, 12),
    ];
    const r = clusterRecords(recs, { k: 3 });
    expect(r.records[0].cluster).toBe(UNCLUSTERED);
    expect(r.records[0].cluster_label).toBe(UNCLUSTERED_LABEL);
    expect(r.records[1].cluster).toBe(UNCLUSTERED);
    expect(r.records.slice(2).every((x) => (x.cluster as number) >= 0)).toBe(true);
    expect(r.clusters.reduce((s, c) => s + c.size, 0)).toBe(12);
  });

  it('one paper, and k larger than the corpus', () => {
    expect(clusterRecords(sample.slice(0, 1)).records[0].cluster).toBe(0);
    const diag = { warnings: [] as string[], warn(m: string) { this.warnings.push(m); }, info() {} };
    const r = clusterRecords(sample.slice(0, 5), { k: 50, diagnostics: diag });
    expect(r.clusters.length).toBeLessThanOrEqual(5);
    expect(diag.warnings.join()).toMatch(/--k 50/);
  });

  it('papers that all share their words still cluster and get a label', () => {
    const same = Array.from({ length: 30 }, (_, i) => ({ id: `p${i}`, title: 'Graph neural networks', abstract: 'Message passing on graphs.' }));
    const r = clusterRecords(same);
    expect(r.clusters.map((c) => c.size)).toEqual([30]);
    expect(r.clusters[0].label).toMatch(/graph neural networks/i);
    const two = clusterRecords([
      { id: 'a', title: 'Quantum codes', abstract: 'qubits' },
      { id: 'b', title: 'Image segmentation', abstract: 'pixels' },
    ]);
    expect(two.records.map((x) => x.cluster_label)).toEqual(['Quantum codes, qubits', 'Image segmentation, pixels']);
  });

  it('identical papers land together', () => {
    const twin = { ...sample[0], id: 'twin' };
    const r = clusterRecords([...sample, twin], { k: 6 });
    expect(r.records.at(-1)!.cluster).toBe(r.records[0].cluster);
  });
});

describe('saved models', () => {
  const fit = clusterRecords(seed, { k: 6 });
  const text = serializeModel(fit.model);

  it('round-trips and assigns the fitted papers to the clusters they got', () => {
    const model = parseModel(text, 'm.json');
    expect(serializeModel(model)).toBe(text);
    const assigned = assignRecords(seed, model);
    expect(assigned.map((r) => r.cluster)).toEqual(fit.records.map((r) => r.cluster));
    expect(assigned.map((r) => r.cluster_label)).toEqual(fit.records.map((r) => r.cluster_label));
  });

  it('assigns a new paper to the cluster of its topic', () => {
    const model = parseModel(text, 'm.json');
    const assigner = new ModelAssigner(model);
    const gpuCluster = fit.records.find((r) => /KernelBench/.test(r.title))!.cluster;
    const c = assigner.clusterOf(
      'Autotuning GPU kernels written by large language models',
      'We let LLMs write CUDA and Triton kernels and measure their speedup over PyTorch on GPUs.',
    );
    expect(c).toBe(gpuCluster);
    expect(assigner.clusterOf('', '')).toBe(UNCLUSTERED);
  });

  it('rejects files that are not models, and other versions', () => {
    expect(() => parseModel('{"x":1}', 'bad.json')).toThrow(DataError);
    expect(() => parseModel('not json', 'bad.json')).toThrow(/bad\.json.*not valid JSON/);
    const doc = JSON.parse(text);
    expect(() => parseModel(JSON.stringify({ ...doc, version: 99 }), 'm.json')).toThrow(/version 99/);
    expect(() => parseModel(JSON.stringify({ ...doc, centroids: 'AAAA' }), 'm.json')).toThrow(/centroids/);
  });
});

describe('streaming fitter', () => {
  it('gives the same assignment as clusterRecords, with sampled labels beyond sampleSize', () => {
    const f = new ClusterFitter({ k: 4 });
    for (const r of seed) f.add(r);
    const fit = f.fit();
    const whole = clusterRecords(seed, { k: 4 });
    expect([...fit.assignment]).toEqual(whole.records.map((r) => r.cluster));
    // Labels and representatives from a sample of 60 papers still describe the clusters.
    const g = new ClusterFitter({ k: 4, sampleSize: 60 });
    for (const r of seed) g.add(r);
    const sampled = g.fit();
    expect([...sampled.assignment]).toEqual([...fit.assignment]);
    for (const c of sampled.clusters) expect(c.label).not.toBe('');
  });
});
