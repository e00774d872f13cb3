// Hostile records through every stage that copies or merges records, and every terminal renderer.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderTable, DEFAULT_TABLE } from '../../src/io/output.js';
import type { Paper } from '../../src/record.js';
import { clusterRecords } from '../../src/stages/cluster/index.js';
import { dedupe } from '../../src/stages/dedupe/index.js';
import { tagCorpus } from '../../src/stages/tag/index.js';
import { buildReport } from '../../src/report/model.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { renderMarkdown } from '../../src/report/markdown.js';

// JSON.parse makes "__proto__" an own key: exactly what arrives from a hostile JSONL line.
function hostileRecords(): Paper[] {
  const lines = [
    '{"id":"p1","title":"Graph kernels for molecules","abstract":"We study graph neural networks and kernels on molecules. Code at https://github.com/a/b.","source":{"path":"x","line":1},"__proto__":{"polluted":true},"doi":"10.1000/abc"}',
    '{"id":"p2","title":"Graph Kernels for Molecules","abstract":"We study graph neural networks and kernels on molecules.","source":{"path":"x","line":2},"constructor":{"prototype":{"isAdmin":true}},"doi":"10.1000/abc"}',
    '{"id":"p3","title":"\\u001b]0;pwned\\u0007\\u001b[2JClear screen \\u009b31m red \\u202egnp.exe","abstract":"Vision transformers for image classification with attention.\\r\\bover","source":{"path":"x","line":3},"prototype":{"x":1}}',
    '{"id":"p4","title":"Diffusion models for image generation","abstract":"A diffusion model generates images from noise with a U-Net.","source":{"path":"x","line":4},"__proto__":{"isAdmin":true}}',
  ];
  return lines.map((l) => JSON.parse(l) as Paper);
}

function assertClean(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(probe.isAdmin).toBeUndefined();
  expect(probe.x).toBeUndefined();
  expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
}

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('hostile records through every stage', () => {
  it('dedupe merging records with __proto__/constructor keys pollutes nothing', () => {
    const result = dedupe(hostileRecords());
    assertClean();
    expect(result.stats.in).toBe(4);
    // the two records sharing a DOI merge; nothing is lost
    const ids = result.records.flatMap((r) => [r.id, ...((r.duplicates as string[]) ?? [])]);
    expect(ids.sort()).toEqual(['p1', 'p2', 'p3', 'p4']);
  });

  it('tag and cluster pollute nothing', () => {
    const tagged = tagCorpus(hostileRecords());
    assertClean();
    const { records } = clusterRecords(tagged, { k: 2 });
    assertClean();
    expect(records).toHaveLength(4);
  });

  it('terminal tables show control characters escaped, keeping only our own colour codes', () => {
    const records = hostileRecords();
    const color = new Chalk({ level: 3 });
    const table = renderTable(records, DEFAULT_TABLE, 120, color);
    // eslint-disable-next-line no-control-regex
    const withoutOurColours = table.replace(/\u001b\[[0-9;]*m/g, '');
    expect(RAW_CONTROL.test(withoutOurColours)).toBe(false);
    expect(withoutOurColours).not.toContain('\u001b');
    expect(table).toMatch(/\\e\]0;pwned\^G/);
    const model = buildReport(tagCorpus(records), { date: '2026-01-01' });
    const screen = renderTerminal(model, { width: 100, color }).replace(/\u001b\[[0-9;]*m/g, '');
    expect(RAW_CONTROL.test(screen)).toBe(false);
    expect(screen).not.toContain('\u001b');
  });

  it('Markdown output carries no raw control characters from data', () => {
    const model = buildReport(hostileRecords(), { date: '2026-01-01' });
    const md = renderMarkdown(model);
    expect(RAW_CONTROL.test(md)).toBe(false);
    expect(md).not.toContain('\u001b');
  });
});
