// papers cluster through the real binary: output, determinism, models, errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ari, nmi } from '../../src/stages/cluster/metrics.js';
import { BIN, FIXTURES, HAS_SHARED, SEED, jsonl, runCli, runShell, shared } from '../support/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'papers-cluster-'));

describe('papers cluster, end to end', () => {
  it('adds cluster and cluster_label to every record and reports on stderr', async () => {
    const r = await runCli(['cluster', SEED]);
    expect(r.code).toBe(0);
    const records = jsonl(r.stdout);
    expect(records).toHaveLength(119);
    for (const rec of records) {
      expect(Number.isInteger(rec.cluster)).toBe(true);
      expect(typeof rec.cluster_label).toBe('string');
      expect((rec.cluster_label as string).length).toBeGreaterThan(0);
    }
    expect(r.stderr).toMatch(/papers cluster: clustered 119 paper\(s\) into \d+ cluster\(s\) of [\d, ]+/);
    expect(r.stderr).toMatch(/chosen by silhouette/);
  });

  it('gives byte-identical output on two runs, with automatic and with fixed k', async () => {
    for (const extra of [[], ['--k', '5'], ['--seed', '3']]) {
      const a = await runCli(['cluster', SEED, ...extra]);
      const b = await runCli(['cluster', SEED, ...extra]);
      expect(a.code).toBe(0);
      expect(a.stdout).toBe(b.stdout);
    }
  });

  it('clusters the same whether fed the listing or parse output through a pipe', async () => {
    const direct = await runCli(['cluster', SEED, '-q']);
    const piped = await runShell(`node ${BIN} parse ${SEED} | node ${BIN} cluster -q`);
    expect(piped.stdout).toBe(direct.stdout);
    expect(piped.stderr).toMatch(/^papers parse: read 119/);
  });

  it('shows a table of clusters with --format table', async () => {
    const r = await runCli(['cluster', SEED, '--k', '4', '--format', 'table', '-q']);
    expect(r.code).toBe(0);
    for (const header of ['cluster', 'size', 'label', 'representative papers']) expect(r.stdout).toContain(header);
    expect(r.stdout).toContain('• ');
    expect(r.stdout.split('\n').filter((l) => /^│ [0-3] /.test(l))).toHaveLength(4);
  });

  it('saves a model and assigns papers to its clusters without refitting', async () => {
    const dir = tmp();
    const model = join(dir, 'topics.json');
    const fit = await runCli(['cluster', SEED, '--k', '6', '--save-model', model, '-q']);
    expect(fit.code).toBe(0);
    const saved = JSON.parse(readFileSync(model, 'utf8'));
    expect(saved).toMatchObject({ format: 'papers-cluster-model', version: 1 });
    expect(saved.clusters).toHaveLength(6);
    const assigned = await runCli(['cluster', SEED, '--model', model]);
    expect(assigned.code).toBe(0);
    const clusters = (text: string) => jsonl(text).map((r) => [r.cluster, r.cluster_label]);
    expect(clusters(assigned.stdout)).toEqual(clusters(fit.stdout));
    expect(assigned.stderr).toMatch(/assigned 119 paper\(s\) to the 6 cluster\(s\)/);
    // A new paper, streamed on stdin.
    const kernels = jsonl(fit.stdout).find((r) => /KernelBench/.test(r.title as string))!;
    const fresh = await runCli(['cluster', '--model', model], {
      input: `${JSON.stringify({ id: 'new', title: 'Writing fast GPU kernels with LLMs', abstract: 'Large language models generate CUDA and Triton kernels; we measure speedup over PyTorch on GPUs.' })}\n`,
    });
    expect(jsonl(fresh.stdout)[0]).toMatchObject({ id: 'new', cluster: kernels.cluster, cluster_label: kernels.cluster_label });
  });

  it('--model is a per-record map: shards concatenated give the same bytes as one run', async () => {
    const dir = tmp();
    const model = join(dir, 'm.json');
    const parsed = join(dir, 'all.jsonl');
    await runShell(`node ${BIN} parse ${SEED} > ${parsed} 2>/dev/null && node ${BIN} cluster ${parsed} --save-model ${model} -q > /dev/null`);
    const whole = await runCli(['cluster', parsed, '--model', model, '-q']);
    const sharded = await runShell(
      `head -n 60 ${parsed} | node ${BIN} cluster --model ${model} -q; tail -n +61 ${parsed} | node ${BIN} cluster --model ${model} -q`,
    );
    expect(sharded.stdout).toBe(whole.stdout);
    expect(jsonl(whole.stdout)).toHaveLength(119);
  });

  it('rejects bad usage with exit 2 and bad models with exit 1', async () => {
    const dir = tmp();
    for (const args of [['--k', '0'], ['--k', 'many'], ['--seed', '-1'], ['--dims', '0']]) {
      const r = await runCli(['cluster', SEED, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^papers cluster: --\w+ expects a whole number/);
    }
    const both = await runCli(['cluster', SEED, '--model', 'x.json', '--k', '3']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--model .* --k cannot be used with it/);
    const missing = await runCli(['cluster', SEED, '--model', join(dir, 'none.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read model .*none\.json.*no such file/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"something-else"}');
    const wrong = await runCli(['cluster', SEED, '--model', bad]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/bad\.json: not a cluster model/);
  });

  it('empty input is no error and writes nothing', async () => {
    const r = await runCli(['cluster'], { input: '' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('keeps fields it does not know and clusters the labelled fixture sensibly', async () => {
    const r = await runCli(['cluster', join(FIXTURES, 'cluster', 'arxiv-cs-60.jsonl'), '--k', '6', '-q']);
    const records = jsonl(r.stdout);
    expect(records).toHaveLength(60);
    expect(records[0].primary_category).toBe('cs.CV');
    expect(Object.keys(records[0]).slice(-2)).toEqual(['cluster', 'cluster_label']);
    expect(nmi(records.map((x) => x.primary_category as string), records.map((x) => x.cluster as number))).toBeGreaterThan(0.5);
  });
});

describe.skipIf(!HAS_SHARED)('quality on arxiv-cs-2016 (9,600 papers, 12 primary categories)', () => {
  it('beats scikit-learn LSA(100) + KMeans (NMI 0.640) with --k 12', async () => {
    const r = await runCli(['cluster', shared('arxiv-cs-2016', 'papers.jsonl'), '--k', '12', '-q'], { timeoutMs: 600_000 });
    expect(r.code).toBe(0);
    const records = jsonl(r.stdout);
    expect(records).toHaveLength(9600);
    const truth = records.map((x) => x.primary_category as string);
    const pred = records.map((x) => x.cluster as number);
    expect(nmi(truth, pred)).toBeGreaterThan(0.64);
    expect(ari(truth, pred)).toBeGreaterThan(0.558);
  }, 600_000);
});
