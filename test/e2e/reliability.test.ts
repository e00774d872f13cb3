// Broken, hostile and faulty input through the real binary: each case has a documented outcome
// (README, "Reliability"). Stage-specific cases live beside each stage's tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, SEED, jsonl, runCli, runShell } from '../support/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'papers-rel-'));

describe('broken input', () => {
  it('invalid UTF-8 becomes U+FFFD with one warning naming the input', async () => {
    const r = await runCli(['parse'], { input: Buffer.from('title,abstract\n"caf\xe9 \xff",x\n', 'latin1') });
    expect(r.code).toBe(0);
    expect(jsonl(r.stdout)[0].title).toBe('caf\uFFFD \uFFFD');
    expect(r.stderr).toMatch(/warning: stdin: bytes that are not valid text were replaced with U\+FFFD/);
  });

  it('binary data is refused, naming the file', async () => {
    const dir = tmp();
    const file = join(dir, 'blob.bin');
    writeFileSync(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3, 0, 0, 0]));
    const r = await runCli(['parse', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`papers parse: ${file}: binary data, not text (expected a listing, CSV, JSON or JSONL)\n`);
  });

  it('UTF-16 with a BOM is decoded; a UTF-8 BOM is dropped', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('title\tabstract\nT\u00e9\tA\n', 'utf16le')]);
    const r = await runCli(['parse'], { input: utf16 });
    expect(jsonl(r.stdout)[0]).toMatchObject({ title: 'T\u00e9', abstract: 'A' });
    const bom = await runCli(['parse'], { input: '\uFEFF{"title":"x"}\n' });
    expect(jsonl(bom.stdout)[0].title).toBe('x');
  });

  it('a multibyte character split across a read-chunk boundary comes out intact', async () => {
    const dir = tmp();
    const file = join(dir, 'boundary.jsonl');
    // The emoji's four bytes straddle the 1 MiB read size.
    const prefix = '{"title":"';
    const pad = 'a'.repeat((1 << 20) - prefix.length - 2);
    writeFileSync(file, `${prefix}${pad}\u{1F600}\u00e9"}\n`);
    const r = await runCli(['parse', file]);
    expect(r.code).toBe(0);
    expect(String(jsonl(r.stdout)[0].title).endsWith('a\u{1F600}\u00e9')).toBe(true);
    expect(r.stderr).not.toMatch(/U\+FFFD/);
  });

  it('a single 50 MB line is read (no limit short of memory)', async () => {
    const dir = tmp();
    const file = join(dir, 'big.jsonl');
    writeFileSync(file, JSON.stringify({ title: 'big', abstract: 'word '.repeat(10_000_000) }) + '\n');
    const r = await runShell(`node ${BIN} parse ${file} | wc -c`);
    expect(r.stderr).toMatch(/read 1 record/);
    expect(Number(r.stdout.trim())).toBeGreaterThan(49_000_000);
  });

  it('a truncated last line is reported with its line number; records before it are kept', async () => {
    const r = await runCli(['parse'], { input: '{"title":"a"}\n{"title":"b"}\n{"title":"c' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('papers parse: stdin:3: not valid JSON: unterminated string at column 12');
    expect(jsonl(r.stdout).map((x) => x.title)).toEqual(['a', 'b']);
  });

  it('JSON nested a million levels deep is a clean error, not a crash', async () => {
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    const r = await runCli(['parse', '--from', 'json'], { input: deep });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('papers parse: stdin:1: expected a JSON object, got an array\n');
    const inField = '{"title":"x","deep":' + '['.repeat(1_000_000) + ']'.repeat(1_000_000) + '}\n';
    const r2 = await runCli(['parse'], { input: inField });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toBe('papers parse: stdin:1: record nested deeper than 512 levels\n');
  });

  it('a record nested deeper than 512 levels is refused the same way on one thread and on workers', async () => {
    const nested = (levels: number): string => '{"title":"x","deep":' + '['.repeat(levels - 1) + '1' + ']'.repeat(levels - 1) + '}\n';
    for (const jobs of ['1', '2']) {
      const ok = await runCli(['parse', '--jobs', jobs, '-q'], { input: nested(512) });
      expect(ok.code, ok.stderr).toBe(0);
      expect(jsonl(ok.stdout)).toHaveLength(1);
      // 5,000 levels: once written by a worker (bigger stack) but not by the main thread.
      for (const levels of [513, 5000]) {
        const bad = await runCli(['parse', '--jobs', jobs], { input: '{"title":"before"}\n' + nested(levels) });
        expect(bad.code).toBe(1);
        expect(bad.stderr).toBe('papers parse: stdin:2: record nested deeper than 512 levels\n');
        expect(jsonl(bad.stdout).map((x) => x.title)).toEqual(['before']);
      }
      const skipped = await runCli(['parse', '--jobs', jobs, '--skip-invalid'], { input: nested(600) + '{"title":"after"}\n' });
      expect(skipped.code).toBe(0);
      expect(jsonl(skipped.stdout).map((x) => x.title)).toEqual(['after']);
    }
  });

  it('a CSV with an unbalanced quote names the line', async () => {
    const r = await runCli(['parse'], { input: 'title,abstract\nok,fine\n"never closed,x\nmore,rows\n' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('papers parse: stdin:3: a quoted field is never closed');
    expect(jsonl(r.stdout)).toHaveLength(1);
  });

  it('no stack trace unless PAPERS_DEBUG asks for one', async () => {
    const quiet = await runCli(['parse', 'missing.txt']);
    expect(quiet.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const debug = await runCli(['parse', 'missing.txt'], { env: { PAPERS_DEBUG: '1' } });
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});

describe('faults', () => {
  it('a terminal on stdin with no file gives a usage hint and exit 2 instead of hanging', async () => {
    // `script` gives the child a real terminal as stdin.
    const r = await runShell(`script -qec "node ${BIN} parse" /dev/null < /dev/null; echo "status=$?"`, { timeoutMs: 20_000 });
    expect(r.stdout).toMatch(/no input: name a file, or pipe records in/);
    expect(r.stdout).toMatch(/status=2/);
  });

  it('SIGINT mid-run exits 130 with no half-written line', async () => {
    const child = spawn(process.execPath, [BIN, 'parse', '-q'], { env: { ...process.env, NO_COLOR: '1' } });
    const seed = readFileSync(SEED);
    let feeding = true;
    child.stdin.on('error', () => {
      feeding = false;
    });
    const feed = () => {
      while (feeding && child.stdin.write(seed)) {
        /* fill until backpressure */
      }
      if (feeding) child.stdin.once('drain', feed);
    };
    feed();
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    feeding = false;
    expect(code).toBe(130);
    const out = Buffer.concat(chunks).toString('utf8');
    expect(out.length).toBeGreaterThan(0);
    // Output is written in whole records: every line but a possibly unterminated last one parses.
    const lines = out.split('\n');
    for (const l of lines.slice(0, -1)) expect(() => JSON.parse(l)).not.toThrow();
  });

  it('a slow reader slows papers down instead of filling memory (backpressure)', async () => {
    // 40 copies of the seed through a reader that sleeps: papers must wait, and finish correctly.
    const r = await runShell(
      `for i in $(seq 40); do cat ${SEED}; done | node ${BIN} parse -q | (sleep 1; wc -l)`,
      { timeoutMs: 60_000 },
    );
    expect(r.stdout.trim()).toBe(String(119 * 40));
  });
});
