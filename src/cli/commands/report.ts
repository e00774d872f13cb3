// papers report: records from any stage -> a Markdown digest, a terminal overview, CSV or JSON.
import { Chalk } from 'chalk';
import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { LineWriter } from '../../io/output.js';
import { AtomicFile } from '../../report/atomic-file.js';
import { csvChunks } from '../../report/csv.js';
import { renderJson } from '../../report/json.js';
import { fitMarkdown, markdownChunks } from '../../report/markdown.js';
import { type ReportModel, type ReportOptions, buildReportAsync } from '../../report/model.js';
import { renderTerminal } from '../../report/terminal.js';
import type { Paper } from '../../record.js';
import { type CliIO, type InputOptions, addInputOptions, readRecords } from '../framework.js';

export const REPORT_FORMATS = ['md', 'table', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportCommandOptions extends InputOptions {
  format?: ReportFormat;
  title?: string;
  date?: string;
  maxPapers?: string;
  maxBytes?: string;
  out?: string;
}

/** Options shared by `report` and `digest`. */
export function addReportOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <format>', 'md (default when piped), table (default on a terminal), csv (one row per paper) or json (figures)').choices(REPORT_FORMATS))
    .option('--title <text>', 'report title', 'Papers digest')
    .option('--date <YYYY-MM-DD>', 'report date (default: SOURCE_DATE_EPOCH if set, else today)')
    .option('--max-papers <n>', 'Markdown: list at most N papers (the first in input order); counts still cover all')
    .option('--max-bytes <n>', 'Markdown: keep the whole report within N bytes (GitHub job summaries allow 1 MiB), trimming lists deterministically')
    .option('-o, --out <file>', 'write to FILE atomically (temporary file + rename) instead of stdout');
}

function positiveInteger(value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${flag} expects a whole number${min ? ` of at least ${min}` : ''}, got '${value}'`);
  }
  return Number(value);
}

function validDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** The report date: --date, else SOURCE_DATE_EPOCH (UTC), else today's local date. The clock lives here only. */
export function resolveDate(flag: string | undefined, env: NodeJS.ProcessEnv, now: () => Date = () => new Date()): string {
  if (flag !== undefined) {
    if (!validDate(flag)) throw new UsageError(`--date expects a date as YYYY-MM-DD, got '${flag}'`);
    return flag;
  }
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch.trim())) throw new UsageError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got '${epoch}'`);
    return new Date(Number(epoch) * 1000).toISOString().slice(0, 10);
  }
  const d = now();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export interface ResolvedReportOptions {
  format: ReportFormat;
  model: Omit<ReportOptions, 'seen'>;
  maxPapers?: number;
  maxBytes?: number;
  out?: string;
}

export function resolveReportOptions(opts: ReportCommandOptions, io: CliIO): ResolvedReportOptions {
  const format: ReportFormat = opts.format ?? (io.isTTY && !opts.out ? 'table' : 'md');
  const maxPapers = positiveInteger(opts.maxPapers, '--max-papers');
  const maxBytes = positiveInteger(opts.maxBytes, '--max-bytes', 1);
  if ((maxPapers !== undefined || maxBytes !== undefined) && format !== 'md') {
    throw new UsageError(`--max-papers and --max-bytes apply to --format md, not ${format}`);
  }
  if (opts.out !== undefined && opts.out.trim() === '') throw new UsageError('--out expects a file name');
  const model = { title: opts.title, date: resolveDate(opts.date, io.env), paperDetails: format === 'csv' };
  return { format, model, maxPapers, maxBytes, out: opts.out };
}

/** The rendered report as chunks. */
export function reportChunks(model: ReportModel, r: ResolvedReportOptions, io: CliIO): Iterable<string> {
  switch (r.format) {
    case 'md': {
      let fitted;
      try {
        fitted = fitMarkdown(model, { maxPapers: r.maxPapers, maxBytes: r.maxBytes });
      } catch (err) {
        if (err instanceof RangeError) throw new UsageError(`--max-bytes ${r.maxBytes} is too small: ${err.message}`);
        throw err;
      }
      return markdownChunks(model, fitted.options);
    }
    case 'table':
      return [renderTerminal(model, { width: io.columns, color: r.out ? new Chalk({ level: 0 }) : io.color })];
    case 'csv':
      return csvChunks(model);
    case 'json':
      return [renderJson(model)];
  }
}

/** Open the --out file early: an unwritable path fails before any work. */
export async function openOut(r: ResolvedReportOptions): Promise<AtomicFile | undefined> {
  return r.out ? AtomicFile.open(r.out) : undefined;
}

/** Write the chunks to the --out file (committed atomically) or stdout (with backpressure). */
export async function writeReport(chunks: Iterable<string>, out: AtomicFile | undefined, io: CliIO): Promise<void> {
  if (out) {
    try {
      for (const c of chunks) await out.write(c);
      await out.commit();
    } catch (err) {
      await out.abort();
      throw err;
    }
    return;
  }
  const writer = new LineWriter(io.stdout);
  for (const c of chunks) await writer.write(c);
  await writer.flush();
}

export function registerReport(program: Command, io: CliIO): void {
  const cmd = program
    .command('report')
    .description('summarize records from any stage: a Markdown digest, a terminal overview, CSV or JSON')
    .argument('[inputs...]', 'JSONL records from any stage, or raw inputs (default: stdin)');
  addInputOptions(cmd);
  addReportOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Uses whatever fields the records carry: duplicates (dedupe), tags and keywords (tag),
cluster and cluster_label (cluster). A parsed-only stream still gives a summary and an index.
Reads the whole stream, keeping a compact entry per paper (no abstracts).

Markdown: summary, stage ledger, tags (table with bars + Mermaid chart), one section per topic,
papers with code, merged duplicates, full index in <details>. All text from the data is escaped.

Examples:
  papers parse listing.txt | papers dedupe | papers tag | papers cluster | papers report > digest.md
  papers report clustered.jsonl --format table
  papers report clustered.jsonl --format csv > papers.csv
  papers report clustered.jsonl --format json | jq .tags
  papers report clustered.jsonl --max-bytes 1000000 --out "$GITHUB_STEP_SUMMARY"`,
  );
  cmd.action(async (inputs: string[], opts: ReportCommandOptions) => {
    const resolved = resolveReportOptions(opts, io);
    const diagnostics = io.diagnostics('report');
    const out = await openOut(resolved);
    try {
      const records: AsyncIterable<Paper> = readRecords(inputs, opts, io, diagnostics, 'report');
      const model = await buildReportAsync(records, resolved.model);
      await writeReport(reportChunks(model, resolved, io), out, io);
    } catch (err) {
      await out?.abort();
      throw err;
    }
  });
}
