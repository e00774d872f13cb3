// Worker threads (src/cli/parallel.ts) must not change a single byte: with --jobs 2 and tiny
// batches (so every input is cut into many batches, read by two threads), output, messages and
// exit codes equal those of --jobs 1.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, SEED, jsonl, runCli, type RunResult } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'papers-parallel-'));
const TINY = { PAPERS_BATCH_BYTES: '700' };
let records = '';
let tagModel = '';
let clusterModel = '';

/** Raw JSONL from another tool (no `source`): ids repeat across batches, a CRLF line, a reserved key. */
function foreignJsonl(): string {
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) {
    const rec: Record<string, unknown> = {
      id: i % 7 === 3 ? 'same-id' : `x${i}`,
      title: `Paper number ${i} on graph neural networks and transformers`,
      abstract: `We study problem ${i}. Code at https://github.com/example/repo${i}. Results improve accuracy on benchmarks.`,
    };
    lines.push(JSON.stringify(rec));
  }
  lines[10] = lines[10] + '\r';
  lines[20] = '{"id":"p20","title":"Reserved keys","__proto__":{"polluted":1},"constructor":"x"}';
  lines[40] = '{"id":"p40","title":"Reserved again","prototype":{}}';
  lines.push('{"id":"same-id~2","title":"An id that looks like a renamed one"}');
  return '\uFEFF' + lines.join('\n') + '\n';
}

async function both(args: string[], input?: string): Promise<[RunResult, RunResult]> {
  const one = await runCli([...args, '--jobs', '1'], { input });
  const two = await runCli([...args, '--jobs', '2'], { input, env: TINY });
  return [one, two];
}

function expectSame([one, two]: [RunResult, RunResult]): void {
  expect(two.code).toBe(one.code);
  expect(two.stdout).toBe(one.stdout);
  expect(two.stderr).toBe(one.stderr);
}

beforeAll(async () => {
  records = (await runCli(['parse', '-q', SEED])).stdout;
  writeFileSync(join(dir, 'records.jsonl'), records);
  writeFileSync(join(dir, 'foreign.jsonl'), foreignJsonl());
  tagModel = join(dir, 'tag.json');
  clusterModel = join(dir, 'cluster.json');
  const labelled = join(FIXTURES, 'tag', 'labelled-sample.jsonl');
  expect((await runCli(['tag', '--train', labelled, '--labels-from', 'categories', '--save-model', tagModel])).code).toBe(0);
  expect((await runCli(['cluster', '--k', '5', '--save-model', clusterModel, join(dir, 'records.jsonl')])).code).toBe(0);
}, 120_000);

describe('worker threads give the same bytes as one thread', () => {
  it('parse: foreign JSONL with repeated ids, CRLF, a BOM and reserved keys, plus a listing in between', async () => {
    const res = await both(['parse', join(dir, 'foreign.jsonl'), SEED, join(dir, 'records.jsonl')]);
    expectSame(res);
    const out = jsonl(res[1].stdout);
    expect(out.length).toBe(61 + 119 + 119);
    const ids = out.map((r) => r.id as string);
    expect(new Set(ids).size).toBe(ids.length - 119); // the third input repeats the seed's records as they are
    expect(ids.filter((id) => id.startsWith('same-id'))).toEqual([
      'same-id', 'same-id~2', 'same-id~3', 'same-id~4', 'same-id~5', 'same-id~6', 'same-id~7', 'same-id~8', 'same-id~9', 'same-id~2~2',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(res[1].stderr.match(/reserved/g)?.length).toBe(1);
  });

  it('parse: a broken line in a later batch names its line; the records before it are written', async () => {
    const lines = records.trimEnd().split('\n');
    lines.splice(90, 0, '{"id": "broken", "title": ');
    const input = lines.join('\n') + '\n';
    const res = await both(['parse'], input);
    expectSame(res);
    expect(res[1].code).toBe(1);
    expect(res[1].stderr).toMatch(/^papers parse: stdin:91: not valid JSON/m);
    expect(jsonl(res[1].stdout).length).toBe(90);
    const skipped = await both(['parse', '--skip-invalid'], input);
    expectSame(skipped);
    expect(jsonl(skipped[1].stdout).length).toBe(119);
    expect(skipped[1].stderr).toMatch(/skipped 1 not valid JSON/);
  });

  it('tag --model and tag --keywords 0', async () => {
    const m = await both(['tag', '--model', tagModel, join(dir, 'records.jsonl')]);
    expectSame(m);
    expect(jsonl(m[1].stdout).length).toBe(119);
    expectSame(await both(['tag', '--keywords', '0', '--explain', join(dir, 'foreign.jsonl')]));
  });

  it('cluster --model, from stdin', async () => {
    const res = await both(['cluster', '--model', clusterModel], records);
    expectSame(res);
    expect(jsonl(res[1].stdout).every((r) => typeof r.cluster === 'number')).toBe(true);
  });

  it('rejects a bad --jobs value as usage (exit 2)', async () => {
    const r = await runCli(['parse', '--jobs', 'many', SEED]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--jobs expects a whole number/);
    const env = await runCli(['parse', SEED], { env: { PAPERS_JOBS: '0' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/PAPERS_JOBS expects/);
  });
});
