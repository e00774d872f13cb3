// What all the added formats share: specific detection, chunking that does not matter, the same
// identifiers from every format, and one consistent stream from a mixture of inputs.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeTitle, type Paper } from '../../src/record.js';
import { detectFormat } from '../../src/stages/parse/index.js';
import { FORMATS } from '../../src/stages/parse/registry.js';
import { FIXTURES, ROOT, SEED, jsonl, runCli, shared } from '../support/cli.js';
import { parseString } from '../support/records.js';

const F = (name: string) => join(FIXTURES, 'formats', name);
const read = (path: string) => readFileSync(path, 'utf8');

const SAMPLES: Array<[string, string]> = [
  ['arxiv-abs/0704.0001.abs', 'arxiv-abs'],
  ['arxiv-mail-excerpt.txt', 'arxiv-mail'],
  ['arxiv-api.atom.xml', 'arxiv-atom'],
  ['oai-pmh-arxiv.xml', 'oai-pmh'],
  ['sample.ris', 'ris'],
  ['sample.bib', 'bibtex'],
  ['sample.pubmed.txt', 'pubmed'],
  ['sample.wos.txt', 'wos'],
  ['digest.md', 'markdown-digest'],
];
const MINE = new Set(SAMPLES.map(([, f]) => f));

describe('detection', () => {
  it.each(SAMPLES)('%s is detected as %s, and no other added format scores as high', (file, format) => {
    const sample = read(F(file));
    expect(detectFormat(sample, file)?.name).toBe(format);
    const own = FORMATS.find((f) => f.name === format)!.detect(sample, file);
    for (const f of FORMATS) if (f.name !== format) expect(f.detect(sample, file), f.name).toBeLessThan(own);
  });

  it('leaves JSON, JSONL, CSV, TSV and the copied listing to their own formats', () => {
    const inputs: Array<[string, string]> = [
      [read(SEED), 'listing'],
      ['{"title":"A","abstract":"@article{x, title={y}}\\nTY  - JOUR"}\n{"title":"B"}\n', 'jsonl'],
      ['[{"title":"A","abstract":"PMID- 1"}]', 'json'],
      ['title,abstract\n"A","Text with \\\\\narXiv:0704.0001\nTitle: x"\n', 'csv'],
      ['title\tabstract\nA\tsee https://arxiv.org/abs/0704.0001\n', 'tsv'],
      ['title,abstract,bibtex\n"A","x","\n@article{k,\n title = {A}}"\n', 'csv'],
    ];
    const dataCsv = shared('arxiv-kaggle-0704', 'arxiv_data.csv');
    if (existsSync(dataCsv)) inputs.push([read(dataCsv).slice(0, 65536), 'csv']);
    const dataJsonl = shared('arxiv-cs-2016', 'papers.jsonl');
    if (existsSync(dataJsonl)) inputs.push([read(dataJsonl).slice(0, 65536), 'jsonl']);
    for (const [text, expected] of inputs) {
      expect(detectFormat(text, 'x')?.name, text.slice(0, 40)).toBe(expected);
      const own = FORMATS.find((f) => f.name === expected)!.detect(text, 'x');
      for (const f of FORMATS) if (MINE.has(f.name)) expect(f.detect(text, 'x'), `${f.name} on ${expected}`).toBeLessThan(own);
    }
  });
});

describe('chunking and line endings', () => {
  it.each(SAMPLES)('%s gives the same records whatever the chunk size, and with CRLF', async (file) => {
    const text = read(F(file));
    const reference = (await parseString(text, {}, file, 1 << 16)).records;
    expect(reference.length).toBeGreaterThan(0);
    for (const size of [1, 7, 100]) expect((await parseString(text, {}, file, size)).records).toEqual(reference);
    const crlf = (await parseString(text.replace(/\n/g, '\r\n'), {}, file, 13)).records;
    expect(crlf).toEqual(reference);
  });
});

describe('the same paper from every format', () => {
  it('has the same arxiv_id and DOI, normalized the same way', async () => {
    const all: Array<{ format: string; record: Paper }> = [];
    for (const [file] of SAMPLES) {
      const { records, stats } = await parseString(read(F(file)), {}, file);
      for (const record of records) all.push({ format: stats[0].format, record });
    }
    const diphoton = all.filter(({ record }) => normalizeTitle(record.title).startsWith('calculation of prompt diphoton production'));
    expect(new Set(diphoton.map((d) => d.format))).toEqual(new Set(['arxiv-abs', 'arxiv-atom', 'ris', 'bibtex', 'pubmed', 'wos', 'markdown-digest']));
    for (const { record } of diphoton) {
      expect(record.doi).toBe('10.1103/physrevd.76.013009');
      if (record.arxiv_id !== undefined) expect(record.arxiv_id).toBe('0704.0001');
      expect(record.year).toBe(2007);
    }
    expect(diphoton.filter((d) => d.record.arxiv_id === '0704.0001').map((d) => d.format).sort()).toEqual(['arxiv-abs', 'arxiv-atom', 'bibtex', 'markdown-digest']);
    const viterbi = all.filter(({ record }) => normalizeTitle(record.title).startsWith('on line viterbi algorithm'));
    expect(viterbi.map((v) => v.format).sort()).toEqual(['arxiv-atom', 'bibtex', 'markdown-digest', 'oai-pmh', 'pubmed', 'ris', 'wos']);
    const withDoi = viterbi.filter((v) => v.record.doi !== undefined);
    expect(withDoi).toHaveLength(6); // the Markdown entry carries no DOI
    expect(new Set(withDoi.map((v) => v.record.doi))).toEqual(new Set(['10.1007/978-3-540-74126-8_23']));
    // Author names come out in the same order (given names first) from every format.
    expect(new Set(viterbi.map((v) => v.record.authors?.[0]))).toEqual(new Set(['Rastislav Šrámek', 'R. Šrámek', 'R Sramek']));
  });
});

describe('broken entries with --skip-invalid', () => {
  const bib = read(F('sample.bib'));
  const ris = read(F('sample.ris'));
  const wos = read(F('sample.wos.txt'));
  const mail = read(F('arxiv-mail-excerpt.txt'));
  const pubmed = read(F('sample.pubmed.txt'));
  const oai = read(F('oai-pmh-arxiv.xml'));
  const cases: Array<[string, string, string[], string]> = [
    ['bibtex', bib.replace('title     = "On-line {Viterbi} Algorithm', 'title     = "On-line {Viterbi Algorithm'), ['Balazs2007', 'streinu2007sparsity'], 'broken BibTeX entry'],
    ['bibtex', bib.replace('year      = "2007",', 'year      = "2007" oops,'), ['Balazs2007', 'streinu2007sparsity'], 'broken BibTeX entry'],
    ['ris', ris.replace(/^ER {2}- \n/m, ''), ['10.9999/synthetic.2016.001', '10.1007/978-3-540-74126-8_23'], 'RIS record without ER'],
    ['wos', wos.replace(/^ER\n\nPT B/m, 'PT B'), ['10.1007/978-3-540-74126-8_23'], 'Web of Science record without ER'],
    ['arxiv-mail', mail.replace('\\\\ ( https://arxiv.org/abs/2011.00552 ,  829kb)\n', ''), ['2303.08867', '2303.09330', '2206.14015'], 'broken arXiv entry'],
    ['pubmed', pubmed.replace('LA  - eng', 'a stray line\nLA  - eng'), ['10.1007/978-3-540-74126-8_23'], 'broken PubMed record'],
    ['oai-pmh', oai.slice(0, oai.indexOf('Markov models (HMMs)')), ['0704.0002'], 'broken XML <record> (rest of input not read)'],
  ];
  it.each(cases)('%s: the broken entry is counted and skipped, the others are kept', async (format, text, expected, reason) => {
    await expect(parseString(text, { from: format }, 'b.txt')).rejects.toThrow(/^b\.txt:\d+: /);
    const { records, stats, diagnostics } = await parseString(text, { from: format, skipInvalid: true }, 'b.txt');
    const ids = records.map((r) => (format === 'bibtex' ? r.bibtex_key : r.arxiv_id ?? r.doi));
    expect(ids.sort()).toEqual([...expected].sort());
    expect(stats[0].skipped.get(reason)).toBe(1);
    expect(diagnostics.warnings).toHaveLength(1);
    expect(diagnostics.warnings[0]).toMatch(/^b\.txt:\d+: /);
  });

  it('warns when a forced format finds nothing at all in the input', async () => {
    const { records, diagnostics } = await parseString(bib, { from: 'ris' }, 'x.bib');
    expect(records).toHaveLength(0);
    expect(diagnostics.warnings).toEqual(['x.bib: no RIS records ("TY  - " lines) found in this input']);
  });
});

const BUILT = existsSync(join(ROOT, 'dist', 'cli', 'main.js'));

describe.skipIf(!BUILT)('papers parse on the added formats (built binary)', () => {
  it('reads a directory of .abs files', async () => {
    const r = await runCli(['parse', F('arxiv-abs')]);
    expect(r.code).toBe(0);
    expect(jsonl(r.stdout).map((p) => p.arxiv_id)).toEqual(['0704.0001', '0704.0002', '0704.0062']);
    expect(r.stderr).toMatch(/read 1 record from .*0704\.0062\.abs \(arxiv-abs\)/);
  });

  it('turns a mixture of formats into one stream with consistent fields', async () => {
    const files = SAMPLES.map(([file]) => F(file));
    const r = await runCli(['parse', ...files]);
    expect(r.code).toBe(0);
    const records = jsonl(r.stdout) as Paper[];
    const expected = [1, 4, 2, 2, 3, 3, 2, 2, 4];
    expect(records).toHaveLength(expected.reduce((a, b) => a + b, 0));
    expect(new Set(records.map((p) => p.id)).size).toBe(records.length);
    for (const p of records) {
      expect(typeof p.id).toBe('string');
      expect(p.title.length).toBeGreaterThan(0);
      expect(files).toContain(p.source?.path);
      expect(Number.isInteger(p.source?.line)).toBe(true);
      if (p.authors) expect(p.authors.every((a) => typeof a === 'string' && a.length > 0 && !/\\|[{}]/.test(a))).toBe(true);
      if (p.year !== undefined) expect(Number.isInteger(p.year)).toBe(true);
      if (p.date !== undefined) expect(p.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (p.doi !== undefined) expect(p.doi).toBe(p.doi.toLowerCase());
      if (p.arxiv_id !== undefined) expect(p.arxiv_id).toMatch(/^\d{4}\.\d{4,5}$/);
      if (p.categories !== undefined) expect(Array.isArray(p.categories)).toBe(true);
      if (p.abstract !== undefined) expect(p.abstract).not.toMatch(/\n|\s{2}/);
    }
    // With many inputs, stderr sums per format: "read N records from M files (FORMAT)".
    const perFormat = new Map<string, { records: number; files: number }>();
    for (const [i, [, format]] of SAMPLES.entries()) {
      const g = perFormat.get(format) ?? { records: 0, files: 0 };
      g.records += expected[i];
      g.files += 1;
      perFormat.set(format, g);
    }
    for (const [format, g] of perFormat) {
      const recs = `${g.records} record${g.records === 1 ? '' : 's'}`;
      const files = `${g.files} file${g.files === 1 ? '' : 's'}`;
      expect(r.stderr).toContain(`read ${recs} from ${files} (${format})`);
    }
  });

  it('names file and line of a broken entry, exits 1, and keeps the records before it', async () => {
    const text = read(F('sample.bib'));
    const broken = text.replace('title     = "On-line {Viterbi} Algorithm', 'title     = "On-line {Viterbi Algorithm');
    const r = await runCli(['parse', '-', '--from', 'bibtex'], { input: broken });
    expect(r.code).toBe(1);
    expect(jsonl(r.stdout)).toHaveLength(1);
    expect(r.stderr).toContain('papers parse: stdin:25: BibTeX entry @InProceedings has unbalanced braces or quotes');
  });

  describe.skipIf(!existsSync(shared('raw-listings', 'arxiv-abs-0704')))('the real .abs files', () => {
    it('papers parse DIR/*.abs gives 1,001 records', async () => {
      const dir = shared('raw-listings', 'arxiv-abs-0704');
      const files = readdirSync(dir).filter((f) => f.endsWith('.abs')).sort().map((f) => join(dir, f));
      const r = await runCli(['parse', ...files], { timeoutMs: 120_000 });
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(1001);
    });
  });
});
