// Per-record stages are pure maps: splitting the input into shards, running each, and concatenating
// gives the same bytes as one run. That is what makes `parallel --pipe` and Hadoop/Spark map steps safe.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, SEED, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'papers-shards-'));
const labelled = join(FIXTURES, 'tag', 'labelled-sample.jsonl');
let records = '';
let tagModel = '';
let clusterModel = '';

function shardsOf(text: string, sizes: number[]): string[] {
  const lines = text.split('\n').filter(Boolean);
  const out: string[] = [];
  let at = 0;
  for (const n of sizes) {
    out.push(lines.slice(at, at + n).map((l) => l + '\n').join(''));
    at += n;
  }
  out.push(lines.slice(at).map((l) => l + '\n').join(''));
  return out;
}

async function sharded(args: string[], input: string, sizes: number[]): Promise<string> {
  let out = '';
  for (const shard of shardsOf(input, sizes)) {
    const r = await runCli(args, { input: shard });
    expect(r.code).toBe(0);
    out += r.stdout;
  }
  return out;
}

beforeAll(async () => {
  const parsed = await runCli(['parse', '-q', SEED]);
  records = parsed.stdout;
  tagModel = join(dir, 'tag-model.json');
  const trained = await runCli(['tag', '--train', labelled, '--labels-from', 'primary_category', '--save-model', tagModel, '-q']);
  expect(trained.code).toBe(0);
  clusterModel = join(dir, 'cluster-model.json');
  const fitted = await runCli(['cluster', '--save-model', clusterModel, '--k', '5'], { input: records });
  expect(fitted.code).toBe(0);
});

describe('per-record stages give the same bytes in shards', () => {
  it('parse of JSONL', async () => {
    const whole = await runCli(['parse', '-q'], { input: records });
    expect(await sharded(['parse', '-q'], records, [17, 40, 1])).toBe(whole.stdout);
    expect(whole.stdout).toBe(records); // records pass through unchanged
  });

  it('tag --model (keywords from the model: no corpus pass)', async () => {
    const args = ['tag', '--model', tagModel, '-q'];
    const whole = await runCli(args, { input: records });
    expect(whole.code).toBe(0);
    const lines = whole.stdout.trim().split('\n');
    expect(lines).toHaveLength(119);
    expect(await sharded(args, records, [30, 30, 30])).toBe(whole.stdout);
  });

  it('cluster --model', async () => {
    const args = ['cluster', '--model', clusterModel];
    const whole = await runCli(args, { input: records });
    expect(whole.code).toBe(0);
    const lines = whole.stdout.trim().split('\n').map((l) => JSON.parse(l) as { cluster: number });
    expect(lines).toHaveLength(119);
    expect(new Set(lines.map((l) => l.cluster)).size).toBeGreaterThan(1);
    expect(await sharded(args, records, [1, 50, 25])).toBe(whole.stdout);
  });

  it('the model files are JSON', () => {
    expect(() => JSON.parse(readFileSync(tagModel, 'utf8'))).not.toThrow();
    expect(() => JSON.parse(readFileSync(clusterModel, 'utf8'))).not.toThrow();
    writeFileSync(join(dir, 'done'), '');
  });
});
