// Helpers for unit tests: parse text in memory through the real parser.
import { CollectingDiagnostics } from '../../src/errors.js';
import { IdRegistry, type Paper } from '../../src/record.js';
import { type InputStats, type ParseStreamOptions, parseText } from '../../src/stages/parse/index.js';

export async function* chunksOf(text: string, size = 1 << 16): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

export async function parseString(
  text: string,
  options: ParseStreamOptions = {},
  path = 'test.txt',
  chunkSize?: number,
): Promise<{ records: Paper[]; diagnostics: CollectingDiagnostics; stats: InputStats[] }> {
  const diagnostics = new CollectingDiagnostics();
  const stats: InputStats[] = [];
  const records: Paper[] = [];
  for await (const r of parseText(chunksOf(text, chunkSize), path, options, diagnostics, new IdRegistry(), stats)) records.push(r);
  return { records, diagnostics, stats };
}
