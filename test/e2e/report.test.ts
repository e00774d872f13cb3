// End to end: the real binary on the seed listing and on hostile records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { BIN, ROOT, SEED, jsonl, runCli, runShell } from '../support/cli.js';
import { nodesOfType, parseMarkdown, textOf } from '../unit/markdown-ast.js';

const DATE = '2025-01-15';
let dir: string;
let parsed: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'papers-report-e2e-'));
  const r = await runCli(['parse', SEED, '-q']);
  expect(r.code).toBe(0);
  parsed = join(dir, 'parsed.jsonl');
  writeFileSync(parsed, r.stdout);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOSTILE = [
  { id: 'x1', title: 'a|b|c <script>alert(1)</script>', tags: ['vision'], cluster: 0, cluster_label: '# heading', code_urls: ['javascript:alert(1)'] },
  { id: 'x2', title: '\u001b]0;pwned\u0007\u001b[2J[x](javascript:alert(1)) @someone #123', tags: ['a|b'], cluster: 0, cluster_label: '# heading' },
  { id: 'x3', title: '- list\n# heading\\', tags: [], cluster: 1, cluster_label: '<img src=x onerror=alert(1)>', duplicates: ['`dup`'] },
];

describe('papers report', () => {
  it('writes Markdown when piped: the seed listing, one index row per paper', async () => {
    const r = await runCli(['report', parsed, '--date', DATE]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const root = parseMarkdown(r.stdout);
    expect(textOf(nodesOfType(root, 'heading')[0])).toBe(`Papers digest — ${DATE}`);
    expect(nodesOfType(root, 'table').at(-1)!.children).toHaveLength(120);
    expect(r.stdout).toContain('**119 papers** read from `');
  });

  it('reads raw input directly and from stdin, with the same result', async () => {
    const direct = await runCli(['report', SEED, '--date', DATE]);
    const piped = await runShell(`$PAPERS parse ${JSON.stringify(SEED)} -q | $PAPERS report --date ${DATE}`);
    expect(direct.code).toBe(0);
    expect(piped.stdout).toBe(direct.stdout);
  });

  it('takes the date from SOURCE_DATE_EPOCH, and --date wins', async () => {
    const r = await runCli(['report', parsed, '--format', 'json'], { env: { SOURCE_DATE_EPOCH: '1736899200' } });
    expect(JSON.parse(r.stdout).date).toBe('2025-01-15');
    const w = await runCli(['report', parsed, '--format', 'json', '--date', '2024-02-29'], { env: { SOURCE_DATE_EPOCH: '1736899200' } });
    expect(JSON.parse(w.stdout).date).toBe('2024-02-29');
  });

  it('CSV has one row per paper; JSON has the figures', async () => {
    const csv = await runCli(['report', parsed, '--format', 'csv', '--date', DATE]);
    expect(csv.code).toBe(0);
    const rows = Papa.parse<string[]>(csv.stdout, { skipEmptyLines: true }).data;
    expect(rows).toHaveLength(120);
    expect(rows[0].slice(0, 3)).toEqual(['rank', 'id', 'title']);
    const json = JSON.parse((await runCli(['report', parsed, '--format', 'json', '--date', DATE])).stdout);
    expect(json.papers).toBe(119);
    expect(json.with_code).toBe(jsonl(readFileSync(parsed, 'utf8')).filter((p) => (p.code_urls as string[]).length > 0).length);
  });

  it('keeps hostile records inert in Markdown and on a terminal', async () => {
    const input = HOSTILE.map((h) => JSON.stringify(h)).join('\n') + '\n';
    const md = await runCli(['report', '--date', DATE], { input });
    expect(md.code).toBe(0);
    const root = parseMarkdown(md.stdout);
    for (const h of nodesOfType(root, 'html')) for (const line of h.value!.split('\n')) expect(line).toMatch(/^(<details>|<\/details>|<summary>[^<>]*<\/summary>)$/);
    for (const l of nodesOfType(root, 'link')) expect(l.url).toMatch(/^https:\/\//);
    expect(nodesOfType(root, 'image')).toHaveLength(0);
    expect(nodesOfType(root, 'heading').filter((h) => h.depth === 1)).toHaveLength(1);
    expect(nodesOfType(root, 'table').at(-1)!.children).toHaveLength(4);
    for (const row of nodesOfType(root, 'table').at(-1)!.children!) expect(row.children).toHaveLength(5);
    expect(md.stdout).not.toMatch(/\u001b/);
    const table = await runCli(['report', '--date', DATE, '--format', 'table'], { input });
    expect(table.code).toBe(0);
    expect(table.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(table.stdout).toContain('Topics');
  });

  it('shows a table on a terminal by default', () => {
    // `script` gives the command a pseudo-terminal.
    const cmd = `stty cols 100; ${process.execPath} ${BIN} report ${parsed} --date ${DATE}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', TERM: 'xterm' }, encoding: 'utf8' });
    if (r.error) return; // no `script` here
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('┌');
    expect(r.stdout).toContain('119 papers');
    for (const line of r.stdout.split(/\r?\n/)) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('rejects bad options with exit 2', async () => {
    for (const args of [['--date', '2025-02-30'], ['--date', 'today'], ['--max-papers', '-1'], ['--max-bytes', '0'], ['--format', 'pdf'], ['--format', 'csv', '--max-papers', '3'], ['--max-bytes', '200']]) {
      const r = await runCli(['report', parsed, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^papers report: /);
      expect(r.stdout).toBe('');
    }
    const bad = await runCli(['report', parsed], { env: { SOURCE_DATE_EPOCH: 'yesterday' } });
    expect(bad.code).toBe(2);
  });

  it('--max-bytes keeps the Markdown within budget and says so', async () => {
    const r = await runCli(['report', parsed, '--date', DATE, '--max-bytes', '8000']);
    expect(r.code).toBe(0);
    expect(Buffer.byteLength(r.stdout)).toBeLessThanOrEqual(8000);
    expect(r.stdout).toContain('The full index was left out to stay within --max-bytes 8000.');
    const tight = await runCli(['report', parsed, '--date', DATE, '--max-bytes', '4000']);
    expect(Buffer.byteLength(tight.stdout)).toBeLessThanOrEqual(4000);
    expect(tight.stdout).toMatch(/Lists show the first \d+ papers of 119 \(--max-bytes 4000\)/);
  });
});

describe('papers report --out', () => {
  it('replaces the file atomically and leaves nothing else', async () => {
    const out = join(dir, 'out1', 'digest.md');
    rmSync(join(dir, 'out1'), { recursive: true, force: true });
    spawnSync('mkdir', ['-p', join(dir, 'out1')]);
    writeFileSync(out, 'old digest\n');
    const r = await runCli(['report', parsed, '--date', DATE, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const plain = await runCli(['report', parsed, '--date', DATE]);
    expect(readFileSync(out, 'utf8')).toBe(plain.stdout);
    expect(readdirSync(join(dir, 'out1'))).toEqual(['digest.md']);
  });

  it('a failed run leaves the old file and no temporary file', async () => {
    const sub = join(dir, 'out2');
    spawnSync('mkdir', ['-p', sub]);
    const out = join(sub, 'digest.md');
    writeFileSync(out, 'old digest\n');
    const r = await runCli(['report', '--out', out], { input: '{"id":"a","title":"ok"}\n{"id": broken\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stdin:2: not valid JSON/);
    expect(readFileSync(out, 'utf8')).toBe('old digest\n');
    expect(readdirSync(sub)).toEqual(['digest.md']);
  });

  it('an unwritable place fails with exit 1 before reading input', async () => {
    const r = await runCli(['report', parsed, '--out', join(dir, 'no', 'such', 'dir', 'x.md')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/papers report: cannot write '.*x\.md': no such directory/);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s in the middle of a run leaves the old file and no temporary file', async (signal, code) => {
    const sub = join(dir, `kill-${signal}`);
    spawnSync('mkdir', ['-p', sub]);
    const out = join(sub, 'digest.md');
    writeFileSync(out, 'old digest\n');
    const child = spawn(process.execPath, [BIN, 'report', '-', '--out', out, '--date', DATE], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    // Half the input arrives; the rest never does while we wait.
    child.stdin.write(readFileSync(parsed, 'utf8').split('\n').slice(0, 50).join('\n') + '\n');
    const deadline = Date.now() + 20_000;
    while (readdirSync(sub).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(readdirSync(sub).length).toBe(2); // the temporary file exists while the run is under way
    const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    child.kill(signal);
    expect(await exited).toBe(code);
    expect(readdirSync(sub)).toEqual(['digest.md']);
    expect(readFileSync(out, 'utf8')).toBe('old digest\n');
    expect(existsSync(out)).toBe(true);
  });
});
