import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEED } from '../support/cli.js';
import { parseString } from '../support/records.js';

const seedText = readFileSync(SEED, 'utf8');
const seedLines = seedText.split('\n');

// Independent oracle: in this listing, after two boilerplate lines, titles and abstracts alternate
// (line 3 carries a glued "Subscribe" prefix).
const expectedTitles = seedLines.slice(2).filter((_, i) => i % 2 === 0).filter((l) => l.trim()).map((l, i) => (i === 0 ? l.replace(/^Subscribe/, '') : l).trim());
const expectedAbstracts = seedLines.slice(2).filter((_, i) => i % 2 === 1).filter((l) => l.trim()).map((l) => l.trim());

describe('copied trending listing', () => {
  it('gives all 119 papers with exact titles and abstracts and no boilerplate', async () => {
    const { records, stats, diagnostics } = await parseString(seedText, {}, 'seed.txt');
    expect(stats[0].format).toBe('listing');
    expect(records).toHaveLength(119);
    expect(expectedTitles).toHaveLength(119);
    expect(records.map((r) => r.title)).toEqual(expectedTitles);
    expect(records.map((r) => r.abstract)).toEqual(expectedAbstracts);
    expect(records[0].title).toBe('Fisher Information Embedding for Node and Graph Learning');
    expect(records.at(-1)!.title).toBe('Hierarchical Text Classification Using Black Box Large Language Models');
    expect(records.some((r) => /trending papers|^Subscribe/i.test(r.title))).toBe(false);
    expect(diagnostics.warnings).toEqual([]);
  });

  it('points each record at its title line and gives unique ids', async () => {
    const { records } = await parseString(seedText, {}, 'seed.txt');
    expect(records[0].source).toEqual({ path: 'seed.txt', line: 3 });
    expect(records[1].source).toEqual({ path: 'seed.txt', line: 5 });
    expect(new Set(records.map((r) => r.id)).size).toBe(119);
  });

  it('finds the 33 links, cleaned, with code links separated', async () => {
    const { records } = await parseString(seedText);
    const urls = records.flatMap((r) => r.urls ?? []);
    const code = records.flatMap((r) => r.code_urls ?? []);
    expect(urls).toHaveLength(33);
    expect(code).toHaveLength(32);
    for (const u of urls) {
      expect(u).toMatch(/^https:\/\/[^\s{}\\]+$/);
      expect(u).not.toMatch(/[.,;:)]$/);
    }
    expect(urls).toContain('https://github.com/pnnl/projection_ntk');
    expect(urls).toContain('https://github.com/hhy-huang/HiRAG');
    expect(urls).toContain('https://github.com/linkedin/Liger-Kernel');
    expect(urls).toContain('https://github.com/microsoft/Swin-Transformer');
    expect(urls).toContain('https://vishu26.github.io/RCME/index.html');
    expect(code).not.toContain('https://vishu26.github.io/RCME/index.html');
  });

  it('reads the same papers with CRLF line ends, a BOM and blank lines', async () => {
    const variant = '\uFEFF' + seedText.split('\n').join('\r\n\r\n');
    const { records } = await parseString(variant);
    expect(records.map((r) => r.title)).toEqual(expectedTitles);
    expect(records.map((r) => r.abstract)).toEqual(expectedAbstracts);
  });

  it('gives the same records whatever the read-chunk size', async () => {
    const whole = await parseString(seedText);
    const tiny = await parseString(seedText, {}, 'test.txt', 7);
    expect(tiny.records).toEqual(whole.records);
  });

  it('reads two listings pasted one after the other', async () => {
    const { records } = await parseString(seedText + '\n' + seedText);
    expect(records).toHaveLength(238);
    expect(records[119].title).toBe(expectedTitles[0]);
    // same title twice: ids stay unique
    expect(records[119].id).toBe(`${records[0].id}~2`);
  });

  it('keeps a title whose abstract is missing and warns with its line', async () => {
    const lines = seedText.split('\n');
    lines.splice(5, 1); // drop the second paper's abstract (line 6)
    const { records, diagnostics } = await parseString(lines.join('\n'), {}, 'cut.txt');
    expect(records).toHaveLength(119);
    expect(records[1].title).toBe(expectedTitles[1]);
    expect(records[1].abstract).toBeUndefined();
    expect(records[2].abstract).toBe(expectedAbstracts[2]);
    expect(diagnostics.warnings.join('\n')).toMatch(/^cut\.txt:5: title without an abstract/);
  });

  it('refuses a page that is only boilerplate instead of printing nothing', async () => {
    await expect(parseString('Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\nSubscribe\n')).rejects.toThrow(/cannot tell what format/);
  });
});
