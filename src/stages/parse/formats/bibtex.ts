// BibTeX / BibLaTeX: @type{key, field = {value} | "value" | 123 | macro # ..., ...}. A streaming
// reader cuts the input into entries by brace depth (so memory holds one entry at a time), then
// each entry is parsed on its own. @string macros are expanded, @comment and @preamble skipped,
// and values go through LaTeX-to-Unicode with case-protecting braces removed.
import { type RawPaper, collapseWhitespace, normalizeArxivId, normalizeDoi, parseDate, parseYear } from '../../../record.js';
import { bibtexToUnicode } from '../../../text/latex.js';
import type { FormatParser, ParseContext } from '../types.js';
import { addUrl, brokenEntry, invertName, leadingLines, setExtra, warnWhenNothingFound } from './common.js';

const MONTHS: Record<string, string> = {
  jan: 'January',
  feb: 'February',
  mar: 'March',
  apr: 'April',
  may: 'May',
  jun: 'June',
  jul: 'July',
  aug: 'August',
  sep: 'September',
  oct: 'October',
  nov: 'November',
  dec: 'December',
};

export interface BibEntry {
  type: string; // lower case
  key: string;
  fields: Map<string, string>; // lower-case names; raw values (braces kept, macros expanded)
  line: number;
}

/** A raw entry as cut from the stream: its type, the text between its delimiters, its line. */
interface RawEntry {
  type: string;
  body: string;
  line: number;
}

const ENTRY_HEAD = /^@[ \t]*([A-Za-z][\w-]*)[ \t\r\n]*([{(])/;
// No real entry is this long; past it, a missing brace would otherwise buffer the whole input.
const MAX_ENTRY_CHARS = 32 * 1024 * 1024;
const SPECIAL = /[{}"\\\n)]/g;
const NON_SPACE = /\S/g;
const BRACES = /[{}]/g;
const NEW_ENTRY_LINE = /^[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t]*[{(]/;

/**
 * Cut the input into entries. Text outside entries is a comment (as in BibTeX). A line that starts
 * a new entry while the previous one is still open means unbalanced braces: DataError at the start
 * of the open entry.
 */
async function* cutEntries(chunks: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<RawEntry> {
  let buf = '';
  let line = 1; // line number at buf[0]
  let pos = 0;
  let eof = false;
  const iterator = chunks[Symbol.asyncIterator]();
  // Ensure at least `n` characters after `pos` are buffered (unless the input ended).
  const fill = async (n: number): Promise<void> => {
    while (!eof && buf.length - pos < n) {
      const next = await iterator.next();
      if (next.done) eof = true;
      else buf += next.value;
    }
  };
  const advanceTo = (to: number): void => {
    line += countNewlines(buf, pos, to);
    pos = to;
    if (pos > 65536) {
      buf = buf.slice(pos);
      pos = 0;
    }
  };
  entries: for (;;) {
    await fill(1);
    if (pos >= buf.length) return;
    const at = buf.indexOf('@', pos);
    if (at < 0) {
      advanceTo(buf.length);
      if (eof) return;
      continue;
    }
    advanceTo(at);
    await fill(256);
    const head = ENTRY_HEAD.exec(buf.slice(pos, pos + 256));
    if (!head) {
      advanceTo(pos + 1); // an "@" in comment text
      continue;
    }
    const type = head[1].toLowerCase();
    const open = head[2];
    const close = open === '{' ? '}' : ')';
    const startLine = line;
    let i = pos + head[0].length;
    // Brace depth inside the entry; quotes only matter at the entry's own level.
    let depth = 0;
    let inQuote = false;
    const bodyStart = i;
    for (;;) {
      // Jump to the next character that matters; keep 200 characters of lookahead buffered.
      SPECIAL.lastIndex = i;
      const m = SPECIAL.exec(buf);
      if (!m || (m.index + 200 > buf.length && !eof)) {
        if (eof) {
          brokenEntry(ctx, startLine, 'broken BibTeX entry', `BibTeX entry @${head[1]} is not closed: unbalanced braces (the input ends inside it)`);
          return;
        }
        if (!m) i = buf.length;
        if (buf.length - pos > MAX_ENTRY_CHARS) {
          brokenEntry(ctx, startLine, 'broken BibTeX entry', `BibTeX entry @${head[1]} runs for more than ${MAX_ENTRY_CHARS} characters without its closing brace`);
          advanceTo(i);
          continue entries;
        }
        await fill(buf.length - pos + 65536); // fill() only appends: offsets stay valid
        continue;
      }
      i = m.index;
      const ch = buf[i];
      // As in BibTeX, every brace counts (even \{); only \" is not a string delimiter.
      if (ch === '\\') {
        i += buf[i + 1] === '"' ? 2 : 1;
        continue;
      }
      if (ch === '{') depth++;
      else if (ch === '}') {
        if (depth === 0 && close === '}') break;
        depth--;
        if (depth < 0) {
          brokenEntry(ctx, startLine, 'broken BibTeX entry', `BibTeX entry @${head[1]} has an unmatched "}"`);
          advanceTo(i + 1);
          continue entries;
        }
      } else if (ch === '"' && depth === 0 && type !== 'comment') inQuote = !inQuote;
      else if (ch === ')' && depth === 0 && !inQuote && close === ')') break;
      else if (ch === '\n' && type !== 'comment') {
        // A new entry at the start of a line while this one is open: this one is broken.
        if (NEW_ENTRY_LINE.test(buf.slice(i + 1, i + 200))) {
          const at = startLine + countNewlines(buf, pos, i) + 1;
          brokenEntry(ctx, startLine, 'broken BibTeX entry', `BibTeX entry @${head[1]} has unbalanced braces or quotes: a new entry starts at line ${at} before it is closed`);
          advanceTo(i + 1); // resume at the new entry
          continue entries;
        }
      }
      i++;
    }
    const body = buf.slice(bodyStart, i);
    advanceTo(i + 1);
    yield { type, body, line: startLine };
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Parse `name = value # value, ...` inside one entry. */
function parseFields(body: string, from: number, macros: Map<string, string>, fail: (msg: string) => never): Map<string, string> {
  const fields = new Map<string, string>();
  let i = from;
  const n = body.length;
  const skipWs = () => {
    NON_SPACE.lastIndex = i;
    i = NON_SPACE.exec(body)?.index ?? n;
  };
  while (i < n) {
    skipWs();
    while (i < n && body[i] === ',') {
      i++;
      skipWs();
    }
    if (i >= n) break;
    const eq = body.indexOf('=', i);
    if (eq < 0) fail(`expected "name = value" but found "${body.slice(i, i + 30).trim()}"`);
    // Field names may hold spaces ("funding_text 1" in Scopus exports).
    const name = collapseWhitespace(body.slice(i, eq)).toLowerCase();
    if (!name || /[{}"#,]/.test(name)) fail(`bad field name "${body.slice(i, eq).trim().slice(0, 30)}"`);
    i = eq + 1;
    let value = '';
    for (;;) {
      skipWs();
      const ch = body[i];
      if (ch === '{') {
        let depth = 0;
        const start = i;
        BRACES.lastIndex = i;
        for (let m = BRACES.exec(body); m; m = BRACES.exec(body)) {
          i = m.index;
          if (body[i] === '{') depth++;
          else if (--depth === 0) break;
        }
        if (depth !== 0) fail(`value of "${name}" has unbalanced braces`);
        value += body.slice(start + 1, i);
        i++;
      } else if (ch === '"') {
        let depth = 0;
        const start = i;
        for (i++; i < n; i++) {
          if (body[i] === '\\' && body[i + 1] === '"') {
            i++;
            continue;
          }
          if (body[i] === '{') depth++;
          else if (body[i] === '}') depth--;
          else if (body[i] === '"' && depth === 0) break;
        }
        if (i >= n) fail(`value of "${name}" has an unclosed quote`);
        value += body.slice(start + 1, i);
        i++;
      } else if (ch !== undefined && /[\w.:+/-]/.test(ch)) {
        const start = i;
        while (i < n && /[^\s,#{}"=]/.test(body[i])) i++;
        const word = body.slice(start, i);
        const macro = macros.get(word.toLowerCase());
        value += macro ?? (/^\d+$/.test(word) ? word : MONTHS[word.toLowerCase()] ?? word);
      } else {
        fail(`field "${name}" has no value`);
      }
      skipWs();
      if (body[i] === '#') {
        i++;
        continue;
      }
      break;
    }
    if (!fields.has(name)) fields.set(name, value);
    skipWs();
    if (i < n && body[i] !== ',') fail(`expected "," after the value of "${name}" but found "${body.slice(i, i + 20).trim()}"`);
  }
  return fields;
}

/** Split an author field on " and " outside braces. */
export function splitBibNames(value: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (depth === 0 && /\s/.test(ch)) {
      const m = /^\s+and\s+/i.exec(value.slice(i, i + 8));
      if (m) {
        names.push(value.slice(start, i));
        i += m[0].length - 1;
        start = i + 1;
      }
    }
  }
  names.push(value.slice(start));
  const out: string[] = [];
  for (const n of names) {
    const t = collapseWhitespace(n);
    if (!t || /^others$/i.test(t)) continue;
    // {World Health Organization}: a corporate name, kept whole.
    if (/^\{[^{}]*\}$/.test(t)) out.push(bibtexToUnicode(t));
    else out.push(invertName(bibtexToUnicode(t)));
  }
  return out;
}

function listField(value: string | undefined): string[] {
  if (!value) return [];
  const text = bibtexToUnicode(value);
  return text
    .split(text.includes(';') ? ';' : ',')
    .map((k) => collapseWhitespace(k))
    .filter(Boolean);
}

export function bibEntryToRaw(entry: BibEntry): RawPaper {
  const f = entry.fields;
  const get = (name: string) => {
    const v = f.get(name);
    return v === undefined ? undefined : collapseWhitespace(v) || undefined;
  };
  const raw: RawPaper = { line: entry.line };
  const title = get('title');
  if (title) raw.title = bibtexToUnicode(title);
  const abstract = get('abstract');
  if (abstract) raw.abstract = bibtexToUnicode(abstract);
  const author = get('author');
  if (author) raw.authors = splitBibNames(author);
  const date = parseDate(get('date') ?? '');
  if (date) raw.date = date;
  raw.year = parseYear(get('year') ?? '') ?? (date ? Number(date.slice(0, 4)) : parseYear(get('date') ?? ''));
  const doi = normalizeDoi(get('doi') ?? '');
  if (doi) raw.doi = doi;
  // arXiv: eprint + archivePrefix, or an id inside journal/note ("arXiv preprint arXiv:2001.01234").
  const archive = (get('archiveprefix') ?? get('eprinttype') ?? '').toLowerCase();
  let arxiv = archive === 'arxiv' ? normalizeArxivId(get('eprint') ?? '') : undefined;
  arxiv ??= normalizeArxivId(get('arxivid') ?? get('arxiv') ?? '');
  for (const name of ['journal', 'note', 'howpublished', 'url']) {
    if (arxiv) break;
    const m = /arxiv(?:\.org\/abs\/|:\s*)([\w./-]+)/i.exec(get(name) ?? '');
    if (m) arxiv = normalizeArxivId(m[1]);
  }
  if (arxiv) raw.arxiv_id = arxiv;
  const primary = get('primaryclass');
  if (primary) {
    raw.categories = [primary];
    setExtra(raw, 'primary_category', primary);
  }
  const venue = get('journal') ?? get('journaltitle') ?? get('booktitle');
  if (venue) raw.venue = bibtexToUnicode(venue);
  addUrl(raw, get('url'));
  setExtra(raw, 'keywords', listField(get('keywords') ?? get('author_keywords')));
  setExtra(raw, 'type', entry.type);
  setExtra(raw, 'bibtex_key', entry.key);
  setExtra(raw, 'volume', get('volume'));
  setExtra(raw, 'issue', get('number') ?? get('issue'));
  setExtra(raw, 'pages', get('pages')?.replace(/-{2,}/g, '-'));
  setExtra(raw, 'publisher', get('publisher') && bibtexToUnicode(get('publisher') as string));
  setExtra(raw, 'issn', get('issn'));
  setExtra(raw, 'language', get('language'));
  const note = get('note');
  if (note) setExtra(raw, 'note', bibtexToUnicode(note));
  return raw;
}

class EntrySyntaxError extends Error {}

async function* parseBibtex(chunks: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<RawPaper> {
  const macros = new Map<string, string>();
  const fail = (msg: string): never => {
    throw new EntrySyntaxError(msg);
  };
  for await (const entry of cutEntries(chunks, ctx)) {
    if (entry.type === 'comment' || entry.type === 'preamble') continue;
    let key = '';
    let fields: Map<string, string>;
    try {
      if (entry.type === 'string') {
        for (const [name, value] of parseFields(entry.body, 0, macros, fail)) macros.set(name, value);
        continue;
      }
      const comma = entry.body.indexOf(',');
      key = (comma < 0 ? entry.body : entry.body.slice(0, comma)).trim();
      if (/[={}"]/.test(key)) fail('the citation key is missing');
      fields = comma < 0 ? new Map<string, string>() : parseFields(entry.body, comma + 1, macros, fail);
    } catch (err) {
      if (!(err instanceof EntrySyntaxError)) throw err;
      brokenEntry(ctx, entry.line, 'broken BibTeX entry', `BibTeX entry @${entry.type}: ${err.message}`);
      continue;
    }
    const raw = bibEntryToRaw({ type: entry.type, key, fields, line: entry.line });
    if (!raw.title) {
      ctx.skip('BibTeX entry without a title');
      ctx.diagnostics.warn(`BibTeX entry ${key || `@${entry.type}`} has no title: skipped`, { path: ctx.path, line: entry.line });
      continue;
    }
    yield raw;
  }
}

const KNOWN_TYPES = /^[ \t]*@[ \t]*(?:article|inproceedings|incollection|inbook|book|booklet|conference|manual|mastersthesis|phdthesis|misc|techreport|unpublished|online|report|thesis|proceedings|collection|dataset|software|electronic|patent|periodical|string|preamble|comment)[ \t]*[{(]/im;

export const bibtexFormat: FormatParser = {
  name: 'bibtex',
  description: 'BibTeX / BibLaTeX (.bib): @article{key, title = {...}, ...}',
  detect(sample) {
    const known = KNOWN_TYPES.test(sample);
    if (!known && !/^[ \t]*@[ \t]*[A-Za-z]+[ \t]*\{[^,\s]*,\s*\n\s*[A-Za-z_]+\s*=/m.test(sample)) return 0;
    // A .bib file starts with an entry (after "%" comments); elsewhere "@article{" may be quoted data.
    const startsWithEntry = leadingLines(sample, 1, /^%/)[0]?.startsWith('@') ?? false;
    if (startsWithEntry) return known ? 0.9 : 0.75;
    return known ? 0.6 : 0.4;
  },
  parse: warnWhenNothingFound('BibTeX entries ("@type{key, ...}")', parseBibtex),
};
