// Markdown daily digests kept by hand: read what a person would read, not only the happy path.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownDigestFormat } from '../../src/stages/parse/formats/markdown-digest.js';
import { FIXTURES, shared } from '../support/cli.js';
import { parseString } from '../support/records.js';

const read = (path: string) => readFileSync(path, 'utf8');
const FIXTURE = join(FIXTURES, 'formats', 'digest.md');
const REAL = shared('raw-listings', 'markdown-daily-digest', 'AIKT-MT-Daily_arXiv-2020-06.md');

describe('Markdown digest (synthetic sample)', () => {
  it('reads every paper and no table of contents, date heading or link back', async () => {
    const { records, stats } = await parseString(read(FIXTURE), {}, 'digest.md');
    expect(stats[0].format).toBe('markdown-digest');
    expect(records.map((r) => r.arxiv_id)).toEqual(['0704.0001', '0704.0002', '0704.0062', '0704.0031']);
    expect(records.map((r) => r.source?.line)).toEqual([17, 36, 53, 66]);
  });

  it('maps the arXiv table: primary category first, DOI, journal reference, comments', async () => {
    const [r] = (await parseString(read(FIXTURE))).records;
    expect(r).toMatchObject({
      title: 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies',
      authors: ['C. Balázs', 'E. L. Berger', 'P. M. Nadolsky', 'C.-P. Yuan'],
      abstract: 'A fully differential calculation in perturbative quantum chromodynamics is presented for the production of massive photon pairs at hadron colliders.',
      categories: ['hep-ph'],
      primary_category: 'hep-ph',
      doi: '10.1103/physrevd.76.013009',
      venue: 'Phys.Rev.D76:013009,2007',
      comments: '37 pages, 15 figures; published version',
      date: '2007-04-02',
      digest_date: '2007-04-02',
      year: 2007,
    });
  });

  it('goes by content when labels are swapped, and takes the title from a heading split over lines', async () => {
    const r = (await parseString(read(FIXTURE))).records[1];
    expect(r.title).toBe('Sparsity-certifying Graph Decompositions');
    expect(r.authors).toEqual(['Ileana Streinu', 'Louis Theran']);
    // The bold subject is the primary one even when it is not listed first.
    expect(r.categories).toEqual(['math.CO', 'cs.CG']);
    expect(r.primary_category).toBe('math.CO');
    expect(r.abstract).toBe('We describe a new algorithm, the $(k,\\ell)$-pebble game with colors.');
  });

  it('handles an empty title link, bold labels, an "### Abstract" heading, TeX accents and a Code link', async () => {
    const r = (await parseString(read(FIXTURE))).records[2];
    expect(r).toMatchObject({
      title: 'On-line Viterbi Algorithm and Its Relationship to Random Walks',
      arxiv_id: '0704.0062', // from "Cite as", the title link being empty
      authors: ['Rastislav Šrámek', 'Broňa Brejová', 'Tomáš Vinař'],
      abstract: 'In this paper, we introduce the on-line Viterbi algorithm for decoding hidden Markov models (HMMs) in much smaller than linear space.',
      primary_category: 'cs.DS',
      code_urls: ['https://gitlab.com/example/online-viterbi'],
      date: '2007-04-01',
    });
  });

  it('reads a list-style entry without a heading', async () => {
    const r = (await parseString(read(FIXTURE))).records[3];
    expect(r).toMatchObject({
      title: 'Crystal channeling of LHC forward protons with preserved distribution in phase space',
      authors: ['V. M. Biryukov'],
      abstract: "We show that crystal can trap a broad (x, x', y, y', E) distribution of particles and channel it preserved with a high precision.",
      arxiv_id: '0704.0031',
    });
  });

  it('does not claim a README that only describes the format', () => {
    const readme = 'Format per paper\n  <h2 id="2020-06-01-1">1. Paper title</h2>\n  Title: [Paper title](https://arxiv.org/abs/ID)\n  Authors: [Name](https://arxiv.org/search/cs?searchtype=author&query=x)\n';
    expect(markdownDigestFormat.detect(readme, 'README.txt')).toBe(0);
  });
});

describe.skipIf(!existsSync(REAL))('the real June 2020 digest', () => {
  it('gives its 54 papers with titles, authors, abstracts, ids and categories', async () => {
    const text = existsSync(REAL) ? read(REAL) : '';
    const { records, stats } = await parseString(text, {}, REAL);
    expect(stats[0].format).toBe('markdown-digest');
    expect(records).toHaveLength(54);
    // Oracle: the <h2> lines of the file.
    const h2 = text.split('\n').flatMap((l, i) => (l.startsWith('<h2 ') ? [i + 1] : []));
    expect(records.map((r) => r.source?.line)).toEqual(h2);
    // Oracle: the "Cite as" ids in order.
    const cite = [...text.matchAll(/^\| Cite as: *\| \*\*\[arXiv:([\d.]+)\]/gm)].map((m) => m[1]);
    expect(cite).toHaveLength(54);
    expect(records.map((r) => r.arxiv_id)).toEqual(cite);
    expect(records.every((r) => r.title && r.abstract && r.authors?.length && r.categories?.length && r.primary_category === r.categories?.[0])).toBe(true);
    expect(new Set(records.map((r) => r.id)).size).toBe(54);

    const first = records[0];
    expect(first).toMatchObject({ title: 'AVLnet: Learning Audio-Visual Language Representations from Instructional Videos', arxiv_id: '2006.09199', primary_category: 'cs.CV', date: '2020-06-17' });
    expect(first.authors).toHaveLength(11);
    expect(first.authors?.[0]).toBe('Andrew Rouditchenko');
    expect(first.abstract).toMatch(/^Current methods for learning visually grounded language from videos often rely on time-consuming/);
    // The two entries whose title link is empty: "Title: [..]()".
    expect(records.find((r) => r.source?.line === 331)).toMatchObject({ arxiv_id: '2006.07264', title: 'Low-resource Languages: A Review of Past Work and Future Challenges' });
    expect(records.find((r) => r.source?.line === 1139)).toMatchObject({ arxiv_id: '2005.14672', title: 'Massive Choice, Ample Tasks (MaChAmp):A Toolkit for Multi-task Learning in NLP', date: '2020-06-01' });
    expect(records.find((r) => r.source?.line === 1139)?.authors).toContain('Ahmet Üstün');
    // A heading split over two lines, and "Authors:" written without a space.
    expect(records.find((r) => r.source?.line === 252)?.title).toBe('An Augmented Translation Technique for low Resource language pair: Sanskrit to Hindi translation');
    expect(records.find((r) => r.arxiv_id === '2006.03274')?.authors).toEqual(['Ankit Gupta', 'Jonathan Berant']);
  });
});
