// The record contract: one paper is one JSON object on one line. See schema/paper.schema.json.
import { createHash } from 'node:crypto';
import { DataError } from './errors.js';

export interface SourceRef {
  path: string;
  line: number;
}

export interface Paper {
  id: string;
  title: string;
  abstract?: string;
  authors?: string[];
  year?: number;
  date?: string;
  categories?: string[];
  arxiv_id?: string;
  doi?: string;
  venue?: string;
  urls?: string[];
  code_urls?: string[];
  source?: SourceRef;
  // Added by later stages.
  duplicates?: string[];
  tags?: string[];
  keywords?: string[];
  cluster?: number;
  cluster_label?: string;
  // Every field a stage does not know passes through unchanged.
  [field: string]: unknown;
}

/** Collapse line wraps and runs of whitespace to single spaces and trim; nothing else changes. */
const NON_SPACE_WHITESPACE = /[^\S ]/;

export function collapseWhitespace(text: string): string {
  // Most text is already clean: check without allocating (measured faster than one combined regex).
  const n = text.length;
  if (n === 0) return text;
  if (text.charCodeAt(0) !== 32 && text.charCodeAt(n - 1) !== 32 && text.indexOf('  ') < 0 && !NON_SPACE_WHITESPACE.test(text)) return text;
  return text.replace(/\s+/g, ' ').trim();
}

const NEW_ARXIV = /^(\d{2}(?:0[1-9]|1[0-2]))\.(\d{4,5})(v\d+)?$/;
const OLD_ARXIV = /^([a-z-]+(?:\.[A-Z]{2})?)\/(\d{7})(v\d+)?$/i;

/**
 * Normalize an arXiv identifier: no "arXiv:" prefix, no URL, no version suffix.
 * Repairs ids damaged by spreadsheets ("704.001" -> "0704.0010"). Returns undefined if not an arXiv id.
 */
export function normalizeArxivId(raw: unknown): string | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  let s = String(raw);
  // Every form below keeps a '.' or a '/' (the steps before only remove text): most ids have neither.
  if (s.indexOf('.') < 0 && s.indexOf('/') < 0) return undefined;
  s = s.trim();
  s = s.replace(/^https?:\/\/(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf)\//i, '').replace(/\.pdf$/i, '');
  s = s.replace(/^arxiv:\s*/i, '').replace(/^oai:arxiv\.org:/i, '');
  let m = NEW_ARXIV.exec(s);
  if (m) return `${m[1]}.${m[2]}`;
  m = OLD_ARXIV.exec(s);
  if (m) return `${m[1]}/${m[2]}`;
  // A float-mangled new-style id: "704.0001" or "704.001" (left part lost its leading zero, right part its trailing zeros).
  const f = /^(\d{3,4})\.(\d{1,5})$/.exec(s);
  if (f && f[1].length <= 4) {
    const left = f[1].padStart(4, '0');
    const yymm = Number(left.slice(2));
    if (yymm >= 1 && yymm <= 12) {
      // Before 2015 (1501) arXiv numbers had 4 digits, after 5.
      const width = Number(left) >= 1501 ? 5 : 4;
      if (f[2].length <= width) return `${left}.${f[2].padEnd(width, '0')}`;
    }
  }
  return undefined;
}

/** Normalize a DOI: lower case, no resolver prefix or "doi:" label, no trailing punctuation. */
export function normalizeDoi(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  // A DOI keeps its '/' (the steps below only remove text).
  if (raw.indexOf('/') < 0) return undefined;
  let s = raw.trim();
  s = s.replace(/^(?:https?:\/\/)?(?:dx\.)?doi\.org\//i, '').replace(/^doi:\s*/i, '');
  s = s.replace(/[.,;)\]]+$/, '');
  if (!/^10\.\d{4,9}\/\S+$/.test(s)) return undefined;
  return s.toLowerCase();
}

const CODE_HOSTS = /^(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|gitee\.com|sourceforge\.net|anonymous\.4open\.science|git\.io|sr\.ht|git\.sr\.ht)$/i;

// A link starts at a scheme, at "www.", or at a bare code-host name.
const URL_START = /(?:https?:\/\/|(?<![\w.@/-])www\.|(?<![\w.@/-])(?:github\.com|gitlab\.com|bitbucket\.org|anonymous\.4open\.science)\/)[^\s<>"'`]+/gi;

/** Clean one link of the debris listings glue onto it. */
export function cleanUrl(raw: string): string | undefined {
  let u = raw.replace(/\\_/g, '_').replace(/\\%/g, '%').replace(/\\&/g, '&').replace(/\\#/g, '#');
  // LaTeX \url{X} / \href{X}{..} echo: "X{X}" or "X}" — keep what precedes the brace.
  const brace = u.indexOf('{');
  if (brace > 0) u = u.slice(0, brace);
  u = u.replace(/}+$/, '');
  // Trailing punctuation; a closing parenthesis stays only when the link opened one.
  for (;;) {
    const last = u.at(-1);
    if (last === undefined) break;
    if ('.,;:!?\'"*'.includes(last)) {
      u = u.slice(0, -1);
      continue;
    }
    if (last === ')' || last === ']') {
      const open = last === ')' ? '(' : '[';
      const opens = u.split(open).length - 1;
      const closes = u.split(last).length - 1;
      if (closes > opens) {
        u = u.slice(0, -1);
        continue;
      }
    }
    break;
  }
  if (!/^https?:\/\//i.test(u)) u = `https://${u}`;
  try {
    const parsed = new URL(u);
    if (!parsed.hostname.includes('.')) return undefined;
  } catch {
    return undefined;
  }
  return u;
}

export function isCodeUrl(url: string): boolean {
  try {
    return CODE_HOSTS.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** Links found in text, cleaned and de-duplicated in order of appearance; code links are a subset. */
const LINK_HINTS = ['://', 'www.', 'github.com', 'gitlab.com', 'bitbucket.org', '4open.science'];

export function extractLinks(text: string): { urls: string[]; code_urls: string[] } {
  const urls: string[] = [];
  // Most abstracts have no link: substring checks are several times cheaper than the link regex.
  let hinted = false;
  for (const h of LINK_HINTS) {
    if (text.indexOf(h) >= 0) {
      hinted = true;
      break;
    }
  }
  if (!hinted) return { urls, code_urls: [] };
  const seen = new Set<string>();
  for (const m of text.matchAll(URL_START)) {
    const url = cleanUrl(m[0]);
    if (url && !seen.has(url)) {
      seen.add(url);
      urls.push(url);
    }
  }
  return { urls, code_urls: urls.filter(isCodeUrl) };
}

/** Normalization for comparing titles: Unicode compatibility forms, case, punctuation and spacing folded. */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** An id derived from the normalized title: a readable slug plus a short hash of the whole title. */
export function titleId(title: string): string {
  const norm = normalizeTitle(title);
  const slug = norm.split(' ').filter(Boolean).slice(0, 6).join('-').slice(0, 48) || 'untitled';
  const hash = createHash('sha1').update(norm).digest('hex').slice(0, 8);
  return `${slug}-${hash}`;
}

/** Makes ids unique within one output: a repeated id gets "~2", "~3", ... in input order. */
export class IdRegistry {
  private readonly seen = new Map<string, number>();
  unique(id: string): string {
    const n = this.seen.get(id);
    if (n === undefined) {
      this.seen.set(id, 1);
      return id;
    }
    let k = n + 1;
    while (this.seen.has(`${id}~${k}`)) k++;
    this.seen.set(id, k);
    const fresh = `${id}~${k}`;
    this.seen.set(fresh, 1);
    return fresh;
  }
}

/** The fields parsers produce before a record gets its id and links. */
export interface RawPaper {
  id?: string;
  title?: string;
  abstract?: string;
  authors?: string[];
  year?: number;
  date?: string;
  categories?: string[];
  arxiv_id?: string;
  doi?: string;
  venue?: string;
  urls?: string[];
  code_urls?: string[];
  line: number; // 1-based line where the entry starts
  extra?: Record<string, unknown>; // fields passed through unchanged
  /** An input object that already is a papers record: passed through untouched. */
  passthrough?: Paper;
}

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** Copy own enumerable keys into a fresh object, skipping keys that could reach a prototype. */
export function safeAssign(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    if (RESERVED.has(key)) continue;
    target[key] = source[key];
  }
}

function cleanList(list: string[] | undefined): string[] | undefined {
  if (!list) return undefined;
  const out: string[] = [];
  for (const item of list) {
    const v = collapseWhitespace(String(item));
    if (v && !out.includes(v)) out.push(v);
  }
  return out.length ? out : undefined;
}

/**
 * Turn a parser's raw fields into a record: collapsed whitespace, normalized ids, links, an id.
 * Field order is fixed so output is byte-stable.
 */
export function finalizeRecord(raw: RawPaper, path: string, ids: IdRegistry): Paper {
  if (raw.passthrough) return raw.passthrough;
  const title = collapseWhitespace(raw.title ?? '');
  const abstract = raw.abstract !== undefined ? collapseWhitespace(raw.abstract) : undefined;
  const arxiv_id = normalizeArxivId(raw.arxiv_id ?? '') ?? undefined;
  const doi = normalizeDoi(raw.doi ?? '') ?? undefined;
  const ownId = raw.id !== undefined && raw.id !== null ? collapseWhitespace(String(raw.id)) : '';
  const baseId = ownId || arxiv_id || (doi ? `doi:${doi}` : '') || titleId(title);
  const links = extractLinks(abstract ?? '');
  const urls = mergeUnique(raw.urls, links.urls);
  const codeUrls = mergeUnique(raw.code_urls, links.code_urls).filter(Boolean);

  const rec: Paper = { id: ids.unique(baseId), title };
  if (abstract !== undefined && abstract !== '') rec.abstract = abstract;
  const authors = cleanList(raw.authors);
  if (authors) rec.authors = authors;
  if (raw.year !== undefined && Number.isFinite(raw.year)) rec.year = raw.year;
  if (raw.date) rec.date = raw.date;
  const categories = cleanList(raw.categories);
  if (categories) rec.categories = categories;
  if (arxiv_id) rec.arxiv_id = arxiv_id;
  if (doi) rec.doi = doi;
  if (raw.venue && collapseWhitespace(raw.venue)) rec.venue = collapseWhitespace(raw.venue);
  rec.urls = urls;
  rec.code_urls = codeUrls;
  rec.source = { path, line: raw.line };
  if (raw.extra) {
    for (const key of Object.keys(raw.extra)) {
      if (RESERVED.has(key) || key in rec) continue;
      rec[key] = raw.extra[key];
    }
  }
  return rec;
}

function mergeUnique(a: string[] | undefined, b: string[]): string[] {
  const out: string[] = [];
  for (const u of [...(a ?? []), ...b]) if (u && !out.includes(u)) out.push(u);
  return out;
}

/** Parse a year from numbers, "2016", "2016-03-01", "11/26/2008" or free text. */
export function parseYear(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value > 1000 && value < 3000) return value;
  if (typeof value !== 'string') return undefined;
  const m = /(?<!\d)(1[89]\d\d|20\d\d)(?!\d)/.exec(value);
  return m ? Number(m[1]) : undefined;
}

/** Parse a date into ISO form (YYYY-MM-DD) from ISO, "m/d/yyyy" or RFC 2822 text; undefined when unsure. */
export function parseDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (m) return `${m[1]}-${m[2]}-${m[3]}`;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (m) return `${m[3]}-${m[1].padStart(2, '0')}-${m[2].padStart(2, '0')}`;
  const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})/.exec(s);
  if (m) {
    const mon = months.indexOf(m[2].toLowerCase());
    if (mon >= 0) return `${m[3]}-${String(mon + 1).padStart(2, '0')}-${m[1].padStart(2, '0')}`;
  }
  return undefined;
}

/**
 * True when a parsed JSON value already is a papers record: a string id and title and a `source`
 * (which parse always writes). Such records pass through later stages untouched; other objects
 * (an arXiv snapshot line, a hand-made record) are mapped and normalized like any input.
 */
export function isPaper(value: unknown): value is Paper {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Paper;
  return typeof v.id === 'string' && typeof v.title === 'string' && typeof v.source === 'object' && v.source !== null;
}

/** A record as one line of JSON; a record JSON cannot hold (a cycle, a BigInt) is a DataError naming its source. */
export function stringifyRecord(r: Paper): string {
  try {
    return JSON.stringify(r);
  } catch (err) {
    const where = r.source && typeof r.source === 'object' ? (r.source as { path?: unknown; line?: unknown }) : undefined;
    const loc = where && typeof where.path === 'string' ? { path: where.path, line: typeof where.line === 'number' ? where.line : undefined } : undefined;
    throw new DataError(`record cannot be written as JSON (${err instanceof Error ? err.message : String(err)})`, loc);
  }
}
