import { describe, expect, it } from 'vitest';
import {
  IdRegistry, cleanUrl, collapseWhitespace, extractLinks, normalizeArxivId, normalizeDoi, normalizeTitle, parseDate, parseYear, titleId,
} from '../../src/record.js';

describe('normalizeArxivId', () => {
  it.each([
    ['arXiv:2301.01234v3', '2301.01234'],
    ['https://arxiv.org/abs/1801.05533v1', '1801.05533'],
    ['http://arxiv.org/pdf/0704.0001v2.pdf', '0704.0001'],
    ['oai:arXiv.org:0704.0002', '0704.0002'],
    ['cs/9901001v2', 'cs/9901001'],
    ['math.CO/0601001', 'math.CO/0601001'],
    // float-mangled ids from a spreadsheet
    ['704.0001', '0704.0001'],
    ['704.001', '0704.0010'],
    ['704.2', '0704.2000'],
  ])('%s -> %s', (raw, want) => {
    expect(normalizeArxivId(raw)).toBe(want);
  });
  it.each(['', 'hello', '10.1000/xyz', '1399.1234', '1234.5678.9'])('rejects %j', (raw) => {
    expect(normalizeArxivId(raw)).toBeUndefined();
  });
});

describe('normalizeDoi', () => {
  it.each([
    ['10.1103/PhysRevD.76.013009', '10.1103/physrevd.76.013009'],
    ['https://doi.org/10.1080/20964129.2020.1722034', '10.1080/20964129.2020.1722034'],
    ['http://dx.doi.org/10.1111/JAAC.12686', '10.1111/jaac.12686'],
    ['doi: 10.1007/s11220-019-0265-8.', '10.1007/s11220-019-0265-8'],
  ])('%s -> %s', (raw, want) => {
    expect(normalizeDoi(raw)).toBe(want);
  });
  it('rejects non-DOIs', () => {
    expect(normalizeDoi('not a doi')).toBeUndefined();
    expect(normalizeDoi('11.1234/x')).toBeUndefined();
  });
});

describe('links', () => {
  it('cleans the debris listings glue onto links', () => {
    expect(cleanUrl('https://github.com/a/b.')).toBe('https://github.com/a/b');
    expect(cleanUrl('https://github.com/jzzzzh/HiBench,')).toBe('https://github.com/jzzzzh/HiBench');
    expect(cleanUrl('https://github.com/pnnl/projection\\_ntk).')).toBe('https://github.com/pnnl/projection_ntk');
    expect(cleanUrl('https://github.com/hhy-huang/HiRAG{https://github.com/hhy-huang/HiRAG}.')).toBe('https://github.com/hhy-huang/HiRAG');
    expect(cleanUrl('https://en.wikipedia.org/wiki/Kernel_(statistics)')).toBe('https://en.wikipedia.org/wiki/Kernel_(statistics)');
    expect(cleanUrl('github.com/linkedin/Liger-Kernel.')).toBe('https://github.com/linkedin/Liger-Kernel');
  });
  it('finds links in text, code links as a subset, each once', () => {
    const text =
      'Code at~https://github.com/microsoft/Swin-Transformer. Page: https://vishu26.github.io/RCME/index.html. ' +
      'Mirror (https://anonymous.4open.science/r/MS-HGFN). Again https://github.com/microsoft/Swin-Transformer and github.com/linkedin/Liger-Kernel.';
    const { urls, code_urls } = extractLinks(text);
    expect(urls).toEqual([
      'https://github.com/microsoft/Swin-Transformer',
      'https://vishu26.github.io/RCME/index.html',
      'https://anonymous.4open.science/r/MS-HGFN',
      'https://github.com/linkedin/Liger-Kernel',
    ]);
    expect(code_urls).toEqual([
      'https://github.com/microsoft/Swin-Transformer',
      'https://anonymous.4open.science/r/MS-HGFN',
      'https://github.com/linkedin/Liger-Kernel',
    ]);
  });
  it('does not treat e-mail addresses or version numbers as links', () => {
    expect(extractLinks('mail me at someone@github.com or see v1.2.3').urls).toEqual([]);
  });
});

describe('titles and ids', () => {
  it('collapses whitespace and nothing else', () => {
    expect(collapseWhitespace('  A\n  title\t with  “quotes” ')).toBe('A title with “quotes”');
  });
  it('normalizes titles across Unicode forms, case and punctuation', () => {
    expect(normalizeTitle('Eﬃcient  Poincaré—Embeddings!')).toBe(normalizeTitle('efficient poincare embeddings'));
  });
  it('derives a readable, stable id from the title', () => {
    const id = titleId('Fisher Information Embedding for Node and Graph Learning');
    expect(id).toMatch(/^fisher-information-embedding-for-node-and-[0-9a-f]{8}$/);
    expect(titleId('Fisher information embedding for node and graph learning.')).toBe(id);
    expect(titleId('Fisher Information Embedding for Node and Graph Learning II')).not.toBe(id);
  });
  it('keeps ids unique within one output', () => {
    const ids = new IdRegistry();
    expect([ids.unique('a'), ids.unique('a'), ids.unique('a~2'), ids.unique('a')]).toEqual(['a', 'a~2', 'a~2~2', 'a~3']);
  });
});

describe('years and dates', () => {
  it('parses the forms found in real exports', () => {
    expect(parseYear('2016')).toBe(2016);
    expect(parseYear(1999)).toBe(1999);
    expect(parseYear('11/26/2008')).toBe(2008);
    expect(parseYear('n/a')).toBeUndefined();
    expect(parseDate('11/26/2008')).toBe('2008-11-26');
    expect(parseDate('2016-03-01T23:19:39Z')).toBe('2016-03-01');
    expect(parseDate('Mon, 2 Apr 2007 19:18:42 GMT')).toBe('2007-04-02');
    expect(parseDate('yesterday')).toBeUndefined();
  });
});
