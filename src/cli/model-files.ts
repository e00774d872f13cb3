// Reading saved model files, apart from the commands so that worker threads load only this.
import { readFile } from 'node:fs/promises';
import { DataError } from '../errors.js';
import { parseModel } from '../stages/cluster/index.js';

/** A saved cluster model (also loaded by each worker thread of src/cli/parallel.ts). */
export async function loadClusterModel(path: string) {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(`cannot read model '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`);
  }
  return parseModel(text, path);
}
