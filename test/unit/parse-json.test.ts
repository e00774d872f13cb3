import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arrayItemLines } from '../../src/stages/parse/json.js';
import { HAS_SHARED, shared } from '../support/cli.js';
import { parseString } from '../support/records.js';

describe('JSONL and JSON', () => {
  it('maps arXiv-snapshot fields onto the record', async () => {
    const line = JSON.stringify({
      id: '0704.0001', title: 'Calculation of\n  prompt diphoton', abstract: '  A fully\ndifferential calculation.\n',
      authors: "C. Bal\\'azs, E. L. Berger and P. M. Nadolsky", categories: 'hep-ph math.CO', update_date: '2008-11-26', doi: '10.1103/PhysRevD.76.013009',
    });
    const { records, stats } = await parseString(line + '\n', {}, 'snap.jsonl');
    expect(stats[0].format).toBe('jsonl');
    expect(records[0]).toMatchObject({
      id: '0704.0001', arxiv_id: '0704.0001', title: 'Calculation of prompt diphoton', abstract: 'A fully differential calculation.',
      authors: ["C. Bal\\'azs", 'E. L. Berger', 'P. M. Nadolsky'], categories: ['hep-ph', 'math.CO'], date: '2008-11-26', year: 2008,
      doi: '10.1103/physrevd.76.013009', source: { path: 'snap.jsonl', line: 1 },
    });
  });

  it('passes records from an earlier stage through unchanged, unknown fields included', async () => {
    const rec = { id: 'x1', title: 'T', abstract: 'A', tags: ['vision'], my_field: { nested: [1, 2] }, source: { path: 'a.txt', line: 9 } };
    const { records } = await parseString(JSON.stringify(rec) + '\n\n');
    expect(records).toEqual([rec]);
  });

  it('names file, line and column of a bad line', async () => {
    const text = '{"id":"a","title":"ok"}\n{"id":"b","title":"ok"}\n{"a":1\n';
    await expect(parseString(text, {}, 'data.jsonl')).rejects.toThrow(/^data\.jsonl:3: not valid JSON: /);
    await expect(parseString('{"id":"a","title":"ok"}\n[1,2]\n', {}, 'd.jsonl')).rejects.toThrow('d.jsonl:2: expected a JSON object, got an array');
  });

  it('skips bad lines with --skip-invalid and counts them', async () => {
    const text = '{"id":"a","title":"ok"}\nnot json\n{"id":"b","title":"ok"}\n{"truncated":\n';
    const { records, stats } = await parseString(text, { skipInvalid: true });
    expect(records.map((r) => r.id)).toEqual(['a', 'b']);
    expect(stats[0].skipped.get('not valid JSON')).toBe(2);
  });

  it('drops __proto__/constructor/prototype keys without polluting objects', async () => {
    const text = '{"id":"a","title":"t","__proto__":{"polluted":true},"constructor":{"prototype":{"isAdmin":true}}}\n{"title":"raw","__proto__":{"polluted2":true}}\n';
    const { records, diagnostics } = await parseString(text);
    expect(records).toHaveLength(2);
    expect(Object.keys(records[0])).toEqual(['id', 'title', 'urls', 'code_urls', 'source']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(JSON.stringify(records[1])).not.toContain('polluted');
    expect(diagnostics.warnings[0]).toMatch(/reserved/);
  });

  it('reads a JSON array with each record pointing at its line', async () => {
    const text = '[\n  {"title": "A"},\n  {\n    "title": "B, with [brackets] and \\"quotes\\""\n  }\n]\n';
    const { records, stats } = await parseString(text, {}, 'a.json');
    expect(stats[0].format).toBe('json');
    expect(records.map((r) => [r.title, r.source?.line])).toEqual([
      ['A', 2],
      ['B, with [brackets] and "quotes"', 3],
    ]);
    expect(arrayItemLines('[1,\n2,\n"x,\\"y"]')).toEqual([1, 2, 3]);
  });

  it('names the line of a broken JSON array', async () => {
    await expect(parseString('[\n {"title": "A"},\n {"title": }\n]', {}, 'b.json')).rejects.toThrow(/^b\.json:3: not valid JSON/);
  });

  it('treats empty input as no records', async () => {
    expect((await parseString('')).records).toEqual([]);
    expect((await parseString('\n\n  \n')).records).toEqual([]);
  });

  it.skipIf(!HAS_SHARED)('arxiv-cs-2016 papers.jsonl parses to 9,600 records', async () => {
    const { records } = await parseString(readFileSync(shared('arxiv-cs-2016', 'papers.jsonl'), 'utf8'));
    expect(records).toHaveLength(9600);
    expect(records[0]).toMatchObject({ id: '1105.4183', title: 'Cubical Cohomology Ring of 3D Photographs', primary_category: 'cs.CV' });
    expect(records.every((r) => r.abstract && !r.abstract.startsWith(' ') && !r.abstract.includes('\n'))).toBe(true);
  });
});
