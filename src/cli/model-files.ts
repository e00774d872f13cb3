// Reading saved model files, apart from the commands so that worker threads load only this.
import { readFile } from 'node:fs/promises';
import { DataError } from '../errors.js';
import type { CompiledTaxonomy, TagModel, Tagger } from '../stages/tag/index.js';
import type { MapperSpec } from './map-batch.js';

/** A saved cluster model (also loaded by each worker thread of src/cli/parallel.ts). */
export async function loadClusterModel(path: string) {
  const { parseModel } = await import('../stages/cluster/index.js');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(`cannot read model '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`);
  }
  return parseModel(text, path);
}

export async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new DataError(`cannot read ${what} '${path}': ${why}`);
  }
}

/** The tagger of a per-record run (built in each worker thread of src/cli/parallel.ts). */
export async function buildStreamingTagger(spec: Extract<MapperSpec, { stage: 'tag' }>): Promise<Tagger> {
  const { CompiledTaxonomy, Tagger, parseTaxonomy } = await import('../stages/tag/index.js');
  const model = spec.model ? await loadModel(spec.model) : undefined;
  if (model && spec.threshold !== undefined) model.threshold = spec.threshold;
  let taxonomy: CompiledTaxonomy | null | undefined;
  if (spec.taxonomy === null) taxonomy = null;
  else if (typeof spec.taxonomy === 'string') taxonomy = new CompiledTaxonomy(parseTaxonomy(await readText(spec.taxonomy, 'taxonomy'), spec.taxonomy));
  return new Tagger({ taxonomy, keywords: spec.keywords, model, explain: spec.explain });
}

async function loadModel(path: string): Promise<TagModel> {
  const { TagModel } = await import('../stages/tag/index.js');
  return TagModel.fromJSON(await readModelJSON(path), path);
}

export async function readModelJSON(path: string): Promise<unknown> {
  const text = await readText(path, 'model');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataError(`not valid JSON: ${(err as Error).message}`, { path });
  }
}
