// Mapping named fields (CSV headers, JSON keys) onto the record, case-insensitively.
import { type RawPaper, normalizeArxivId, normalizeDoi, parseDate, parseYear } from '../../record.js';

type Target = 'id' | 'title' | 'abstract' | 'authors' | 'authors_parsed' | 'categories' | 'arxiv_id' | 'doi' | 'year' | 'date' | 'venue' | 'urls' | 'code_urls';

const ALIASES: Record<string, Target> = {};
function alias(target: Target, ...names: string[]): void {
  for (const n of names) ALIASES[n] = target;
}
alias('id', 'id', 'paper_id', 'paperid', 'identifier', 'key');
alias('title', 'title', 'titles', 'article_title', 'document_title', 'paper_title');
alias('abstract', 'abstract', 'abstracts', 'summary', 'summaries', 'description');
alias('authors', 'authors', 'author', 'author_names', 'creators');
alias('authors_parsed', 'authors_parsed');
alias('categories', 'categories', 'category', 'terms', 'subjects');
alias('arxiv_id', 'arxiv_id', 'arxivid', 'arxiv');
alias('doi', 'doi');
alias('year', 'year', 'publication_year', 'pub_year');
alias('date', 'date', 'published', 'publication_date', 'created', 'submitted', 'update_date', 'updated');
alias('venue', 'venue', 'journal', 'journal_title', 'source_title', 'booktitle', 'conference');
alias('urls', 'url', 'urls', 'link', 'links');
alias('code_urls', 'code_urls', 'code_url', 'code', 'repository', 'repo');

/** Header/key name in comparable form: lower case, runs of space, dash, dot to "_". */
export function canonicalName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s\-.]+/g, '_');
}

export const KNOWN_FIELD_TARGETS: readonly string[] = [...new Set(Object.values(ALIASES))];

// Keys repeat on every row and line: remember each key's target (bounded, so odd inputs cannot grow it).
const aliasCache = new Map<string, Target | null>();

export function targetOf(name: string, map: Record<string, string> | undefined): Target | undefined {
  if (map) {
    for (const [from, to] of Object.entries(map)) {
      if (canonicalName(from) === canonicalName(name)) return to as Target;
    }
  }
  let target = aliasCache.get(name);
  if (target === undefined) {
    target = ALIASES[canonicalName(name)] ?? null;
    if (aliasCache.size < 10_000) aliasCache.set(name, target);
  }
  return target ?? undefined;
}

/** True when a set of column names can make records (it has a title). */
export function hasTitleColumn(names: string[], map?: Record<string, string>): boolean {
  return names.some((n) => targetOf(n, map) === 'title');
}

/** Parse a Python-style list literal of strings: "['cs.CV', \"it's\"]". Undefined if not one. */
export function parsePythonList(text: string): unknown[] | undefined {
  const s = text.trim();
  if (!s.startsWith('[') || !s.endsWith(']')) return undefined;
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) ? v : undefined;
  } catch {
    /* fall through to the Python form */
  }
  const out: unknown[] = [];
  const stack: unknown[][] = [];
  let current: unknown[] | undefined;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '[') {
      const next: unknown[] = [];
      if (current) {
        current.push(next);
        stack.push(current);
      }
      current = next;
      i++;
    } else if (c === ']') {
      if (!current) return undefined;
      const done = current;
      current = stack.pop();
      if (!current) out.push(...done);
      i++;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let value = '';
      while (j < s.length && s[j] !== c) {
        if (s[j] === '\\' && j + 1 < s.length) {
          const e = s[j + 1];
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else value += s[j++];
      }
      if (j >= s.length || !current) return undefined;
      current.push(value);
      i = j + 1;
    } else if (c === ',' || /\s/.test(c)) {
      i++;
    } else {
      return undefined;
    }
  }
  return out;
}

function asStringList(value: unknown, kind: 'authors' | 'categories'): string[] | undefined {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map((v) => String(v));
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (!s) return undefined;
  const list = parsePythonList(s);
  if (list) return list.map((v) => String(v));
  if (kind === 'categories') return s.split(/[\s,;]+/).filter(Boolean);
  // A semicolon that ends an HTML entity ("Lud&#228;scher", "&amp;") does not separate names.
  if (/(?<!&#?[0-9a-zA-Z]+);/.test(s)) return s.split(/(?<!&#?[0-9a-zA-Z]+);/);
  return s.split(/\s*,\s*(?:and\s+)?|\s+and\s+/).filter(Boolean);
}

function fromAuthorsParsed(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? parsePythonList(value) : undefined;
  if (!list) return undefined;
  const names: string[] = [];
  for (const item of list) {
    if (Array.isArray(item)) {
      const [last, first, suffix] = item.map((x) => String(x ?? '').trim());
      names.push([first, last, suffix].filter(Boolean).join(' '));
    } else if (typeof item === 'string') names.push(item);
  }
  return names.length ? names : undefined;
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/**
 * Turn one object (a CSV row or a JSON object) into raw record fields. Known names map onto the
 * record; every other non-empty field passes through unchanged in `extra`.
 */
export function mapObject(obj: Record<string, unknown>, line: number, map?: Record<string, string>): RawPaper {
  const raw: RawPaper = { line };
  const extra: Record<string, unknown> = {};
  let authorsParsed: string[] | undefined;
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (isEmpty(value)) continue;
    const target = targetOf(key, map);
    const str = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
    switch (target) {
      case 'id':
        if (raw.id === undefined && str !== undefined) {
          raw.id = str.trim();
          continue;
        }
        break;
      case 'title':
      case 'abstract':
      case 'venue':
        if (raw[target] === undefined && str !== undefined) {
          raw[target] = str;
          continue;
        }
        break;
      case 'authors':
      case 'categories': {
        const list = asStringList(value, target);
        if (raw[target] === undefined && list) {
          raw[target] = list;
          continue;
        }
        break;
      }
      case 'authors_parsed':
        authorsParsed = fromAuthorsParsed(value);
        if (authorsParsed) continue;
        break;
      case 'arxiv_id':
        if (raw.arxiv_id === undefined && str !== undefined && normalizeArxivId(str)) {
          raw.arxiv_id = str;
          continue;
        }
        break;
      case 'doi':
        if (raw.doi === undefined && str !== undefined && normalizeDoi(str)) {
          raw.doi = str;
          continue;
        }
        break;
      case 'year': {
        const y = parseYear(value);
        if (raw.year === undefined && y !== undefined) {
          raw.year = y;
          continue;
        }
        break;
      }
      case 'date': {
        const d = parseDate(value);
        if (raw.date === undefined && d !== undefined) {
          raw.date = d;
          continue;
        }
        break;
      }
      case 'urls':
      case 'code_urls': {
        const list = Array.isArray(value) ? value.map(String) : str ? str.split(/\s+/).filter(Boolean) : undefined;
        if (raw[target] === undefined && list) {
          raw[target] = list;
          continue;
        }
        break;
      }
      default:
        break;
    }
    extra[key] = value;
  }
  if (authorsParsed) {
    if (raw.authors !== undefined) extra.authors_text = raw.authors.join(', ');
    raw.authors = authorsParsed;
  }
  // The input's own id may be an arXiv id (possibly mangled, "704.0001") or a DOI.
  if (raw.id !== undefined) {
    const ax = normalizeArxivId(raw.id);
    if (ax) {
      raw.arxiv_id ??= raw.id;
      raw.id = ax;
    } else if (!raw.doi && normalizeDoi(raw.id)) raw.doi = raw.id;
  }
  if (raw.year === undefined && raw.date) raw.year = Number(raw.date.slice(0, 4));
  if (Object.keys(extra).length) raw.extra = extra;
  return raw;
}
