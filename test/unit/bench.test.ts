// The benchmark's own parts: the seeded corpus generator and the results table.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SOURCE, loadPools, writeCorpus } from '../../scripts/bench/make-corpus.js';
import { DIGEST, FLOOR, PEER, formatMarkdown, judgeGoals, type BenchResults } from '../../scripts/bench/format.js';

const dir = mkdtempSync(join(tmpdir(), 'papers-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A small source in the arxiv-cs-2016 layout, so the generator is tested without ../shared.
function writeSource(): string {
  const path = join(dir, 'source.jsonl');
  const lines: string[] = [];
  const cats = ['cs.CV', 'cs.CL', 'quant-ph'];
  for (let i = 0; i < 30; i++) {
    const c = cats[i % 3];
    lines.push(
      JSON.stringify({
        primary_category: c,
        categories: [c, 'cs.LG'],
        // Every sentence and both ends of every title carry the category, so mixing across categories would show.
        title: `${c} paper ${i} about\n  topic ${i * 7} ${c}`,
        abstract: `  We study thing ${i} (${c}).\nIt has property ${i % 5} (${c}). Results hold for n = ${i} (${c})! Does it scale (${c})? Yes, to ${i * 10} items (${c}).\n`,
        authors: [`Author ${i}`, `Author ${(i + 1) % 30}`],
        created: `${2000 + (i % 16)}-01-0${1 + (i % 9)}`,
      }),
    );
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('make-corpus', () => {
  const source = writeSource();

  it('writes the same bytes for the same seed, other bytes for another seed', async () => {
    const pools = await loadPools(source);
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    const c = join(dir, 'c.jsonl');
    const sa = await writeCorpus({ records: 500, seed: 7, out: a, pools });
    await writeCorpus({ records: 500, seed: 7, out: b, source });
    await writeCorpus({ records: 500, seed: 8, out: c, pools });
    const ba = readFileSync(a);
    expect(ba.length).toBe(sa.bytes);
    expect(ba.equals(readFileSync(b))).toBe(true);
    expect(ba.equals(readFileSync(c))).toBe(false);
  });

  it('makes records with the parsed-record fields, mixed within one category, a smaller N being a prefix', async () => {
    const pools = await loadPools(source);
    const big = join(dir, 'big.jsonl');
    const small = join(dir, 'small.jsonl');
    await writeCorpus({ records: 400, seed: 3, out: big, pools });
    await writeCorpus({ records: 100, seed: 3, out: small, pools });
    const lines = readFileSync(big, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(400);
    expect(lines.slice(0, 100).join('\n') + '\n').toBe(readFileSync(small, 'utf8'));
    const ids = new Set<string>();
    for (const line of lines) {
      const r = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(r)).toEqual(['id', 'title', 'abstract', 'authors', 'categories', 'year']);
      ids.add(r.id as string);
      const primary = (r.categories as string[])[0];
      const abstract = r.abstract as string;
      const title = r.title as string;
      expect(abstract).not.toMatch(/\s{2}|\n/);
      const marks = [...abstract.matchAll(/\((\S+?)\)[.!?]/g)].map((m) => m[1]);
      expect(marks.length).toBeGreaterThan(0);
      expect(new Set(marks)).toEqual(new Set([primary]));
      // Near-duplicates re-type the title (other case, a trailing period).
      const folded = title.toLowerCase().replace(/\.$/, '');
      expect(folded.startsWith(`${primary.toLowerCase()} `) && folded.endsWith(` ${primary.toLowerCase()}`)).toBe(true);
      expect(r.year).toBeGreaterThanOrEqual(2000);
    }
    expect(ids.size).toBe(400);
  });

  describe.skipIf(!existsSync(DEFAULT_SOURCE))('on the real arxiv-cs-2016 abstracts', () => {
    it('keeps record sizes near the real ones (about 1.15 KB) and injects a few near-duplicates', async () => {
      const out = join(dir, 'real.jsonl');
      const s = await writeCorpus({ records: 2000, seed: 1, out });
      expect(s.sourceRecords).toBe(9600);
      const perRecord = s.bytes / s.records;
      expect(perRecord).toBeGreaterThan(1000);
      expect(perRecord).toBeLessThan(1400);
      const titles = readFileSync(out, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { title: string }).title.toLowerCase().replace(/\.$/, ''));
      const repeated = titles.length - new Set(titles).size;
      // 1% duplicates by default, two thirds of them with the same folded title.
      expect(repeated).toBeGreaterThan(2);
      expect(repeated).toBeLessThan(60);
    });
  });
});

function fakeResults(): BenchResults {
  const row = (name: string, kind: BenchResults['rows'][number]['kind'], records: number, wallS: number, rssMb = 100, cpuS = wallS * 1.5) => ({
    name,
    kind,
    records,
    bytes: records * 1200,
    status: 'ok' as const,
    wallS,
    cpuS,
    peakRssKb: rssMb * 1024,
  });
  return {
    startedAt: '2026-01-02T03:04:05.000Z',
    finishedAt: '2026-01-02T04:04:05.000Z',
    machine: { cpus: 2, cpuModel: 'Test CPU', memoryGb: 24, node: 'v20.0.0', os: 'Linux 6', loadAverageAtStart: [1, 0.5, 0.25] },
    sizes: [1000, 10000],
    seed: 1,
    rows: [
      row(FLOOR, 'floor', 1000, 1),
      row('parse', 'per-record', 1000, 1.6),
      { name: 'tag --model', kind: 'per-record', records: 1000, bytes: 1_200_000, status: 'not available', note: '`papers tag` has no --model' },
      row(DIGEST, 'pipeline', 1000, 5),
      row(PEER, 'peer', 1000, 10),
      row(FLOOR, 'floor', 10000, 10),
      row('parse', 'per-record', 10000, 25),
      { name: 'tag --model', kind: 'per-record', records: 10000, bytes: 12_000_000, status: 'not available', note: '`papers tag` has no --model' },
      row(DIGEST, 'pipeline', 10000, 120, 3000, 90),
      row(PEER, 'peer', 10000, 100),
    ],
    startup: { runs: 20, tool: 'spawnSync', status: 'ok', papersVersionMs: 60, nodeMs: 50 },
  };
}

describe('results table', () => {
  it('prints figures, ratios and the goals met or not', () => {
    const md = formatMarkdown(fakeResults());
    expect(md).toContain('Machine: 2 cores (Test CPU), 24 GB memory, Node v20.0.0');
    // parse at 10k: 10,000 / 25 s = 400 records/s, 12 MB / 25 s = 0.5 MB/s, floor 10 s / 25 s = 0.40x.
    expect(md).toContain('| parse | 10,000 | 25.0 | 37.5 | 400 | 0.5 | 100 | 0.40x |  |');
    expect(md).toContain('| digest | 10,000 | 120 | 90.0 | 83 | 0.1 | 3,000 | 0.08x | 1.20x time |');
    expect(md).toContain('| tag --model | 1,000 | not available: `papers tag` has no --model |');
    // Scaling table: parse 1.6 s -> 25 s is 15.6x over 10x the records.
    expect(md).toContain('| parse | 1.60 | 25.0 | 15.6 |');
    expect(md).toContain('| tag --model | n/a | n/a |  |');
    expect(md).toContain('Startup (spawnSync, median of 20): `papers --version` 60.0 ms, `node -e 0` 50.0 ms.');
  });

  it('judges each goal on the largest size', () => {
    const goals = new Map(judgeGoals(fakeResults()).map((g) => [g.goal, g]));
    expect(goals.get("digest wall time < peer's at 10k")).toMatchObject({ met: false, measured: '120 s vs 100 s (1.20x) (CPU time: 0.60x)' });
    expect(goals.get('digest peak RSS <= 2 GB at 10k')).toMatchObject({ met: false, measured: '3,000 MB' });
    expect(goals.get('parse throughput >= 50% of floor at 10k')).toMatchObject({ met: false, measured: '40% (CPU time: 40%)' });
    expect(goals.get('tag --model throughput >= 50% of floor at 10k')).toMatchObject({ met: undefined });
    expect(goals.get('parse: t(10k) / t(1k) <= 11.0')).toMatchObject({ met: false, measured: '15.6 (CPU time: 15.6)' });
    // CPU: 90 s / 7.5 s = 12.0.
    expect(goals.get('digest: t(10k) / t(1k) <= 11.0')).toMatchObject({ met: false, measured: '24.0 (CPU time: 12.0)' });
    expect(goals.get('`papers --version` within 1.5x of `node -e 0`')).toMatchObject({ met: true });
  });

  it('escapes pipes in notes so a failure message cannot break the table', () => {
    const res = fakeResults();
    res.rows.push({ name: 'report', kind: 'corpus', records: 1000, bytes: 1, status: 'failed', note: 'exit 1: a | b\nc' });
    expect(formatMarkdown(res)).toContain('| report | 1,000 | failed: exit 1: a \\| b c |');
  });
});
