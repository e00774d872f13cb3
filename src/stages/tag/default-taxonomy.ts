// The default taxonomy ships as a data file next to the code (taxonomy/default.yaml in the package),
// so that users can print, copy and edit it. Parsing YAML costs a few hundred milliseconds of CPU at
// every start, so taxonomy/default.json keeps the parsed form, keyed by the SHA-1 of the YAML text:
// it is used only while it matches the YAML byte for byte (a test keeps it current).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseTaxonomy, type Taxonomy, TAXONOMY_VERSION } from './taxonomy.js';

/** Path of the bundled default taxonomy (src/stages/tag or dist/stages/tag -> ../../../taxonomy). */
export const DEFAULT_TAXONOMY_PATH = fileURLToPath(new URL('../../../taxonomy/default.yaml', import.meta.url));
export const DEFAULT_TAXONOMY_CACHE_PATH = fileURLToPath(new URL('../../../taxonomy/default.json', import.meta.url));
const DISPLAY_PATH = 'taxonomy/default.yaml';

let text: string | undefined;
let parsed: Taxonomy | undefined;

/** The default taxonomy file, verbatim (for --print-taxonomy). */
export function defaultTaxonomyText(): string {
  text ??= readFileSync(DEFAULT_TAXONOMY_PATH, 'utf8');
  return text;
}

export function sha1(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

/** What taxonomy/default.json holds for a given YAML text. */
export function taxonomyCache(yamlText: string): string {
  const taxonomy = parseTaxonomy(yamlText, DISPLAY_PATH);
  return `${JSON.stringify({ source_sha1: sha1(yamlText), version: TAXONOMY_VERSION, taxonomy })}\n`;
}

function fromCache(yamlText: string): Taxonomy | undefined {
  try {
    const cache = JSON.parse(readFileSync(DEFAULT_TAXONOMY_CACHE_PATH, 'utf8')) as { source_sha1?: string; version?: number; taxonomy?: Taxonomy };
    if (cache.source_sha1 === sha1(yamlText) && cache.version === TAXONOMY_VERSION && cache.taxonomy) return cache.taxonomy;
  } catch {
    // No cache or an unreadable one: parse the YAML.
  }
  return undefined;
}

export function defaultTaxonomy(): Taxonomy {
  if (!parsed) {
    const yamlText = defaultTaxonomyText();
    parsed = fromCache(yamlText) ?? parseTaxonomy(yamlText, DISPLAY_PATH);
  }
  return parsed;
}
