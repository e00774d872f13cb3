// End to end: `papers digest` against the piped stages, the golden digest of the seed listing,
// the --seen state over several days, size budgets, atomic --out, and the example workflow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { BIN, FIXTURES, ROOT, SEED, jsonl, runCli, runShell } from '../support/cli.js';
import { nodesOfType, parseMarkdown, textOf } from '../unit/markdown-ast.js';

const DATE = '2025-01-15';
const GOLDEN = join(FIXTURES, 'golden', 'trending-digest.md');
// The golden is made from the repository root with a relative path, as the README shows it.
const GOLDEN_ARGS = ['digest', 'fixtures/trending-listing.txt', '--date', DATE];

let dir: string;
let goldenRun: Awaited<ReturnType<typeof runCli>>;
const seedLines = readFileSync(SEED, 'utf8').split('\n');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'papers-digest-e2e-'));
  goldenRun = await runCli(GOLDEN_ARGS, { timeoutMs: 120_000 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Titles listed in a digest's index table, in order. */
function indexTitles(md: string): string[] {
  const table = nodesOfType(parseMarkdown(md), 'table').at(-1);
  if (!table) return [];
  return table.children!.slice(1).map((row) => textOf(row.children![1]).replaceAll('\u200D', ''));
}

describe('papers digest', () => {
  it('gives exactly the bytes of the five piped commands', async () => {
    const digest = goldenRun;
    expect(digest.code, digest.stderr).toBe(0);
    const piped = await runShell(
      `set -o pipefail; $PAPERS parse fixtures/trending-listing.txt | $PAPERS dedupe | $PAPERS tag | $PAPERS cluster | $PAPERS report --date ${DATE}`,
      { timeoutMs: 120_000 },
    );
    expect(piped.code, piped.stderr).toBe(0);
    expect(digest.stdout.length).toBeGreaterThan(1000);
    expect(digest.stdout).toBe(piped.stdout);
  });

  it('gives the same bytes when its passes go through temporary files (the large-input path)', async () => {
    const spooled = await runCli(GOLDEN_ARGS, { timeoutMs: 120_000, env: { PAPERS_SPOOL_RECORDS: '10' } });
    expect(spooled.code, spooled.stderr).toBe(0);
    expect(spooled.stdout).toBe(goldenRun.stdout);
    // Twice the seed: every paper has a duplicate, merged across the spool file.
    const twice = join(dir, 'twice.txt');
    writeFileSync(twice, readFileSync(SEED, 'utf8') + '\n' + readFileSync(SEED, 'utf8'));
    const a = await runCli(['digest', twice, '--date', DATE], { timeoutMs: 120_000 });
    const b = await runCli(['digest', twice, '--date', DATE], { timeoutMs: 120_000, env: { PAPERS_SPOOL_RECORDS: '7' } });
    expect(a.code, a.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(b.stderr).toMatch(/238 read, 119 merged as duplicates/);
  });

  it('matches the committed golden digest of the seed listing (UPDATE_GOLDEN=1 rewrites it)', async () => {
    const r = goldenRun;
    expect(r.code, r.stderr).toBe(0);
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(join(FIXTURES, 'golden'), { recursive: true });
      writeFileSync(GOLDEN, r.stdout);
    }
    expect(existsSync(GOLDEN), 'fixtures/golden/trending-digest.md is missing: run UPDATE_GOLDEN=1 npm test').toBe(true);
    expect(r.stdout).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('the golden digest tells a reader what is in the listing', () => {
    const md = readFileSync(GOLDEN, 'utf8');
    const root = parseMarkdown(md);
    const headings = nodesOfType(root, 'heading').map(textOf);
    expect(headings[0]).toBe(`Papers digest — ${DATE}`);
    for (const h of ['Summary', 'How the papers were counted', 'Tags', 'Topics', 'Papers with code', 'Index']) expect(headings).toContain(h);
    expect(headings.filter((h) => /^Topic \d+/.test(h)).length).toBeGreaterThanOrEqual(2);
    expect(md).toContain('```mermaid\nxychart-beta horizontal');
    // Every seed paper is in the index, once.
    const titles = indexTitles(md);
    const parsed = jsonl(spawnSync(process.execPath, [BIN, 'parse', SEED, '-q'], { encoding: 'utf8' }).stdout);
    expect(titles.length).toBeLessThanOrEqual(119);
    expect(new Set(titles).size).toBe(titles.length);
    const summary = textOf(nodesOfType(root, 'list')[0]);
    expect(summary).toContain('119 papers read');
    expect(titles.length + Number(/(\d+) duplicates? merged/.exec(summary)?.[1] ?? 0)).toBe(parsed.length);
  });

  it('reports only new papers across days with --seen, and updates the state atomically', async () => {
    const day1 = join(dir, 'day1.txt');
    const day2 = join(dir, 'day2.txt');
    writeFileSync(day1, seedLines.slice(0, 122).join('\n') + '\n'); // papers 1-60, with the page boilerplate
    writeFileSync(day2, seedLines.slice(82, 240).join('\n') + '\n'); // papers 41-119
    const state = join(dir, 'state', 'seen.jsonl');
    mkdirSync(join(dir, 'state'));

    const first = await runCli(['digest', day1, '--seen', state, '--date', '2025-01-15'], { timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    const firstTitles = indexTitles(first.stdout);
    const stateLines1 = readFileSync(state, 'utf8').trim().split('\n');
    expect(stateLines1).toHaveLength(firstTitles.length);
    expect(JSON.parse(stateLines1[0]).date).toBe('2025-01-15');

    const second = await runCli(['digest', day2, '--seen', state, '--date', '2025-01-16'], { timeoutMs: 120_000 });
    expect(second.code, second.stderr).toBe(0);
    const secondTitles = indexTitles(second.stdout);
    // Papers 41-60 were reported yesterday: only 61-119 are new.
    const day2Parsed = jsonl(spawnSync(process.execPath, [BIN, 'parse', day2, '-q'], { encoding: 'utf8' }).stdout);
    const expectedNew = day2Parsed.slice(20).map((p) => p.title as string);
    expect(expectedNew).toHaveLength(59);
    expect(secondTitles.filter((t) => !expectedNew.includes(t))).toEqual([]);
    const mergedToday = Number(/\*\*(\d+) duplicates?\*\* merged/.exec(second.stdout)?.[1] ?? 0);
    expect(secondTitles.length + mergedToday).toBe(59);
    expect(secondTitles.some((t) => firstTitles.includes(t))).toBe(false);
    expect(second.stdout).toMatch(/\*\*20\*\* already in earlier digests, so \*\*\d+ new papers\*\* here/);
    expect(second.stdout).toContain('| seen | ');
    const stateLines2 = readFileSync(state, 'utf8').trim().split('\n');
    expect(stateLines2.slice(0, stateLines1.length)).toEqual(stateLines1);
    expect(stateLines2).toHaveLength(firstTitles.length + secondTitles.length);

    // Day three, same listing again: nothing new, state unchanged.
    const third = await runCli(['digest', day2, '--seen', state, '--date', '2025-01-17'], { timeoutMs: 120_000 });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain('No papers to report.');
    expect(readFileSync(state, 'utf8').trim().split('\n')).toEqual(stateLines2);
    expect(readdirSync(join(dir, 'state'))).toEqual(['seen.jsonl']);
  });

  it('rejects a broken state file with its line, and changes nothing', async () => {
    const state = join(dir, 'broken.jsonl');
    writeFileSync(state, '{"id":"a","date":"2025-01-01"}\n{"id": nope\n');
    const out = join(dir, 'broken-digest.md');
    writeFileSync(out, 'old\n');
    const r = await runCli(['digest', SEED, '--seen', state, '--out', out, '--date', DATE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.jsonl:2: not valid JSON/);
    expect(readFileSync(out, 'utf8')).toBe('old\n');
    expect(readFileSync(state, 'utf8')).toBe('{"id":"a","date":"2025-01-01"}\n{"id": nope\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps within --max-papers and --max-bytes, and says so', async () => {
    const a = await runCli([...GOLDEN_ARGS, '--max-bytes', '12000'], { timeoutMs: 120_000 });
    expect(a.code, a.stderr).toBe(0);
    expect(Buffer.byteLength(a.stdout)).toBeLessThanOrEqual(12000);
    // The trimmed digest is the start of the full one's structure: same summary and topics table.
    expect(a.stdout.slice(0, a.stdout.indexOf('> [!NOTE]'))).toBe(goldenRun.stdout.slice(0, a.stdout.indexOf('> [!NOTE]')));
    expect(a.stdout).toMatch(/Lists show the first \d+ papers of \d+ \(--max-bytes 12000\)/);
    const p = await runCli([...GOLDEN_ARGS, '--max-papers', '10'], { timeoutMs: 120_000 });
    expect(p.stdout).toMatch(/Lists show the first 10 papers of \d+ \(--max-papers 10\)/);
    expect(indexTitles(p.stdout)).toHaveLength(10);
  });

  it('SIGTERM mid-run leaves --out and --seen untouched and no temporary files', async () => {
    const sub = join(dir, 'kill');
    mkdirSync(sub);
    const out = join(sub, 'digest.md');
    const state = join(sub, 'seen.jsonl');
    writeFileSync(out, 'old digest\n');
    writeFileSync(state, '{"id":"2401.00001","date":"2025-01-01"}\n');
    const child = spawn(process.execPath, [BIN, 'digest', '-', '--out', out, '--seen', state, '--date', DATE], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    child.stdin.write(seedLines.slice(0, 40).join('\n') + '\n');
    const deadline = Date.now() + 20_000;
    while (readdirSync(sub).length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(readdirSync(sub)).toHaveLength(4);
    const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(readdirSync(sub).sort()).toEqual(['digest.md', 'seen.jsonl']);
    expect(readFileSync(out, 'utf8')).toBe('old digest\n');
    expect(readFileSync(state, 'utf8')).toBe('{"id":"2401.00001","date":"2025-01-01"}\n');
  });
});

describe('examples/github-actions.yml', () => {
  it('its digest step works on two consecutive days', async () => {
    const workflow = YAML.parse(readFileSync(join(ROOT, 'examples', 'github-actions.yml'), 'utf8'));
    const steps = workflow.jobs.digest.steps as Array<{ name?: string; run?: string }>;
    const fetch = steps.find((s) => s.name === "Fetch today's listing")!.run!;
    const build = steps.find((s) => s.name === 'Build the digest')!.run!;
    // Run the steps' shell in a scratch checkout-like folder, with the binary and fixture of this repo.
    const work = join(dir, 'workflow');
    mkdirSync(join(work, 'fixtures'), { recursive: true });
    writeFileSync(join(work, 'fixtures', 'trending-listing.txt'), readFileSync(SEED));
    const script = `set -euo pipefail\n${fetch}\n${build}`.replaceAll('node bin/papers.js', `node ${JSON.stringify(BIN)}`);
    const summary = join(work, 'summary.md');
    const env = { PAPERS_LISTING_URL: '', STATE: '.papers-state/seen.jsonl', GITHUB_STEP_SUMMARY: summary, SOURCE_DATE_EPOCH: '1736899200' };
    const day1 = await runShell(script, { cwd: work, env, timeoutMs: 120_000 });
    expect(day1.code, day1.stderr).toBe(0);
    const md1 = readFileSync(summary, 'utf8');
    expect(md1).toMatch(/^# New papers — 2025-01-15/);
    expect(Buffer.byteLength(md1)).toBeLessThanOrEqual(1_000_000);
    expect(readFileSync(join(work, '.papers-state', 'seen.jsonl'), 'utf8').trim().split('\n').length).toBe(indexTitles(md1).length);
    writeFileSync(summary, '');
    const day2 = await runShell(script, { cwd: work, env: { ...env, SOURCE_DATE_EPOCH: '1736985600' }, timeoutMs: 120_000 });
    expect(day2.code, day2.stderr).toBe(0);
    expect(readFileSync(summary, 'utf8')).toContain('No papers to report.');
  });
});
