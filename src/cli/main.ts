// The papers CLI: the one place where errors become exit codes and messages.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT_DATA, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, exitCodeOf } from '../errors.js';
import { runCleanups } from '../io/cleanup.js';
import type { CliIO } from './framework.js';

/** Commands in help order; each lives in ./commands/NAME.js and exports registerNAME(program, io). */
export const COMMAND_NAMES = ['parse', 'dedupe', 'tag', 'cluster', 'report', 'digest', 'validate'] as const;

type Register = (program: Command, io: CliIO) => void;

async function loadCommand(name: string): Promise<Register | undefined> {
  const exportName = `register${name[0].toUpperCase()}${name.slice(1)}`;
  try {
    const mod = (await import(`./commands/${name}.js`)) as Record<string, Register>;
    return mod[exportName];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(`commands/${name}.js`)) {
      return undefined;
    }
    throw err;
  }
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const ROOT_HELP = `
Each command reads the files named (or a directory's files, or stdin when none or "-" is given),
in any format parse understands (detected from content), or JSONL records from an earlier stage.
Output is a table on a terminal and JSONL when piped; --format jsonl|table|csv|md always wins.

Examples:
  papers digest fixtures/trending-listing.txt              Markdown digest of a listing
  papers parse listing.txt | papers dedupe | papers tag    the stages as a pipe
  papers tag listing.txt --format jsonl | jq -r '.tags[]' | sort | uniq -c

Exit codes:
  0    success (also when there are no records, and when the reader closes the pipe early)
  1    bad data or I/O error (message names the file and line)
  2    usage error (unknown option, missing input on a terminal)
  130  interrupted (SIGINT); 143 terminated (SIGTERM)

Environment: NO_COLOR, FORCE_COLOR, SOURCE_DATE_EPOCH (digest/report date), PAPERS_DEBUG=1 (stack traces; digest's phase timings).`;

let currentCommand = '';

function reportError(io: CliIO, err: unknown): number {
  const prefix = currentCommand ? `papers ${currentCommand}` : 'papers';
  const code = exitCodeOf(err);
  const known = err instanceof Error && 'exitCode' in err;
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`${prefix}: ${known ? message : `internal error: ${message}`}\n`);
  if (io.env.PAPERS_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  return code;
}

function installProcessHandlers(): void {
  // A reader that goes away (`| head -1`) is not an error: stop quietly.
  const onStreamError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
      runCleanups();
      process.exit(EXIT_OK);
    }
    throw err;
  };
  process.stdout.on('error', onStreamError);
  process.stderr.on('error', () => {});
  const onSignal = (code: number) => () => {
    runCleanups();
    process.exit(code);
  };
  process.once('SIGINT', onSignal(EXIT_INTERRUPTED));
  process.once('SIGTERM', onSignal(143));
}

export async function main(argv: string[]): Promise<void> {
  const args = argv.slice(2);
  // Fast path: no command modules loaded.
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  installProcessHandlers();
  // Loaded only past the --version fast path: `papers --version` stays close to `node -e 0`.
  const { Command, CommanderError } = await import('commander');
  const { createIO } = await import('./framework.js');
  const io = createIO({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
  const program = new Command('papers')
    .description('A corpus toolkit for research-paper abstracts: parse, dedupe, tag, cluster, report.')
    .version(packageVersion(), '-V, --version')
    .addHelpText('after', ROOT_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`${currentCommand ? `papers ${currentCommand}` : 'papers'}: ${s.replace(/^error: /, '')}`),
    });
  program.hook('preAction', (_root, action) => {
    currentCommand = action.name();
  });

  const first = args.find((a) => !a.startsWith('-'));
  const wanted = first && (COMMAND_NAMES as readonly string[]).includes(first) ? [first] : [...COMMAND_NAMES];
  for (const name of wanted) {
    const register = await loadCommand(name);
    if (register) register(program, io);
  }
  if (first && wanted.length === 1) currentCommand = first;
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput(program.configureOutput());
  }

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      const ok = ['commander.helpDisplayed', 'commander.version'].includes(err.code);
      process.exitCode = ok ? EXIT_OK : err.code === 'commander.executeSubCommandAsync' ? EXIT_DATA : EXIT_USAGE;
      return;
    }
    process.exitCode = reportError(io, err);
    return;
  }
  if (process.exitCode === undefined) process.exitCode = EXIT_OK;
}

export { EXIT_DATA, EXIT_USAGE };
