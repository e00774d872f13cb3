// The real binary, end to end: streams, exit codes, messages, and the traps of a Unix tool.
import { mkdtempSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, SEED, jsonl, runCli, runShell } from '../support/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'papers-e2e-'));

describe('papers parse, end to end', () => {
  it('parses the seed listing to 119 JSONL records and reports on stderr', async () => {
    const r = await runCli(['parse', SEED]);
    expect(r.code).toBe(0);
    const records = jsonl(r.stdout);
    expect(records).toHaveLength(119);
    expect(r.stderr).toMatch(/read 119 records from .*trending-listing\.txt \(listing\)/);
  });

  it('writes JSON as the very first byte when piped', async () => {
    const r = await runShell(`node ${BIN} parse ${SEED} | head -c1`);
    expect(r.stdout).toBe('{');
  });

  it('ends quietly with exit 0 when the reader closes the pipe early', async () => {
    const r = await runShell(`cat ${SEED} ${SEED} ${SEED} ${SEED} | node ${BIN} parse | head -1 > /dev/null; echo "status=\${PIPESTATUS[1]}"`);
    expect(r.stdout.trim()).toBe('status=0');
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
  });

  it('ignores an unrelated .env in the working folder', async () => {
    const dir = tmp();
    writeFileSync(join(dir, '.env'), 'NO_COLOR=\nFORCE_COLOR=3\nPAPERS_DEBUG=1\nfoo=bar\n');
    const withEnv = await runCli(['parse', SEED], { cwd: dir });
    const without = await runCli(['parse', SEED]);
    expect(withEnv.code).toBe(0);
    expect(withEnv.stdout).toBe(without.stdout);
    expect(withEnv.stdout.startsWith('{')).toBe(true);
  });

  it('names file and line of a bad JSONL line and exits 1', async () => {
    const dir = tmp();
    const file = join(dir, 'data.jsonl');
    writeFileSync(file, '{"title":"a"}\n'.repeat(16) + '{"title": "b",}\n{"title":"c"}\n');
    const r = await runCli(['parse', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`papers parse: ${file}:17: not valid JSON: expected a key, got "}" at column 15`);
    expect(jsonl(r.stdout)).toHaveLength(16); // nothing before the bad line is lost
  });

  it('skips bad lines with --skip-invalid and says how many', async () => {
    const r = await runCli(['parse', '--skip-invalid'], { input: '{"title":"a"}\n{oops\n{"title":"b"}\n' });
    expect(r.code).toBe(0);
    expect(jsonl(r.stdout)).toHaveLength(2);
    expect(r.stderr).toMatch(/read 2 records from stdin \(jsonl\); skipped 1 not valid JSON/);
  });

  it('reads stdin when no file or "-" is given', async () => {
    const viaDash = await runCli(['parse', '-'], { input: 'title,abstract\nT,A\n' });
    const viaNone = await runCli(['parse'], { input: 'title,abstract\nT,A\n' });
    expect(jsonl(viaDash.stdout)[0]).toMatchObject({ title: 'T', abstract: 'A', source: { path: 'stdin', line: 2 } });
    expect(viaNone.stdout).toBe(viaDash.stdout);
  });

  it('exits 0 with no output for empty input', async () => {
    const r = await runCli(['parse'], { input: '' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('gives one-line errors for missing files, directories without files, and unknown formats', async () => {
    const missing = await runCli(['parse', 'no-such-file.txt']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("papers parse: cannot open 'no-such-file.txt': no such file\n");
    const dir = tmp();
    mkdirSync(join(dir, 'empty'));
    const empty = await runCli(['parse', join(dir, 'empty')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/directory has no files/);
    const unknown = await runCli(['parse'], { input: 'just a short line\n' });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^papers parse: stdin: cannot tell what format this is: expected .*listing/);
    expect(unknown.stdout).toBe('');
  });

  it('reads a directory: its files in name order, skipping (with a warning) files of no known format', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'README.txt'), 'Notes about this folder.\n');
    writeFileSync(join(dir, 'b.csv'), 'title,abstract\nSecond,B\n');
    writeFileSync(join(dir, 'a.jsonl'), '{"title":"First"}\n');
    const r = await runCli(['parse', dir]);
    expect(r.code).toBe(0);
    expect(jsonl(r.stdout).map((x) => x.title)).toEqual(['First', 'Second']);
    expect(r.stderr).toMatch(/warning: .*README\.txt: not a format papers reads; skipped/);
    // named explicitly, the same file is an error
    const named = await runCli(['parse', join(dir, 'README.txt')]);
    expect(named.code).toBe(1);
  });

  it('refuses unreadable files with a clear message', async () => {
    if (process.getuid?.() === 0) return; // root reads everything; nothing to check
    const dir = tmp();
    const file = join(dir, 'secret.txt');
    writeFileSync(file, 'x');
    chmodSync(file, 0o000);
    const r = await runCli(['parse', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/permission denied/);
  });

  it('treats bad usage as exit 2', async () => {
    const r = await runCli(['parse', '--no-such-option', SEED]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^papers parse: unknown option '--no-such-option'/);
    const badFormat = await runCli(['parse', '--format', 'xml', SEED]);
    expect(badFormat.code).toBe(2);
    const badFrom = await runCli(['parse', '--from', 'nope', SEED]);
    expect(badFrom.code).toBe(2);
    expect(badFrom.stderr).toMatch(/unknown format 'nope'/);
    const unknownCommand = await runCli(['frobnicate']);
    expect(unknownCommand.code).toBe(2);
  });

  it('prints help with examples and exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:/);
    expect(r.stdout).toMatch(/parse/);
    const sub = await runCli(['parse', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/Examples:/);
    expect(sub.stdout).toMatch(/listing/);
  });

  it('prints the version', async () => {
    const r = await runCli(['--version']);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('writes a table, CSV or Markdown when asked, whatever stdout is', async () => {
    const table = await runCli(['parse', SEED, '--format', 'table']);
    expect(table.stdout).toMatch(/Fisher Information Embedding/);
    expect(table.stdout).not.toMatch(/\x1b\[/); // NO_COLOR
    const csv = await runCli(['parse', SEED, '--format', 'csv']);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^id,title,authors,/);
    const md = await runCli(['parse', SEED, '--format', 'md']);
    expect(md.stdout.split('\n')[0]).toMatch(/^\| id \| title \|/);
    expect(md.stdout.trim().split('\n')).toHaveLength(121);
  });

  it('is deterministic: the same input gives the same bytes', async () => {
    const a = await runCli(['parse', SEED]);
    const b = await runCli(['parse', SEED]);
    expect(a.stdout).toBe(b.stdout);
  });

  it('validates its own output against the schema, and flags bad records', async () => {
    const ok = await runShell(`node ${BIN} parse -q ${SEED} | node ${BIN} validate`);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/119 records valid/);
    const bad = await runCli(['validate'], { input: '{"id":"a","title":1}\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^papers validate: stdin:1: \/title: must be string/);
  });
});
