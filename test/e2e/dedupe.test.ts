// papers dedupe, end to end: pipes, raw inputs, the groups file, counts, flags, and the real DBLP-ACM run.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, jsonl, runCli, runShell, shared } from '../support/cli.js';

const CORPUS = join(FIXTURES, 'dedupe', 'corpus.jsonl');
const made: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'papers-dedupe-e2e-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

interface Group {
  group: number;
  survivor: string;
  members: string[];
  pairs: Array<{ a: string; b: string; rule: string; score: number }>;
}

const readGroups = (file: string): Group[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Group);

describe('papers dedupe', () => {
  it('merges the variant corpus, writes JSONL when piped and counts on stderr', async () => {
    const r = await runCli(['dedupe', CORPUS]);
    expect(r.code).toBe(0);
    const out = jsonl(r.stdout) as Array<{ id: string; duplicates?: string[] }>;
    const entities = out.map((x) => x.id.split('#')[0]);
    expect(new Set(entities).size).toBe(entities.length);
    expect(r.stderr).toMatch(/^papers dedupe: records in 51, out 35, merged 16 \(7 groups\)\n$/m);
    // Conservation: every input id is an output id or in exactly one duplicates list.
    const input = (jsonl(readFileSync(CORPUS, 'utf8')) as Array<{ id: string }>).length;
    const seen = out.flatMap((x) => [x.id, ...(x.duplicates ?? [])]);
    expect(seen).toHaveLength(input);
    expect(new Set(seen).size).toBe(input);
  });

  it('explains every merge in the --groups file', async () => {
    const dir = tmp();
    const groups = join(dir, 'groups.jsonl');
    const r = await runCli(['dedupe', CORPUS, '--groups', groups]);
    expect(r.code).toBe(0);
    const g = readGroups(groups);
    expect(g).toHaveLength(7);
    for (const x of g) {
      expect(x.pairs).toHaveLength(x.members.length - 1);
      expect(x.members).toContain(x.survivor);
      for (const p of x.pairs) expect(['doi', 'arxiv', 'id', 'title', 'near_title', 'title_prefix', 'text']).toContain(p.rule);
    }
    expect(g.map((x) => x.group)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(readdirSync(dir)).toEqual(['groups.jsonl']); // no temporary file left behind
  });

  it('gives the same bytes on every run', async () => {
    const a = await runCli(['dedupe', CORPUS]);
    const b = await runCli(['dedupe', CORPUS]);
    expect(a.stdout).toBe(b.stdout);
  });

  it('works in a pipe after parse, and on its own output finds nothing more', async () => {
    const r = await runShell(`node ${BIN} parse ${CORPUS} | node ${BIN} dedupe --quiet | node ${BIN} dedupe`);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/records in 35, out 35, merged 0 \(0 groups\)/);
  });

  it('reads raw files directly: a CSV export with a repeated paper', async () => {
    const dir = tmp();
    const csv = join(dir, 'export.csv');
    writeFileSync(
      csv,
      'title,authors,year,abstract\n' +
        '"Learning to Walk on Sand and Snow","Greta Holm; Daniel Osei",2022,"We train a locomotion policy for deformable terrain."\n' +
        '"Noise-Aware Optical Flow for Night Driving","José Ortega",2020,\n' +
        '"LEARNING TO WALK ON SAND AND SNOW.","G. Holm; D. Osei",2022,\n',
    );
    const r = await runCli(['dedupe', csv, '--format', 'jsonl']);
    expect(r.code).toBe(0);
    const out = jsonl(r.stdout) as Array<{ title: string; duplicates?: string[] }>;
    expect(out).toHaveLength(2);
    expect(out[0].title).toBe('Learning to Walk on Sand and Snow');
    expect(out[0].duplicates).toHaveLength(1);
  });

  it('shows a table of merged groups when asked for a table', async () => {
    const r = await runCli(['dedupe', CORPUS, '--format', 'table'], { env: { COLUMNS: '120' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kept .* title .* absorbed .* matched by/);
    expect(r.stdout).toContain('sparse#arxiv-v1');
    const none = await runCli(['dedupe', '--format', 'table'], { input: '{"id":"a","title":"One"}\n{"id":"b","title":"Two"}\n' });
    expect(none.stdout).toBe('No duplicates among 2 records.\n');
  });

  it('spools a large input to disk and loses nothing', async () => {
    const dir = tmp();
    const file = join(dir, 'many.jsonl');
    const lines: string[] = [];
    // 21,000 records (past the 20,000 kept in memory); every 100th repeats an earlier title and authors.
    for (let i = 0; i < 21_000; i++) {
      const k = i % 100 === 99 ? i - 50 : i;
      lines.push(JSON.stringify({ id: `r${i}`, title: `Study ${k} of sparse ${k % 7 === 0 ? 'graphs' : 'matrices'} number ${k * 7919}`, authors: [`Author${k} Name${k}`], year: 2000 + (k % 20) }));
    }
    writeFileSync(file, lines.join('\n') + '\n');
    const before = readdirSync(tmpdir()).filter((n) => /^papers-spool-/.test(n)).length;
    const r = await runCli(['dedupe', file], { timeoutMs: 300_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/records in 21000, out 20790, merged 210 \(210 groups\)/);
    const out = jsonl(r.stdout) as Array<{ id: string; duplicates?: string[] }>;
    const ids = out.flatMap((x) => [x.id, ...(x.duplicates ?? [])]);
    expect(new Set(ids).size).toBe(21_000);
    expect(ids).toHaveLength(21_000);
    expect(readdirSync(tmpdir()).filter((n) => /^papers-spool-/.test(n)).length).toBeLessThanOrEqual(before);
  }, 300_000);

  it('rejects bad threshold values with exit 2', async () => {
    const r = await runCli(['dedupe', CORPUS, '--near-title', '1.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--near-title expects a number from 0 to 1, got '1.5'/);
    expect(r.stdout).toBe('');
  });

  it('names file and line of a bad JSONL line and exits 1', async () => {
    const dir = tmp();
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"id":"a","title":"A"}\n{"id":"b",\n');
    const r = await runCli(['dedupe', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${file}:2: not valid JSON`));
  });

  it('leaves no groups file when the run fails', async () => {
    const dir = tmp();
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"id":"a","title":"A"}\n{oops\n');
    const r = await runCli(['dedupe', file, '--groups', join(dir, 'groups.jsonl')]);
    expect(r.code).toBe(1);
    expect(readdirSync(dir)).toEqual(['bad.jsonl']);
  });
});

const DBLP = shared('dblp-acm', 'dblp.csv');
const ACM = shared('dblp-acm', 'acm.csv');
describe.skipIf(!existsSync(DBLP))('papers dedupe on DBLP-ACM (raw % separated files)', () => {
  it('merges the two sources with F1 >= 0.97 and explains every merge', async () => {
    const dir = tmp();
    const groups = join(dir, 'groups.jsonl');
    const r = await runCli(['dedupe', DBLP, ACM, '--groups', groups, '--format', 'jsonl']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/records in 4910, out \d+, merged \d+/);
    // parse keeps the row ids; the second file's repeated ids get "~2".
    const truth = new Set(
      readFileSync(shared('dblp-acm', 'gt.csv'), 'utf8')
        .split(/\r?\n/)
        .slice(1)
        .filter(Boolean)
        .map((l) => {
          const [d, a] = l.split('%');
          return `${d}|${a}~2`;
        }),
    );
    let predicted = 0;
    let correct = 0;
    for (const g of readGroups(groups)) {
      expect(g.pairs).toHaveLength(g.members.length - 1);
      for (let x = 0; x < g.members.length; x++) {
        for (let y = x + 1; y < g.members.length; y++) {
          predicted++;
          const [a, b] = [g.members[x], g.members[y]];
          if (truth.has(`${a}|${b}`) || truth.has(`${b}|${a}`)) correct++;
        }
      }
    }
    const precision = correct / predicted;
    const recall = correct / truth.size;
    expect((2 * precision * recall) / (precision + recall)).toBeGreaterThanOrEqual(0.97);
  });
});
