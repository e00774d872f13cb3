// Per-record stages (parse, tag with a saved model or without keywords, cluster --model) on all
// cores. JSON Lines input is cut into batches of whole lines; worker threads parse, map and
// serialize each batch; the main thread writes the results in input order. Bytes out are the same
// as one thread gives (tested): ids are made unique here, across the whole run, in input order.
// Inputs that are not JSONL (listings, CSV, XML...) are read on the main thread, in their turn.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Command } from 'commander';
import { DataError, type Diagnostics, UsageError } from '../errors.js';
import { decodeChunks, looksBinary } from '../io/decode.js';
import { type InputSource, resolveInputs } from '../io/inputs.js';
import { LineWriter } from '../io/output.js';
import { IdRegistry, stringifyRecord } from '../record.js';
import { type InputStats, SAMPLE_CHARS, detectFormat, parseText } from '../stages/parse/index.js';
import { RESERVED_KEYS_WARNING } from '../stages/parse/json.js';
import { type InputOptions, type CliIO, parseMapOption } from './framework.js';
import { type Batch, type BatchResult, type Mapper, type MapperSpec, createMapper, runBatch } from './map-batch.js';

/** Below this much input, starting worker threads (and loading the model in each) costs more than it saves. */
const MIN_POOL_BYTES = 4 << 20;
const DEFAULT_BATCH_BYTES = 1 << 20;
const MAX_JOBS = 8;

export function addJobsOption(cmd: Command): Command {
  return cmd.option('--jobs <n>', "worker threads for JSONL input (default: one per core, at most 8; env PAPERS_JOBS; 1 = none)");
}

/** --jobs / PAPERS_JOBS: a whole number from 1 to 64, or "auto" (the default: one per core, at most 8). */
export function resolveJobs(flag: string | undefined, env: NodeJS.ProcessEnv): { jobs: number; explicit: boolean } {
  const value = flag ?? env.PAPERS_JOBS;
  if (value === undefined || value === '' || value === 'auto') return { jobs: Math.min(availableParallelism(), MAX_JOBS), explicit: false };
  const t = String(value).trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || n < 1 || n > 64) {
    throw new UsageError(`${flag !== undefined ? '--jobs' : 'PAPERS_JOBS'} expects a whole number from 1 to 64 or 'auto', got '${value}'`);
  }
  return { jobs: n, explicit: true };
}

function batchBytes(env: NodeJS.ProcessEnv): number {
  const n = Number(env.PAPERS_BATCH_BYTES);
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_BATCH_BYTES;
}

/** The first bytes of an input, and the rest of it. */
interface Opened {
  head: Buffer;
  rest: AsyncIterator<Uint8Array | string>;
  ended: boolean;
}

async function openHead(source: InputSource, minBytes: number): Promise<Opened> {
  const rest = source.open()[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < minBytes) {
    const next = await rest.next();
    if (next.done) {
      ended = true;
      break;
    }
    const b = typeof next.value === 'string' ? Buffer.from(next.value) : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    parts.push(b);
    size += b.length;
  }
  return { head: Buffer.concat(parts), rest, ended };
}

async function* chunksOf(opened: Opened): AsyncGenerator<Uint8Array | string> {
  if (opened.head.length) yield opened.head;
  if (opened.ended) return;
  for (;;) {
    const next = await opened.rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/** True when the input is UTF-8 (or ASCII) text that reads as JSON Lines. */
function isJsonl(head: Buffer, path: string, from: string | undefined): boolean {
  if (head.length === 0) return false;
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || looksBinary(head)) return false;
  const sample = head.toString('utf8', 0, Math.min(head.length, SAMPLE_CHARS * 4)).slice(0, SAMPLE_CHARS).replace(/^\uFEFF/, '');
  if (sample.trim() === '') return false;
  if (from !== undefined) return from === 'jsonl';
  return detectFormat(sample, path)?.name === 'jsonl';
}

/** Size of a regular file (0 for stdin, or when it cannot be told): only decides when workers start. */
async function fileSize(path: string): Promise<number> {
  if (path === 'stdin') return 0;
  try {
    const st = await stat(path);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

/** Bytes read but not yet cut into batches: the chunks as read, joined only when a batch is taken. */
class PendingBytes {
  private parts: Buffer[] = [];
  length = 0;

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.parts.push(b);
    this.length += b.length;
  }

  /** Offset of the last newline at or before `pos` (< length), or -1. */
  lastIndexOfNewline(pos: number): number {
    let base = 0;
    let i = 0;
    while (base + this.parts[i].length <= pos) base += this.parts[i++].length;
    for (let from = pos - base; i >= 0; i--) {
      const k = this.parts[i].lastIndexOf(10, from);
      if (k >= 0) return base + k;
      if (i > 0) {
        base -= this.parts[i - 1].length;
        from = this.parts[i - 1].length - 1;
      }
    }
    return -1;
  }

  /** Offset of the first newline at or after `pos`, or -1. */
  indexOfNewline(pos: number): number {
    let base = 0;
    for (const part of this.parts) {
      if (base + part.length > pos) {
        const k = part.indexOf(10, Math.max(0, pos - base));
        if (k >= 0) return base + k;
      }
      base += part.length;
    }
    return -1;
  }

  /** The first n bytes, copied into a buffer of their own (which can be moved to a worker). */
  take(n: number): Buffer {
    const out = Buffer.allocUnsafeSlow(n);
    let done = 0;
    while (done < n) {
      const part = this.parts[0];
      const k = Math.min(part.length, n - done);
      part.copy(out, done, 0, k);
      done += k;
      if (k === part.length) this.parts.shift();
      else this.parts[0] = part.subarray(k);
    }
    this.length -= n;
    return out;
  }
}

/** Write bytes to a stream, waiting for it to drain when it asks to (as LineWriter does). */
async function writeBytes(stream: NodeJS.WritableStream, bytes: Uint8Array): Promise<void> {
  if (bytes.length === 0 || stream.write(bytes)) return;
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('error', fail);
      stream.off('close', done);
      resolve();
    };
    const fail = (err: Error) => {
      stream.off('drain', done);
      stream.off('close', done);
      reject(err);
    };
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', fail);
  });
}

interface Pending {
  resolve(result: BatchResult): void;
  reject(err: Error): void;
}

/** Worker threads running map-worker.js, each with its own copy of the stage. */
class Pool {
  private readonly workers: { worker: Worker; ready: Promise<void>; pending: Map<number, Pending> }[] = [];
  private next = 0;

  constructor(size: number, spec: MapperSpec) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./map-worker.js', import.meta.url), { workerData: spec });
      const pending = new Map<number, Pending>();
      const ready = new Promise<void>((resolve, reject) => {
        const fail = (err: Error) => {
          reject(err);
          for (const p of pending.values()) p.reject(err);
          pending.clear();
        };
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (pending.size) fail(new Error(`worker thread stopped (exit code ${code})`));
        });
        worker.on('message', (msg: BatchResult | { ready: true; failure?: string }) => {
          if ('ready' in msg) {
            if (msg.failure) fail(new DataError(msg.failure));
            else resolve();
            return;
          }
          const p = pending.get(msg.seq);
          pending.delete(msg.seq);
          p?.resolve(msg);
        });
      });
      ready.catch(() => {});
      this.workers.push({ worker, ready, pending });
    }
  }

  async run(batch: Batch): Promise<BatchResult> {
    const w = this.workers[this.next];
    this.next = (this.next + 1) % this.workers.length;
    await w.ready;
    return new Promise<BatchResult>((resolve, reject) => {
      w.pending.set(batch.seq, { resolve, reject });
      // The batch's bytes are its own buffer (see takeBytes): moved to the worker, not copied.
      w.worker.postMessage(batch, [batch.bytes.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

export interface PerRecordRun {
  inputs: string[];
  options: InputOptions;
  io: CliIO;
  diagnostics: Diagnostics;
  command: string;
  spec: MapperSpec;
  jobs?: string;
  stats?: InputStats[];
}

/**
 * Read the inputs, run each record through the stage and write JSONL to stdout, in input order.
 * Returns the number of records written. Records before a broken line are written before the error.
 */
export async function runPerRecord(run: PerRecordRun): Promise<number> {
  const { io, diagnostics, options } = run;
  const { jobs, explicit } = resolveJobs(run.jobs, io.env);
  const sources = await resolveInputs(run.inputs, io.stdin, run.command);
  const map = parseMapOption(options.map);
  const from = options.from;
  const skipInvalid = Boolean(options.skipInvalid);
  const size = batchBytes(io.env);

  const out = new LineWriter(io.stdout, 1 << 20);
  const ids = new IdRegistry();
  let mainMapper: Mapper | undefined;
  const mapper = async () => (mainMapper ??= await createMapper(run.spec));
  let pool: Pool | undefined;
  let seq = 0;
  let written = 0;
  let bytesSeen = 0;

  const warnedReserved = new Set<string>();
  const warnedText = new Set<string>();

  /** Write one batch's result: ids made unique across the run, warnings in order. */
  const take = async (result: BatchResult, stat: InputStats, path: string) => {
    for (const w of result.warnings) {
      if (w.message === RESERVED_KEYS_WARNING) {
        if (warnedReserved.has(path)) continue;
        warnedReserved.add(path);
      }
      diagnostics.warn(w.message, w.location);
    }
    if (result.invalidText && !warnedText.has(path)) {
      warnedText.add(path);
      diagnostics.warn('bytes that are not valid text were replaced with U+FFFD', { path });
    }
    stat.records += result.records;
    for (const [reason, n] of result.skipped) stat.skipped.set(reason, (stat.skipped.get(reason) ?? 0) + n);
    let bytes: Uint8Array = Buffer.from(result.out.buffer, result.out.byteOffset, result.outLength);
    let lines: string[] | undefined;
    for (let i = 0; i < result.baseIds.length; i++) {
      const base = result.baseIds[i];
      if (base === null) continue;
      const id = ids.unique(base);
      if (id !== base) {
        // Rare: a repeated id. The batch's JSONL is valid UTF-8 (JSON.stringify escapes lone
        // surrogates), so decoding and encoding it again gives back the same bytes.
        lines ??= (bytes as Buffer).toString('utf8').split('\n');
        const rec = JSON.parse(lines[i]);
        rec.id = id;
        lines[i] = stringifyRecord(rec);
      }
    }
    if (lines) bytes = Buffer.from(lines.join('\n'), 'utf8');
    written += result.baseIds.length;
    await out.flush();
    await writeBytes(io.stdout, bytes);
    if (result.error) {
      if (!result.error.data) {
        const err = new Error(result.error.message);
        if (result.error.stack) err.stack = result.error.stack;
        throw err;
      }
      throw new DataError(result.error.message, result.error.location);
    }
  };

  try {
    for (const source of sources) {
      const opened = await openHead(source, SAMPLE_CHARS * 4);
      if (!isJsonl(opened.head, source.path, from)) {
        // Listings, exports, UTF-16, empty or broken input: the sequential reader, in its turn.
        const m = await mapper();
        const chunks = decodeChunks(chunksOf(opened), source.path, diagnostics);
        const parseOptions = { from, map, skipInvalid, delimiter: options.delimiter === '\\t' || options.delimiter === 'tab' ? '\t' : options.delimiter };
        for await (const r of parseText(chunks, source.path, { ...parseOptions, skipUnknown: source.fromDirectory }, diagnostics, ids, run.stats)) {
          await out.write(stringifyRecord(m(r)) + '\n');
          written++;
        }
        continue;
      }
      // A file known to be large goes to the workers from its first batch, so that the main
      // thread does not build the stage (load its model, warm it up) only for the first batches.
      // Not for tag, whose stage may fail to build in ways a worker would report differently.
      const large = !pool && jobs > 1 && run.spec.stage !== 'tag' && (await fileSize(source.path)) >= MIN_POOL_BYTES;
      const stat: InputStats = { path: source.path, format: 'jsonl', records: 0, skipped: new Map() };
      run.stats?.push(stat);
      // Results are written in order; at most 2 batches per worker wait at any time (bounded memory).
      const inFlight: Promise<BatchResult>[] = [];
      let line = 1;
      const pending = new PendingBytes();
      let first = true;
      const dispatch = async (bytes: Buffer) => {
        if (first && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
        first = false;
        const batch: Batch = { seq: seq++, path: source.path, firstLine: line, bytes, skipInvalid, map };
        for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) line++;
        bytesSeen += bytes.length;
        if (!pool && jobs > 1 && (explicit || large || bytesSeen >= MIN_POOL_BYTES)) {
          // Flush what the main thread already did, then hand the rest to the workers.
          while (inFlight.length) await take(await inFlight.shift()!, stat, source.path);
          pool = new Pool(jobs, run.spec);
        }
        if (pool) {
          const p = pool.run(batch);
          p.catch(() => {}); // awaited in order below; after an error the rest are dropped
          inFlight.push(p);
        } else inFlight.push(Promise.resolve(runBatch(batch, await mapper())));
        while (inFlight.length > (pool ? jobs * 2 : 0)) await take(await inFlight.shift()!, stat, source.path);
      };
      for await (const chunk of chunksOf(opened)) {
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        pending.push(b);
        // A batch ends at the last line end before `size` bytes, or at the first one after.
        while (pending.length >= size) {
          let cut = pending.lastIndexOfNewline(size - 1);
          if (cut === -1) cut = pending.indexOfNewline(size);
          if (cut === -1) break;
          await dispatch(pending.take(cut + 1));
        }
      }
      if (pending.length) await dispatch(pending.take(pending.length));
      while (inFlight.length) await take(await inFlight.shift()!, stat, source.path);
    }
  } finally {
    await out.flush().catch(() => {});
    await pool?.close();
  }
  return written;
}
