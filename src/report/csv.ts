// One row per paper for spreadsheets, through papaparse. Cells that a spreadsheet would run as a
// formula (=, +, -, @, tab, CR at the start) are prefixed with a quote (papaparse escapeFormulae).
import Papa from 'papaparse';
import { type ReportModel, entryLinks } from './model.js';

export const REPORT_CSV_COLUMNS = [
  'rank', 'id', 'title', 'year', 'date', 'authors', 'venue', 'arxiv_id', 'doi', 'link', 'code_urls',
  'tags', 'topic', 'topic_label', 'duplicates',
] as const;

function row(model: ReportModel, i: number): string[] {
  const e = model.entries[i];
  const l = entryLinks(e);
  const topic = e.topic >= 0 ? model.topics[e.topic] : undefined;
  return [
    String(i + 1),
    e.id,
    e.title,
    e.year !== undefined ? String(e.year) : '',
    e.date ?? '',
    e.authors ?? '',
    e.venue ?? '',
    e.arxivId ?? '',
    e.doi ?? '',
    l.arxiv ?? l.doi ?? l.page ?? '',
    e.codeUrls.join('; '),
    e.tags.join('; '),
    topic && topic.cluster !== null ? String(e.topic + 1) : '',
    topic && topic.cluster !== null ? topic.label : '',
    String(e.duplicates),
  ];
}

/** CSV in chunks of rows (CRLF line ends, as RFC 4180 and papaparse write them). */
export function* csvChunks(model: ReportModel, batchSize = 2000): Generator<string> {
  yield Papa.unparse([REPORT_CSV_COLUMNS as unknown as string[]]) + '\r\n';
  for (let start = 0; start < model.entries.length; start += batchSize) {
    const rows: string[][] = [];
    const end = Math.min(model.entries.length, start + batchSize);
    for (let i = start; i < end; i++) rows.push(row(model, i));
    yield Papa.unparse(rows, { escapeFormulae: true }) + '\r\n';
  }
}

export function renderCsv(model: ReportModel): string {
  return [...csvChunks(model)].join('');
}
