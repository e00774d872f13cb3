// Every input format, in detection-tie order. Add a format by adding its parser here.
import type { FormatParser } from './types.js';
import { jsonlFormat, jsonFormat } from './json.js';
import { csvFormat, tsvFormat } from './csv.js';
import { listingFormat } from './listing.js';

export const FORMATS: FormatParser[] = [
  jsonlFormat,
  jsonFormat,
  // Formats from src/stages/parse/formats/ are registered here.
  csvFormat,
  tsvFormat,
  listingFormat,
];

export function formatByName(name: string): FormatParser | undefined {
  return FORMATS.find((f) => f.name === name);
}
