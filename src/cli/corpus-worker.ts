// A worker thread of a corpus stage (see corpus-threads.ts). Two roles:
//
//   tag      keyword statistics of every paper, then tags them all; the tagged papers go to a file
//            as JSON lines, announcing how many bytes are complete so that the main thread can read
//            behind it (`papers digest`).
//   cluster  the cluster vectors of every paper, then the fit; the assignment, the clusters and
//            (when asked) the saved model go back (`papers digest`, `papers cluster`).
//
// Papers arrive as batches of JSON lines in digest order; every batch is acknowledged once taken in,
// which is how the main thread keeps the number of batches in flight (and memory) bounded.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Location } from '../errors.js';
import type { Paper } from '../record.js';
import type { ClusterInfo, ClusterOptions } from '../stages/cluster/index.js';

/** What the cluster role is given: the fit's options (plain data) and whether to send the model. */
export interface ClusterRoleOptions {
  options: Partial<Omit<ClusterOptions, 'diagnostics' | 'progress'>>;
  /** Send the fitted model, serialized (for --save-model). */
  model: boolean;
  /** Forward info diagnostics (warnings always are). */
  info: boolean;
}

export type CorpusWorkerData =
  | {
      role: 'tag';
      /** File for the papers as received (created here), read back for tagging. */
      recordsFile: string;
      /** File for the tagged papers (created here). */
      taggedFile: string;
      /** Bytes of tagged output written before announcing progress. */
      chunkBytes: number;
    }
  | ({ role: 'cluster' } & ClusterRoleOptions);

export type ToCorpusWorker = { type: 'lines'; text: string } | { type: 'end' };
export type FromCorpusWorker =
  | { type: 'ack' }
  | { type: 'progress'; bytes: number; records: number }
  | { type: 'tagged'; bytes: number; records: number }
  | { type: 'fit'; records: number; assignment: Int32Array | null; clusters: ClusterInfo[]; model?: string }
  | { type: 'diagnostic'; level: 'info' | 'warn'; message: string; location?: Location }
  | { type: 'error'; message: string; stack?: string };

const port = parentPort!;
const data = workerData as CorpusWorkerData;
const send = (msg: FromCorpusWorker, transfer?: ArrayBuffer[]): void => port.postMessage(msg, transfer);

function writeAll(fd: number, text: string): number {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  return buf.length;
}

/** Lines of a file, read in 1 MiB chunks. */
function* fileLines(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let carry: Buffer | undefined;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const buf = carry ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        yield buf.toString('utf8', start, nl);
        start = nl + 1;
      }
      // Copied: the chunk buffer is reused by the next read.
      carry = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
    }
    if (carry?.length) yield carry.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function eachLine(text: string, fn: (record: Paper) => void): number {
  let n = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) {
      fn(JSON.parse(text.slice(start, end)) as Paper);
      n++;
    }
    start = end + 1;
  }
  return n;
}

interface Role {
  lines(text: string): void;
  end(): void;
}

async function tagRole(d: Extract<CorpusWorkerData, { role: 'tag' }>): Promise<Role> {
  const { CorpusStatsBuilder, DEFAULT_TAG_OPTIONS, Tagger } = await import('../stages/tag/index.js');
  const stats = new CorpusStatsBuilder();
  const recordsFd = openSync(d.recordsFile, 'wx', 0o600);
  let received = 0;
  return {
    lines(text) {
      writeAll(recordsFd, text);
      received += eachLine(text, (r) => stats.add(r));
    },
    end() {
      closeSync(recordsFd);
      const tagger = new Tagger({ keywords: DEFAULT_TAG_OPTIONS.keywords, keywordStats: stats.finish() });
      const out = openSync(d.taggedFile, 'wx', 0o600);
      try {
        let parts: string[] = [];
        let pending = 0;
        let bytes = 0;
        let records = 0;
        for (const line of fileLines(d.recordsFile)) {
          const tagged = JSON.stringify(tagger.tag(JSON.parse(line) as Paper)) + '\n';
          parts.push(tagged);
          pending += tagged.length;
          records++;
          if (pending >= d.chunkBytes) {
            bytes += writeAll(out, parts.join(''));
            parts = [];
            pending = 0;
            send({ type: 'progress', bytes, records });
          }
        }
        if (pending) bytes += writeAll(out, parts.join(''));
        if (records !== received) throw new Error(`read ${records} papers back for tagging, expected ${received}`);
        send({ type: 'tagged', bytes, records });
      } finally {
        closeSync(out);
      }
    },
  };
}

async function clusterRole(d: Extract<CorpusWorkerData, { role: 'cluster' }>): Promise<Role> {
  const { ClusterFitter, serializeModel } = await import('../stages/cluster/index.js');
  const fitter = new ClusterFitter({
    ...d.options,
    diagnostics: {
      info: (message) => {
        if (d.info) send({ type: 'diagnostic', level: 'info', message });
      },
      warn: (message, location) => send({ type: 'diagnostic', level: 'warn', message, location }),
    },
  });
  let received = 0;
  return {
    lines(text) {
      received += eachLine(text, (r) => fitter.add(r));
    },
    end() {
      if (!fitter.size && !d.model) {
        send({ type: 'fit', records: received, assignment: null, clusters: [] });
        return;
      }
      const fit = fitter.fit();
      const assignment = fit.assignment;
      const model = d.model ? serializeModel(fit.model) : undefined;
      send({ type: 'fit', records: received, assignment, clusters: fit.clusters, model }, [assignment.buffer as ArrayBuffer]);
    },
  };
}

try {
  const role = data.role === 'tag' ? await tagRole(data) : await clusterRole(data);
  port.on('message', (msg: ToCorpusWorker) => {
    try {
      if (msg.type === 'lines') {
        role.lines(msg.text);
        send({ type: 'ack' });
      } else role.end();
    } catch (err) {
      send({ type: 'error', message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
    }
  });
} catch (err) {
  send({ type: 'error', message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
}
