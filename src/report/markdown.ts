// The Markdown report (GitHub-flavoured): what a person reads in a CI job summary or a PR.
// Every piece of data goes through src/io/markdown.ts; the only HTML is our own <details>.
// Rendered as a stream of chunks so a million-paper index never becomes one giant string.
import { codeSpan, escapeCell, escapeInline, heading, link, mermaidLabel, urlLabel } from '../io/markdown.js';
import { type PaperEntry, type ReportModel, entryLinks } from './model.js';

export interface MarkdownOptions {
  /** List at most this many papers (the first in input order); all counts still cover every paper. */
  maxPapers?: number;
  /** Include the full index table (default true). */
  index?: boolean;
  /** Lines saying what was left out and why (shown under the summary). */
  trimmed?: string[];
}

const TITLE_MAX = 300;
const LABEL_MAX = 80;
const BAR_WIDTH = 24;
const CHART_TAGS = 15;
const TAG_ROWS = 20;
const IDS_PER_GROUP = 20;
const CODE_LINKS = 2;

function percent(part: number, whole: number): string {
  if (!whole) return '0%';
  const p = (100 * part) / whole;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)}%`;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

/** A bar of block characters, eighths included, `width` cells at most. */
export function bar(value: number, max: number, width = BAR_WIDTH): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  const full = Math.floor(eighths / 8);
  const rest = eighths % 8;
  return '█'.repeat(full) + (rest ? ' ▏▎▍▌▋▊▉'[rest] : '');
}

/** The title linked to the paper's best link (arXiv, DOI, then its page). */
function titleLink(e: PaperEntry): string {
  const l = entryLinks(e);
  return link(e.title || e.id, l.arxiv ?? l.doi ?? l.page, TITLE_MAX);
}

/** The links besides the title's own (the title goes to arXiv, else the DOI, else the paper's page). */
function extraLinks(e: PaperEntry, separator = ' · '): string {
  const l = entryLinks(e);
  const parts: string[] = [];
  if (l.doi && l.arxiv) parts.push(link('DOI', l.doi));
  l.code.slice(0, CODE_LINKS).forEach((u, i) => parts.push(link(l.code.length > 1 && i > 0 ? `code ${i + 1}` : 'code', u)));
  return parts.filter((p) => p.startsWith('[')).join(separator);
}

function topicName(model: ReportModel, topic: number): string {
  const t = model.topics[topic];
  if (!t) return '';
  return t.cluster === null ? 'No topic' : `Topic ${topic + 1}`;
}

function countShown(members: number[], shown: number): number {
  // Members are ascending entry indices: binary search for the cut.
  let lo = 0;
  let hi = members.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (members[mid] < shown) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The report as Markdown chunks (join them for the whole text). */
export function* markdownChunks(model: ReportModel, options: MarkdownOptions = {}): Generator<string> {
  const shown = Math.min(model.papers, options.maxPapers ?? model.papers);
  const withIndex = options.index ?? true;
  const m = model;

  yield `# ${escapeInline(m.title, 200) || 'Papers digest'} — ${escapeInline(m.date)}\n\n`;

  // Summary.
  const lines: string[] = [];
  const inputs = m.inputs.length
    ? ` from ${m.inputs.length === 1 ? codeSpan(m.inputs[0].path, { maxLength: 120 }) : plural(m.inputs.length, 'input')}`
    : '';
  lines.push(`- **${plural(m.read, 'paper')}** read${inputs}`);
  if (m.has.duplicates || m.merged) {
    lines.push(`- **${plural(m.merged, 'duplicate')}** merged${m.seen ? '' : `, leaving **${num(m.papers)}** distinct`}`);
  }
  if (m.seen) {
    lines.push(`- **${num(m.seen.dropped)}** already in earlier digests, so **${plural(m.papers, 'new paper')}** here`);
  }
  lines.push(`- **${num(m.withCode)}** with code (${percent(m.withCode, m.papers)})`);
  if (m.has.tags) {
    const on = m.tagged === m.papers ? (m.papers === 1 ? 'the paper' : `all ${plural(m.papers, 'paper')}`) : `${num(m.tagged)} of ${plural(m.papers, 'paper')}`;
    lines.push(`- **${plural(m.tags.length, 'tag')}** on ${on}`);
  }
  const realTopics = m.topics.filter((t) => t.cluster !== null).length;
  if (m.has.cluster) lines.push(`- **${plural(realTopics, 'topic')}**`);
  const ids: string[] = [];
  if (m.withArxiv) ids.push(`${num(m.withArxiv)} with an arXiv id`);
  if (m.withDoi) ids.push(`${num(m.withDoi)} with a DOI`);
  if (m.years) ids.push(m.years.min === m.years.max ? `from ${m.years.min}` : `from ${m.years.min} to ${m.years.max}`);
  if (ids.length) lines.push(`- ${ids.join(', ')}`);
  yield `## Summary\n\n${lines.join('\n')}\n\n`;
  if (options.trimmed?.length) yield `> [!NOTE]\n${options.trimmed.map((t) => `> ${t}`).join('\n>\n')}\n\n`;
  if (m.papers === 0) {
    yield 'No papers to report.\n';
    return;
  }

  // Ledger.
  if (m.stages.length) {
    let s = '## How the papers were counted\n\n| Stage | In | Out | Removed | Why |\n| --- | --: | --: | --: | --- |\n';
    for (const r of m.stages) {
      s += `| ${r.stage} | ${r.in === undefined ? '–' : num(r.in)} | ${num(r.out)} | ${r.removed ? num(r.removed) : '0'} | ${escapeCell(r.why, 500)} |\n`;
    }
    yield s + '\n';
  }

  // Tags.
  if (m.has.tags && m.tags.length) {
    const max = m.tags[0].count;
    let s = `## Tags\n\n| Tag | Papers | Share | |\n| --- | --: | --: | --- |\n`;
    for (const t of m.tags.slice(0, TAG_ROWS)) s += `| ${escapeCell(t.tag, LABEL_MAX)} | ${num(t.count)} | ${percent(t.count, m.papers)} | ${bar(t.count, max)} |\n`;
    s += '\n';
    if (m.tags.length > TAG_ROWS) {
      const rest = m.tags.slice(TAG_ROWS);
      s += `Also ${plural(rest.length, 'more tag')}: ${rest.map((t) => `${escapeInline(t.tag, LABEL_MAX)} (${num(t.count)})`).join(', ')}.\n\n`;
    }
    const top = m.tags.slice(0, CHART_TAGS);
    s += '```mermaid\nxychart-beta horizontal\n';
    s += `  title "Papers per tag${m.tags.length > top.length ? ` (top ${top.length})` : ''}"\n`;
    s += `  x-axis [${top.map((t) => `"${mermaidLabel(t.tag)}"`).join(', ')}]\n`;
    s += `  y-axis "Papers" 0 --> ${max}\n`;
    s += `  bar [${top.map((t) => t.count).join(', ')}]\n`;
    s += '```\n\n';
    yield s;
  }

  // Topics.
  if (m.topics.length) {
    // An overview first: what the listing is about, at a glance.
    let overview = `## Topics\n\n| # | Topic | Papers | Top terms |\n| --: | --- | --: | --- |\n`;
    m.topics.forEach((t, ti) => {
      const label = t.cluster === null ? '*no topic*' : escapeCell(t.label, LABEL_MAX) || '–';
      overview += `| ${t.cluster === null ? '–' : ti + 1} | ${label} | ${num(t.size)} | ${t.terms.map((x) => escapeCell(x, LABEL_MAX)).join(' · ')} |\n`;
    });
    yield overview + '\n';
    for (let ti = 0; ti < m.topics.length; ti++) {
      const t = m.topics[ti];
      const name = topicName(m, ti);
      const label = t.label && t.cluster !== null ? `: ${t.label}` : '';
      let s = `${heading(3, `${name}${label} (${plural(t.size, 'paper')})`)}\n\n`;
      if (t.terms.length) s += `Top terms: ${t.terms.map((x) => escapeInline(x, LABEL_MAX)).join(' · ')}\n\n`;
      const visible = countShown(t.members, shown);
      const parts: string[] = [];
      for (let k = 0; k < visible; k++) {
        const e = m.entries[t.members[k]];
        const extra = extraLinks(e);
        const year = e.year !== undefined ? ` (${e.year})` : '';
        parts.push(`- ${titleLink(e)}${year}${extra ? ` · ${extra}` : ''}\n`);
      }
      s += parts.join('');
      if (visible < t.size) s += `${visible ? '- ' : ''}*…and ${plural(t.size - visible, 'more paper')} not listed here*\n`;
      yield s + '\n';
    }
  }

  // Papers with code.
  if (m.withCode) {
    let s = `## Papers with code\n\n`;
    let listed = 0;
    const parts: string[] = [];
    for (let i = 0; i < shown; i++) {
      const e = m.entries[i];
      if (!e.codeUrls.length) continue;
      listed++;
      const repos = e.codeUrls.slice(0, CODE_LINKS).map((u) => link(urlLabel(u), u)).join(', ');
      parts.push(`- ${titleLink(e)} — ${repos}\n`);
    }
    s += parts.join('');
    if (listed < m.withCode) s += `${listed ? '- ' : ''}*…and ${plural(m.withCode - listed, 'more paper')} with code not listed here*\n`;
    yield s + '\n';
  }

  // Duplicate groups.
  if (m.duplicateGroups.length) {
    let s = `## Duplicates merged\n\n`;
    let listed = 0;
    for (const g of m.duplicateGroups) {
      if (g.entry >= shown) continue;
      listed++;
      const e = m.entries[g.entry];
      const idList = g.ids.slice(0, IDS_PER_GROUP).map((id) => codeSpan(id, { maxLength: 120 })).join(', ');
      const more = g.ids.length > IDS_PER_GROUP ? ` and ${num(g.ids.length - IDS_PER_GROUP)} more` : '';
      s += `- ${titleLink(e)}: kept ${codeSpan(e.id, { maxLength: 120 })}, merged ${idList}${more}\n`;
    }
    const rest = m.duplicateGroups.length - listed;
    if (rest) s += `${listed ? '- ' : ''}*…and ${plural(rest, 'more group')} not listed here*\n`;
    yield s + '\n';
  }

  // Full index.
  if (withIndex && shown > 0) {
    const hasYear = m.years !== undefined;
    const headers = ['#', 'Title'];
    if (hasYear) headers.push('Year');
    if (m.has.tags) headers.push('Tags');
    if (m.has.cluster) headers.push('Topic');
    headers.push('Links');
    const open = m.has.cluster ? '' : ' open';
    const what = shown < m.papers ? `The first ${num(shown)} of ${plural(m.papers, 'paper')}` : `All ${plural(m.papers, 'paper')}`;
    yield `## Index\n\n<details${open}>\n<summary>${what}</summary>\n\n| ${headers.join(' | ')} |\n| --: |${' --- |'.repeat(headers.length - 1)}\n`;
    let batch: string[] = [];
    for (let i = 0; i < shown; i++) {
      const e = m.entries[i];
      const cells = [String(i + 1), titleLink(e)];
      if (hasYear) cells.push(e.year !== undefined ? String(e.year) : '');
      if (m.has.tags) cells.push(e.tags.map((x) => escapeCell(x, LABEL_MAX)).join(', '));
      if (m.has.cluster) cells.push(e.topic >= 0 && m.topics[e.topic].cluster !== null ? String(e.topic + 1) : '');
      cells.push(extraLinks(e));
      batch.push(`| ${cells.join(' | ')} |\n`);
      if (batch.length >= 2000) {
        yield batch.join('');
        batch = [];
      }
    }
    if (batch.length) yield batch.join('');
    yield `\n</details>\n`;
  }
}

export function renderMarkdown(model: ReportModel, options: MarkdownOptions = {}): string {
  return [...markdownChunks(model, options)].join('');
}

function byteSize(model: ReportModel, options: MarkdownOptions): number {
  let n = 0;
  for (const c of markdownChunks(model, options)) n += Buffer.byteLength(c, 'utf8');
  return n;
}

export interface BudgetOptions {
  /** --max-papers: list at most this many papers. */
  maxPapers?: number;
  /** --max-bytes: the whole Markdown in at most this many UTF-8 bytes. */
  maxBytes?: number;
}

export interface BudgetedMarkdown {
  options: MarkdownOptions;
  /** Papers listed. */
  shown: number;
  index: boolean;
  bytes: number;
}

/**
 * Choose what to list so the Markdown fits the limits, deterministically: first the full index
 * goes, then papers from the end of the input, until the text fits. The report says what was left out.
 * Throws RangeError when even the summary alone exceeds maxBytes.
 */
export function fitMarkdown(model: ReportModel, budget: BudgetOptions): BudgetedMarkdown {
  const cap = Math.min(model.papers, budget.maxPapers ?? model.papers);
  const note = (shown: number, index: boolean): string[] => {
    const out: string[] = [];
    if (shown < model.papers) {
      const why = budget.maxPapers !== undefined && shown === cap ? `--max-papers ${budget.maxPapers}` : `--max-bytes ${budget.maxBytes}`;
      out.push(`Lists show the first ${plural(shown, 'paper')} of ${num(model.papers)} (${why}); the counts above cover all of them.`);
    }
    if (!index && shown > 0) out.push(`The full index was left out to stay within --max-bytes ${budget.maxBytes}.`);
    return out;
  };
  const attempt = (shown: number, index: boolean): BudgetedMarkdown => {
    const options: MarkdownOptions = { maxPapers: shown, index, trimmed: note(shown, index) };
    return { options, shown, index, bytes: budget.maxBytes === undefined ? 0 : byteSize(model, options) };
  };
  const full = attempt(cap, true);
  if (budget.maxBytes === undefined || full.bytes <= budget.maxBytes) return full;
  const max = budget.maxBytes;
  const noIndex = attempt(cap, false);
  if (noIndex.bytes <= max) return noIndex;
  // Largest number of listed papers that fits. Size grows with it: gallop up from a small count,
  // then bisect, so each attempt renders about as much as the budget, not the whole corpus.
  let best: BudgetedMarkdown | undefined;
  let lo = 0;
  let hi = cap - 1;
  for (let probe = 16; probe < hi; probe *= 2) {
    const a = attempt(probe, false);
    if (a.bytes > max) {
      hi = probe - 1;
      break;
    }
    best = a;
    lo = probe + 1;
  }
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const a = attempt(mid, false);
    if (a.bytes <= max) {
      best = a;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (!best) throw new RangeError(`the report does not fit in ${max} bytes even without listing any paper`);
  return best;
}
