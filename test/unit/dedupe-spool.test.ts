// The dedupe command's record spool and flag parsing (the parts of the adapter that are not the stage).
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { dedupeOptionsFromFlags } from '../../src/cli/commands/dedupe.js';
import { RecordSpool } from '../../src/io/spool.js';
import type { Paper } from '../../src/record.js';

const spoolDirs = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('papers-spool-')));

async function collect(spool: RecordSpool, wanted?: (i: number) => boolean): Promise<Array<[number, Paper | undefined]>> {
  const out: Array<[number, Paper | undefined]> = [];
  for await (const x of spool.read(wanted)) out.push(x);
  return out;
}

describe('RecordSpool', () => {
  const records: Paper[] = Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, title: `Title ${i}`, extra: { nested: [i, 'ü'] } }));

  it('keeps small inputs in memory and reads them back twice', async () => {
    const before = spoolDirs();
    const spool = new RecordSpool(100);
    for (const r of records) await spool.add(r);
    await spool.seal();
    expect(spoolDirs()).toEqual(before);
    expect((await collect(spool)).map(([, r]) => r)).toEqual(records);
    expect((await collect(spool, (i) => i % 2 === 0)).map(([i, r]) => (r ? i : -1))).toEqual([0, -1, 2, -1, 4, -1, 6, -1, 8, -1, 10, -1]);
    spool.dispose();
  });

  it('spills to a temporary file past its limit, reads it back in order, and removes it', async () => {
    const before = spoolDirs();
    const spool = new RecordSpool(5);
    for (const r of records) await spool.add(r);
    await spool.seal();
    const created = [...spoolDirs()].filter((d) => !before.has(d));
    expect(created).toHaveLength(1);
    const first = await collect(spool);
    expect(first.map(([, r]) => r)).toEqual(records);
    expect(first.map(([i]) => i)).toEqual(records.map((_, i) => i));
    const skipped = await collect(spool, () => false);
    expect(skipped.every(([, r]) => r === undefined)).toBe(true);
    expect(skipped).toHaveLength(records.length);
    spool.dispose();
    expect(existsSync(`${tmpdir()}/${created[0]}`)).toBe(false);
  });
});

describe('dedupe flags', () => {
  it('maps flags onto options', () => {
    expect(dedupeOptionsFromFlags({ yearGap: '0', nearTitle: '0.8', window: '16' })).toEqual({ yearGap: 0, nearTitleThreshold: 0.8, bucketWindow: 16 });
  });

  it('rejects values that are not numbers in range, naming the flag', () => {
    expect(() => dedupeOptionsFromFlags({ yearGap: 'two' })).toThrow(UsageError);
    expect(() => dedupeOptionsFromFlags({ yearGap: '-1' })).toThrow(/--year-gap expects a whole number/);
    expect(() => dedupeOptionsFromFlags({ nearTitle: '1.5' })).toThrow(/--near-title expects a number from 0 to 1/);
    expect(() => dedupeOptionsFromFlags({ textThreshold: '' })).toThrow(UsageError);
  });
});
