// Writing records: JSONL when piped, a table on a terminal, CSV or a Markdown table on request.
import type { Writable } from 'node:stream';
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { Paper } from '../record.js';
import { sanitizeForTerminal } from './terminal.js';

export type OutputFormat = 'jsonl' | 'table' | 'csv' | 'md';
export const OUTPUT_FORMATS: OutputFormat[] = ['jsonl', 'table', 'csv', 'md'];

/** Buffered writes that respect backpressure: a slow reader slows us down instead of filling memory. */
export class LineWriter {
  private buffer: string[] = [];
  private size = 0;
  constructor(
    private readonly stream: Writable,
    private readonly limit = 1 << 16,
  ) {}

  async write(text: string): Promise<void> {
    this.buffer.push(text);
    this.size += text.length;
    if (this.size >= this.limit) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          this.stream.off('drain', done);
          this.stream.off('error', fail);
          this.stream.off('close', done);
          resolve();
        };
        const fail = (err: Error) => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          reject(err);
        };
        this.stream.once('drain', done);
        this.stream.once('close', done);
        this.stream.once('error', fail);
      });
    }
  }
}

export interface TableColumn {
  header: string;
  /** Relative width share of the terminal. */
  weight: number;
  value(record: Paper): string;
  /** Colour applied after sanitizing (so data cannot inject escapes). */
  style?(text: string, record: Paper, color: ChalkInstance): string;
}

export interface TableSpec {
  columns: TableColumn[];
}

export const DEFAULT_TABLE: TableSpec = {
  columns: [
    { header: 'id', weight: 2, value: (r) => r.id },
    { header: 'title', weight: 6, value: (r) => r.title },
    { header: 'year', weight: 1, value: (r) => (r.year !== undefined ? String(r.year) : '') },
    { header: 'code', weight: 3, value: (r) => (r.code_urls ?? []).join(' ') },
  ],
};

/** Render records as a terminal table fitting `width` columns. */
export function renderTable(records: Iterable<Paper>, spec: TableSpec, width: number, color: ChalkInstance): string {
  const cols = spec.columns;
  const borders = cols.length * 3 + 1;
  const totalWeight = cols.reduce((s, c) => s + c.weight, 0);
  const usable = Math.max(cols.length * 6, width - borders);
  const widths = cols.map((c) => Math.max(6, Math.floor((usable * c.weight) / totalWeight)));
  const table = new Table({
    head: cols.map((c) => color.bold(c.header)),
    colWidths: widths.map((w) => w + 2),
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
  for (const r of records) {
    table.push(
      cols.map((c) => {
        const text = sanitizeForTerminal(c.value(r));
        return c.style ? c.style(text, r, color) : text;
      }),
    );
  }
  return table.toString() + '\n';
}

export const CSV_COLUMNS = [
  'id', 'title', 'authors', 'year', 'date', 'categories', 'arxiv_id', 'doi', 'venue',
  'tags', 'keywords', 'cluster', 'cluster_label', 'duplicates', 'urls', 'code_urls', 'abstract',
] as const;

export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => String(v)).join('; ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Escape text for a Markdown table cell: no pipes, newlines, HTML or link syntax can break out. */
export function markdownCell(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>|#@!~]/g, (c) => `&#${c.charCodeAt(0)};`);
}
