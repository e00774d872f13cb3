import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../../src/errors.js';
import { runCleanups } from '../../src/io/cleanup.js';
import { titleId, type Paper } from '../../src/record.js';
import { AtomicFile } from '../../src/report/atomic-file.js';
import { SeenIndex, filterUnseen, formatSeenLine, parseSeenLine, seenLineFor } from '../../src/report/seen.js';

const DAY1 = '2025-01-15';

function indexOf(records: Paper[]): SeenIndex {
  const idx = new SeenIndex();
  for (const r of records) idx.add(parseSeenLine(formatSeenLine(seenLineFor(r, DAY1)), 'state', 1)!);
  return idx;
}

describe('--seen state', () => {
  it('writes stable lines with the keys that identify a paper', () => {
    const r: Paper = { id: '2401.00001', title: 'Graph  Kernels, Revisited!', arxiv_id: '2401.00001v2', doi: 'https://doi.org/10.1145/ABC', duplicates: ['x', 'y'] };
    expect(formatSeenLine(seenLineFor(r, DAY1))).toBe(
      '{"id":"2401.00001","arxiv_id":"2401.00001","doi":"10.1145/abc","title":"graph kernels revisited","duplicates":["x","y"],"date":"2025-01-15"}',
    );
  });

  it('recognises a paper by arXiv id, DOI, stable id, absorbed id or title', () => {
    const idx = indexOf([
      { id: 'a1', title: 'First paper on graph kernels', arxiv_id: '2401.00001' },
      { id: 'doi:10.1145/x', title: 'Second paper about vision models', doi: '10.1145/x' },
      { id: 'own-42', title: 'Third', duplicates: ['old-7'] },
    ]);
    expect(idx.lines).toBe(3);
    expect(idx.has({ id: 'other', title: 'Renamed', arxiv_id: 'arXiv:2401.00001v3' })).toBe(true);
    expect(idx.has({ id: 'other', title: 'Renamed', doi: 'doi:10.1145/X' })).toBe(true);
    expect(idx.has({ id: 'own-42', title: 'Anything' })).toBe(true);
    expect(idx.has({ id: 'new', title: 'x', duplicates: ['old-7'] })).toBe(true);
    expect(idx.has({ id: 'new', title: 'first paper on GRAPH kernels.' })).toBe(true);
    expect(idx.has({ id: 'new', title: 'A brand new paper' })).toBe(false);
  });

  it('does not match on generic short titles, unstable ids, or titles whose ids disagree', () => {
    const intro: Paper = { id: titleId('Introduction'), title: 'Introduction' };
    const idx = indexOf([intro, { id: 'p~2', title: 'Some other long title here', arxiv_id: '2401.00002' }]);
    // "Introduction": one word, and its id is derived from the title.
    expect(idx.has({ id: titleId('Introduction'), title: 'Introduction' })).toBe(false);
    // "~2" ids only mean something inside one output.
    expect(idx.has({ id: 'p~2', title: 'Unrelated' })).toBe(false);
    // Same title, different arXiv id: a different paper.
    expect(idx.has({ id: 'q', title: 'Some other long title here', arxiv_id: '2501.00009' })).toBe(false);
    expect(idx.has({ id: 'q', title: 'Some other long title here' })).toBe(true);
  });

  it('filters in order and counts what it dropped', () => {
    const idx = indexOf([{ id: 's', title: 'Seen before on day one', arxiv_id: '2401.00003' }]);
    const res = filterUnseen(
      [
        { id: 'n1', title: 'New one here today' },
        { id: 's2', title: 'Seen before on day one', duplicates: ['d1', 'd2'] },
        { id: 'n2', title: 'New two here today' },
      ],
      idx,
    );
    expect(res.fresh.map((r) => r.id)).toEqual(['n1', 'n2']);
    expect(res.dropped).toBe(1);
    expect(res.droppedMerged).toBe(2);
  });

  it('rejects a broken line with the file and line', () => {
    expect(() => parseSeenLine('{"id":', 'state.jsonl', 7)).toThrow(DataError);
    expect(() => parseSeenLine('{"id":', 'state.jsonl', 7)).toThrow(/^state\.jsonl:7: not valid JSON/);
    expect(() => parseSeenLine('[1]', 'state.jsonl', 8)).toThrow(/^state\.jsonl:8: not a --seen state line/);
    expect(parseSeenLine('   ', 'state.jsonl', 9)).toBeUndefined();
  });
});

describe('AtomicFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'papers-atomic-'));
  });
  afterEach(() => {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces the target only on commit', async () => {
    const target = join(dir, 'digest.md');
    writeFileSync(target, 'old\n');
    const f = await AtomicFile.open(target);
    expect(existsSync(f.temporaryPath)).toBe(true);
    await f.write('new ');
    await f.write('text\n');
    expect(readFileSync(target, 'utf8')).toBe('old\n');
    await f.commit();
    expect(readFileSync(target, 'utf8')).toBe('new text\n');
    expect(readdirSync(dir)).toEqual(['digest.md']);
  });

  it('abort and interruption cleanups leave the old file and no temporary file', async () => {
    const target = join(dir, 'digest.md');
    writeFileSync(target, 'old\n');
    const a = await AtomicFile.open(target);
    await a.write('half');
    await a.abort();
    expect(readFileSync(target, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['digest.md']);
    const b = await AtomicFile.open(target);
    await b.write('half');
    runCleanups(); // what SIGINT/SIGTERM run before exiting
    expect(readdirSync(dir)).toEqual(['digest.md']);
    expect(readFileSync(target, 'utf8')).toBe('old\n');
  });

  it('can start from a copy of the target (appending to a state file)', async () => {
    const target = join(dir, 'seen.jsonl');
    writeFileSync(target, 'line1\n');
    const f = await AtomicFile.open(target, { copyExisting: true });
    await f.write('line2\n');
    await f.commit();
    expect(readFileSync(target, 'utf8')).toBe('line1\nline2\n');
    const g = await AtomicFile.open(join(dir, 'fresh.jsonl'), { copyExisting: true });
    await g.write('first\n');
    await g.commit();
    expect(readFileSync(join(dir, 'fresh.jsonl'), 'utf8')).toBe('first\n');
  });

  it('fails early with a clear error when the place cannot be written', async () => {
    await expect(AtomicFile.open(join(dir, 'missing', 'x.md'))).rejects.toThrow(/cannot write '.*x\.md': no such directory/);
    mkdirSync(join(dir, 'sub'));
    await expect(AtomicFile.open(join(dir, 'sub'))).rejects.toThrow(/is a directory/);
    if (process.getuid?.() !== 0) {
      chmodSync(dir, 0o555);
      await expect(AtomicFile.open(join(dir, 'x.md'))).rejects.toThrow(/permission denied/);
    }
  });
});
