// Markdown "daily arXiv" digests as people keep them in notes and wikis:
//   <h2 id="2020-06-17-1">1. Paper title</h2>        (or "## 1. Paper title")
//   Title: [Paper title](https://arxiv.org/abs/ID)
//   Authors: [Name](https://arxiv.org/search/...), [Name](...)
//   > abstract as a block quote
//   | Subjects: | **Computation and Language (cs.CL)**; Machine Learning (cs.LG) |
//   | Cite as:  | **[arXiv:ID](https://arxiv.org/abs/ID) [cs.CL]** |
// Files are kept by hand, so the reader goes by what the text is rather than by its label: a line
// of author-search links is the author list even when it is labelled "Title", an empty link
// "[..]()" falls back to the "Cite as" id, and the heading supplies a missing title.
import { type RawPaper, collapseWhitespace, normalizeArxivId, normalizeDoi, parseDate } from '../../../record.js';
import { latexToUnicode } from '../../../text/latex.js';
import { type FormatParser, type ParseContext, textLines } from '../types.js';
import { addLinks, addUrl, isArxivCategory, setExtra, splitAuthorList, warnWhenNothingFound, yearFromArxivId } from './common.js';

interface Label {
  name: string; // canonical label
  lines: string[];
  line: number;
}

interface Segment {
  line: number;
  heading?: string;
  anchor?: string;
  labels: Label[];
  quote: string[];
  plain: string[][]; // paragraphs of unlabelled text
  rows: Array<{ label: string; value: string }>;
}

const LABELS: Record<string, string> = {
  title: 'title',
  paper: 'title',
  author: 'authors',
  authors: 'authors',
  abstract: 'abstract',
  summary: 'abstract',
  comment: 'comments',
  comments: 'comments',
  subject: 'subjects',
  subjects: 'subjects',
  categories: 'subjects',
  category: 'subjects',
  'primary category': 'subjects',
  doi: 'doi',
  date: 'date',
  published: 'date',
  submitted: 'date',
  'journal reference': 'journal_ref',
  'journal-ref': 'journal_ref',
  'journal ref': 'journal_ref',
  journal: 'journal_ref',
  'cite as': 'cite',
  arxiv: 'link',
  link: 'link',
  links: 'link',
  url: 'link',
  pdf: 'link',
  paper_link: 'link',
  code: 'code',
  github: 'code',
  keywords: 'keywords',
  'acm classes': 'acm_class',
  'msc classes': 'msc_class',
  'report number': 'report_no',
};

const LABEL_LINE = /^\s*(?:[-*+]\s+)?(?:\*\*|__)?\s*([A-Za-z][A-Za-z -]{0,20}?)\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*(.*)$/;
const ATX_HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const HTML_HEADING = /^\s*<h([1-6])\b([^>]*)>(.*)$/i;
const TABLE_ROW = /^\s*\|(.*)\|\s*$/;
const QUOTE_LINE = /^\s*>\s?(.*)$/;
const MD_LINK = /\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*)>?(?:\s+"[^"]*")?\s*\)/g;
const ARXIV_LINK = /arxiv\.org\/(?:abs|pdf)\/([\w.\/-]+?)(?:v\d+)?(?:\.pdf)?(?=$|[?#)\s])/i;
const AUTHOR_LINK = /arxiv\.org\/(?:search\/[^)\s]*searchtype=author|a\/)|scholar\.google|dblp\.org\/pid|semanticscholar\.org\/author|orcid\.org/i;
const DATE_TEXT = /\b(\d{4}-\d{2}-\d{2})\b/;

function labelName(raw: string): string | undefined {
  return LABELS[raw.trim().toLowerCase().replace(/\s+/g, ' ')];
}

/** Markdown inline syntax out: emphasis markers, inline HTML tags, escapes. Links are kept. */
function stripInline(s: string): string {
  return s
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<\/?(?:b|i|em|strong|sup|sub|span|code|p|div|a|u|mark|small|h[1-6])\b[^>]*>/gi, '')
    .replace(/\*\*|__/g, '')
    .replace(/\\([*_#|`>!])/g, '$1');
}

function linksOf(s: string): Array<{ text: string; url: string }> {
  return [...s.matchAll(MD_LINK)].map((m) => ({ text: m[1], url: m[2] }));
}

/** Visible text: links replaced by their text (or their URL when the text is "this http URL"). */
function visibleText(s: string): string {
  const t = s.replace(MD_LINK, (_m, text: string, url: string) => (/^this https? url$/i.test(text.trim()) && url ? url : text));
  return collapseWhitespace(stripInline(t));
}

function arxivIdIn(s: string): string | undefined {
  const link = ARXIV_LINK.exec(s);
  if (link) {
    const id = normalizeArxivId(link[1]);
    if (id) return id;
  }
  const m = /\barXiv:\s*([\w.\/-]+)/i.exec(s);
  return m ? normalizeArxivId(m[1].replace(/[.,;]+$/, '')) : undefined;
}

/** Does this value read as a list of people (author-search links, or several links to no paper)? */
function looksLikeAuthors(value: string): boolean {
  const links = linksOf(value);
  if (links.some((l) => AUTHOR_LINK.test(l.url))) return true;
  return links.length >= 2 && !links.some((l) => ARXIV_LINK.test(l.url));
}

/** Does this value read as a paper title (one link to a paper, an empty link, or plain text)? */
function looksLikeTitle(value: string): boolean {
  const links = linksOf(value);
  if (links.length === 0) return visibleText(value).length > 0 && !/,.*,/.test(value);
  return links.length === 1 && (links[0].url === '' || ARXIV_LINK.test(links[0].url) || !AUTHOR_LINK.test(links[0].url));
}

function authorsFrom(value: string): string[] {
  const links = linksOf(value);
  if (links.length) return links.map((l) => latexToUnicode(collapseWhitespace(stripInline(l.text)))).filter(Boolean);
  return splitAuthorList(stripInline(value));
}

function titleFrom(value: string): string {
  const links = linksOf(value);
  const text = links.length === 1 && visibleText(value.replace(MD_LINK, '')).length === 0 ? links[0].text : visibleText(value);
  return collapseWhitespace(stripInline(text));
}

function cleanHeading(s: string): string {
  return collapseWhitespace(stripInline(visibleText(s)).replace(/^(?:\d+[.)]|[-*•])\s+/, ''));
}

function segmentToRaw(seg: Segment, date: string | undefined): RawPaper | undefined {
  const value = (name: string) => {
    const l = seg.labels.find((x) => x.name === name);
    return l ? l.lines.join(' ') : undefined;
  };
  let titleValue = value('title');
  let authorsValue = value('authors');
  // Swapped labels: go by what the text is.
  if (titleValue !== undefined && looksLikeAuthors(titleValue) && (authorsValue === undefined || looksLikeTitle(authorsValue))) {
    [titleValue, authorsValue] = [authorsValue, titleValue];
  } else if (titleValue === undefined && authorsValue !== undefined && !looksLikeAuthors(authorsValue) && looksLikeTitle(authorsValue) && ARXIV_LINK.test(authorsValue)) {
    [titleValue, authorsValue] = [authorsValue, undefined];
  }
  const isPaper =
    titleValue !== undefined ||
    (authorsValue !== undefined && (seg.heading !== undefined || seg.quote.length > 0)) ||
    (seg.heading !== undefined && (seg.quote.length > 0 || value('abstract') !== undefined) && seg.rows.length + seg.labels.length > 0);
  if (!isPaper) return undefined;

  let title = titleValue !== undefined ? titleFrom(titleValue) : '';
  if (!title && seg.heading) title = cleanHeading(seg.heading);
  const raw: RawPaper = { line: seg.line, title: latexToUnicode(title) };

  if (authorsValue) raw.authors = authorsFrom(authorsValue);

  const abstractParts: string[] = [];
  if (seg.quote.length) abstractParts.push(seg.quote.join('\n'));
  const labelled = value('abstract');
  if (labelled) abstractParts.push(labelled);
  if (!abstractParts.length) {
    const longest = seg.plain.map((p) => p.join(' ')).sort((a, b) => b.length - a.length || (a < b ? -1 : 1))[0];
    if (longest && longest.length >= 100) abstractParts.push(longest);
  }
  if (abstractParts.length) raw.abstract = latexToUnicode(visibleText(abstractParts.join('\n')));

  // Table rows copied from the arXiv page.
  const row = (name: string) => seg.rows.find((r) => labelName(r.label) === name)?.value;
  const cite = row('cite') ?? value('cite');
  let arxivId = cite ? arxivIdIn(cite) : undefined;
  arxivId ??= titleValue ? arxivIdIn(titleValue) : undefined;
  arxivId ??= value('link') ? arxivIdIn(value('link') as string) : undefined;
  if (!arxivId) {
    for (const l of seg.labels) {
      if (l.name === 'authors') continue;
      arxivId = arxivIdIn(l.lines.join(' '));
      if (arxivId) break;
    }
  }
  if (arxivId) raw.arxiv_id = arxivId;

  const subjects = row('subjects') ?? value('subjects');
  const categories: string[] = [];
  let primary: string | undefined;
  if (subjects) {
    const bold = /\*\*([^*]+)\*\*/.exec(subjects)?.[1];
    for (const m of subjects.matchAll(/\(([\w.-]+)\)/g)) if (isArxivCategory(m[1]) && !categories.includes(m[1])) categories.push(m[1]);
    if (!categories.length) for (const t of visibleText(subjects).split(/[\s,;]+/)) if (t.includes('.') && isArxivCategory(t) && !categories.includes(t)) categories.push(t);
    const boldCode = bold ? /\(([\w.-]+)\)/.exec(bold)?.[1] : undefined;
    primary = boldCode && categories.includes(boldCode) ? boldCode : categories[0];
  }
  if (!primary && cite) {
    const m = /\[([\w.-]+)\]/.exec(visibleText(cite));
    if (m && isArxivCategory(m[1])) primary = m[1];
  }
  if (primary) {
    const idx = categories.indexOf(primary);
    if (idx > 0) categories.splice(idx, 1);
    if (idx !== 0) categories.unshift(primary);
    setExtra(raw, 'primary_category', primary);
  }
  if (categories.length) raw.categories = categories;

  const doi = normalizeDoi(visibleText(row('doi') ?? value('doi') ?? '').split(/\s+/)[0] ?? '');
  if (doi) raw.doi = doi;
  const journalRef = row('journal_ref') ?? value('journal_ref');
  if (journalRef) {
    raw.venue = latexToUnicode(visibleText(journalRef));
    setExtra(raw, 'journal_ref', raw.venue);
  }
  const comments = row('comments') ?? value('comments');
  if (comments) {
    setExtra(raw, 'comments', latexToUnicode(visibleText(comments)));
    for (const l of linksOf(comments)) addUrl(raw, l.url);
    addLinks(raw, visibleText(comments));
  }
  const code = value('code');
  if (code) {
    for (const l of linksOf(code)) addUrl(raw, l.url);
    addLinks(raw, code);
    // Links under a "Code:" label are code links even on hosts the link heuristics do not know.
    for (const u of raw.urls ?? []) if (code.includes(u) && !(raw.code_urls ?? []).includes(u)) (raw.code_urls ??= []).push(u);
  }
  setExtra(raw, 'acm_class', row('acm_class') && visibleText(row('acm_class') as string));
  setExtra(raw, 'msc_class', row('msc_class') && visibleText(row('msc_class') as string));
  setExtra(raw, 'report_no', row('report_no') && visibleText(row('report_no') as string));
  const keywords = value('keywords');
  if (keywords) setExtra(raw, 'keywords', visibleText(keywords).split(/\s*[;,]\s*/).filter(Boolean));

  const ownDate = parseDate(visibleText(value('date') ?? ''));
  const when = ownDate ?? date;
  if (when) {
    raw.date = when;
    raw.year = Number(when.slice(0, 4));
  } else raw.year = yearFromArxivId(arxivId);
  if (!ownDate && date) setExtra(raw, 'digest_date', date);
  return raw;
}

async function* parseMarkdownDigest(chunks: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<RawPaper> {
  let seg: Segment | undefined;
  let date: string | undefined; // from the latest date heading
  let segDate: string | undefined;
  let current: Label | undefined; // label whose value may continue on the next lines
  let paragraph: string[] | undefined;
  let lastRow: { label: string; value: string } | undefined;
  let openHeading: { text: string; line: number; attrs: string } | undefined;

  const newSegment = (line: number, heading?: string, anchor?: string): void => {
    seg = { line, heading, anchor, labels: [], quote: [], plain: [], rows: [] };
    segDate = (anchor && DATE_TEXT.exec(anchor)?.[1]) ?? date;
    current = undefined;
    paragraph = undefined;
    lastRow = undefined;
  };
  const finish = (): RawPaper | undefined => {
    if (!seg) return undefined;
    const raw = segmentToRaw(seg, segDate);
    seg = undefined;
    if (raw && !raw.title) {
      ctx.skip('Markdown entry without a title');
      return undefined;
    }
    return raw;
  };
  const heading = function* (text: string, line: number, attrs: string): Generator<RawPaper> {
    const clean = cleanHeading(text);
    // "### Abstract" inside an entry is a label, not a new entry.
    const asLabel = labelName(clean.replace(/[:：]$/, ''));
    if (asLabel && seg) {
      current = { name: asLabel, lines: [], line };
      seg.labels.push(current);
      paragraph = undefined;
      return;
    }
    const done = finish();
    if (done) yield done;
    const anchor = /\bid\s*=\s*["']([^"']*)["']/i.exec(attrs)?.[1];
    const d = DATE_TEXT.exec(clean);
    if (d && clean.replace(DATE_TEXT, '').replace(/[\s:,-]/g, '').length <= 12) date = d[1];
    newSegment(line, text, anchor);
  };

  for await (const { text, line } of textLines(chunks)) {
    const t = text.replace(/^\uFEFF/, '');
    if (openHeading) {
      // An HTML heading that spans lines: <h2 id=..>5.\nTitle</h2>
      const end = /<\/h[1-6]\s*>/i.exec(t);
      openHeading.text += ` ${end ? t.slice(0, end.index) : t}`;
      if (end) {
        yield* heading(openHeading.text, openHeading.line, openHeading.attrs);
        openHeading = undefined;
      }
      continue;
    }
    const html = HTML_HEADING.exec(t);
    if (html) {
      const end = /<\/h[1-6]\s*>/i.exec(html[3]);
      if (end) yield* heading(html[3].slice(0, end.index), line, html[2]);
      else openHeading = { text: html[3], line, attrs: html[2] };
      continue;
    }
    const atx = ATX_HEADING.exec(t);
    if (atx) {
      yield* heading(atx[2], line, '');
      continue;
    }
    if (t.trim() === '') {
      current = undefined;
      paragraph = undefined;
      lastRow = undefined;
      continue;
    }
    const q = QUOTE_LINE.exec(t);
    if (q) {
      if (!seg) newSegment(line);
      (seg as Segment).quote.push(q[1]);
      current = undefined;
      continue;
    }
    const tr = TABLE_ROW.exec(t);
    if (tr && seg) {
      const cells = tr[1].split('|').map((c) => c.trim());
      if (cells.every((c) => /^:?-*:?$/.test(c))) continue; // separator row
      const label = stripInline(cells[0]).replace(/[:：]\s*$/, '').trim();
      const value = cells.slice(1).join(' | ');
      if (label === '' && lastRow) lastRow.value += ` ${value}`;
      else {
        lastRow = { label, value };
        seg.rows.push(lastRow);
      }
      continue;
    }
    const lab = LABEL_LINE.exec(t);
    const name = lab ? labelName(lab[1]) : undefined;
    if (lab && name) {
      // A second "Title:" without a heading in between starts the next entry.
      if (name === 'title' && seg && seg.labels.some((l) => l.name === 'title')) {
        const done = finish();
        if (done) yield done;
      }
      if (!seg) newSegment(line);
      current = { name, lines: lab[2] ? [lab[2]] : [], line };
      (seg as Segment).labels.push(current);
      paragraph = undefined;
      continue;
    }
    if (!seg) continue; // text before the first heading
    if (current) {
      current.lines.push(t.trim());
      continue;
    }
    if (!paragraph) {
      // Only the longest unlabelled paragraph can become the abstract: keep memory flat.
      if (seg.plain.length > 1) {
        const size = (p: string[]) => p.reduce((n, l) => n + l.length + 1, 0);
        seg.plain = [seg.plain.reduce((a, b) => (size(b) > size(a) ? b : a))];
      }
      paragraph = [];
      seg.plain.push(paragraph);
    }
    paragraph.push(t.trim());
  }
  if (openHeading) yield* heading(openHeading.text, openHeading.line, openHeading.attrs);
  const done = finish();
  if (done) yield done;
}

export const markdownDigestFormat: FormatParser = {
  name: 'markdown-digest',
  description: 'Markdown paper digest: a heading per paper, Title:/Authors: lines, abstract as a > quote',
  detect(sample) {
    const headings = /^(?:#{1,6}\s+\S|\s*<h[1-6]\b)/m.test(sample);
    // A link to a real arXiv paper, not a placeholder such as ".../abs/ID".
    const arxivLinks = /\]\(\s*<?https?:\/\/(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf)\/(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})/i.test(sample);
    const titles = sample.match(/^\s*(?:[-*+]\s+)?(?:\*\*|__)?\s*Title\s*(?:\*\*|__)?\s*[:：]/gim)?.length ?? 0;
    const authors = sample.match(/^\s*(?:[-*+]\s+)?(?:\*\*|__)?\s*Authors?\s*(?:\*\*|__)?\s*[:：]/gim)?.length ?? 0;
    const quote = /^\s*>\s*\S/m.test(sample);
    const mdLinks = /\]\(https?:\/\//.test(sample);
    if (arxivLinks) {
      if (headings && titles && authors) return 0.9;
      if (headings && authors && quote) return 0.7;
      if (titles && authors) return 0.5;
      return 0;
    }
    // Digests of papers outside arXiv: several labelled entries under headings.
    return headings && mdLinks && titles >= 2 && authors >= 2 ? 0.3 : 0;
  },
  parse: warnWhenNothingFound('papers (a heading or Title: line with Authors:, an abstract or an arXiv link)', parseMarkdownDigest),
};
