// Reference-manager and database exports: RIS, BibTeX, PubMed/MEDLINE, Web of Science.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CollectingDiagnostics, DataError } from '../../src/errors.js';
import type { RawPaper } from '../../src/record.js';
import { bibtexFormat, splitBibNames } from '../../src/stages/parse/formats/bibtex.js';
import { risFormat } from '../../src/stages/parse/formats/ris.js';
import { wosFormat } from '../../src/stages/parse/formats/tagged.js';
import type { FormatParser, ParseContext } from '../../src/stages/parse/types.js';
import { FIXTURES, shared } from '../support/cli.js';
import { parseString } from '../support/records.js';

const F = (name: string) => join(FIXTURES, 'formats', name);
const read = (path: string) => readFileSync(path, 'utf8');
const EXPORTS = shared('raw-listings', 'bibliographic-exports');
const X = (name: string) => join(EXPORTS, name);

async function parseFile(path: string, chunkSize?: number) {
  return parseString(read(path), {}, path, chunkSize);
}

async function runParser(format: FormatParser, text: string, chunkSize = 4096, path = 'in.txt') {
  const records: RawPaper[] = [];
  const ctx: ParseContext = { path, diagnostics: new CollectingDiagnostics(), options: {}, skip() {} };
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
  }
  let error: unknown;
  try {
    for await (const r of format.parse(chunks(), ctx)) records.push(r);
  } catch (err) {
    error = err;
  }
  return { records, error };
}

// ------------------------------------------------------------------------------------------------
describe('RIS', () => {
  it('reads Scopus, Ovid and EBSCO styles: continuation lines, A1/T1/N2, DOI as a URL or in L3', async () => {
    const { records, stats } = await parseFile(F('sample.ris'));
    expect(stats[0].format).toBe('ris');
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({
      title: 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies',
      authors: ['C. Balázs', 'E.L. Berger', 'P.M. Nadolsky', 'C.-P. Yuan'],
      venue: 'Physical Review D',
      year: 2007,
      doi: '10.1103/physrevd.76.013009',
      keywords: ['diphoton production', 'resummation'],
      type: 'JOUR',
      volume: '76',
      urls: ['https://doi.org/10.1103/PhysRevD.76.013009'],
      source: { line: 1 },
    });
    // The untagged line continues the abstract.
    expect(records[0].abstract).toBe(
      'A fully differential calculation in perturbative quantum chromodynamics is presented for the production of massive photon pairs at hadron colliders. All next-to-leading order perturbative contributions from quark-antiquark, gluon-(anti)quark, and gluon-gluon subprocesses are included.',
    );
    expect(records[1]).toMatchObject({
      title: 'On-line Viterbi Algorithm and Its Relationship to Random Walks.',
      authors: ['R. Šrámek', 'B. Brejová', 'T. Vinař'],
      doi: '10.1007/978-3-540-74126-8_23',
      date: '2007-09-08',
      venue: 'Algorithms in Bioinformatics',
      pages: '240-251',
      source: { line: 24 },
    });
    expect(records[1].abstract).toMatch(/^In this paper, we introduce the on-line Viterbi/);
    expect(records[2]).toMatchObject({ doi: '10.9999/synthetic.2016.001', year: 2016, authors: ['Jane Doe'] });
    expect(records[2].date).toBeUndefined(); // "2016/09//" has no day
    expect(records[2].abstract).toBeUndefined();
  });

  it('reads CRLF files the same', async () => {
    const lf = (await parseFile(F('sample.ris'))).records;
    const crlf = (await parseString(read(F('sample.ris')).replace(/\n/g, '\r\n'), {}, F('sample.ris'))).records;
    expect(crlf).toEqual(lf);
  });

  it('names the file and record line for a record without ER, keeping the records before it', async () => {
    const text = read(F('sample.ris'));
    const noEnd = text.slice(0, text.lastIndexOf('ER  -'));
    const a = await runParser(risFormat, noEnd, 50, 'x.ris');
    expect(a.records).toHaveLength(2);
    expect((a.error as Error).message).toBe('x.ris:43: RIS record has no "ER  -" end tag: the input ends inside it');
    const lines = text.split('\n');
    const firstEr = lines.findIndex((l) => l.startsWith('ER  -'));
    const merged = [...lines.slice(0, firstEr), ...lines.slice(firstEr + 1)].join('\n');
    const b = await runParser(risFormat, merged, 4096, 'y.ris');
    expect(b.records).toHaveLength(0);
    expect(b.error).toBeInstanceOf(DataError);
    expect((b.error as Error).message).toBe('y.ris:1: RIS record has no "ER  -" end tag before the next record at line 23');
  });

  it('does not buffer a whole input behind a missing end tag', async () => {
    const text = `TY  - JOUR\nTI  - Never ends\n${'an abstract line\n'.repeat(100_050)}TY  - JOUR\nTI  - Next\nER  - \n`;
    const a = await runParser(risFormat, text, 1 << 16, 'long.ris');
    expect((a.error as Error).message).toBe('long.ris:1: RIS record runs for more than 100000 lines without an "ER  -" end tag');
  });

  describe.skipIf(!existsSync(EXPORTS))('the real exports', () => {
    it('scopus.ris: 92 records, 89 with an abstract, 82 with a DOI', async () => {
      const text = read(X('scopus.ris'));
      const { records } = await parseFile(X('scopus.ris'));
      expect(records).toHaveLength(92);
      expect(records.filter((r) => r.abstract)).toHaveLength(89);
      expect(records.filter((r) => r.doi)).toHaveLength(82);
      // Oracle: the TI lines and the line of each TY.
      expect(records.map((r) => r.title)).toEqual([...text.matchAll(/^TI {2}- (.*)$/gm)].map((m) => m[1].trim()));
      const tyLines = text.split('\n').flatMap((l, i) => (l.startsWith('TY  - ') ? [i + 1] : []));
      expect(records.map((r) => r.source?.line)).toEqual(tyLines);
      expect(records[0]).toMatchObject({
        title: 'Black-backed woodpecker occupancy in burned and beetle-killed forests: Disturbance agent matters',
        authors: ['M.W. Tingley', 'A.N. Stillman', 'R.L. Wilkerson', 'S.C. Sawyer', 'R.B. Siegel'],
        venue: 'Forest Ecology and Management',
        year: 2020,
        doi: '10.1016/j.foreco.2019.117694',
      });
      expect(records[0].abstract).toMatch(/^In the western United States, the black-backed woodpecker \(Picoides arcticus\) is a “snag specialist”/);
    });

    it.each([
      ['Scopus_ris_example.ris', 'ris', 3],
      ['Scopus_bib_example.bib', 'bibtex', 3],
      ['WoS_txt_example.txt', 'wos', 4],
      ['WoS_ciw_example.ciw', 'wos', 5],
      ['PubMed_example.txt', 'pubmed', 3],
      ['Ovid_ris_example.ris', 'ris', 4],
      ['ASP_ris_example.ris', 'ris', 4],
    ])('%s is detected as %s and gives %i records with titles and abstracts', async (name, format, count) => {
      const { records, stats } = await parseFile(X(name), 333);
      expect(stats[0].format).toBe(format);
      expect(records).toHaveLength(count);
      expect(records.every((r) => r.title && r.abstract && r.authors?.length && r.year)).toBe(true);
    });

    it('gives the same normalized DOI for the papers exported from several databases', async () => {
      const byDoi = new Map<string, string[]>();
      for (const name of ['Scopus_bib_example.bib', 'Scopus_ris_example.ris', 'WoS_ciw_example.ciw', 'WoS_txt_example.txt']) {
        for (const r of (await parseFile(X(name))).records) if (r.doi) byDoi.set(r.doi, [...(byDoi.get(r.doi) ?? []), name]);
      }
      // The duplicates the data README lists.
      expect(byDoi.get('10.1080/20964129.2020.1722034')).toEqual(['Scopus_bib_example.bib', 'Scopus_ris_example.ris', 'WoS_ciw_example.ciw', 'WoS_txt_example.txt']);
      expect(byDoi.get('10.1007/s11220-019-0265-8')).toEqual(['Scopus_bib_example.bib', 'Scopus_ris_example.ris', 'WoS_ciw_example.ciw', 'WoS_txt_example.txt']);
      expect(byDoi.get('10.1080/20964129.2020.1749010')).toEqual(['Scopus_bib_example.bib', 'Scopus_ris_example.ris']);
      expect(byDoi.get('10.1111/jaac.12686')).toEqual(['WoS_ciw_example.ciw', 'WoS_txt_example.txt']);
      expect(byDoi.get('10.1080/21691401.2019.1703724')).toEqual(['WoS_ciw_example.ciw', 'WoS_txt_example.txt']);
    });

    it('reads the quirks: Ovid DOIs as URLs, EBSCO DOIs in L3, accents, several AB lines', async () => {
      const ovid = (await parseFile(X('Ovid_ris_example.ris'))).records;
      expect(ovid[0]).toMatchObject({ doi: '10.4236/ojf.2020.101008', title: 'Detection of retention trees on clearcuts, a 50-year perspective.', authors: ['E. Holmstrom', 'E. Nordstrom', 'D. Lariviere', 'I. Wallin'], year: 2020, venue: 'Open Journal of Forestry' });
      const asp = (await parseFile(X('ASP_ris_example.ris'))).records;
      expect(asp[0]).toMatchObject({ doi: '10.1016/j.agee.2016.06.041', authors: ['Ruth Rodríguez-Pastor', 'Juan José Luque-Larena', 'Xavier Lambin', 'François Mougeot'], year: 2016 });
      expect(asp[0].date).toBeUndefined(); // "2016/09//" has no day
      expect(asp[0].title).toMatch(/^“Living on the edge”: The role of field margins/);
      // The database's copyright notice is kept apart from the abstract.
      expect(asp[0].abstract).toMatch(/\[ABSTRACT FROM AUTHOR\]$/);
      expect(asp[0].copyright).toMatch(/^Copyright of Agriculture, Ecosystems & Environment is the property of/);
      expect(asp[1].date).toBe('2018-05-04');
      const chinese = asp[3];
      expect(chinese.abstract).toContain('(English) [ABSTRACT FROM AUTHOR]');
      expect(chinese.abstract).toContain('(Chinese) [ABSTRACT FROM AUTHOR]');
    });
  });
});

// ------------------------------------------------------------------------------------------------
describe('BibTeX', () => {
  it('reads entries with @string macros, # concatenation, accents, case braces and arXiv eprints', async () => {
    const { records, stats } = await parseFile(F('sample.bib'));
    expect(stats[0].format).toBe('bibtex');
    expect(records).toHaveLength(3); // @string and @comment are not records
    expect(records[0]).toMatchObject({
      id: '0704.0001',
      title: 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies',
      authors: ['C. Balázs', 'E. L. Berger', 'P. M. Nadolsky', 'C.-P. Yuan'],
      venue: 'Phys. Rev. D',
      year: 2007,
      doi: '10.1103/physrevd.76.013009',
      arxiv_id: '0704.0001',
      categories: ['hep-ph'],
      primary_category: 'hep-ph',
      bibtex_key: 'Balazs2007',
      type: 'article',
      source: { line: 8 },
    });
    expect(records[0].abstract).toBe('A fully differential calculation in perturbative quantum chromodynamics is presented for the production of massive photon pairs at hadron colliders.');
    expect(records[1]).toMatchObject({
      title: 'On-line Viterbi Algorithm and Its Relationship to Random Walks',
      authors: ['Rastislav Šrámek', 'Broňa Brejová', 'Tomáš Vinař'],
      venue: 'Algorithms in Bioinformatics (WABI 2007)',
      doi: '10.1007/978-3-540-74126-8_23',
      arxiv_id: '0704.0062',
      keywords: ['hidden Markov models', 'Viterbi algorithm', 'on-line algorithms'],
      pages: '240-251',
      type: 'inproceedings',
      source: { line: 25 },
    });
    expect(records[1].abstract).toContain('requires $O(mn)$ space');
    expect(records[2]).toMatchObject({ arxiv_id: '0704.0002', authors: ['Ileana Streinu', 'Louis Theran'], note: 'To appear in Graphs and Combinatorics' });
  });

  it('splits names on "and" outside braces and puts given names first', () => {
    expect(splitBibNames('{World Health Organization} and Smith, Jr., John and van der Berg, Anna and Jane Q. Doe and others')).toEqual([
      'World Health Organization',
      'John Smith Jr.',
      'Anna van der Berg',
      'Jane Q. Doe',
    ]);
    expect(splitBibNames('{Barnes and Noble} and M{\\"u}ller, J{\\"o}rg')).toEqual(['Barnes and Noble', 'Jörg Müller']);
  });

  it('accepts parentheses as delimiters and quoted values with braces', async () => {
    const bib = '@article(key1,\n  title = "A {GAN} (with parentheses)",\n  author = "Doe, J."\n)\n@ARTICLE{key2, title = {Second}, year = 1999}\n';
    const { records } = await parseString(bib, {}, 'p.bib');
    expect(records.map((r) => [r.title, r.source?.line])).toEqual([
      ['A GAN (with parentheses)', 1],
      ['Second', 5],
    ]);
  });

  it('names the file and line of an entry with unbalanced braces, keeping the entries before it', async () => {
    const text = read(F('sample.bib'));
    // A brace never closed inside the second entry: the third entry starts while it is open.
    const broken = text.replace('title     = "On-line {Viterbi} Algorithm', 'title     = "On-line {Viterbi Algorithm');
    const a = await runParser(bibtexFormat, broken, 64, 's.bib');
    expect(a.records.map((r) => r.extra?.bibtex_key)).toEqual(['Balazs2007']);
    expect(a.error).toBeInstanceOf(DataError);
    expect((a.error as Error).message).toBe('s.bib:25: BibTeX entry @InProceedings has unbalanced braces or quotes: a new entry starts at line 38 before it is closed');
    // The last entry unclosed at the end of the input.
    const b = await runParser(bibtexFormat, text.slice(0, text.lastIndexOf('}')), 4096, 't.bib');
    expect(b.records).toHaveLength(2);
    expect((b.error as Error).message).toBe('t.bib:38: BibTeX entry @misc is not closed: unbalanced braces (the input ends inside it)');
    // A value with a stray closing brace.
    const c = await runParser(bibtexFormat, '@article{k,\n  title = {A} B}},\n}\n', 4096, 'u.bib');
    expect((c.error as Error).message).toMatch(/^u\.bib:1: BibTeX entry @article: expected "," after the value of "title"/);
  });

  describe.skipIf(!existsSync(EXPORTS))('the real Scopus BibTeX export', () => {
    it('reads keys with spaces, repeated keys and Scopus keywords', async () => {
      const { records } = await parseFile(X('Scopus_bib_example.bib'));
      expect(records.map((r) => r.bibtex_key)).toEqual(['Li2020', 'Cao2020', 'Tang2020']);
      expect(records[0]).toMatchObject({
        title: 'Soil fauna diversity at different stages of reed restoration in a lakeshore wetland at Lake Taihu, China',
        authors: ['W. Li', 'Z. Dou', 'L. Cui', 'X. Zhao', 'M. Zhang', 'Y. Zhang', 'C. Gao', 'Z. Yang', 'Y. Lei', 'X. Pan'],
        venue: 'Ecosystem Health and Sustainability',
        year: 2020,
        doi: '10.1080/20964129.2020.1722034',
        keywords: ['Environmental factors', 'Lake Taihu', 'lakeshore wetland', 'reed', 'soil fauna', 'wetland restoration'],
      });
      expect(records[0].abstract).toMatch(/^Introduction: Wetland soil fauna support material cycling/);
      expect(records[0].abstract).toContain('lakeshore wetlands’ soil fauna');
    });
  });
});

// ------------------------------------------------------------------------------------------------
describe('PubMed / MEDLINE', () => {
  it('reads records separated by blank lines, with 6-space continuations and full author names', async () => {
    const { records, stats } = await parseFile(F('sample.pubmed.txt'));
    expect(stats[0].format).toBe('pubmed');
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      title: 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies.',
      authors: ['Csaba Balazs', 'Edmond L Berger'],
      date: '2007-07-24',
      year: 2007,
      doi: '10.1103/physrevd.76.013009',
      venue: 'Physical review D',
      pmid: '90000001',
      keywords: ['diphoton production'],
      source: { line: 1 },
    });
    expect(records[1]).toMatchObject({ authors: ['R Sramek', 'B Brejova'], doi: '10.1007/978-3-540-74126-8_23', year: 2007, source: { line: 20 } });
    expect(records[1].date).toBeUndefined();
  });

  describe.skipIf(!existsSync(EXPORTS))('the real PubMed export', () => {
    it('gives the PMIDs, titles and DOIs of the file', async () => {
      const text = read(X('PubMed_example.txt'));
      const { records } = await parseFile(X('PubMed_example.txt'));
      expect(records.map((r) => r.pmid)).toEqual([...text.matchAll(/^PMID- (\d+)/gm)].map((m) => m[1]));
      expect(records[0]).toMatchObject({
        title: 'Differences in nitrate and phosphorus export between wooded and grassed riparian zones from farmland to receiving waterways under varying rainfall conditions.',
        doi: '10.1016/j.scitotenv.2017.04.075',
        date: '2017-11-15',
        venue: 'The Science of the total environment',
      });
      expect(records[0].authors?.slice(0, 2)).toEqual(['Amanda D Neilen', 'Chengrong R Chen']);
      expect(records[0].abstract).toMatch(/^Agricultural activities in catchments can cause excessive nutrient loads in waterways\. Catchment nitrogen/);
    });
  });
});

// ------------------------------------------------------------------------------------------------
describe('Web of Science', () => {
  it('reads tagged records with 3-space continuations and full names', async () => {
    const { records, stats } = await parseFile(F('sample.wos.txt'));
    expect(stats[0].format).toBe('wos');
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      title: 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies',
      authors: ['Csaba Balazs', 'Edmond L. Berger'],
      venue: 'PHYSICAL REVIEW D',
      doi: '10.1103/physrevd.76.013009',
      date: '2007-07-24',
      keywords: ['diphoton production', 'resummation', 'hadron colliders'],
      wos_id: 'WOS:000000000000001',
      source: { line: 3 },
    });
    expect(records[1]).toMatchObject({ authors: ['R Sramek', 'B Brejova', 'T Vinar'], pages: '240-251', source: { line: 25 } });
  });

  it('names the record line when ER is missing', async () => {
    const text = read(F('sample.wos.txt'));
    const a = await runParser(wosFormat, text.replace(/^ER\n\nPT B/m, 'PT B'), 4096, 'w.txt');
    expect(a.records).toHaveLength(0);
    expect((a.error as Error).message).toBe('w.txt:3: Web of Science record has no "ER" end line before line 23');
    const b = await runParser(wosFormat, text.slice(0, text.lastIndexOf('ER')), 4096, 'w.txt');
    expect(b.records).toHaveLength(1);
    expect((b.error as Error).message).toBe('w.txt:25: Web of Science record has no "ER" end line: the input ends inside it');
  });

  describe.skipIf(!existsSync(EXPORTS))('the real WoS exports', () => {
    it('give the UT ids, full author names and upper-case sources of the files', async () => {
      for (const name of ['WoS_txt_example.txt', 'WoS_ciw_example.ciw']) {
        const text = read(X(name));
        const { records } = await parseFile(X(name));
        expect(records.map((r) => r.wos_id)).toEqual([...text.matchAll(/^UT (\S+)/gm)].map((m) => m[1]));
        expect(records[0]).toMatchObject({ title: 'Soil fauna diversity at different stages of reed restoration in a lakeshore wetland at Lake Taihu, China', venue: 'ECOSYSTEM HEALTH AND SUSTAINABILITY', date: '2020-12-16' });
        expect(records[0].authors?.[0]).toBe('Wei Li');
        expect(records[0].abstract).toMatch(/^Introduction: Wetland soil fauna support material cycling and restoration processes in wetland ecosystems\. In our study/);
      }
    });
  });
});
