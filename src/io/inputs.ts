// Which inputs a command reads: files named on the command line, the files of a named directory,
// or stdin when none is given or "-" is.
import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { DataError, UsageError } from '../errors.js';

export interface InputSource {
  /** How messages name it: the path as given, or "stdin". */
  path: string;
  open(): AsyncIterable<Uint8Array | string>;
  /** Found by expanding a directory: a file of no known format there is skipped with a warning. */
  fromDirectory?: boolean;
}

function ioMessage(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'EMFILE':
      return 'too many open files';
    default:
      return err.message;
  }
}

export function cannotOpen(path: string, err: unknown): DataError {
  return new DataError(`cannot open '${path}': ${ioMessage(err as NodeJS.ErrnoException)}`);
}

function fileSource(path: string, fromDirectory = false): InputSource {
  return {
    path,
    fromDirectory,
    async *open() {
      const stream = createReadStream(path, { highWaterMark: 1 << 20 });
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } catch (err) {
        throw cannotOpen(path, err);
      }
    },
  };
}

export interface StdinLike extends AsyncIterable<Uint8Array | string> {
  isTTY?: boolean;
}

/**
 * Resolve command-line input names. A directory expands to its regular, non-hidden files sorted
 * by name (recursively). Missing or unreadable paths fail here, before any output is written.
 */
export async function resolveInputs(names: string[], stdin: StdinLike, command: string): Promise<InputSource[]> {
  if (names.length === 0) {
    if (stdin.isTTY) {
      throw new UsageError(`no input: name a file, or pipe records in (papers ${command} FILE..., see papers ${command} --help)`);
    }
    names = ['-'];
  }
  const sources: InputSource[] = [];
  let stdinUsed = false;
  for (const name of names) {
    if (name === '-') {
      if (stdinUsed) throw new UsageError("stdin ('-') can be read only once");
      stdinUsed = true;
      sources.push({ path: 'stdin', open: () => stdin });
      continue;
    }
    let stat;
    try {
      stat = await fs.stat(name);
    } catch (err) {
      throw cannotOpen(name, err);
    }
    if (stat.isDirectory()) {
      const files = await listFiles(name);
      if (files.length === 0) throw new DataError(`cannot read '${name}': directory has no files`);
      for (const f of files) sources.push(fileSource(f, true));
    } else {
      try {
        await fs.access(name, fs.constants.R_OK);
      } catch (err) {
        throw cannotOpen(name, err);
      }
      sources.push(fileSource(name));
    }
  }
  return sources;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw cannotOpen(dir, err);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
