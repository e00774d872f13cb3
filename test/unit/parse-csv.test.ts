import { describe, expect, it } from 'vitest';
import { parsePythonList } from '../../src/stages/parse/fields.js';
import { HAS_SHARED, shared } from '../support/cli.js';
import { parseString } from '../support/records.js';
import { readFileSync } from 'node:fs';

describe('CSV and TSV', () => {
  it('maps headers case-insensitively and passes other columns through', async () => {
    const csv = 'Title,Summary,AUTHORS,terms,Year,extra col\n' +
      '"A paper, with a comma","Line one\nline two",\"Ann Lee; Bo Chen\",\"[\'cs.CV\', \'cs.LG\']\",2020,kept\n';
    const { records, stats } = await parseString(csv, {}, 'x.csv');
    expect(stats[0].format).toBe('csv');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      title: 'A paper, with a comma',
      abstract: 'Line one line two',
      authors: ['Ann Lee', 'Bo Chen'],
      categories: ['cs.CV', 'cs.LG'],
      year: 2020,
      'extra col': 'kept',
      source: { path: 'x.csv', line: 2 },
    });
  });

  it('counts lines through quoted multi-line fields', async () => {
    const csv = 'title,abstract\nfirst,"a\nb\nc"\nsecond,d\n';
    const { records } = await parseString(csv);
    expect(records.map((r) => r.source?.line)).toEqual([2, 5]);
  });

  it('reads TSV and the %-separated DBLP-ACM layout', async () => {
    const tsv = await parseString('title\tabstract\nT1\tA1\n');
    expect(tsv.stats[0].format).toBe('tsv');
    expect(tsv.records[0]).toMatchObject({ title: 'T1', abstract: 'A1' });
    const pct = await parseString('id%title%authors%venue%year\n0%Semantic Integration%A. Doan, A. Halevy%SIGMOD Record%2004\n');
    expect(pct.records[0]).toMatchObject({ id: '0', title: 'Semantic Integration', authors: ['A. Doan', 'A. Halevy'], venue: 'SIGMOD Record', year: 2004 });
  });

  it('does not split author names on the semicolon of an HTML entity', async () => {
    const { records } = await parseString('title%authors\nT%Bertram Lud&#228;scher, Amarnath Gupta\nU%Ann Lee; Bo &amp; Co\n');
    expect(records[0].authors).toEqual(['Bertram Lud&#228;scher', 'Amarnath Gupta']);
    expect(records[1].authors).toEqual(['Ann Lee', 'Bo &amp; Co']);
  });

  it('applies --map for unknown headers', async () => {
    const { records } = await parseString('Heading,Body\nH,B\n', { map: { Heading: 'title', Body: 'abstract' }, from: 'csv' });
    expect(records[0]).toMatchObject({ title: 'H', abstract: 'B' });
  });

  it('names the line of a row with the wrong number of fields', async () => {
    await expect(parseString('title,abstract\nok,fine\nonly-one\n', {}, 'bad.csv')).rejects.toThrow('bad.csv:3: row has 1 fields, the header has 2');
    const skipped = await parseString('title,abstract\nok,fine\nonly-one\n', { skipInvalid: true });
    expect(skipped.records).toHaveLength(1);
    expect(skipped.stats[0].skipped.get('wrong number of fields')).toBe(1);
  });

  it('reports an unterminated quote with its line and keeps earlier rows', async () => {
    const seen: string[] = [];
    const run = parseString('title,abstract\nok,fine\n"broken,abstract\nlater,row\n', {}, 'q.csv');
    await expect(run).rejects.toThrow(/^q\.csv:3: a quoted field is never closed/);
    // rows before the broken one are produced before the error
    const { parseText } = await import('../../src/stages/parse/index.js');
    const { IdRegistry } = await import('../../src/record.js');
    const { CollectingDiagnostics } = await import('../../src/errors.js');
    async function* one() {
      yield 'title,abstract\nok,fine\n"broken,abstract\nlater,row\n';
    }
    await expect(
      (async () => {
        for await (const r of parseText(one(), 'q.csv', {}, new CollectingDiagnostics(), new IdRegistry())) seen.push(r.title);
      })(),
    ).rejects.toThrow(/q\.csv:3/);
    expect(seen).toEqual(['ok']);
  });

  it('gives no records, and no error, for a header-only CSV and skips blank lines', async () => {
    expect((await parseString('title,abstract\n')).records).toEqual([]);
    expect((await parseString('title,abstract\n\nA,B\n\n')).records.map((r) => r.title)).toEqual(['A']);
  });

  it('refuses the 3-byte file """ cleanly', async () => {
    await expect(parseString('"""', { from: 'csv' }, 'q3.csv')).rejects.toThrow(/^q3\.csv:1: /);
  });

  it('parses Python-style list cells', () => {
    expect(parsePythonList("['cs.CV', \"it's\", 'a\\'b']")).toEqual(['cs.CV', "it's", "a'b"]);
    expect(parsePythonList("[['Lee', 'Ann', ''], ['O\\'Neil', 'Bo', 'Jr']]")).toEqual([['Lee', 'Ann', ''], ["O'Neil", 'Bo', 'Jr']]);
    expect(parsePythonList("['unterminated]")).toBeUndefined();
    expect(parsePythonList('not a list')).toBeUndefined();
  });
});

describe.skipIf(!HAS_SHARED)('shared CSV files parse to the counts their READMEs state', () => {
  it('arxiv-kaggle-0704: 2,000 records, float-mangled ids repaired', async () => {
    const { records } = await parseString(readFileSync(shared('arxiv-kaggle-0704', 'arxiv_data.csv'), 'utf8'));
    expect(records).toHaveLength(2000);
    const byId = new Map(records.map((r) => [r.id, r]));
    expect(byId.get('0704.0010')?.arxiv_id).toBe('0704.0010');
    expect(byId.get('0704.2000')).toBeDefined();
    expect(byId.get('0704.0001')?.authors).toEqual(['C. Balázs', 'E. L. Berger', 'P. M. Nadolsky', 'C. -P. Yuan']);
    expect(new Set(records.map((r) => r.id)).size).toBe(2000);
  });
  it('arxiv-cs-2016 papers.csv: 9,600 records with categories', async () => {
    const { records } = await parseString(readFileSync(shared('arxiv-cs-2016', 'papers.csv'), 'utf8'));
    expect(records).toHaveLength(9600);
    expect(records[0]).toMatchObject({ id: '1105.4183', arxiv_id: '1105.4183', categories: ['cs.CV'], primary_category: 'cs.CV' });
  });
  it('arxiv-keras-1000: 1,000 records, the 7 duplicate rows get distinct ids', async () => {
    const { records } = await parseString(readFileSync(shared('arxiv-keras-1000', 'arxiv_data.csv'), 'utf8'));
    expect(records).toHaveLength(1000);
    expect(new Set(records.map((r) => r.id)).size).toBe(1000);
    expect(records.filter((r) => r.id.includes('~')).length).toBe(7);
    expect(records[0].categories).toEqual(['cs.CV', 'cs.LG', 'eess.IV']);
  });
});
