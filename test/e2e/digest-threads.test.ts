// `papers digest` with its tagging and clustering threads (the large-input path, forced here with
// --jobs 2 or a small PAPERS_SPOOL_RECORDS) gives the bytes of the one-thread run, keeps --seen the
// same, and leaves no temporary files, also when stopped half-way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
