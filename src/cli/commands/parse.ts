// papers parse: raw listings, CSV/TSV, JSON/JSONL and the other formats -> JSONL records.
import type { Command } from 'commander';
import { addJobsOption, runPerRecord } from '../parallel.js';
import { DEFAULT_TABLE } from '../../io/output.js';
import type { InputStats } from '../../stages/parse/index.js';
import { FORMATS } from '../../stages/parse/registry.js';
import {
  type CliIO, type InputOptions, type OutputOptions, addInputOptions, addOutputOptions, describeStats, readRecords, resolveOutputFormat, writeRecords,
} from '../framework.js';

interface ParseCommandOptions extends InputOptions, OutputOptions {
  quiet?: boolean;
  jobs?: string;
}

export function registerParse(program: Command, io: CliIO): void {
  const cmd = program
    .command('parse')
    .description('turn raw listings and exports into clean JSONL records (format detected from content)')
    .argument('[inputs...]', 'files or directories to read (default: stdin)')
    .option('-q, --quiet', 'do not report what was read on stderr');
  addInputOptions(cmd);
  addJobsOption(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Formats (detected from content; --from forces one):
${FORMATS.map((f) => `  ${f.name.padEnd(16)} ${f.description}`).join('\n')}

Streams: JSONL input is read line by line in constant memory; other formats are read per file.
On stderr parse reports each input's record count, format and skipped entries.

Examples:
  papers parse fixtures/trending-listing.txt > papers.jsonl
  papers parse export.csv --map Heading=title --map Text=abstract
  papers parse papers.tsv --from tsv --format table
  cat listing.txt | papers parse | jq -r .title`,
  );
  cmd.action(async (inputs: string[], opts: ParseCommandOptions) => {
    const diagnostics = io.diagnostics('parse');
    const stats: InputStats[] = [];
    if (resolveOutputFormat(opts, io) === 'jsonl') {
      // JSONL input is parsed in batches on every core (src/cli/parallel.ts); other formats in turn.
      await runPerRecord({ inputs, options: opts, io, diagnostics, command: 'parse', spec: { stage: 'parse' }, jobs: opts.jobs, stats });
      if (!opts.quiet) for (const line of describeStats(stats)) diagnostics.info(line);
      return;
    }
    await writeRecords(readRecords(inputs, opts, io, diagnostics, 'parse', stats), opts, io, DEFAULT_TABLE);
    if (!opts.quiet) for (const line of describeStats(stats)) diagnostics.info(line);
  });
}
