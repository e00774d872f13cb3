// Helpers shared by the formats in this folder: names, categories, links, errors.
import { DataError } from '../../../errors.js';
import { type RawPaper, collapseWhitespace, extractLinks } from '../../../record.js';
import { latexToUnicode } from '../../../text/latex.js';
import type { ParseContext } from '../types.js';

/** A DataError naming the input and the line where the broken entry starts. */
export function entryError(ctx: ParseContext, line: number, message: string): DataError {
  return new DataError(message, { path: ctx.path, line });
}

/** Hard-wrapped lines joined into one line of text. */
export function joinLines(lines: readonly string[]): string {
  return collapseWhitespace(lines.join(' '));
}

/** Store a non-empty value in `raw.extra` (strings are whitespace-collapsed; empty lists dropped). */
export function setExtra(raw: RawPaper, key: string, value: unknown): void {
  if (value === undefined || value === null) return;
  let v = value;
  if (typeof v === 'string') {
    v = collapseWhitespace(v);
    if (v === '') return;
  }
  if (Array.isArray(v) && v.length === 0) return;
  raw.extra ??= {};
  raw.extra[key] = v;
}

/** Add the links found in `text` (comments, notes) to the record's urls and code_urls. */
export function addLinks(raw: RawPaper, text: string | undefined): void {
  if (!text) return;
  const { urls, code_urls } = extractLinks(text);
  for (const u of urls) {
    raw.urls ??= [];
    if (!raw.urls.includes(u)) raw.urls.push(u);
  }
  for (const u of code_urls) {
    raw.code_urls ??= [];
    if (!raw.code_urls.includes(u)) raw.code_urls.push(u);
  }
}

/** Add one explicit link (a URL field of the record). */
export function addUrl(raw: RawPaper, url: string | undefined): void {
  const u = url?.trim();
  if (!u || !/^https?:\/\/\S+$/i.test(u)) return;
  raw.urls ??= [];
  if (!raw.urls.includes(u)) raw.urls.push(u);
}

// arXiv subject classes: "cs", "hep-th", "math.CO", "cond-mat.stat-mech", "physics.soc-ph".
const ARXIV_CATEGORY = /^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?$/;

export function isArxivCategory(term: string): boolean {
  return ARXIV_CATEGORY.test(term);
}

/** The year of first submission encoded in an arXiv id ("0704.0001" -> 2007, "hep-th/9901001" -> 1999). */
export function yearFromArxivId(id: string | undefined): number | undefined {
  if (!id) return undefined;
  const m = /^(\d{2})(\d{2})\.\d{4,5}$/.exec(id) ?? /\/(\d{2})(\d{2})\d{3}$/.exec(id);
  if (!m) return undefined;
  const yy = Number(m[1]);
  const mm = Number(m[2]);
  if (mm < 1 || mm > 12) return undefined;
  return yy >= 91 ? 1900 + yy : 2000 + yy;
}

const NAME_SUFFIX = /^(?:jr|sr|jun|sen|ii|iii|iv)\.?$/i;

/** Drop parenthesized text (affiliations such as "(MIT)" or "((1) MIT, (2) CNRS)"). */
function dropParenthesized(s: string): string {
  let out = '';
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')' && depth > 0) depth--;
    else if (depth === 0) out += ch;
  }
  return depth === 0 ? out : s;
}

/**
 * Split arXiv's free-text author list ("A. Smith, B. Jones and C. Li", TeX accents, affiliations in
 * parentheses) into names.
 */
export function splitAuthorList(text: string): string[] {
  const s = dropParenthesized(latexToUnicode(text));
  const names: string[] = [];
  for (const part of s.split(/\s*[,;]\s*|\s+(?:and|&)\s+/)) {
    const name = collapseWhitespace(part.replace(/^(?:and|&)\s+/, ''));
    if (!name || /^(?:et al\.?|others)$/i.test(name)) continue;
    if (NAME_SUFFIX.test(name) && names.length) {
      names[names.length - 1] += ` ${name}`;
      continue;
    }
    names.push(name);
  }
  return names;
}

/** "Last, First" -> "First Last"; "Last, Jr., First" -> "First Last Jr."; other forms unchanged. */
export function invertName(name: string): string {
  const parts = name.split(',').map((p) => collapseWhitespace(p));
  if (parts.length === 2 && parts[0] && parts[1]) {
    if (NAME_SUFFIX.test(parts[1])) return `${parts[0]} ${parts[1]}`;
    return `${parts[1]} ${parts[0]}`;
  }
  if (parts.length === 3 && parts[0] && parts[2] && NAME_SUFFIX.test(parts[1])) return `${parts[2]} ${parts[0]} ${parts[1]}`;
  return collapseWhitespace(name);
}

/** Categories split on whitespace/commas; arXiv classes kept in order, other codes returned apart. */
export function splitCategories(terms: readonly string[]): { categories: string[]; other: string[] } {
  const categories: string[] = [];
  const other: string[] = [];
  for (const t of terms) {
    const term = t.trim();
    if (!term) continue;
    if (isArxivCategory(term)) {
      if (!categories.includes(term)) categories.push(term);
    } else if (!other.includes(term)) other.push(term);
  }
  return { categories, other };
}

/** Count how many of `patterns` match: a cheap, specific detector score. */
export function countMatches(sample: string, patterns: readonly RegExp[]): number {
  let n = 0;
  for (const re of patterns) if (re.test(sample)) n++;
  return n;
}

/** The first `n` non-blank lines of a sample, trimmed (BibTeX "%" comment lines skipped when asked). */
export function leadingLines(sample: string, n: number, skip?: RegExp): string[] {
  const out: string[] = [];
  let start = 0;
  while (out.length < n && start < sample.length) {
    let end = sample.indexOf('\n', start);
    if (end < 0) end = sample.length;
    const line = sample.slice(start, end).trim();
    if (line && !(skip && skip.test(line))) out.push(line);
    start = end + 1;
  }
  return out;
}

/** The sample with an XML declaration, comments, doctype and leading whitespace removed. */
export function xmlRootStart(sample: string): string {
  return sample.replace(/^\s*(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|<\?[^>]*\?>)\s*)*/, '');
}

type ParseFn = (chunks: AsyncIterable<string>, ctx: ParseContext) => AsyncIterable<RawPaper>;

/**
 * Wrap a parser so that a non-empty input in which it recognises no entry at all gets a warning
 * (typically --from naming the wrong format) instead of passing silently as zero records.
 */
export function warnWhenNothingFound(what: string, parse: ParseFn): ParseFn {
  return async function* (chunks, ctx) {
    let seen = 0;
    let hasText = false;
    const counted: ParseContext = {
      ...ctx,
      skip(reason: string, line?: number) {
        seen++;
        ctx.skip(reason, line);
      },
    };
    async function* watched(): AsyncGenerator<string> {
      for await (const chunk of chunks) {
        if (!hasText && /\S/.test(chunk)) hasText = true;
        yield chunk;
      }
    }
    for await (const raw of parse(watched(), counted)) {
      seen++;
      yield raw;
    }
    if (seen === 0 && hasText) ctx.diagnostics.warn(`no ${what} found in this input`, { path: ctx.path });
  };
}

/**
 * A broken entry: a DataError naming the input and the entry's first line, or with --skip-invalid
 * a counted skip and a warning, after which the caller resumes at the next entry.
 */
export function brokenEntry(ctx: ParseContext, line: number, reason: string, message: string): void {
  if (!ctx.options.skipInvalid) throw entryError(ctx, line, message);
  ctx.skip(reason, line);
  ctx.diagnostics.warn(`${message} (skipped)`, { path: ctx.path, line });
}

/** No real entry is this long; past it, a missing end marker would otherwise buffer the whole input. */
export const MAX_ENTRY_LINES = 100_000;
