// Reading one input: decode, detect the format from content (or --from), parse, finalize records.
import { DataError, type Diagnostics, UsageError } from '../../errors.js';
import { IdRegistry, type Paper, finalizeRecord } from '../../record.js';
import { FORMATS, formatByName } from './registry.js';
import type { FormatParser, ParseOptions } from './types.js';

export const SAMPLE_CHARS = 64 * 1024;

export interface InputStats {
  path: string;
  format: string;
  records: number;
  skipped: Map<string, number>;
}

export interface ParseStreamOptions extends ParseOptions {
  /** --from: force a format by name. */
  from?: string;
  /** Skip (with a warning) an input of no known format instead of failing: files found in a directory. */
  skipUnknown?: boolean;
}

export function formatNames(): string[] {
  return FORMATS.map((f) => f.name);
}

/** Pick the format whose detector is most confident about the sample; ties go to the earlier one. */
export function detectFormat(sample: string, path: string): FormatParser | undefined {
  let best: FormatParser | undefined;
  let bestScore = 0;
  for (const f of FORMATS) {
    const score = f.detect(sample, path);
    if (score > bestScore) {
      best = f;
      bestScore = score;
    }
  }
  return best;
}

/** Re-yield buffered chunks, then the rest of the iterator. */
async function* replay(buffered: string[], rest: AsyncIterator<string>): AsyncGenerator<string> {
  for (const c of buffered) yield c;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/**
 * Parse decoded text chunks of one input into records. Records are yielded as they are read, so a
 * broken entry later in the input does not lose those before it.
 */
export async function* parseText(
  chunks: AsyncIterable<string>,
  path: string,
  options: ParseStreamOptions,
  diagnostics: Diagnostics,
  ids: IdRegistry,
  stats?: InputStats[],
): AsyncGenerator<Paper> {
  const iterator = chunks[Symbol.asyncIterator]();
  const buffered: string[] = [];
  let size = 0;
  while (size < SAMPLE_CHARS) {
    const next = await iterator.next();
    if (next.done) break;
    buffered.push(next.value);
    size += next.value.length;
  }
  const sample = buffered.join('').slice(0, SAMPLE_CHARS).replace(/^\uFEFF/, '');
  const stat: InputStats = { path, format: '', records: 0, skipped: new Map() };
  if (sample.trim() === '') {
    stat.format = 'empty';
    stats?.push(stat);
    return; // empty input: no records, not an error
  }
  let format: FormatParser | undefined;
  if (options.from) {
    format = formatByName(options.from);
    if (!format) throw new UsageError(`unknown format '${options.from}' for --from (one of: ${formatNames().join(', ')})`);
  } else {
    format = detectFormat(sample, path);
    if (!format && options.skipUnknown) {
      diagnostics.warn('not a format papers reads; skipped', { path });
      stat.format = 'skipped';
      stats?.push(stat);
      return;
    }
    if (!format) {
      throw new DataError(
        `cannot tell what format this is: expected ${FORMATS.map((f) => f.name).join(', ')} (see papers parse --help; --from FORMAT forces one)`,
        { path },
      );
    }
  }
  stat.format = format.name;
  stats?.push(stat);
  const ctx = {
    path,
    diagnostics,
    options,
    skip(reason: string) {
      stat.skipped.set(reason, (stat.skipped.get(reason) ?? 0) + 1);
    },
  };
  const first = buffered.length ? [buffered[0].replace(/^\uFEFF/, ''), ...buffered.slice(1)] : buffered;
  for await (const raw of format.parse(replay(first, iterator), ctx)) {
    stat.records++;
    yield finalizeRecord(raw, path, ids);
  }
}
