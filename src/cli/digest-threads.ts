// Two worker threads for a large `papers digest` (digest-worker.ts): one gathers the keyword
// statistics and tags, one builds the cluster vectors and fits. The main thread reads, dedupes,
// hands them the deduplicated papers, then builds the report from the tagged papers (read from a
// temporary file behind the tagging thread) and the cluster assignment.
import { mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Diagnostics } from '../errors.js';
import { registerCleanup } from '../io/cleanup.js';
import type { DigestWorkerData, FromDigestWorker, ToDigestWorker } from './digest-worker.js';

const BATCH_CHARS = 1 << 20;
// Batches sent to a thread and not yet taken in: beyond this the main thread waits (memory bound).
const MAX_IN_FLIGHT = 4;

export interface DigestFit {
  /** Cluster by paper position (as ClusterFit.assignment), and each cluster's label. */
  assignment: Int32Array;
  labels: string[];
}

interface Thread {
  worker: Worker;
  inFlight: number;
  finished: boolean;
}

export class DigestThreads {
  private readonly dir: string;
  private readonly taggedFile: string;
  private readonly unregister: () => void;
  private readonly tagger: Thread;
  private readonly clusterer: Thread;
  private batch: string[] = [];
  private batchChars = 0;
  private sent = 0;
  private failure: Error | undefined;
  private waiters: Array<() => void> = [];
  private committed = 0;
  private taggedRecords = -1;
  private fit: { records: number; result: DigestFit | undefined } | undefined;
  private disposed = false;

  constructor(private readonly diagnostics: Diagnostics) {
    this.dir = mkdtempSync(join(tmpdir(), 'papers-spool-'));
    const dir = this.dir;
    this.unregister = registerCleanup(() => rmSync(dir, { recursive: true, force: true }));
    this.taggedFile = join(dir, 'tagged.jsonl');
    this.tagger = this.start({ role: 'tag', recordsFile: join(dir, 'records.jsonl'), taggedFile: this.taggedFile, chunkBytes: BATCH_CHARS });
    this.clusterer = this.start({ role: 'cluster' });
  }

  private start(data: DigestWorkerData): Thread {
    const worker = new Worker(new URL('./digest-worker.js', import.meta.url), { workerData: data });
    const t: Thread = { worker, inFlight: 0, finished: false };
    worker.on('message', (msg: FromDigestWorker) => {
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
          this.fit = { records: msg.records, result: msg.assignment ? { assignment: msg.assignment, labels: msg.labels } : undefined };
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
    while (this.tagger.inFlight >= MAX_IN_FLIGHT || this.clusterer.inFlight >= MAX_IN_FLIGHT) await this.next();
    this.check();
    const msg: ToDigestWorker = { type: 'lines', text: this.batch.join('') };
    this.batch = [];
    this.batchChars = 0;
    for (const t of [this.tagger, this.clusterer]) {
      t.inFlight++;
      t.worker.postMessage(msg);
    }
  }

  /** No more papers: the threads tag and fit. */
  async end(): Promise<void> {
    await this.flush();
    this.check();
    for (const t of [this.tagger, this.clusterer]) t.worker.postMessage({ type: 'end' } satisfies ToDigestWorker);
  }

  /** The cluster fit (undefined when no paper had a word to cluster by). */
  async clusters(): Promise<DigestFit | undefined> {
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
        handle ??= await open(this.taggedFile, 'r');
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
    void this.tagger.worker.terminate();
    void this.clusterer.worker.terminate();
    rmSync(this.dir, { recursive: true, force: true });
    this.unregister();
  }
}
