// Records kept between the passes of a corpus stage (dedupe, tag, cluster, digest): in memory for
// small inputs, in a temporary JSONL file beyond (removed when done, on failure, on SIGINT/SIGTERM).
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import type { Paper } from '../record.js';
import { registerCleanup } from './cleanup.js';

/**
 * Records of pass 1, kept for pass 2: in memory up to `memoryLimit` records, then in a temporary
 * JSONL file (removed when done, on failure, and on SIGINT/SIGTERM).
 */
/** Records held in memory before spilling to a file: 20,000, or PAPERS_SPOOL_RECORDS (tests use a small one). */
function defaultMemoryLimit(): number {
  const n = Number(process.env.PAPERS_SPOOL_RECORDS);
  return Number.isInteger(n) && n >= 0 ? n : 20_000;
}

export class RecordSpool {
  private memory: Paper[] | undefined = [];
  private dir: string | undefined;
  private file: string | undefined;
  private handle: FileHandle | undefined;
  private unregister: (() => void) | undefined;
  private pending: string[] = [];
  private pendingSize = 0;
  count = 0;

  constructor(private readonly memoryLimit = defaultMemoryLimit()) {}

  /** One record; `json` is its JSON.stringify text when the caller has it already. */
  async add(rec: Paper, json?: string): Promise<void> {
    this.count++;
    if (this.memory) {
      this.memory.push(rec);
      if (this.memory.length <= this.memoryLimit) return;
      await this.spill();
      return;
    }
    await this.write((json ?? JSON.stringify(rec)) + '\n');
  }

  private async spill(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'papers-spool-'));
    const dir = this.dir;
    this.unregister = registerCleanup(() => rmSync(dir, { recursive: true, force: true }));
    this.file = join(dir, 'records.jsonl');
    this.handle = await open(this.file, 'wx', 0o600);
    const held = this.memory!;
    this.memory = undefined;
    for (const r of held) await this.write(JSON.stringify(r) + '\n');
  }

  private async write(line: string): Promise<void> {
    this.pending.push(line);
    this.pendingSize += line.length;
    if (this.pendingSize >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.pendingSize) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingSize = 0;
    try {
      await this.handle!.write(chunk);
    } catch (err) {
      throw new DataError(`cannot write the temporary spool file in ${tmpdir()}: ${(err as Error).message}`);
    }
  }

  /** Close the writing side; call once after pass 1. */
  async seal(): Promise<void> {
    if (this.handle) {
      await this.flush();
      await this.handle.close();
      this.handle = undefined;
    }
  }

  /** Records as JSON lines in spool order (records held in memory are serialized). */
  async *lines(): AsyncGenerator<[number, string]> {
    if (this.memory) {
      for (let i = 0; i < this.memory.length; i++) yield [i, JSON.stringify(this.memory[i])];
      return;
    }
    for await (const [i, line] of this.fileLines(() => true)) yield [i, line!];
  }

  /** Lines of the spool file, found in bytes (faster than readline); unwanted lines are not decoded. */
  private async *fileLines(wanted: (i: number) => boolean): AsyncGenerator<[number, string | undefined]> {
    let carry: Buffer | undefined;
    let i = 0;
    for await (const chunk of createReadStream(this.file!, { highWaterMark: 1 << 20 })) {
      const buf: Buffer = carry ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        const k = i++;
        yield [k, wanted(k) ? buf.toString('utf8', start, nl) : undefined];
        start = nl + 1;
      }
      carry = start < buf.length ? buf.subarray(start) : undefined;
    }
    if (carry?.length) {
      const k = i++;
      yield [k, wanted(k) ? carry.toString('utf8') : undefined];
    }
  }

  get inMemory(): boolean {
    return this.memory !== undefined;
  }

  /** Records in spool order with their index; `wanted(i)` false skips parsing (the record is undefined). */
  async *read(wanted: (i: number) => boolean = () => true): AsyncGenerator<[number, Paper | undefined]> {
    if (this.memory) {
      for (let i = 0; i < this.memory.length; i++) yield [i, wanted(i) ? this.memory[i] : undefined];
      return;
    }
    for await (const [k, line] of this.fileLines(wanted)) yield [k, line === undefined ? undefined : (JSON.parse(line) as Paper)];
  }

  dispose(): void {
    void this.handle?.close().catch(() => {});
    this.handle = undefined;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.unregister?.();
    this.memory = [];
  }
}
