import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Chalk } from 'chalk';
import Papa from 'papaparse';
import stringWidth from 'string-width';
import type { Paper } from '../../src/record.js';
import { buildReport } from '../../src/report/model.js';
import { bar, fitMarkdown, renderMarkdown } from '../../src/report/markdown.js';
import { renderTerminal, fitColumns } from '../../src/report/terminal.js';
import { renderCsv, REPORT_CSV_COLUMNS } from '../../src/report/csv.js';
import { renderJson } from '../../src/report/json.js';
import { plainText } from '../../src/io/markdown.js';
import { parseString } from '../support/records.js';
import { allNodes, nodesOfType, parseMarkdown, textOf, type MdNode } from './markdown-ast.js';

const DATE = '2025-01-15';

function paper(i: number, extra: Partial<Paper> = {}): Paper {
  return { id: `p${i}`, title: `Paper number ${i} about graphs`, source: { path: 'in.txt', line: i * 2 + 1 }, ...extra };
}

// Titles and fields that try to break Markdown, HTML, GitHub and terminals.
const HOSTILE_TITLES = [
  'a|b|c',
  'pipe in `code | span` here',
  'trailing backslash\\',
  'new\nline and\r\nCRLF',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<details><summary>fake</summary>',
  '<!-- hidden comment -->',
  '[x](javascript:alert(1))',
  '# heading',
  '- list item',
  '1. ordered',
  '\u001b[2J\u001b]0;pwned\u0007\u001b[31mred title\u001b[0m',
  'ping @someone about #123',
  '```\nfence\n```',
  '![pixel](https://tracker.example/p.png)',
  'right-to-left \u202Eevil\u202C override',
  '| --- | --- |',
];

function hostileRecords(): Paper[] {
  return HOSTILE_TITLES.map((title, i) => ({
    id: i === 3 ? 'id|with`pipe' : `h${i}`,
    title,
    abstract: 'abstract with <script>x</script> and [y](javascript:z)',
    authors: ['<b>Eve</b>', '@mallory'],
    year: 2020 + (i % 3),
    arxiv_id: i === 0 ? '2401.00001' : i === 1 ? 'javascript:alert(1)' : undefined,
    doi: i === 2 ? '10.1000/a|b(c)<d>' : undefined,
    urls: i === 4 ? ['javascript:alert(1)', 'https://ok.example/paper'] : [],
    code_urls: i === 5 ? ['https://github.com/o/r', 'javascript:alert(2)', 'data:text/html,x'] : i === 6 ? ['https://github.com/a/b|c)d'] : [],
    source: { path: 'evil|path`.txt', line: i + 1 },
    duplicates: i === 7 ? ['dup`1', 'dup|2', '@someone', '#9'] : [],
    tags: i % 2 ? ['vision', 'x|y <b>', '# t'] : ['graphs'],
    keywords: ['kw|1', '<i>kw</i>', '`tick`'],
    cluster: i % 3,
    cluster_label: ['label | one', '<script>two</script>', '# three\n- four \u001b]0;pwned\u0007'][i % 3],
  }));
}

const OUR_HTML = /^(<details( open)?>|<\/details>|<summary>[^<>]*<\/summary>)$/;

function checkStructure(md: string, root: MdNode): void {
  for (const n of allNodes(root)) {
    expect(['image', 'imageReference', 'definition', 'footnoteDefinition', 'footnoteReference', 'thematicBreak']).not.toContain(n.type);
    if (n.type === 'html') for (const line of n.value!.split('\n')) expect(line).toMatch(OUR_HTML);
    if (n.type === 'link') expect(n.url).toMatch(/^https?:\/\/[^\s]+$/);
    if (n.type === 'code') expect(n.lang).toBe('mermaid');
  }
  for (const t of nodesOfType(root, 'table')) {
    const width = t.children![0].children!.length;
    for (const row of t.children!) expect(row.children).toHaveLength(width);
  }
  expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
}

describe('report model', () => {
  it('uses only the fields present: a parsed-only stream', async () => {
    const text = readFileSync(new URL('../../fixtures/trending-listing.txt', import.meta.url), 'utf8');
    const { records } = await parseString(text, {}, 'fixtures/trending-listing.txt');
    const m = buildReport(records, { date: DATE });
    expect(m.papers).toBe(119);
    expect(m.read).toBe(119);
    expect(m.merged).toBe(0);
    expect(m.has).toEqual({ source: true, duplicates: false, tags: false, keywords: false, cluster: false });
    expect(m.withCode).toBe(records.filter((r) => (r.code_urls ?? []).length > 0).length);
    expect(m.stages.map((s) => s.stage)).toEqual(['parse']);
    expect(m.topics).toEqual([]);
    const md = renderMarkdown(m);
    const root = parseMarkdown(md);
    checkStructure(md, root);
    expect(nodesOfType(root, 'heading').map(textOf)).toEqual(['Papers digest — 2025-01-15', 'Summary', 'How the papers were counted', 'Papers with code', 'Index']);
    // Without topics the index is the paper list, so it starts open.
    expect(md).toContain('<details open>');
    const index = nodesOfType(root, 'table').at(-1)!;
    expect(index.children).toHaveLength(120);
  });

  it('counts duplicates, tags, topics and the ledger', () => {
    const records = [
      paper(1, { duplicates: ['a', 'b'], tags: ['vision', 'graphs'], cluster: 1, cluster_label: 'small', keywords: ['alpha', 'beta'], code_urls: ['https://github.com/o/r'] }),
      paper(2, { duplicates: [], tags: ['vision'], cluster: 0, cluster_label: 'big', keywords: ['gamma', 'alpha'] }),
      paper(3, { tags: [], cluster: 0, cluster_label: 'big', keywords: ['gamma'] }),
      paper(4, { tags: ['graphs', 'vision'], cluster: -1, cluster_label: 'unclustered' }),
    ];
    const m = buildReport(records, { date: DATE });
    expect(m.papers).toBe(4);
    expect(m.merged).toBe(2);
    expect(m.read).toBe(6);
    expect(m.tags).toEqual([{ tag: 'vision', count: 3 }, { tag: 'graphs', count: 2 }]);
    expect(m.tagged).toBe(3);
    expect(m.topics.map((t) => [t.cluster, t.label, t.size, t.members])).toEqual([
      [0, 'big', 2, [1, 2]],
      [1, 'small', 1, [0]],
      [null, 'unclustered', 1, [3]],
    ]);
    // Terms shared by the topic's papers and rarer elsewhere: "gamma" (both papers of topic 0, no
    // other); "alpha" is in one paper of topic 0 only; "graphs" is in every title, so it sets no
    // topic apart. A one-paper topic ranks its terms by rarity: beta (1 paper), alpha (2).
    expect(m.topics[0].terms).toEqual(['gamma']);
    expect(m.topics[1].terms).toEqual(['beta', 'alpha']);
    expect(m.topics[2].terms).toEqual([]);
    expect(m.entries.map((e) => e.topic)).toEqual([1, 0, 0, 2]);
    expect(m.stages.map((s) => [s.stage, s.in, s.out, s.removed])).toEqual([
      ['parse', undefined, 6, 0],
      ['dedupe', 6, 4, 2],
      ['tag', 4, 4, 0],
      ['cluster', 4, 4, 0],
    ]);
    expect(m.stages[1].why).toBe('2 records merged as duplicates into 1 paper');
    expect(m.stages[3].why).toBe('2 topics; 1 without a topic');
    expect(m.duplicateGroups).toEqual([{ entry: 0, ids: ['a', 'b'] }]);
  });

  it('accounts for papers dropped by --seen', () => {
    const m = buildReport([paper(1, { duplicates: ['x'] }), paper(2)], { date: DATE, seen: { dropped: 3, droppedMerged: 1, known: 10 } });
    expect(m.read).toBe(2 + 1 + 3 + 1);
    expect(m.stages.map((s) => [s.stage, s.in, s.out, s.removed])).toEqual([
      ['parse', undefined, 7, 0],
      ['dedupe', 7, 5, 2],
      ['seen', 5, 2, 3],
    ]);
  });

  it('ignores fields of the wrong type instead of failing', () => {
    const weird = { id: 'w', title: 'Weird', tags: 'vision', duplicates: 'a', cluster: '3', code_urls: [1, null, 'javascript:x'], authors: 'Bob', year: '2020', urls: {} } as unknown as Paper;
    const m = buildReport([weird], { date: DATE });
    expect(m.has).toEqual({ source: false, duplicates: false, tags: false, keywords: false, cluster: false });
    expect(m.entries[0]).toEqual({ id: 'w', title: 'Weird', codeUrls: [], tags: [], topic: -1, duplicates: 0 });
    expect(() => renderMarkdown(m)).not.toThrow();
  });

  it('handles an empty stream', () => {
    const m = buildReport([], { date: DATE });
    const md = renderMarkdown(m);
    expect(md).toContain('No papers to report.');
    expect(renderCsv(m).split('\r\n').filter(Boolean)).toHaveLength(1);
    expect(JSON.parse(renderJson(m)).papers).toBe(0);
  });
});

describe('Markdown rendering', () => {
  it('keeps hostile titles, labels, tags, ids and links inert', () => {
    const records = hostileRecords();
    const m = buildReport(records, { date: DATE, title: '<b>Daily</b> | digest @team' });
    const md = renderMarkdown(m);
    const root = parseMarkdown(md);
    checkStructure(md, root);

    // Headings: the title, our sections, one per topic; none from data.
    const headings = nodesOfType(root, 'heading');
    expect(headings.map((h) => h.depth)).toEqual([1, 2, 2, 2, 2, 3, 3, 3, 2, 2, 2]);
    expect(textOf(headings[0])).toBe(`${plainText('<b>Daily</b> | digest @team')} — ${DATE}`);
    expect(headings.slice(5, 8).map(textOf)).toEqual([
      `Topic 1: ${plainText('label | one')} (6 papers)`,
      `Topic 2: ${plainText('<script>two</script>')} (6 papers)`,
      `Topic 3: ${plainText('# three\n- four \u001b]0;pwned\u0007')} (6 papers)`,
    ]);

    // The index: one row per paper, each title cell exactly the visible title.
    const tables = nodesOfType(root, 'table');
    const index = tables.at(-1)!;
    expect(index.children).toHaveLength(records.length + 1);
    expect(index.children![0].children!.map(textOf)).toEqual(['#', 'Title', 'Year', 'Tags', 'Topic', 'Links']);
    index.children!.slice(1).forEach((row, i) => {
      expect(textOf(row.children![1])).toBe(plainText(records[i].title, 300));
      expect(textOf(row.children![3])).toBe((records[i].tags as string[]).slice().sort().map((t) => plainText(t)).join(', '));
    });

    // Topic lists: one item per member, each a single paragraph.
    const lists = nodesOfType(root, 'list');
    for (const l of lists.slice(0, 3)) {
      expect(l.children).toHaveLength(6);
      for (const item of l.children!) expect(item.children!.map((c) => c.type)).toEqual(['paragraph']);
    }

    // Links: only http(s), and javascript:/data: never appear as a destination.
    const urls = nodesOfType(root, 'link').map((l) => l.url!);
    expect(urls).toContain('https://arxiv.org/abs/2401.00001');
    expect(urls).toContain('https://github.com/o/r');
    expect(urls).toContain('https://ok.example/paper');
    expect(urls).toContain('https://doi.org/10.1000/a%7Cb%28c%29%3Cd%3E');
    expect(urls.some((u) => /javascript|data:/i.test(u))).toBe(false);

    // Mentions and issue references are broken with a zero-width joiner.
    // (outside code spans, where GitHub links nothing).
    for (const t of nodesOfType(root, 'text')) expect(t.value).not.toMatch(/@[\p{L}\p{N}]|#\p{N}/u);
    expect(nodesOfType(root, 'inlineCode').map((n) => n.value)).toContain('@someone');
    // The Mermaid block holds only sanitized labels and numbers.
    const chart = nodesOfType(root, 'code')[0].value!;
    expect(chart.split('\n')).toEqual([
      'xychart-beta horizontal',
      '  title "Papers per tag"',
      '  x-axis ["t", "graphs", "vision", "x y b"]',
      '  y-axis "Papers" 0 --> 9',
      '  bar [9, 9, 9, 9]',
    ]);
  });

  it('is deterministic', () => {
    const a = renderMarkdown(buildReport(hostileRecords(), { date: DATE }));
    const b = renderMarkdown(buildReport(hostileRecords(), { date: DATE }));
    expect(a).toBe(b);
  });

  it('draws bars with eighths', () => {
    expect(bar(10, 10, 4)).toBe('████');
    expect(bar(5, 10, 4)).toBe('██');
    expect(bar(1, 16, 4)).toBe('▎');
    expect(bar(0, 10, 4)).toBe('');
  });

  it('--max-papers lists the first N and says so; counts still cover all', () => {
    const records = Array.from({ length: 30 }, (_, i) => paper(i, { cluster: i % 2, cluster_label: `c${i % 2}`, tags: ['t'], code_urls: ['https://github.com/o/r' + i] }));
    const m = buildReport(records, { date: DATE });
    const fitted = fitMarkdown(m, { maxPapers: 5 });
    expect(fitted.shown).toBe(5);
    const md = renderMarkdown(m, fitted.options);
    const root = parseMarkdown(md);
    checkStructure(md, root);
    expect(md).toContain('Lists show the first 5 papers of 30 (--max-papers 5)');
    expect(md).toContain('*…and 12 more papers not listed here*');
    expect(md).toContain('**30** with code');
    expect(nodesOfType(root, 'table').at(-1)!.children).toHaveLength(6);
  });

  it('--max-bytes trims deterministically to the largest listing that fits', () => {
    const records = Array.from({ length: 400 }, (_, i) => paper(i, { title: `A reasonably long title for paper ${i} on graph kernels and more`, cluster: i % 5, cluster_label: `topic ${i % 5}`, tags: ['graphs', 'kernels'], code_urls: i % 3 ? [] : [`https://github.com/owner/repo${i}`] }));
    const m = buildReport(records, { date: DATE });
    const fullBytes = Buffer.byteLength(renderMarkdown(m));
    for (const maxBytes of [fullBytes, fullBytes - 1, 60_000, 20_000, 5_000]) {
      const fitted = fitMarkdown(m, { maxBytes });
      const md = renderMarkdown(m, fitted.options);
      expect(Buffer.byteLength(md)).toBeLessThanOrEqual(maxBytes);
      expect(Buffer.byteLength(md)).toBe(fitted.bytes || Buffer.byteLength(md));
      if (maxBytes === fullBytes) {
        expect(fitted.shown).toBe(400);
        expect(fitted.index).toBe(true);
        continue;
      }
      expect(md).toMatch(/--max-bytes \d+/);
      checkStructure(md, parseMarkdown(md));
      // Largest: one byte less lists fewer papers (or drops the index).
      const tighter = fitMarkdown(m, { maxBytes: fitted.bytes - 1 });
      expect(tighter.shown < fitted.shown || (fitted.index && !tighter.index)).toBe(true);
      expect(fitMarkdown(m, { maxBytes }).options).toEqual(fitted.options);
    }
    expect(() => fitMarkdown(m, { maxBytes: 100 })).toThrow(RangeError);
  });
});

describe('terminal rendering', () => {
  const model = buildReport(hostileRecords(), { date: DATE });

  it.each([40, 80, 160])('fits %i columns and lets no control sequence through', (width) => {
    const text = renderTerminal(model, { width, color: new Chalk({ level: 0 }) });
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    for (const line of text.split('\n')) {
      expect(stringWidth(line), line).toBeLessThanOrEqual(Math.max(width, 40));
    }
    expect(text).toContain('Tags');
    expect(text).toContain('Topics');
  });

  it('adds colour only around sanitized text', () => {
    const text = renderTerminal(model, { width: 100, color: new Chalk({ level: 1 }) });
    // Every ESC starts one of chalk's SGR colour codes.
    expect(text.replace(/\u001b\[\d+(;\d+)*m/g, '')).not.toMatch(/\u001b/);
    expect(text).toContain('\\e]0;pwned^G');
  });

  it('divides the width between columns', () => {
    // 80 - 10 fixed - 10 for borders and padding = 60, shared 1:3.
    expect(fitColumns(80, [{ fixed: 10 }, { weight: 1 }, { weight: 3 }])).toEqual([10, 15, 45]);
  });
});

describe('CSV and JSON', () => {
  it('CSV has one row per paper and round-trips hostile cells', () => {
    const records = hostileRecords();
    const m = buildReport(records, { date: DATE });
    const csv = renderCsv(m);
    const parsed = Papa.parse<string[]>(csv, { skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data).toHaveLength(records.length + 1);
    expect(parsed.data[0]).toEqual([...REPORT_CSV_COLUMNS]);
    const titleCol = REPORT_CSV_COLUMNS.indexOf('title');
    parsed.data.slice(1).forEach((row, i) => {
      expect(row).toHaveLength(REPORT_CSV_COLUMNS.length);
      const title = records[i].title;
      // Formula-like cells get a leading quote for spreadsheets.
      expect(row[titleCol]).toBe(/^[=+\-@\t\r]/.test(title) ? `'${title}` : title);
    });
  });

  it('JSON carries the summary figures', () => {
    const m = buildReport(hostileRecords(), { date: DATE });
    const j = JSON.parse(renderJson(m));
    expect(j.papers).toBe(HOSTILE_TITLES.length);
    expect(j.duplicates_merged).toBe(4);
    expect(j.read).toBe(HOSTILE_TITLES.length + 4);
    // Ties in count are ordered by tag.
    expect(j.tags).toEqual([{ tag: '# t', papers: 9 }, { tag: 'graphs', papers: 9 }, { tag: 'vision', papers: 9 }, { tag: 'x|y <b>', papers: 9 }]);
    expect(j.topics.map((t: { papers: number }) => t.papers)).toEqual([6, 6, 6]);
    expect(j.stages.map((s: { stage: string }) => s.stage)).toEqual(['parse', 'dedupe', 'tag', 'cluster']);
  });
});
