// The contract every input format implements. A parser is pure: text in, raw records out.
import type { Diagnostics } from '../../errors.js';
import type { RawPaper } from '../../record.js';

export interface ParseOptions {
  /** --map column=field: extra column-to-field mappings for CSV/TSV/JSON. */
  map?: Record<string, string>;
  /** --delimiter for CSV-like input (guessed when absent). */
  delimiter?: string;
  /** --skip-invalid: skip entries that cannot be read (counted and reported) instead of failing. */
  skipInvalid?: boolean;
}

export interface ParseContext {
  /** Display name of the input ("stdin" for standard input). */
  path: string;
  diagnostics: Diagnostics;
  options: ParseOptions;
  /** Count a skipped entry with its reason (reported on stderr by `parse`). */
  skip(reason: string, line?: number): void;
}

export interface FormatParser {
  /** Name used with --from. */
  name: string;
  /** One line for --help and error messages. */
  description: string;
  /**
   * How sure this format is that `sample` (the first 64 KiB of the input, BOM removed, CRLF kept)
   * is its format: 0 = not mine, 1 = certain. The highest score wins; ties go to the earlier entry.
   */
  detect(sample: string, path: string): number;
  /**
   * Yield raw records as they are read. Throw DataError (with path and line) for a broken entry:
   * records yielded before it are kept by the caller.
   */
  parse(chunks: AsyncIterable<string>, ctx: ParseContext): AsyncIterable<RawPaper>;
}

/** Gather all chunks into one string (for formats that need the whole text). */
export async function collectText(chunks: AsyncIterable<string>): Promise<string> {
  const parts: string[] = [];
  for await (const c of chunks) parts.push(c);
  return parts.join('');
}

/** Lines with 1-based numbers; "\r\n" and "\r" line ends are accepted. */
export async function* textLines(chunks: AsyncIterable<string>): AsyncGenerator<{ text: string; line: number }> {
  let pending = '';
  let line = 0;
  for await (const chunk of chunks) {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop() ?? '';
    for (const p of parts) yield { text: p.endsWith('\r') ? p.slice(0, -1) : p, line: ++line };
  }
  if (pending !== '') yield { text: pending.endsWith('\r') ? pending.slice(0, -1) : pending, line: ++line };
}
