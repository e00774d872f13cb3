// Every input format, in detection-tie order. Add a format by adding its parser here.
import type { FormatParser } from './types.js';
import { jsonlFormat, jsonFormat } from './json.js';
import { csvFormat, tsvFormat } from './csv.js';
import { listingFormat } from './listing.js';
import { arxivAbsFormat, arxivMailFormat } from './formats/arxiv-text.js';
import { atomFormat, oaiPmhFormat } from './formats/arxiv-xml.js';
import { bibtexFormat } from './formats/bibtex.js';
import { markdownDigestFormat } from './formats/markdown-digest.js';
import { risFormat } from './formats/ris.js';
import { pubmedFormat, wosFormat } from './formats/tagged.js';

export const FORMATS: FormatParser[] = [
  jsonlFormat,
  jsonFormat,
  // Formats from src/stages/parse/formats/ are registered here.
  oaiPmhFormat,
  atomFormat,
  arxivAbsFormat,
  arxivMailFormat,
  risFormat,
  pubmedFormat,
  wosFormat,
  bibtexFormat,
  markdownDigestFormat,
  csvFormat,
  tsvFormat,
  listingFormat,
];

export function formatByName(name: string): FormatParser | undefined {
  return FORMATS.find((f) => f.name === name);
}
