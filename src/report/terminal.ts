// The report for a terminal: the same overview as the Markdown (summary, stages, tags, topics),
// as tables that fit the window. Data is sanitized before colour is added, so only our own
// escape codes reach the screen.
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import stripAnsi from 'strip-ansi';
import { sanitizeForTerminal } from '../io/terminal.js';
import { truncate } from '../io/markdown.js';
import { bar } from './markdown.js';
import type { ReportModel } from './model.js';

export interface TerminalOptions {
  /** Terminal width in columns. */
  width: number;
  color: ChalkInstance;
  /** Example titles shown per topic. */
  examples?: number;
  /** Tags shown (the rest are counted). */
  maxTags?: number;
}

function clean(text: unknown, max = 500): string {
  return truncate(sanitizeForTerminal(String(text ?? '')).replace(/\s+/g, ' ').trim(), max);
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Column widths (content, without padding) for a table `width` columns wide:
 * fixed columns keep their width, flexible ones share the rest by weight.
 */
export function fitColumns(width: number, columns: Array<{ fixed?: number; weight?: number; min?: number }>): number[] {
  const chrome = columns.length * 3 + 1; // borders and one space of padding each side
  const fixed = columns.reduce((s, c) => s + (c.fixed ?? 0), 0);
  const weights = columns.reduce((s, c) => s + (c.fixed === undefined ? (c.weight ?? 1) : 0), 0);
  const free = Math.max(0, width - chrome - fixed);
  return columns.map((c) => (c.fixed !== undefined ? c.fixed : Math.max(c.min ?? 6, Math.floor((free * (c.weight ?? 1)) / weights))));
}

// One-line rows need no rule between them.
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

function table(head: string[], widths: number[], color: ChalkInstance, aligns?: Array<'left' | 'right'>, compact = false): Table.Table {
  return new Table({
    ...(compact ? { chars: COMPACT } : {}),
    head: head.map((h) => color.bold(h)),
    colWidths: widths.map((w) => w + 2),
    colAligns: aligns,
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
}

/** Join facts with " · ", breaking lines before `width` columns. */
function wrapFacts(facts: string[], width: number, c: ChalkInstance): string[] {
  const lines: string[] = [];
  let line = '';
  let len = 0;
  for (const f of facts) {
    const w = stripAnsi(f).length;
    if (line && len + 3 + w > width) {
      lines.push(line);
      line = '';
      len = 0;
    }
    line += (line ? c.dim(' · ') : '') + f;
    len += (len ? 3 : 0) + w;
  }
  if (line) lines.push(line);
  return lines;
}

/** Plain text broken at spaces into lines of at most `width` characters (longer words stay whole). */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export function renderTerminal(model: ReportModel, options: TerminalOptions): string {
  const { color: c } = options;
  const width = Math.max(40, options.width);
  const m = model;
  const out: string[] = [];

  out.push(`${c.bold(clean(m.title, Math.max(10, width - 14)))} ${c.dim('—')} ${clean(m.date, 10)}`);
  const facts: string[] = [`${c.bold(num(m.read))} read`];
  if (m.has.duplicates || m.merged) facts.push(`${c.bold(num(m.merged))} duplicates merged`);
  if (m.seen) facts.push(`${c.bold(num(m.seen.dropped))} seen before`);
  facts.push(`${c.bold(num(m.papers))} papers`);
  facts.push(`${c.bold(num(m.withCode))} with code`);
  if (m.has.tags) facts.push(`${c.bold(num(m.tags.length))} tags`);
  if (m.has.cluster) facts.push(`${c.bold(num(m.topics.filter((t) => t.cluster !== null).length))} topics`);
  out.push(...wrapFacts(facts, width, c));
  out.push('');

  if (m.stages.length) {
    out.push(c.bold('Stages'));
    // Number columns as wide as their widest value; the reason takes the rest.
    const numWidth = (header: string, values: string[]) => Math.max(header.length, ...values.map((v) => v.length));
    const ins = m.stages.map((r) => (r.in === undefined ? '–' : num(r.in)));
    const outs = m.stages.map((r) => num(r.out));
    const removed = m.stages.map((r) => num(r.removed));
    const w = fitColumns(width, [{ fixed: 7 }, { fixed: numWidth('in', ins) }, { fixed: numWidth('out', outs) }, { fixed: numWidth('drop', removed) }, { weight: 1, min: 8 }]);
    const t = table(['stage', 'in', 'out', 'drop', 'why'], w, c, ['left', 'right', 'right', 'right', 'left'], true);
    m.stages.forEach((r, i) => t.push([r.stage, ins[i], outs[i], removed[i], clean(r.why)]));
    out.push(t.toString(), '');
  }

  if (m.has.tags && m.tags.length) {
    const maxTags = options.maxTags ?? 20;
    out.push(c.bold('Tags'));
    const counts = m.tags.slice(0, maxTags).map((t) => num(t.count));
    const countWidth = Math.max(6, ...counts.map((x) => x.length));
    const longest = Math.max(3, ...m.tags.slice(0, maxTags).map((t) => clean(t.tag, 28).length));
    const tagWidth = Math.min(longest, 28, Math.max(8, width - 10 - countWidth - 8));
    const w = fitColumns(width, [{ fixed: tagWidth }, { fixed: countWidth }, { weight: 1, min: 6 }]);
    const barWidth = Math.min(40, w[2]);
    const t = table(['tag', 'papers', ''], w, c, ['left', 'right', 'left'], true);
    const max = m.tags[0].count;
    m.tags.slice(0, maxTags).forEach((tag, i) => t.push([clean(tag.tag, 28), counts[i], c.cyan(bar(tag.count, max, barWidth))]));
    out.push(t.toString());
    if (m.tags.length > maxTags) out.push(c.dim(`…and ${m.tags.length - maxTags} more tags`));
    out.push('');
  }

  if (m.topics.length) {
    const examples = options.examples ?? 2;
    out.push(c.bold('Topics'));
    // Narrow terminals drop the example titles, then the terms.
    const showExamples = width >= 90;
    const showTerms = width >= 60;
    const sizes = m.topics.map((t) => num(t.size));
    const cols: Array<{ fixed?: number; weight?: number; min?: number }> = [
      { fixed: Math.max(1, String(m.topics.length).length) },
      { fixed: Math.max(6, ...sizes.map((x) => x.length)) },
      { weight: 3, min: 8 },
    ];
    const head = ['#', 'papers', 'label'];
    const aligns: Array<'left' | 'right'> = ['right', 'right', 'left'];
    if (showTerms) cols.push({ weight: 3, min: 8 }), head.push('top terms'), aligns.push('left');
    if (showExamples) cols.push({ weight: 5, min: 10 }), head.push('for example'), aligns.push('left');
    const t = table(head, fitColumns(width, cols), c, aligns);
    m.topics.forEach((topic, i) => {
      const row = [
        topic.cluster === null ? '–' : String(i + 1),
        sizes[i],
        topic.cluster === null ? c.dim('(no topic)') : clean(topic.label, 120),
      ];
      if (showTerms) row.push(clean(topic.terms.join(', '), 200));
      if (showExamples) row.push(topic.members.slice(0, examples).map((k) => `• ${clean(m.entries[k].title, 160)}`).join('\n'));
      t.push(row);
    });
    out.push(t.toString(), '');
  }

  const hints: string[] = [];
  if (m.duplicateGroups.length) hints.push(`${num(m.duplicateGroups.length)} papers absorbed duplicates (listed with --format md).`);
  hints.push('Full lists: --format md; one row per paper: --format csv; figures: --format json.');
  for (const h of hints) for (const line of wrapWords(h, width)) out.push(c.dim(line));
  return out.join('\n') + '\n';
}
