// arXiv's own formats: the mailing-list digest, .abs records, the API's Atom feed, OAI-PMH pages.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CollectingDiagnostics, DataError } from '../../src/errors.js';
import type { Paper, RawPaper } from '../../src/record.js';
import { arxivAbsFormat, arxivMailFormat } from '../../src/stages/parse/formats/arxiv-text.js';
import { atomFormat, oaiPmhFormat } from '../../src/stages/parse/formats/arxiv-xml.js';
import type { FormatParser, ParseContext } from '../../src/stages/parse/types.js';
import { FIXTURES, shared } from '../support/cli.js';
import { parseString } from '../support/records.js';

const F = (name: string) => join(FIXTURES, 'formats', name);
const read = (path: string) => readFileSync(path, 'utf8');

async function parseFile(path: string, chunkSize?: number): Promise<Paper[]> {
  const { records } = await parseString(read(path), {}, path, chunkSize);
  return records;
}

/** Run one parser directly; collect what it yields and the error it ends with, if any. */
async function runParser(format: FormatParser, text: string, chunkSize = 4096, path = 'in.txt') {
  const records: RawPaper[] = [];
  const skipped: string[] = [];
  const diagnostics = new CollectingDiagnostics();
  const ctx: ParseContext = { path, diagnostics, options: {}, skip: (reason) => skipped.push(reason) };
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
  }
  let error: unknown;
  try {
    for await (const r of format.parse(chunks(), ctx)) records.push(r);
  } catch (err) {
    error = err;
  }
  return { records, skipped, diagnostics, error };
}

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`fixture lacks ${needle}`);
  return text.slice(0, at).split('\n').length;
}

// ------------------------------------------------------------------------------------------------
describe('arXiv mailing-list digest', () => {
  const text = read(F('arxiv-mail-excerpt.txt'));

  it('reads new entries and replacements, with source lines at the opening "\\\\"', async () => {
    const { records, stats } = await parseString(text, {}, 'digest.txt');
    expect(stats[0].format).toBe('arxiv-mail');
    expect(records.map((r) => r.arxiv_id)).toEqual(['2303.08867', '2303.09330', '2011.00552', '2206.14015']);
    expect(records.map((r) => r.source?.line)).toEqual([13, 34, 69, 79]);
    for (const [r, id] of records.map((r) => [r, r.arxiv_id] as const)) {
      expect(text.split('\n')[(r.source?.line ?? 0) - 1]).toBe('\\\\');
      expect(text.split('\n')[r.source?.line ?? 0]).toBe(`arXiv:${id}`);
    }
  });

  it('maps the fields, joins hard wraps and turns {\\em ...} into plain text', async () => {
    const [first, second, replaced, msc] = await parseFile(F('arxiv-mail-excerpt.txt'));
    expect(first).toMatchObject({
      title: 'A Bayesian derivation of the square root law of market impact',
      authors: ['Louis Saddier', 'Matteo Marsili'],
      categories: ['q-fin.TR', 'cond-mat.stat-mech'],
      primary_category: 'q-fin.TR',
      comments: '16 pages, 5 figures',
      date: '2023-03-15',
      year: 2023,
    });
    expect(first.abstract).toMatch(/^We show that the main empirical findings on the impact of a sequence of transactions on prices/);
    expect(first.abstract).toContain('This includes i) the square-root behavior');
    expect(first.abstract).toMatch(/originating from meta-orders\.$/);
    expect(first.abstract).not.toMatch(/\n|\\em/);
    expect(second).toMatchObject({
      title: 'Portfolio Volatility Estimation Relative to Stock Market Cross-Sectional Intrinsic Entropy',
      authors: ['Claudiu Vinte', 'Marcel Ausloos'],
      doi: '10.3390/jrfm16020114',
      venue: 'Journal of Risk Financial Management 2023, 16(2), 114',
      journal_ref: 'Journal of Risk Financial Management 2023, 16(2), 114',
    });
    expect(replaced).toMatchObject({ replaced: true, updated: '2023-03-15', year: 2020, title: 'Mixed--frequency quantile regressions to forecast Value--at--Risk and Expected Shortfall' });
    expect(replaced.abstract).toBeUndefined();
    expect(replaced.date).toBeUndefined();
    expect(msc).toMatchObject({ replaced: true, msc_class: '60G65, 91B16, 93E20', authors: ['David Criens', 'Lars Niemann'] });
    expect(first.replaced).toBeUndefined();
  });

  it('names the file and the entry line when an entry is cut short, after yielding those before it', async () => {
    const cut = text.slice(0, text.indexOf('Our research uses the cross-sectional'));
    const { records, error } = await runParser(arxivMailFormat, cut, 100, 'cut.txt');
    expect(records.map((r) => r.arxiv_id)).toEqual(['2303.08867']);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/^cut\.txt:34: arXiv entry 2303\.09330 is cut short/);
    // A replacement entry that runs into the next entry without its closing line is broken too.
    const merged = text.replace('\\\\ ( https://arxiv.org/abs/2011.00552 ,  829kb)\n', '');
    const r2 = await runParser(arxivMailFormat, merged);
    expect((r2.error as Error).message).toBe('in.txt:69: arXiv entry 2011.00552 ends at line 77 before its closing "\\\\" line');
    expect(r2.records).toHaveLength(2);
  });

  describe.skipIf(!existsSync(shared('raw-listings', 'arxiv-mailing-digest')))('the real digest', () => {
    const path = shared('raw-listings', 'arxiv-mailing-digest', 'q-fin_daily_2023-03-17.txt');
    const real = existsSync(path) ? read(path) : '';

    it('gives its 16 entries: 13 new with abstracts and 3 replacements without', async () => {
      const records = await parseFile(path);
      expect(records).toHaveLength(16);
      // Oracle: the arXiv:ID lines of the file, in order.
      const ids = [...real.matchAll(/^arXiv:(\S+)/gm)].map((m) => m[1]);
      expect(records.map((r) => r.arxiv_id)).toEqual(ids);
      expect(records.filter((r) => r.replaced === true).map((r) => r.arxiv_id)).toEqual(['2011.00552', '2203.01664', '2206.14015']);
      expect(records.filter((r) => r.abstract).length).toBe(13);
      expect(records.filter((r) => r.replaced).every((r) => r.abstract === undefined)).toBe(true);
      const nft = records.find((r) => r.arxiv_id === '2303.09393');
      expect(nft?.authors).toEqual(['Na Hyeon Park', 'Hanna Kim', 'Chanhee Lee', 'Changhoon Yoon', 'Seunghyeon Lee', 'Youngjin jin', 'Seungwon Shin']);
      expect(nft?.title).toBe('A Deep Dive into NFT Whales: A Longitudinal Study of the NFT Trading Ecosystem');
      expect(records.find((r) => r.arxiv_id === '2303.09397')?.doi).toBe('10.5121/csit.2023.130302');
    });
  });
});

// ------------------------------------------------------------------------------------------------
describe('arXiv .abs records', () => {
  it('reads one record per file with every field', async () => {
    const [r] = await parseFile(F('arxiv-abs/0704.0001.abs'));
    expect(r).toMatchObject({
      id: '0704.0001',
      arxiv_id: '0704.0001',
      title: 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies',
      authors: ['C. Balázs', 'E. L. Berger', 'P. M. Nadolsky', 'C.-P. Yuan'],
      categories: ['hep-ph'],
      doi: '10.1103/physrevd.76.013009',
      venue: 'Phys.Rev.D76:013009,2007',
      date: '2007-04-02',
      year: 2007,
      updated: '2007-07-24',
      versions: 2,
      report_no: 'ANL-HEP-PR-07-12',
      submitter: 'Pavel Nadolsky',
      comments: '37 pages, 15 figures; published version',
      source: { line: 2 },
    });
    expect(r.abstract).toMatch(/^A fully differential calculation in perturbative quantum chromodynamics is presented for/);
    expect(r.abstract).toMatch(/can be obtained with judicious selection of events\.$/);
    const [accents] = await parseFile(F('arxiv-abs/0704.0062.abs'));
    expect(accents.authors).toEqual(['Rastislav Šrámek', 'Broňa Brejová', 'Tomáš Vinař']);
    expect(accents.submitter).toBe('Tomáš Vinař');
    expect(accents.venue).toBe('Algorithms in Bioinformatics: 7th International Workshop (WABI), 4645 volume of Lecture Notes in Computer Science, pp. 240-251, Philadelphia, PA, USA, September 2007. Springer');
    expect(accents.abstract).toContain('as low as $\\Theta(m\\log n)$,');
    expect(accents.acm_class).toBe('G.3; E.1; F.1.2; J.3');
  });

  it('also reads several records concatenated (cat *.abs)', async () => {
    const dir = F('arxiv-abs');
    const files = readdirSync(dir).sort();
    const text = files.map((f) => read(join(dir, f))).join('');
    const { records, stats } = await parseString(text, {}, 'all.abs');
    expect(stats[0].format).toBe('arxiv-abs');
    expect(records.map((r) => r.arxiv_id)).toEqual(files.map((f) => f.replace(/\.abs$/, '')));
  });

  it('reports a record cut in the middle of its abstract', async () => {
    const text = read(F('arxiv-abs/0704.0002.abs'));
    const { error, records } = await runParser(arxivAbsFormat, text.slice(0, text.length - 200), 64, '0704.0002.abs');
    expect(records).toHaveLength(0);
    expect((error as Error).message).toBe('0704.0002.abs:2: arXiv entry 0704.0002 is cut short: the input ends before its closing "\\\\" line');
  });

  describe.skipIf(!existsSync(shared('raw-listings', 'arxiv-abs-0704')))('the 1,001 real files', () => {
    const dir = shared('raw-listings', 'arxiv-abs-0704');
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.abs')).sort() : [];

    it('give 1,001 records whose ids, titles, DOIs and abstracts match the files', async () => {
      expect(files).toHaveLength(1001);
      const records: Paper[] = [];
      for (const f of files) records.push(...(await parseFile(join(dir, f))));
      expect(records).toHaveLength(1001);
      expect(records.map((r) => r.arxiv_id)).toEqual(files.map((f) => f.replace(/\.abs$/, '')));
      // Oracles taken from the files with plain regular expressions.
      const doiCount = files.filter((f) => /^DOI: \S/m.test(read(join(dir, f)))).length;
      expect(records.filter((r) => r.doi).length).toBe(doiCount);
      expect(records.every((r) => r.title && r.abstract && r.authors?.length && r.categories?.length && r.date)).toBe(true);
      expect(records.every((r) => r.source?.line === 2)).toBe(true);
      const revised = files.filter((f) => /^Date \(revised v\d+\):/m.test(read(join(dir, f)))).length;
      expect(records.filter((r) => r.updated).length).toBe(revised);
      const sample = records.find((r) => r.arxiv_id === '0704.0046');
      expect(sample).toMatchObject({ title: 'A limit relation for entropy and channel capacity per unit cost', doi: '10.1063/1.2779138', categories: ['quant-ph', 'cs.IT', 'math.IT'] });
      expect(sample?.authors).toEqual(['I. Csiszar', 'F. Hiai', 'D. Petz']);
      expect(sample?.abstract).toMatch(/^In a quantum mechanical model, Diosi, Feldmann and Kosloff arrived at a conjecture/);
      // No TeX accent survives in any author name.
      expect(records.flatMap((r) => r.authors ?? []).filter((a) => /\\['"`^~=.]|\\[vcHu]\{/.test(a))).toEqual([]);
    });
  });
});

// ------------------------------------------------------------------------------------------------
describe('arXiv API Atom feed', () => {
  it('reads entries with versionless ids, DOIs, journal refs and primary categories', async () => {
    const { records, stats } = await parseString(read(F('arxiv-api.atom.xml')), {}, 'q.xml');
    expect(stats[0].format).toBe('arxiv-atom');
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      arxiv_id: '0704.0001',
      doi: '10.1103/physrevd.76.013009',
      title: 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies',
      authors: ['C. Balázs', 'E. L. Berger', 'P. M. Nadolsky', 'C. -P. Yuan'],
      venue: 'Phys.Rev.D76:013009,2007',
      primary_category: 'hep-ph',
      categories: ['hep-ph'],
      date: '2007-04-02',
      updated: '2007-07-24',
      comments: '37 pages, 15 figures; published version',
      source: { path: 'q.xml', line: 10 },
    });
    expect(records[1]).toMatchObject({ arxiv_id: '0704.0062', categories: ['cs.DS'], subject_classes: ['G.3; E.1; F.1.2; J.3'], authors: ['Rastislav Šrámek', 'Broňa Brejová', 'Tomáš Vinař'] });
    expect(records[1].abstract).toBe('In this paper, we introduce the on-line Viterbi algorithm for decoding hidden Markov models (HMMs) in much smaller than linear space. Classical Viterbi algorithm requires $O(mn)$ space.');
  });

  it('turns an API error entry into an error naming the line', async () => {
    const xml = `<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n<entry>\n<id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>\n<title>Error</title>\n<summary>incorrect id format for 1234</summary>\n</entry>\n</feed>\n`;
    const { error } = await runParser(atomFormat, xml, 4096, 'err.xml');
    expect((error as Error).message).toBe('err.xml:3: the arXiv API returned an error: incorrect id format for 1234');
  });

  it('names the file and the line of the entry when the XML is cut in half', async () => {
    const xml = read(F('arxiv-api.atom.xml'));
    const cut = xml.slice(0, xml.indexOf('Markov models (HMMs)'));
    const { records, error } = await runParser(atomFormat, cut, 256, 'half.xml');
    expect(records.map((r) => r.arxiv_id)).toEqual(['0704.0001']);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(new RegExp(`^half\\.xml:${lineOf(xml, '<entry>\n    <id>https://arxiv.org/abs/0704.0062')}: <entry> starting here is broken: XML`));
  });

  describe.skipIf(!existsSync(shared('raw-listings', 'arxiv-api-atom')))('the real API response', () => {
    it('gives its 10 entries with the ids, titles and authors of the file', async () => {
      const path = shared('raw-listings', 'arxiv-api-atom', 'query_all-Einstein_2018-02-05.xml');
      const xml = read(path);
      const records = await parseFile(path, 1000);
      expect(records).toHaveLength(10);
      const ids = [...xml.matchAll(/<id>http:\/\/arxiv\.org\/abs\/([^<]+?)v\d+<\/id>/g)].map((m) => m[1]);
      expect(records.map((r) => r.arxiv_id)).toEqual(ids);
      expect(records[0]).toMatchObject({ title: 'Einstein-Weyl structures on almost cosymplectic manifolds', authors: ['Xiaomin Chen'], primary_category: 'math.DG', categories: ['math.DG'], subject_classes: ['53D10, 53D15'], comments: '12 pages, no figures', date: '2018-01-17' });
      expect(records[0].abstract).toMatch(/^In this article, we study the Einstein-Weyl structures on almost cosymplectic manifolds\. First we prove that an almost cosymplectic \$\(\\kappa,\\mu\)\$-manifold/);
      expect(records.filter((r) => r.primary_category === 'math.DG')).toHaveLength(8);
      expect(records.filter((r) => r.primary_category === 'physics.hist-ph')).toHaveLength(2);
      expect(records.filter((r) => r.comments)).toHaveLength(6);
    });
  });
});

// ------------------------------------------------------------------------------------------------
describe('OAI-PMH', () => {
  it('reads arXiv-format records, skips deleted ones and reports the resumption token', async () => {
    const { records, stats, diagnostics } = await parseString(read(F('oai-pmh-arxiv.xml')), {}, 'page.xml');
    expect(stats[0].format).toBe('oai-pmh');
    expect(stats[0].skipped.get('deleted OAI-PMH record')).toBe(1);
    expect(records.map((r) => r.arxiv_id)).toEqual(['0704.0002', '0704.0062']);
    expect(records[0]).toMatchObject({
      title: 'Sparsity-certifying Graph Decompositions',
      authors: ['Ileana Streinu', 'Louis Theran'],
      categories: ['math.CO', 'cs.CG'],
      primary_category: 'math.CO',
      date: '2007-03-30',
      updated: '2008-12-13',
      msc_class: '05C85; 05C70; 68R10; 05B35',
      oai_sets: ['cs', 'math'],
      source: { line: 6 },
    });
    expect(records[1]).toMatchObject({ authors: ['Rastislav Šrámek', 'Broňa Brejová', 'Tomáš Vinař'], doi: '10.1007/978-3-540-74126-8_23' });
    expect(diagnostics.infos.join('\n')).toMatch(/resumptionToken=sample\|3/);
  });

  it('reads arXivRaw and oai_dc metadata too', async () => {
    const wrap = (meta: string) =>
      `<?xml version="1.0"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><GetRecord><record><header><identifier>oai:arXiv.org:0704.0001</identifier></header><metadata>\n${meta}\n</metadata></record></GetRecord></OAI-PMH>\n`;
    const raw = await parseString(
      wrap(`<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>0704.0001</id><submitter>Pavel Nadolsky</submitter><version version="v1"><date>Mon, 2 Apr 2007 19:18:42 GMT</date></version><version version="v2"><date>Tue, 24 Jul 2007 20:10:27 GMT</date></version><title>Calculation of prompt diphoton production cross sections at Tevatron and
  LHC energies</title><authors>C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan</authors><categories>hep-ph</categories><doi>10.1103/PhysRevD.76.013009</doi><abstract>  A fully differential calculation.</abstract></arXivRaw>`),
    );
    expect(raw.records[0]).toMatchObject({ arxiv_id: '0704.0001', doi: '10.1103/physrevd.76.013009', authors: ['C. Balázs', 'E. L. Berger', 'P. M. Nadolsky', 'C.-P. Yuan'], date: '2007-04-02', updated: '2007-07-24', versions: 2, submitter: 'Pavel Nadolsky' });
    const dc = await parseString(
      wrap(`<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Sparsity-certifying Graph Decompositions</dc:title><dc:creator>Streinu, Ileana</dc:creator><dc:creator>Theran, Louis</dc:creator><dc:subject>Mathematics - Combinatorics</dc:subject><dc:description>  We describe a new algorithm.</dc:description><dc:description>Comment: To appear in Graphs and Combinatorics</dc:description><dc:date>2007-03-30</dc:date><dc:identifier>http://arxiv.org/abs/0704.0002</dc:identifier></oai_dc:dc>`),
    );
    expect(dc.records[0]).toMatchObject({ arxiv_id: '0704.0002', title: 'Sparsity-certifying Graph Decompositions', authors: ['Ileana Streinu', 'Louis Theran'], abstract: 'We describe a new algorithm.', comments: 'To appear in Graphs and Combinatorics', subjects: ['Mathematics - Combinatorics'], date: '2007-03-30' });
  });

  it('reports OAI-PMH protocol errors, but treats noRecordsMatch as an empty page', async () => {
    const page = (err: string) => `<?xml version="1.0"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">\n<request>x</request>\n${err}\n</OAI-PMH>\n`;
    const bad = await runParser(oaiPmhFormat, page('<error code="badResumptionToken">The token is expired</error>'), 4096, 'p.xml');
    expect((bad.error as Error).message).toBe('p.xml:4: the OAI-PMH server returned an error (badResumptionToken): The token is expired');
    const none = await runParser(oaiPmhFormat, page('<error code="noRecordsMatch">nothing</error>'));
    expect(none.error).toBeUndefined();
    expect(none.records).toHaveLength(0);
  });

  it('names the file and the record line when the page is cut in half, keeping the records before', async () => {
    const xml = read(F('oai-pmh-arxiv.xml'));
    const cut = xml.slice(0, xml.indexOf('Markov models (HMMs)'));
    const { records, error } = await runParser(oaiPmhFormat, cut, 128, 'cut.xml');
    expect(records.map((r) => r.arxiv_id)).toEqual(['0704.0002']);
    expect((error as Error).message).toMatch(new RegExp(`^cut\\.xml:${lineOf(xml, '<record>\n<header>\n <identifier>oai:arXiv.org:0704.0062')}: <record> starting here is broken: XML .*unclosed tag`));
    // A mismatched end tag is reported the same way.
    const bad = xml.replace('</title><categories>cs.DS', '</titel><categories>cs.DS');
    const r2 = await runParser(oaiPmhFormat, bad);
    expect(r2.records).toHaveLength(1);
    expect((r2.error as Error).message).toMatch(/^in\.txt:29: <record> starting here is broken: XML/);
  });

  it('streams: the first record comes out before the rest of the page is read', async () => {
    const xml = read(F('oai-pmh-arxiv.xml'));
    const body = xml.slice(xml.indexOf('<record>'), xml.indexOf('<resumptionToken'));
    const first = body.slice(0, body.indexOf('</record>') + '</record>'.length);
    const page = xml.replace(body, first.repeat(2000));
    let pulled = 0;
    const size = 512;
    async function* chunks() {
      for (let i = 0; i < page.length; i += size) {
        pulled++;
        yield page.slice(i, i + size);
      }
    }
    const ctx: ParseContext = { path: 'big.xml', diagnostics: new CollectingDiagnostics(), options: {}, skip() {} };
    let count = 0;
    let pulledAtFirst = 0;
    for await (const r of oaiPmhFormat.parse(chunks(), ctx)) {
      if (count === 0) pulledAtFirst = pulled;
      count++;
      expect(r.arxiv_id).toBe('0704.0002');
    }
    expect(count).toBe(2000);
    expect(pulledAtFirst).toBeLessThanOrEqual(5);
    expect(pulled).toBeGreaterThan(1000);
  });

  describe.skipIf(!existsSync(shared('raw-listings', 'arxiv-oai-pmh')))('the real 1,000-record page', () => {
    it('gives 1,000 records in file order, 39 of them sharing ids with the .abs records', async () => {
      const path = shared('raw-listings', 'arxiv-oai-pmh', 'ListRecords_set-cs_2016-03-01_part1.xml');
      const xml = read(path);
      const records = await parseFile(path, 1 << 16);
      expect(records).toHaveLength(1000);
      const ids = [...xml.matchAll(/<identifier>oai:arXiv\.org:([^<]+)<\/identifier>/g)].map((m) => m[1]);
      expect(records.map((r) => r.arxiv_id)).toEqual(ids);
      expect(records.every((r) => r.title && r.abstract && r.authors?.length && r.categories?.length && r.date)).toBe(true);
      expect(records[0]).toMatchObject({ arxiv_id: '0704.0002', title: 'Sparsity-certifying Graph Decompositions', authors: ['Ileana Streinu', 'Louis Theran'], source: { line: 6 } });
      expect(records.at(-1)).toMatchObject({ arxiv_id: '0708.2571', title: 'On the Security of the Cha-Ko-Lee-Han-Cheon Braid Group Public Key Cryptosystem', authors: ['M. M. Chowdhury'] });
      const dois = [...xml.matchAll(/<doi>/g)].length;
      expect(records.filter((r) => r.doi).length).toBe(dois);
      const absDir = shared('raw-listings', 'arxiv-abs-0704');
      if (existsSync(absDir)) {
        const absIds = new Set(readdirSync(absDir).filter((f) => f.endsWith('.abs')).map((f) => f.replace(/\.abs$/, '')));
        expect(records.filter((r) => absIds.has(r.arxiv_id as string))).toHaveLength(39);
      }
    });
  });
});
