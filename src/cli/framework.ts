// What every command shares: its streams, reading inputs of any format, writing records.
import type { Readable, Writable } from 'node:stream';
import { Chalk, type ChalkInstance } from 'chalk';
import { type Command, Option } from 'commander';
import Papa from 'papaparse';
import { DataError, type Diagnostics, type Location, UsageError, formatLocation } from '../errors.js';
import { decodeChunks } from '../io/decode.js';
import { resolveInputs } from '../io/inputs.js';
import {
  CSV_COLUMNS, LineWriter, OUTPUT_FORMATS, type OutputFormat, type TableSpec, csvCell, markdownCell, renderTable,
} from '../io/output.js';
import { IdRegistry, type Paper, stringifyRecord } from '../record.js';
import { type InputStats, formatNames, parseText } from '../stages/parse/index.js';

export interface CliIO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** stdout is a terminal. */
  isTTY: boolean;
  /** Terminal width (80 when unknown). */
  columns: number;
  /** Colour for stdout: off with NO_COLOR or when piped, on with FORCE_COLOR. */
  color: ChalkInstance;
  diagnostics(command: string): CommandDiagnostics;
}

export interface CommandDiagnostics extends Diagnostics {
  readonly warnings: number;
}

const MAX_WARNINGS_SHOWN = 20;

export function colorLevel(env: NodeJS.ProcessEnv, isTTY: boolean): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return n >= 1 && n <= 3 ? (n as 1 | 2 | 3) : 1;
  }
  if (!isTTY || env.TERM === 'dumb') return 0;
  return 2;
}

export function createIO(proc: {
  stdin: CliIO['stdin'];
  stdout: CliIO['stdout'];
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}): CliIO {
  const isTTY = Boolean(proc.stdout.isTTY);
  const color = new Chalk({ level: colorLevel(proc.env, isTTY) });
  return {
    stdin: proc.stdin,
    stdout: proc.stdout,
    stderr: proc.stderr,
    env: proc.env,
    isTTY,
    columns: proc.stdout.columns && proc.stdout.columns > 20 ? proc.stdout.columns : 80,
    color,
    diagnostics(command: string): CommandDiagnostics {
      let count = 0;
      const write = (line: string) => proc.stderr.write(`papers ${command}: ${line}\n`);
      return {
        get warnings() {
          return count;
        },
        warn(message: string, location?: Location) {
          count++;
          if (count <= MAX_WARNINGS_SHOWN) write(`warning: ${location ? `${formatLocation(location)}: ` : ''}${message}`);
          else if (count === MAX_WARNINGS_SHOWN + 1) write('warning: more warnings follow; only the count is shown at the end');
        },
        info(message: string) {
          write(message);
        },
      };
    },
  };
}

export interface InputOptions {
  from?: string;
  map?: string[];
  delimiter?: string;
  skipInvalid?: boolean;
}

export interface OutputOptions {
  format?: string;
}

function collectMap(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addInputOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--from <format>', `read inputs as this format instead of detecting it (${formatNames().join(', ')})`))
    .option('--map <column=field>', 'map an input column/key onto a record field (repeatable), e.g. --map Heading=title', collectMap)
    .option('--delimiter <char>', 'CSV field delimiter (default: guessed from the header)')
    .option('--skip-invalid', 'skip entries that cannot be read (count reported on stderr) instead of failing');
}

export function addOutputOptions(cmd: Command): Command {
  return cmd.addOption(
    new Option('--format <format>', 'output format (default: table on a terminal, jsonl when piped)').choices(OUTPUT_FORMATS),
  );
}

export function parseMapOption(entries: string[] | undefined): Record<string, string> | undefined {
  if (!entries?.length) return undefined;
  const map: Record<string, string> = Object.create(null);
  for (const entry of entries) {
    const eq = entry.lastIndexOf('=');
    if (eq <= 0 || eq === entry.length - 1) throw new UsageError(`--map expects COLUMN=FIELD, got '${entry}'`);
    map[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return map;
}

/**
 * Records from the named inputs (or stdin), in input order. Raw inputs are parsed (format detected
 * from content); JSONL records pass through unchanged. Ids are made unique across all inputs.
 */
export async function* readRecords(
  names: string[],
  opts: InputOptions,
  io: CliIO,
  diagnostics: Diagnostics,
  command: string,
  stats?: InputStats[],
): AsyncGenerator<Paper> {
  const sources = await resolveInputs(names, io.stdin, command);
  const ids = new IdRegistry();
  const options = {
    from: opts.from,
    map: parseMapOption(opts.map),
    delimiter: opts.delimiter === '\\t' || opts.delimiter === 'tab' ? '\t' : opts.delimiter,
    skipInvalid: Boolean(opts.skipInvalid),
  };
  for (const source of sources) {
    const chunks = decodeChunks(source.open(), source.path, diagnostics);
    yield* parseText(chunks, source.path, { ...options, skipUnknown: source.fromDirectory }, diagnostics, ids, stats);
  }
}

/**
 * What was read, for stderr: one line per input ("read 119 records from x.txt (listing)"), or one
 * line per format when many files were read ("read 1001 records from 1001 files (arxiv-abs)").
 */
export function describeStats(stats: InputStats[]): string[] {
  const read = stats.filter((s) => s.format !== 'skipped');
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const skippedText = (skipped: Map<string, number>) =>
    skipped.size ? `; skipped ${[...skipped.entries()].map(([reason, n]) => `${n} ${reason}`).join(', ')}` : '';
  if (read.length <= 5) {
    return read.map((s) => `read ${plural(s.records, 'record')} from ${s.path} (${s.format})${skippedText(s.skipped)}`);
  }
  const byFormat = new Map<string, { files: number; records: number; skipped: Map<string, number> }>();
  for (const s of read) {
    const g = byFormat.get(s.format) ?? { files: 0, records: 0, skipped: new Map<string, number>() };
    g.files++;
    g.records += s.records;
    for (const [reason, n] of s.skipped) g.skipped.set(reason, (g.skipped.get(reason) ?? 0) + n);
    byFormat.set(s.format, g);
  }
  return [...byFormat].map(([format, g]) => `read ${plural(g.records, 'record')} from ${plural(g.files, 'file')} (${format})${skippedText(g.skipped)}`);
}

export function resolveOutputFormat(opts: OutputOptions, io: CliIO): OutputFormat {
  if (opts.format) return opts.format as OutputFormat;
  return io.isTTY ? 'table' : 'jsonl';
}

/** Write records in the chosen format. JSONL streams; table, CSV and Markdown stream in batches. */
export async function writeRecords(
  records: AsyncIterable<Paper> | Iterable<Paper>,
  opts: OutputOptions,
  io: CliIO,
  table: TableSpec,
): Promise<number> {
  const format = resolveOutputFormat(opts, io);
  const out = new LineWriter(io.stdout);
  try {
    return await writeFormatted(records, format, out, io, table);
  } finally {
    // Records written before a failure are not lost: flush them before the error is reported.
    await out.flush().catch(() => {});
  }
}

async function writeFormatted(
  records: AsyncIterable<Paper> | Iterable<Paper>,
  format: OutputFormat,
  out: LineWriter,
  io: CliIO,
  table: TableSpec,
): Promise<number> {
  let count = 0;
  if (format === 'jsonl') {
    for await (const r of records) {
      count++;
      await out.write(stringifyRecord(r) + '\n');
    }
  } else if (format === 'table') {
    const all: Paper[] = [];
    for await (const r of records) all.push(r);
    count = all.length;
    if (all.length) await out.write(renderTable(all, table, io.columns, io.color));
  } else if (format === 'csv') {
    await out.write(Papa.unparse([CSV_COLUMNS as unknown as string[]]) + '\r\n');
    let batch: string[][] = [];
    const flush = async () => {
      if (batch.length) await out.write(Papa.unparse(batch, { escapeFormulae: true }) + '\r\n');
      batch = [];
    };
    for await (const r of records) {
      count++;
      batch.push(CSV_COLUMNS.map((c) => csvCell(r[c])));
      if (batch.length >= 1000) await flush();
    }
    await flush();
  } else {
    const cols = table.columns;
    await out.write(`| ${cols.map((c) => markdownCell(c.header)).join(' | ')} |\n|${cols.map(() => ' --- |').join('')}\n`);
    for await (const r of records) {
      count++;
      await out.write(`| ${cols.map((c) => markdownCell(c.value(r))).join(' | ')} |\n`);
    }
  }
  return count;
}
