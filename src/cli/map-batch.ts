// One batch of JSON Lines through a per-record stage: decode, parse, finalize, map, serialize.
// The same code runs on the main thread (small inputs) and in the worker threads of parallel.ts,
// so a run gives the same bytes however it was split.
import { isUtf8 } from 'node:buffer';
import { DataError, type Diagnostics, type Location, formatLocation } from '../errors.js';
import { IdRegistry, type Paper, finalizeRecord, stringifyRecord } from '../record.js';
import { parseJsonlLine } from '../stages/parse/json.js';

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
    const { buildStreamingTagger } = await import('./model-files.js');
    const tagger = await buildStreamingTagger(spec);
    return (r) => tagger.tag(r);
  }
  const { loadClusterModel } = await import('./model-files.js');
  const { ModelAssigner } = await import('../stages/cluster/index.js');
  const assigner = new ModelAssigner(await loadClusterModel(spec.model));
  // assignRecord() without its copy: a record here is a fresh object that is only serialized
  // after this, and has no reserved key (parsing drops them), so setting the two fields on it
  // gives the same keys in the same order as the copy would have.
  return (r) => {
    const c = assigner.clusterOf(typeof r.title === 'string' ? r.title : '', typeof r.abstract === 'string' ? r.abstract : '');
    r.cluster = c;
    r.cluster_label = assigner.labelOf(c);
    return r;
  };
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
  /** UTF-8 of the JSONL of the records done, in order (each line ends with a newline): the first outLength bytes. */
  out: Uint8Array;
  outLength: number;
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

/**
 * Output bytes of one batch: records are encoded straight into one buffer of its own (so it can be
 * moved to the main thread without a copy), which grows as needed.
 */
class OutBuffer {
  buf: Buffer;
  length = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  /** Appends text (UTF-8) and a newline. */
  line(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    const need = this.length + text.length * 3 + 1;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafeSlow(Math.max(need, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    this.length += this.buf.write(text, this.length, 'utf8');
    this.buf[this.length++] = 10;
  }
}

/** U+FFFD as UTF-8. */
const REPLACEMENT_BYTES = Buffer.from('\uFFFD');

export function runBatch(batch: Batch, mapper: Mapper): BatchResult {
  // Batches hold whole lines and a line never ends inside a character, so decoding line by line
  // gives the same text as decoding the whole batch (invalid bytes become U+FFFD either way); a
  // line of ASCII then decodes to a one-byte string, which parsing and serializing handle faster.
  const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
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
  // JSONL output is about as long as its input; a little more for the fields stages add.
  const out = new OutBuffer(Math.max(1 << 12, bytes.length + (bytes.length >> 2)));
  const baseIds: (string | null)[] = [];
  let records = 0;
  let error: BatchResult['error'];
  let line = batch.firstLine;
  let start = 0;
  try {
    while (start < bytes.length) {
      let end = bytes.indexOf(10, start);
      if (end < 0) end = bytes.length;
      let stop = end;
      if (stop > start && bytes[stop - 1] === 13) stop--;
      const raw = parseJsonlLine(bytes.toString('utf8', start, stop), line, ctx, reserved);
      if (raw) {
        records++;
        ids.last = null;
        const rec = mapper(finalizeRecord(raw, batch.path, ids));
        out.line(stringifyRecord(rec));
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
    out: out.buf,
    outLength: out.length,
    baseIds,
    records,
    skipped: [...skipped],
    warnings,
    // The decoded batch holds U+FFFD exactly when its bytes are not valid UTF-8 or encode U+FFFD.
    invalidText: !isUtf8(bytes) || bytes.indexOf(REPLACEMENT_BYTES) >= 0,
    error,
  };
}
