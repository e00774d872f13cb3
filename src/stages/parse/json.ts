// JSON Lines (the pipeline's own format) and JSON arrays.
import { DataError } from '../../errors.js';
import { type RawPaper, isPaper } from '../../record.js';
import { locateJsonError, lineColumn } from '../../io/json-error.js';
import { mapObject } from './fields.js';
import { type FormatParser, type ParseContext, collectText, textLines } from './types.js';

const RESERVED_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Drop keys that could reach a prototype when a later step copies the object; true if any was dropped. */
export function stripReservedKeys(obj: Record<string, unknown>): boolean {
  let dropped = false;
  for (const key of RESERVED_KEYS) {
    if (Object.prototype.hasOwnProperty.call(obj, key)) {
      delete obj[key];
      dropped = true;
    }
  }
  return dropped;
}

/** Why one line is not JSON, with a 1-based column ("unexpected end of input at column 7"). */
export function jsonErrorReason(text: string): string {
  const spot = locateJsonError(text);
  return `${spot.reason} at column ${spot.offset + 1}`;
}

/**
 * Deepest nesting a record may have (the record itself is level 1). Writing JSON back is recursive,
 * and the stack left differs between the main thread and worker threads; a fixed limit, checked
 * when a record is read, makes every thread accept and reject the same records.
 */
export const MAX_NESTING = 512;

/** Whether an object nests deeper than `limit` levels (iterative: any depth is safe to check). */
export function nestsDeeperThan(root: object, limit: number): boolean {
  const values: object[] = [root];
  const depths: number[] = [1];
  while (values.length) {
    const v = values.pop()!;
    const d = depths.pop()!;
    if (d > limit) return true;
    if (Array.isArray(v)) {
      for (const x of v) {
        if (x !== null && typeof x === 'object') {
          values.push(x);
          depths.push(d + 1);
        }
      }
    } else {
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== null && typeof x === 'object') {
          values.push(x);
          depths.push(d + 1);
        }
      }
    }
  }
  return false;
}

function toRaw(value: unknown, line: number, ctx: ParseContext, reservedWarned: { done: boolean }): RawPaper | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
    if (ctx.options.skipInvalid) {
      ctx.skip('not a JSON object', line);
      return undefined;
    }
    throw new DataError(`expected a JSON object, got ${what}`, { path: ctx.path, line });
  }
  const obj = value as Record<string, unknown>;
  if (nestsDeeperThan(obj, MAX_NESTING)) {
    if (ctx.options.skipInvalid) {
      ctx.skip(`nested deeper than ${MAX_NESTING} levels`, line);
      return undefined;
    }
    throw new DataError(`record nested deeper than ${MAX_NESTING} levels`, { path: ctx.path, line });
  }
  if (stripReservedKeys(obj) && !reservedWarned.done) {
    reservedWarned.done = true;
    ctx.diagnostics.warn(RESERVED_KEYS_WARNING, { path: ctx.path, line });
  }
  if (isPaper(obj)) return { line, passthrough: obj };
  return mapObject(obj, line, ctx.options.map);
}

export const RESERVED_KEYS_WARNING = 'dropped keys __proto__/constructor/prototype (reserved)';

/**
 * One line of JSON Lines (line end removed) to a raw record; undefined for a blank or skipped line.
 * Shared by the streaming parser and the worker threads of src/cli/parallel.ts.
 */
export function parseJsonlLine(text: string, line: number, ctx: ParseContext, reserved: { done: boolean }): RawPaper | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (ctx.options.skipInvalid) {
      ctx.skip('not valid JSON', line);
      return undefined;
    }
    throw new DataError(`not valid JSON: ${jsonErrorReason(text)}`, { path: ctx.path, line });
  }
  return toRaw(value, line, ctx, reserved);
}

export const jsonlFormat: FormatParser = {
  name: 'jsonl',
  description: 'JSON Lines: one JSON object per line (the format papers writes between stages)',
  detect(sample) {
    const first = sample.replace(/^\s+/, '');
    if (!first.startsWith('{')) return 0;
    const newline = first.indexOf('\n');
    // A first line longer than the sample is one long record, not a pretty-printed object.
    if (newline < 0) return first.length >= 4096 ? 0.9 : 0.6;
    return first.slice(0, newline).trim().endsWith('}') ? 0.95 : 0.2;
  },
  async *parse(chunks, ctx) {
    const reserved = { done: false };
    for await (const { text, line } of textLines(chunks)) {
      const raw = parseJsonlLine(text, line, ctx, reserved);
      if (raw) yield raw;
    }
  },
};

function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** 1-based line where each top-level item of a (valid) JSON array starts. */
export function arrayItemLines(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  let expectItem = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++; // backslash escapes the next char (never a newline in valid JSON)
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    if (depth === 1 && expectItem && c !== 93) {
      out.push(line);
      expectItem = false;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth === 1) expectItem = true;
    } else if (c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 1) expectItem = true;
  }
  return out;
}

export const jsonFormat: FormatParser = {
  name: 'json',
  description: 'a JSON array of objects (or one object), read whole',
  detect(sample) {
    const first = sample.replace(/^\s+/, '');
    if (first.startsWith('[')) return 0.9;
    if (first.startsWith('{')) return 0.5;
    return 0;
  },
  async *parse(chunks, ctx) {
    const text = await collectText(chunks);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const spot = locateJsonError(text);
      const { line, column } = lineColumn(text, spot.offset);
      throw new DataError(`not valid JSON: ${spot.reason} at column ${column}`, { path: ctx.path, line });
    }
    const items = Array.isArray(value) ? value : [value];
    const lines = Array.isArray(value) ? arrayItemLines(text) : [lineAt(text, text.search(/\S/))];
    const reserved = { done: false };
    for (let i = 0; i < items.length; i++) {
      const raw = toRaw(items[i], lines[i] ?? 1, ctx, reserved);
      if (raw) yield raw;
    }
  },
};
