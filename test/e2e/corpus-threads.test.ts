// The corpus stages on worker threads (the large-input path, forced here with --jobs 2 or a small
// PAPERS_SPOOL_RECORDS): `papers digest` with its tagging and clustering threads and `papers
// cluster` with its fitting thread give the bytes of the one-thread run, keep --seen and
// --save-model the same, and leave no temporary files, also when stopped half-way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, SEED, jsonl, runCli } from '../support/cli.js';

const DATE = '2025-01-15';
let dir: string;
let corpus: string;

/** Papers made by mixing the seed listing's sentences (seeded): distinct, with a real vocabulary. */
function mixedCorpus(seedRecords: Array<Record<string, unknown>>, n: number): string {
  const sentences = seedRecords.flatMap((r) => String(r.abstract ?? '').split(/(?<=\.)\s+/)).filter((s) => s.length > 20);
  const titleWords = seedRecords.flatMap((r) => String(r.title ?? '').split(/\s+/)).filter((w) => w.length > 3);
  let state = 12345;
  const next = (m: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % m;
  };
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const title = Array.from({ length: 5 + next(5) }, () => titleWords[next(titleWords.length)]).join(' ');
    const abstract = Array.from({ length: 4 + next(4) }, () => sentences[next(sentences.length)]).join(' ');
    lines.push(JSON.stringify({ id: `mix-${i}`, title, abstract, year: 2020 + next(5) }));
  }
  // A few exact repeats, so that dedupe merges across batches.
  for (let i = 0; i < n; i += 97) lines.push(lines[i].replace(`"mix-${i}"`, `"mix-${i}-again"`));
  return lines.join('\n') + '\n';
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'papers-digest-threads-'));
  const parsed = await runCli(['parse', SEED, '-q']);
  expect(parsed.code, parsed.stderr).toBe(0);
  corpus = join(dir, 'mixed.jsonl');
  writeFileSync(corpus, mixedCorpus(jsonl(parsed.stdout), 600));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A run with its own TMPDIR, to see what temporary files it leaves. */
async function digest(args: string[], env: Record<string, string> = {}) {
  const tmp = mkdtempSync(join(dir, 'tmp-'));
  const r = await runCli(['digest', ...args, '--date', DATE], { timeoutMs: 180_000, env: { TMPDIR: tmp, ...env } });
  return { ...r, leftovers: readdirSync(tmp) };
}

describe('papers digest on three threads', () => {
  it('gives the bytes and messages of the one-thread run', async () => {
    const one = await digest([corpus, '--jobs', '1']);
    const three = await digest([corpus, '--jobs', '2']);
    const spooled = await digest([corpus], { PAPERS_SPOOL_RECORDS: '50', PAPERS_JOBS: '2' });
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toMatch(/607 read, 7 merged as duplicates, 600 in the digest, \d+ topics/);
    for (const r of [three, spooled]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(one.stdout);
      expect(r.stderr).toBe(one.stderr);
      expect(r.leftovers).toEqual([]);
    }
    // The seed listing too (119 papers; the threads get a single batch).
    const seedOne = await digest([SEED, '--jobs', '1']);
    const seedThree = await digest([SEED, '--jobs', '3']);
    expect(seedThree.stdout).toBe(seedOne.stdout);
    expect(seedThree.stderr).toBe(seedOne.stderr);
    // PAPERS_DEBUG=1 adds the phase timings on stderr and changes nothing else.
    const debug = await digest([SEED, '--jobs', '3'], { PAPERS_DEBUG: '1' });
    expect(debug.stdout).toBe(seedOne.stdout);
    const phases = [...debug.stderr.matchAll(/\[debug\] ([^:]+): \d+\.\d s/g)].map((m) => m[1]);
    expect(phases).toEqual([
      'read and indexed 119 records',
      'duplicates resolved',
      'papers handed to the tagging and clustering threads',
      'clusters fitted',
      'papers tagged and reported',
      'written',
    ]);
    expect(debug.stderr.split('\n').filter((l) => !l.includes('[debug]')).join('\n')).toBe(seedOne.stderr);
  });

  it('keeps --seen the same: the state file and the digest of the second day', async () => {
    const lines = readFileSync(corpus, 'utf8').trim().split('\n');
    const day1 = join(dir, 'day1.jsonl');
    const day2 = join(dir, 'day2.jsonl');
    writeFileSync(day1, lines.slice(0, 350).join('\n') + '\n');
    writeFileSync(day2, lines.slice(250, 550).join('\n') + '\n');
    const runs: Array<{ md: string; state: string }> = [];
    for (const jobs of ['1', '2']) {
      const state = join(dir, `seen-${jobs}`, 'seen.jsonl');
      mkdirSync(join(dir, `seen-${jobs}`));
      const a = await digest([day1, '--seen', state, '--jobs', jobs]);
      const b = await digest([day2, '--seen', state, '--jobs', jobs]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stderr).toMatch(/100 already reported/);
      runs.push({ md: b.stdout, state: readFileSync(state, 'utf8') });
    }
    expect(runs[1].md).toBe(runs[0].md);
    expect(runs[1].state).toBe(runs[0].state);
    expect(runs[0].state.trim().split('\n')).toHaveLength(550);
  });

  it('SIGINT while the threads tag and cluster: exit 130, no temporary files, --out untouched', async () => {
    const tmp = mkdtempSync(join(dir, 'tmp-int-'));
    const out = join(dir, 'int-digest.md');
    writeFileSync(out, 'old digest\n');
    // Large enough that the threads work for a while: the corpus eight times, ids made distinct.
    const big = join(dir, 'big.jsonl');
    const text = readFileSync(corpus, 'utf8');
    writeFileSync(big, [0, 1, 2, 3, 4, 5, 6, 7].map((k) => text.replaceAll('"mix-', `"m${k}-`)).join(''));
    const child = spawn(process.execPath, [BIN, 'digest', big, '--jobs', '2', '--out', out, '--date', DATE], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    // The tagging thread's output file appears when tagging starts (the clustering thread fits then).
    const tagged = (): boolean => readdirSync(tmp).some((d) => d.startsWith('papers-spool-') && existsSync(join(tmp, d, 'tagged.jsonl')));
    const deadline = Date.now() + 60_000;
    while (!tagged() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(tagged(), stderr).toBe(true);
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(readdirSync(tmp)).toEqual([]);
    expect(readFileSync(out, 'utf8')).toBe('old digest\n');
  });
});

describe('papers cluster with its fitting thread', () => {
  it('gives the records, the saved model and the messages of the one-thread run', async () => {
    const runs = [];
    for (const [args, env] of [
      [['--jobs', '1'], {}],
      [['--jobs', '2'], {}],
      [[], { PAPERS_SPOOL_RECORDS: '40', PAPERS_JOBS: '2' }],
    ] as Array<[string[], Record<string, string>]>) {
      const tmp = mkdtempSync(join(dir, 'tmp-cl-'));
      const model = join(tmp, 'model.json');
      const r = await runCli(['cluster', corpus, '--save-model', model, ...args], { timeoutMs: 180_000, env: { TMPDIR: tmp, ...env } });
      expect(r.code, r.stderr).toBe(0);
      runs.push({ out: r.stdout, err: r.stderr, model: readFileSync(model, 'utf8'), left: readdirSync(tmp) });
    }
    expect(jsonl(runs[0].out)).toHaveLength(607);
    expect(runs[0].err).toMatch(/clustered 607 paper\(s\) into \d+ cluster\(s\)/);
    for (const r of runs.slice(1)) {
      expect(r.out).toBe(runs[0].out);
      expect(r.err).toBe(runs[0].err);
      expect(r.model).toBe(runs[0].model);
      expect(r.left).toEqual(['model.json']);
    }
    // No input: same answer on both paths.
    const e1 = await runCli(['cluster', '--jobs', '1'], { input: '' });
    const e2 = await runCli(['cluster', '--jobs', '2'], { input: '' });
    expect(e2.code).toBe(0);
    expect(e2.stdout).toBe(e1.stdout);
    expect(e2.stderr).toBe(e1.stderr);
  });

  it('SIGINT during the fit: exit 130 at once, no temporary files, no model file', async () => {
    const tmp = mkdtempSync(join(dir, 'tmp-cl-int-'));
    const model = join(dir, 'int-model.json');
    const big = join(dir, 'big-cluster.jsonl');
    const text = readFileSync(corpus, 'utf8');
    writeFileSync(big, [0, 1, 2, 3, 4, 5, 6, 7].map((k) => text.replaceAll('"mix-', `"c${k}-`)).join(''));
    const child = spawn(process.execPath, [BIN, 'cluster', big, '--jobs', '2', '--k-max', '30', '--save-model', model], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1', PAPERS_SPOOL_RECORDS: '100' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    // Reading is over (the fit has begun) once the spool file stops growing.
    const size = (): number => {
      for (const d of readdirSync(tmp)) {
        const f = join(tmp, d, 'records.jsonl');
        if (existsSync(f)) return statSync(f).size;
      }
      return -1;
    };
    const deadline = Date.now() + 60_000;
    let last = -1;
    let stableSince = Date.now();
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      const now = size();
      if (now !== last) {
        last = now;
        stableSince = Date.now();
      } else if (now > 0 && Date.now() - stableSince > 300) break;
    }
    expect(last, stderr).toBeGreaterThan(0);
    const sent = Date.now();
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(Date.now() - sent).toBeLessThan(3000);
    expect(readdirSync(tmp)).toEqual([]);
    expect(existsSync(model)).toBe(false);
  });
});
