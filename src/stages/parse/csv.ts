// CSV and TSV through papaparse: headers mapped case-insensitively, quoted multi-line fields.
import Papa from 'papaparse';
import { DataError } from '../../errors.js';
import { hasTitleColumn, mapObject } from './fields.js';
import { type FormatParser, type ParseContext, collectText } from './types.js';

const CANDIDATES = [',', '\t', ';', '|', '%'];

function headerLine(sample: string): string {
  return sample.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
}

function splitHeader(line: string, delimiter: string): string[] {
  const parsed = Papa.parse<string[]>(line, { delimiter, header: false });
  return (parsed.data[0] ?? []).map((h) => String(h));
}

/** The delimiter whose header split names a title column (by alias or --map). */
export function guessDelimiter(sample: string, map?: Record<string, string>): string | undefined {
  const line = headerLine(sample);
  let best: string | undefined;
  let bestCount = 1;
  for (const d of CANDIDATES) {
    const names = splitHeader(line, d);
    if (names.length > bestCount && hasTitleColumn(names, map)) {
      best = d;
      bestCount = names.length;
    }
  }
  return best;
}

function lineCounter(text: string): (offset: number) => number {
  let pos = 0;
  let line = 1;
  return (offset: number) => {
    for (; pos < offset && pos < text.length; pos++) if (text.charCodeAt(pos) === 10) line++;
    return line;
  };
}

async function* parseDelimited(chunks: AsyncIterable<string>, ctx: ParseContext, fixed?: string) {
  const text = await collectText(chunks);
  if (text.trim() === '') return;
  const delimiter = ctx.options.delimiter ?? fixed ?? guessDelimiter(text, ctx.options.map) ?? ',';
  const header = splitHeader(headerLine(text), delimiter).map((h) => h.trim());
  if (!hasTitleColumn(header, ctx.options.map)) {
    throw new DataError(
      `no title column in the header (found: ${header.slice(0, 8).join(', ')}); name one with --map COLUMN=title`,
      { path: ctx.path, line: 1 },
    );
  }
  const lineOf = lineCounter(text);
  const rows: Array<{ fields: string[]; line: number }> = [];
  const errors: Array<{ message: string; line: number }> = [];
  let rowStart = 0;
  let isHeader = true;
  Papa.parse<string[]>(text, {
    delimiter,
    header: false,
    skipEmptyLines: false,
    step(result) {
      const line = lineOf(rowStart);
      rowStart = result.meta.cursor;
      // The newline after a row belongs to it; skip past it for the next row's start.
      while (rowStart < text.length && (text[rowStart] === '\n' || text[rowStart] === '\r')) {
        if (text[rowStart] === '\n') {
          rowStart++;
          break;
        }
        rowStart++;
      }
      if (result.errors.length) {
        const e = result.errors[0];
        errors.push({ message: e.code === 'MissingQuotes' ? 'a quoted field is never closed' : e.message, line });
      }
      if (isHeader) {
        isHeader = false;
        return;
      }
      rows.push({ fields: result.data as unknown as string[], line });
    },
  });
  const firstError = errors[0];
  for (const row of rows) {
    if (firstError && row.line >= firstError.line && !ctx.options.skipInvalid) {
      throw new DataError(firstError.message.replace(/\.$/, ''), { path: ctx.path, line: firstError.line });
    }
    const fields = row.fields;
    if (fields.length === 1 && fields[0].trim() === '') continue; // a blank line is no record
    if (fields.length !== header.length) {
      const message = `row has ${fields.length} fields, the header has ${header.length}`;
      if (ctx.options.skipInvalid) {
        ctx.skip('wrong number of fields', row.line);
        continue;
      }
      throw new DataError(message, { path: ctx.path, line: row.line });
    }
    const obj: Record<string, unknown> = Object.create(null);
    header.forEach((name, i) => {
      if (name === '__proto__' || name === 'constructor' || name === 'prototype') return;
      obj[name] = fields[i];
    });
    const raw = mapObject(obj, row.line, ctx.options.map);
    if (raw.title === undefined || raw.title.trim() === '') {
      ctx.skip('no title', row.line);
      continue;
    }
    yield raw;
  }
  if (firstError && !ctx.options.skipInvalid && rows.every((r) => r.line < firstError.line)) {
    throw new DataError(firstError.message.replace(/\.$/, ''), { path: ctx.path, line: firstError.line });
  }
  if (firstError && ctx.options.skipInvalid) ctx.skip('CSV syntax error', firstError.line);
}

export const csvFormat: FormatParser = {
  name: 'csv',
  description: 'CSV with a header row naming a title column (delimiter , ; | or %, guessed)',
  detect(sample) {
    const d = guessDelimiter(sample);
    return d && d !== '\t' ? 0.8 : 0;
  },
  parse: (chunks, ctx) => parseDelimited(chunks, ctx),
};

export const tsvFormat: FormatParser = {
  name: 'tsv',
  description: 'TSV (tab-separated) with a header row naming a title column',
  detect(sample) {
    return guessDelimiter(sample) === '\t' ? 0.8 : 0;
  },
  parse: (chunks, ctx) => parseDelimited(chunks, ctx, '\t'),
};
