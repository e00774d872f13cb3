// One batch of JSON Lines through a per-record stage: decode, parse, finalize, map, serialize.
// The same code runs on the main thread (small inputs) and in the worker threads of parallel.ts,
// so a run gives the same bytes however it was split.
import { DataError, type Diagnostics, type Location, formatLocation } from '../errors.js';
import { IdRegistry, type Paper, finalizeRecord } from '../record.js';
import { parseJsonlLine } from '../stages/parse/json.js';
import { stringifyRecord } from './framework.js';

/** What a worker is asked to build once: a stage with its saved model. Plain data (sent to workers). */
export type MapperSpec =
  | { stage: 'parse' }
  | {
      stage: 'tag';
      /** Path of a taxonomy file; null for --no-taxonomy; absent for the default taxonomy. */
      taxonomy?: string | null;
      keywords: number;
      model?: string;
      threshold?: number;
      explain: boolean;
    }
  | { stage: 'cluster'; model: string };

export type Mapper = (record: Paper) => Paper;

/** Build the per-record function of a stage (loading its model); modules load only when needed. */
export async function createMapper(spec: MapperSpec): Promise<Mapper> {
  if (spec.stage === 'parse') return (r) => r;
  if (spec.stage === 'tag') {
    const { buildStreamingTagger } = await import('./commands/tag.js');
    const tagger = await buildStreamingTagger(spec);
    return (r) => tagger.tag(r);
  }
  const { loadClusterModel } = await import('./commands/cluster.js');
  const { ModelAssigner, assignRecord } = await import('../stages/cluster/index.js');
  const assigner = new ModelAssigner(await loadClusterModel(spec.model));
  return (r) => assignRecord(assigner, r);
}

export interface Batch {
  seq: number;
  path: string;
  /** 1-based line number of the batch's first line in its input. */
  firstLine: number;
  bytes: Uint8Array;
  skipInvalid: boolean;
  map?: Record<string, string>;
}

export interface BatchWarning {
  message: string;
  location?: Location;
}

export interface BatchResult {
  seq: number;
  /** JSONL of the records done, in order (each line ends with a newline). */
  out: string;
  /** Per output record: its id before ids were made unique across the run (null: a papers record, kept as is). */
  baseIds: (string | null)[];
  /** Entries read (as the sequential reader counts them). */
  records: number;
  skipped: [string, number][];
  warnings: BatchWarning[];
  /** Some bytes were not valid UTF-8. */
  invalidText: boolean;
  /** The batch stopped here: a DataError (message without location, and its location) or a bug. */
  error?: { message: string; location?: Location; data: boolean; stack?: string };
}

/** Records the id a record would get, leaving uniqueness to the main thread (which sees the whole run). */
class DeferredIds extends IdRegistry {
  last: string | null = null;
  override unique(id: string): string {
    this.last = id;
    return id;
  }
}

export function runBatch(batch: Batch, mapper: Mapper): BatchResult {
  // Batches hold whole lines, so no character is split; Buffer decoding is faster than TextDecoder
  // and also turns invalid bytes into U+FFFD.
  const text = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength).toString('utf8');
  const warnings: BatchWarning[] = [];
  const skipped = new Map<string, number>();
  const diagnostics: Diagnostics = {
    warn(message, location) {
      warnings.push({ message, location });
    },
    info() {},
  };
  const ctx = {
    path: batch.path,
    diagnostics,
    options: { skipInvalid: batch.skipInvalid, map: batch.map },
    skip(reason: string) {
      skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
    },
  };
  const reserved = { done: false };
  const ids = new DeferredIds();
  const parts: string[] = [];
  const baseIds: (string | null)[] = [];
  let records = 0;
  let error: BatchResult['error'];
  let line = batch.firstLine;
  let start = 0;
  try {
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      let stop = end;
      if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
      const raw = parseJsonlLine(text.slice(start, stop), line, ctx, reserved);
      if (raw) {
        records++;
        ids.last = null;
        const rec = mapper(finalizeRecord(raw, batch.path, ids));
        parts.push(stringifyRecord(rec), '\n');
        baseIds.push(ids.last);
      }
      start = end + 1;
      line++;
    }
  } catch (err) {
    if (err instanceof DataError) {
      const loc = err.location;
      const prefix = loc ? formatLocation(loc).length + 2 : 0;
      error = { message: err.message.slice(prefix), location: loc, data: true };
    } else {
      error = { message: err instanceof Error ? err.message : String(err), data: false, stack: err instanceof Error ? err.stack : undefined };
    }
  }
  return {
    seq: batch.seq,
    out: parts.join(''),
    baseIds,
    records,
    skipped: [...skipped],
    warnings,
    invalidText: text.includes('\uFFFD'),
    error,
  };
}
