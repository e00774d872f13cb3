// Atomic file replacement for --out and --seen: write a temporary file in the same directory,
// flush it to disk, then rename it over the target. A failed or interrupted run (SIGINT/SIGTERM,
// see src/io/cleanup.ts) removes the temporary file and leaves the old target untouched.
import { randomBytes } from 'node:crypto';
import { constants, promises as fs, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DataError } from '../errors.js';
import { registerCleanup } from '../io/cleanup.js';

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EROFS':
      return 'read-only file system';
    default:
      return e?.message ?? String(err);
  }
}

/**
 * A file being written next to `target`. Open it early (so an unwritable directory fails before
 * any work is done), write, then `commit()`; `abort()` or an interruption removes it.
 */
export class AtomicFile {
  private handle: fs.FileHandle | undefined;
  private readonly tempPath: string;
  private unregister: (() => void) | undefined;
  private done = false;
  private pending: string[] = [];
  private pendingSize = 0;

  private constructor(readonly target: string) {
    this.tempPath = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  }

  get temporaryPath(): string {
    return this.tempPath;
  }

  /** Create the temporary file; with `copyExisting`, it starts as a copy of the current target. */
  static async open(target: string, options: { copyExisting?: boolean } = {}): Promise<AtomicFile> {
    const file = new AtomicFile(target);
    let mode = 0o666;
    try {
      const st = await fs.stat(target);
      if (st.isDirectory()) throw new DataError(`cannot write '${target}': is a directory`);
      mode = st.mode & 0o777;
    } catch (err) {
      if (err instanceof DataError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new DataError(`cannot write '${target}': ${reason(err)}`);
    }
    // Register before creating anything, so an interruption at any point still cleans up.
    file.unregister = registerCleanup(() => file.removeSync());
    try {
      if (options.copyExisting) {
        try {
          await fs.copyFile(target, file.tempPath, constants.COPYFILE_EXCL);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      file.handle = await fs.open(file.tempPath, options.copyExisting ? 'a' : 'wx', mode);
    } catch (err) {
      file.removeSync();
      file.unregister?.();
      throw new DataError(`cannot write '${target}': ${reason(err)}`);
    }
    return file;
  }

  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingSize += text.length;
    if (this.pendingSize >= 1 << 16) await this.flushPending();
  }

  private async flushPending(): Promise<void> {
    if (!this.pendingSize || !this.handle) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingSize = 0;
    try {
      await this.handle.write(chunk);
    } catch (err) {
      await this.abort();
      throw new DataError(`cannot write '${this.target}': ${reason(err)}`);
    }
  }

  /** Flush to disk and rename over the target. */
  async commit(): Promise<void> {
    if (this.done) return;
    await this.flushPending();
    try {
      await this.handle!.sync();
      await this.handle!.close();
      this.handle = undefined;
      await fs.rename(this.tempPath, this.target);
    } catch (err) {
      await this.abort();
      throw new DataError(`cannot write '${this.target}': ${reason(err)}`);
    }
    this.done = true;
    this.unregister?.();
    // Make the rename durable; not every file system allows opening a directory.
    try {
      const dir = await fs.open(dirname(this.target), 'r');
      await dir.sync().catch(() => {});
      await dir.close();
    } catch {
      // best effort
    }
  }

  /** Drop the temporary file; the target stays as it was. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.handle?.close();
    } catch {
      // already closed or broken: removing the file is what matters
    }
    this.handle = undefined;
    this.removeSync();
    this.unregister?.();
  }

  private removeSync(): void {
    try {
      unlinkSync(this.tempPath);
    } catch {
      // not created yet, or already gone
    }
  }
}
