// Worker threads for the corpus passes of large inputs (corpus-worker.ts). `papers digest` starts
// two: one gathers the keyword statistics and tags, one builds the cluster vectors and fits; the
// main thread reads, dedupes, hands them the deduplicated papers, then builds the report from the
// tagged papers (read from a temporary file behind the tagging thread) and the cluster assignment.
// `papers cluster` starts the clustering one: it fits while the main thread reads and spools, and
// Ctrl-C stays prompt during the fit. Every thread gets the same batches of JSON lines.
import { mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Diagnostics } from '../errors.js';
import { registerCleanup } from '../io/cleanup.js';
import type { ClusterInfo } from '../stages/cluster/index.js';
import type { ClusterRoleOptions, CorpusWorkerData, FromCorpusWorker, ToCorpusWorker } from './corpus-worker.js';

const BATCH_CHARS = 1 << 20;
// Batches sent to a thread and not yet taken in: beyond this the main thread waits (memory bound).
const MAX_IN_FLIGHT = 4;

export interface ThreadFit {
  /** Cluster by paper position (as ClusterFit.assignment; empty when nothing was fitted). */
  assignment: Int32Array;
  clusters: ClusterInfo[];
  /** The serialized model, when asked for. */
  model?: string;
  /** Whether a fit ran (digest skips it when no paper has a word). */
  fitted: boolean;
}

export interface CorpusThreadRoles {
  /** Keyword statistics, then tagging with the default options (digest). */
  tag?: boolean;
  cluster?: ClusterRoleOptions;
}

interface Thread {
  worker: Worker;
  inFlight: number;
  finished: boolean;
}

export class CorpusThreads {
  private readonly dir: string | undefined;
  private readonly taggedFile: string | undefined;
  private readonly unregister: (() => void) | undefined;
  private readonly threads: Thread[] = [];
  private batch: string[] = [];
  private batchChars = 0;
  private sent = 0;
  private failure: Error | undefined;
  private waiters: Array<() => void> = [];
  private committed = 0;
  private taggedRecords = -1;
  private fit: { records: number; result: ThreadFit } | undefined;
  private disposed = false;

  constructor(
    private readonly diagnostics: Diagnostics,
    roles: CorpusThreadRoles,
  ) {
    if (roles.tag) {
      const dir = mkdtempSync(join(tmpdir(), 'papers-spool-'));
      this.dir = dir;
      this.unregister = registerCleanup(() => rmSync(dir, { recursive: true, force: true }));
      this.taggedFile = join(dir, 'tagged.jsonl');
      this.threads.push(this.start({ role: 'tag', recordsFile: join(dir, 'records.jsonl'), taggedFile: this.taggedFile, chunkBytes: BATCH_CHARS }));
    }
    if (roles.cluster) this.threads.push(this.start({ role: 'cluster', ...roles.cluster }));
  }

  private start(data: CorpusWorkerData): Thread {
    const worker = new Worker(new URL('./corpus-worker.js', import.meta.url), { workerData: data });
    const t: Thread = { worker, inFlight: 0, finished: false };
    worker.on('message', (msg: FromCorpusWorker) => {
      switch (msg.type) {
        case 'ack':
          t.inFlight--;
          break;
        case 'progress':
          this.committed = msg.bytes;
          break;
        case 'tagged':
          this.committed = msg.bytes;
          this.taggedRecords = msg.records;
          t.finished = true;
          break;
        case 'fit':
          this.fit = {
            records: msg.records,
            result: { assignment: msg.assignment ?? new Int32Array(0), clusters: msg.clusters, model: msg.model, fitted: msg.assignment !== null },
          };
          t.finished = true;
          break;
        case 'diagnostic':
          if (msg.level === 'info') this.diagnostics.info(msg.message);
          else this.diagnostics.warn(msg.message, msg.location);
          break;
        case 'error': {
          const err = new Error(`${data.role} thread: ${msg.message}`);
          if (msg.stack) err.stack = msg.stack;
          this.failure ??= err;
          break;
        }
      }
      this.notify();
    });
    worker.on('error', (err) => {
      this.failure ??= err;
      this.notify();
    });
    worker.on('exit', (code) => {
      if (!t.finished && !this.disposed) this.failure ??= new Error(`${data.role} thread stopped (exit code ${code})`);
      this.notify();
    });
    return t;
  }

  private notify(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** Waits for the next message from either thread; throws if one failed. */
  private async next(): Promise<void> {
    this.check();
    await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  /** One deduplicated paper as JSON text (no newline), in digest order. */
  async add(line: string): Promise<void> {
    this.batch.push(line, '\n');
    this.batchChars += line.length + 1;
    this.sent++;
    if (this.batchChars >= BATCH_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.batchChars) return;
    while (this.threads.some((t) => t.inFlight >= MAX_IN_FLIGHT)) await this.next();
    this.check();
    const msg: ToCorpusWorker = { type: 'lines', text: this.batch.join('') };
    this.batch = [];
    this.batchChars = 0;
    for (const t of this.threads) {
      t.inFlight++;
      t.worker.postMessage(msg);
    }
  }

  /** No more papers: the threads tag and fit. */
  async end(): Promise<void> {
    await this.flush();
    this.check();
    for (const t of this.threads) t.worker.postMessage({ type: 'end' } satisfies ToCorpusWorker);
  }

  /** The cluster fit, once the clustering thread is done. */
  async clusters(): Promise<ThreadFit> {
    while (!this.fit) await this.next();
    if (this.fit.records !== this.sent) throw new Error(`cluster thread: took ${this.fit.records} papers, ${this.sent} were sent`);
    return this.fit.result;
  }

  /** The tagged papers as JSON lines, in order, read as the tagging thread writes them. */
  async *tagged(): AsyncGenerator<string> {
    let handle: FileHandle | undefined;
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      let carry: Buffer | undefined;
      let pos = 0;
      let seen = 0;
      for (;;) {
        this.check();
        if (pos >= this.committed) {
          if (this.taggedRecords >= 0) break;
          await this.next();
          continue;
        }
        handle ??= await open(this.taggedFile!, 'r');
        const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, this.committed - pos), pos);
        if (bytesRead === 0) throw new Error('tag thread: the tagged file is shorter than announced');
        pos += bytesRead;
        const data = carry ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
        let start = 0;
        for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
          seen++;
          yield data.toString('utf8', start, nl);
          start = nl + 1;
        }
        carry = start < data.length ? Buffer.from(data.subarray(start)) : undefined;
      }
      if (carry?.length) throw new Error('tag thread: the tagged file ends inside a line');
      if (seen !== this.taggedRecords || seen !== this.sent) throw new Error(`tag thread: ${seen} tagged papers came back, ${this.sent} were sent`);
    } finally {
      await handle?.close().catch(() => {});
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.threads) void t.worker.terminate();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.unregister?.();
  }
}
