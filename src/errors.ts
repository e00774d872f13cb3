// Errors are values with an exit code; src/cli/main.ts is the one place they become exit codes.

export const EXIT_OK = 0;
export const EXIT_DATA = 1; // bad data or I/O
export const EXIT_USAGE = 2; // bad usage
export const EXIT_INTERRUPTED = 130; // SIGINT / SIGTERM

export interface Location {
  path: string;
  line?: number;
  column?: number;
}

export function formatLocation(loc: Location): string {
  let s = loc.path;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.column !== undefined) s += `:${loc.column}`;
  return s;
}

/** Bad input data or an I/O failure: exit 1. The message names the input and line when known. */
export class DataError extends Error {
  readonly exitCode: number = EXIT_DATA;
  constructor(message: string, readonly location?: Location) {
    super(location ? `${formatLocation(location)}: ${message}` : message);
    this.name = 'DataError';
  }
}

/** Bad usage (flags, option values, a missing file argument on a terminal): exit 2. */
export class UsageError extends Error {
  readonly exitCode: number = EXIT_USAGE;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Raised to stop early, quietly (for example when the reader of stdout went away). */
export class QuietExit extends Error {
  constructor(readonly exitCode: number) {
    super('quiet exit');
    this.name = 'QuietExit';
  }
}

export function exitCodeOf(err: unknown): number {
  if (err && typeof err === 'object' && 'exitCode' in err && typeof (err as { exitCode: unknown }).exitCode === 'number') {
    return (err as { exitCode: number }).exitCode;
  }
  return EXIT_DATA;
}

/** A diagnostics sink that stages receive instead of touching process.stderr. */
export interface Diagnostics {
  warn(message: string, location?: Location): void;
  info(message: string): void;
}

export const silentDiagnostics: Diagnostics = { warn() {}, info() {} };

/** Collects diagnostics in memory (tests, and `digest`, which prints them once at the end). */
export class CollectingDiagnostics implements Diagnostics {
  readonly warnings: string[] = [];
  readonly infos: string[] = [];
  warn(message: string, location?: Location): void {
    this.warnings.push(location ? `${formatLocation(location)}: ${message}` : message);
  }
  info(message: string): void {
    this.infos.push(message);
  }
}
