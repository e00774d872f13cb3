// The benchmark runner (`npm run bench`; not part of the test suite). For each corpus size: the floor,
// every stage of the built binary, `papers digest`, and the scikit-learn peer, each as its own process
// with output to /dev/null; wall time, CPU time and peak RSS per process. Writes .bench/results.md and
// .bench/results.json and prints the Markdown.
//
//   npx tsx scripts/bench/run.ts [--sizes 100000,1000000 | --quick] [--only parse,digest] [--no-peer]
//                                [--no-install] [--seed 1] [--timeout 1800] [--repeat 1] [--no-snapshot] [--note "..."]
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, symlinkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, DEFAULT_SOURCE, GENERATOR_VERSION, REPO_ROOT, defaultCorpusPath, loadPools, writeCorpus, type Pools } from './make-corpus.js';
import { DIGEST, FLOOR, PEER, formatMarkdown, fmtSize, type BenchResults, type Row, type Startup } from './format.js';

const BENCH_DIR = resolve(REPO_ROOT, '.bench');
const SNAPSHOT = resolve(BENCH_DIR, 'build');
// The binary measured: bin/papers.js of the repository, or of the snapshot taken at the start of a run.
let BIN = resolve(REPO_ROOT, 'bin/papers.js');

/**
 * Copy the built package (bin, dist, package.json, taxonomy, schema) to .bench/build and measure that:
 * a rebuild of dist/ by someone else during a long run cannot change or break the binary half-way.
 */
function takeSnapshot(): void {
  rmSync(SNAPSHOT, { recursive: true, force: true });
  mkdirSync(SNAPSHOT, { recursive: true });
  for (const entry of ['bin', 'dist', 'package.json', 'taxonomy', 'schema']) {
    const from = resolve(REPO_ROOT, entry);
    if (existsSync(from)) cpSync(from, join(SNAPSHOT, entry), { recursive: true });
  }
  symlinkSync(resolve(REPO_ROOT, 'node_modules'), join(SNAPSHOT, 'node_modules'));
  BIN = join(SNAPSHOT, 'bin/papers.js');
}

/** The commit measured and how many files differed from it. */
function gitState(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' });
  // Untracked files under src/ count too: a stage not committed yet is still part of dist/.
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'bin', 'package.json', 'taxonomy'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  const n = dirty.stdout.split('\n').filter(Boolean).length;
  return `${head.stdout.trim()}${n ? ` + ${n} uncommitted path(s) under src/, bin/, taxonomy/` : ''}`;
}
const PYTHON = '/usr/bin/python3';
const GNU_TIME = '/usr/bin/time';
// The saved models are fitted once on this many records (a prefix of every corpus) and reused.
const MODEL_RECORDS = 10_000;

export interface StageSpec {
  name: string;
  kind: Row['kind'];
  /** papers arguments; CORPUS and the model paths are filled in. */
  args: (corpus: string, models: ModelPaths) => string[];
  /** The subcommand and flags that must appear in `papers <cmd> --help` for the stage to run. */
  requires: { command: string; flags: string[] };
  /** A one-off untimed step creating what the stage needs (a saved model). */
  setup?: (models: ModelPaths, modelCorpus: string) => string[];
}

export interface ModelPaths {
  tag: string;
  cluster: string;
}

export const STAGES: StageSpec[] = [
  { name: 'parse', kind: 'per-record', args: (c) => ['parse', c], requires: { command: 'parse', flags: [] } },
  { name: 'dedupe', kind: 'corpus', args: (c) => ['dedupe', c], requires: { command: 'dedupe', flags: [] } },
  { name: 'tag', kind: 'corpus', args: (c) => ['tag', c], requires: { command: 'tag', flags: [] } },
  {
    name: 'tag --model',
    kind: 'per-record',
    args: (c, m) => ['tag', '--model', m.tag, c],
    requires: { command: 'tag', flags: ['--model', '--train', '--labels-from', '--save-model'] },
    setup: (m, c) => ['tag', '--train', c, '--labels-from', 'categories', '--save-model', m.tag],
  },
  { name: 'cluster', kind: 'corpus', args: (c) => ['cluster', c], requires: { command: 'cluster', flags: [] } },
  {
    name: 'cluster --model',
    kind: 'per-record',
    args: (c, m) => ['cluster', '--model', m.cluster, c],
    requires: { command: 'cluster', flags: ['--model', '--save-model'] },
    setup: (m, c) => ['cluster', '--save-model', m.cluster, c],
  },
  { name: 'report', kind: 'corpus', args: (c) => ['report', c], requires: { command: 'report', flags: [] } },
  { name: DIGEST, kind: 'pipeline', args: (c) => ['digest', c], requires: { command: 'digest', flags: [] } },
];

interface Measured {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  wallS: number;
  cpuS?: number;
  peakRssKb?: number;
  stdout: string;
  stderrTail: string;
}

const hasGnuTime = existsSync(GNU_TIME);

/**
 * Run one command with stdout to /dev/null (or captured), timing wall clock here and taking CPU and
 * peak RSS from GNU time (or, without it, by polling VmHWM in /proc). Its own process group, so a
 * timeout kills the whole tree.
 */
export async function measure(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutS: number; captureStdout?: boolean },
): Promise<Measured> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const timeFile = join(BENCH_DIR, `.time-${process.pid}.txt`);
  rmSync(timeFile, { force: true });
  const devNull = openSync('/dev/null', 'w');
  const argv = hasGnuTime ? [GNU_TIME, '-f', '%U %S %M', '-o', timeFile, cmd, ...args] : [cmd, ...args];
  const t0 = performance.now();
  const child = spawn(argv[0], argv.slice(1), {
    cwd: REPO_ROOT,
    env: opts.env ?? process.env,
    stdio: ['ignore', opts.captureStdout ? 'pipe' : devNull, 'pipe'],
    detached: true,
  });
  closeSync(devNull);
  let stdout = '';
  let stderrTail = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderrTail = (stderrTail + d).slice(-4000)));
  let hwm = 0;
  const poll = hasGnuTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm, Number(m[1]));
        } catch {
          // gone already
        }
      }, 20);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already exited
    }
  }, opts.timeoutS * 1000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res, rej) => {
    child.on('error', rej);
    child.on('close', (c, s) => res([c, s]));
  });
  const wallS = (performance.now() - t0) / 1000;
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  let cpuS: number | undefined;
  let peakRssKb: number | undefined = hwm || undefined;
  if (hasGnuTime && existsSync(timeFile)) {
    // GNU time prefixes "Command exited with non-zero status N" when the command failed.
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
    const [u, s, m] = last.split(' ').map(Number);
    if (Number.isFinite(u) && Number.isFinite(s)) cpuS = u + s;
    if (Number.isFinite(m)) peakRssKb = m;
    rmSync(timeFile, { force: true });
  }
  return { code, signal, timedOut, wallS, cpuS, peakRssKb, stdout, stderrTail };
}

/** Run `repeat` times (stopping at the first failure); keep the run with the median wall time. */
async function measureMedian(repeat: number, ...a: Parameters<typeof measure>): Promise<Measured & { walls: number[] }> {
  const runs: Measured[] = [];
  for (let i = 0; i < repeat; i++) {
    const m = await measure(...a);
    runs.push(m);
    if (m.code !== 0 || m.timedOut) return { ...m, walls: runs.map((r) => r.wallS) };
  }
  const sorted = [...runs].sort((x, y) => x.wallS - y.wallS);
  return { ...sorted[(sorted.length - 1) >> 1], walls: runs.map((r) => r.wallS) };
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.slice(0, 200) ?? '';
}

function toRow(base: Omit<Row, 'status'>, m: Measured, timeoutS: number): Row {
  if (m.timedOut) return { ...base, status: 'timed out', note: `killed after ${timeoutS} s`, wallS: undefined };
  if (m.code !== 0) {
    return { ...base, status: 'failed', note: `exit ${m.code ?? m.signal}: ${lastLine(m.stderrTail)}` };
  }
  return { ...base, status: 'ok', wallS: m.wallS, cpuS: m.cpuS, peakRssKb: m.peakRssKb };
}

const papersEnv = (): NodeJS.ProcessEnv => ({ ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' });

/** Is `papers <command>` there with these flags? Answers why not when it is not. */
export function availability(req: StageSpec['requires']): string | undefined {
  if (!existsSync(resolve(BIN, '../../dist/cli/main.js'))) return 'not built (dist/cli/main.js missing)';
  const r = spawnSync(process.execPath, [BIN, req.command, '--help'], { cwd: REPO_ROOT, env: papersEnv(), encoding: 'utf8', timeout: 30_000 });
  // commander answers an unknown command's --help with the program's help: look for the command's own usage line.
  if (r.status !== 0 || !r.stdout.includes(`Usage: papers ${req.command} `)) return `\`papers ${req.command}\` not there yet`;
  const missing = req.flags.filter((f) => !new RegExp(`(^|[\\s,])${f}(?![\\w-])`).test(r.stdout));
  if (missing.length) return `\`papers ${req.command}\` has no ${missing.join(', ')}`;
  return undefined;
}

/** python3-sklearn importable? Installs it with apt-get when allowed (never under CI). */
function ensureSklearn(install: boolean): string | undefined {
  const probe = () => spawnSync(PYTHON, ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0;
  if (!existsSync(PYTHON)) return `${PYTHON} missing`;
  if (probe()) return undefined;
  if (!install || process.env.CI) return 'python3-sklearn missing (not installed: --no-install or CI)';
  process.stderr.write('bench: installing python3-sklearn with apt-get ...\n');
  const r = spawnSync('sh', ['-c', 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-sklearn'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0 || !probe()) return `python3-sklearn missing; apt-get install failed (exit ${r.status})`;
  return undefined;
}

/** The peer's environment: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE slow a current numpy; unset both, here only. */
function peerEnv(): { env: NodeJS.ProcessEnv; unset: string[] } {
  const env = { ...process.env };
  const unset: string[] = [];
  for (const k of ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE']) {
    if (k in env) {
      unset.push(`${k}=${env[k]}`);
      delete env[k];
    }
  }
  return { env, unset };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** `papers --version` against `node -e 0`: hyperfine when installed, else interleaved spawnSync runs. */
export function measureStartup(runs = 20): Startup {
  const v = spawnSync(process.execPath, [BIN, '--version'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (v.status !== 0) return { runs: 0, tool: 'none', status: 'not available', note: lastLine(v.stderr) || `exit ${v.status}` };
  const hf = spawnSync('hyperfine', ['--version'], { encoding: 'utf8' });
  if (hf.status === 0) {
    const json = join(BENCH_DIR, '.startup.json');
    const r = spawnSync(
      'hyperfine',
      ['-N', '--warmup', '3', '--runs', String(runs), '--export-json', json, `${process.execPath} ${BIN} --version`, `${process.execPath} -e 0`],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    if (r.status === 0) {
      const data = JSON.parse(readFileSync(json, 'utf8')) as { results: Array<{ median: number }> };
      rmSync(json, { force: true });
      return { runs, tool: 'hyperfine', status: 'ok', papersVersionMs: data.results[0].median * 1000, nodeMs: data.results[1].median * 1000 };
    }
  }
  const a: number[] = [];
  const b: number[] = [];
  const once = (args: string[]): number => {
    const t0 = performance.now();
    spawnSync(process.execPath, args, { cwd: REPO_ROOT, stdio: 'ignore' });
    return performance.now() - t0;
  };
  for (let i = 0; i < 3; i++) {
    once([BIN, '--version']);
    once(['-e', '0']);
  }
  for (let i = 0; i < runs; i++) {
    a.push(once([BIN, '--version']));
    b.push(once(['-e', '0']));
  }
  return { runs, tool: 'spawnSync, interleaved', status: 'ok', papersVersionMs: median(a), nodeMs: median(b) };
}

async function ensureCorpus(records: number, seed: number, pools: () => Promise<Pools>): Promise<string> {
  const path = defaultCorpusPath(records, seed);
  if (existsSync(path)) return path;
  const tmp = `${path}.tmp`;
  const s = await writeCorpus({ records, seed, out: tmp, pools: await pools() });
  renameSync(tmp, path);
  process.stderr.write(`bench: corpus ${fmtSize(records)}: ${(s.bytes / 1e6).toFixed(0)} MB in ${(s.ms / 1000).toFixed(1)} s\n`);
  return path;
}

export interface RunOptions {
  sizes: number[];
  seed: number;
  only?: string[];
  peer: boolean;
  install: boolean;
  timeoutS: number;
  repeat: number;
  snapshot: boolean;
  note?: string;
  /** Called after every row with the results so far (the runner writes them, so a killed run keeps its figures). */
  onProgress?: (partial: BenchResults) => void;
}

export async function runBench(o: RunOptions): Promise<BenchResults> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const startedAt = new Date().toISOString();
  const commit = gitState();
  if (o.snapshot && existsSync(resolve(REPO_ROOT, 'dist/cli/main.js'))) takeSnapshot();
  const cpus = os.cpus();
  const machine: BenchResults['machine'] = {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: os.totalmem() / 2 ** 30,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg(),
    commit,
    note: o.note,
  };
  let poolsPromise: Promise<Pools> | undefined;
  const pools = () => (poolsPromise ??= loadPools(DEFAULT_SOURCE));
  const want = (name: string) => !o.only || o.only.includes(name);
  const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

  const models: ModelPaths = { tag: join(BENCH_DIR, `tag-model-s${o.seed}.json`), cluster: join(BENCH_DIR, `cluster-model-s${o.seed}.json`) };
  const stages = STAGES.filter((s) => want(s.name));
  const unavailable = new Map<string, string>();
  for (const s of stages) {
    const why = availability(s.requires);
    if (why) unavailable.set(s.name, why);
  }
  // Saved models: fitted once, untimed, on a prefix of the corpus.
  const setupNeeded = stages.filter((s) => s.setup && !unavailable.has(s.name));
  if (setupNeeded.length) {
    const modelCorpus = await ensureCorpus(MODEL_RECORDS, o.seed, pools);
    for (const s of setupNeeded) {
      const args = s.setup!(models, relative(REPO_ROOT, modelCorpus));
      log(`setup for ${s.name}: papers ${args.join(' ')}`);
      const m = await measure(process.execPath, [BIN, ...args], { env: papersEnv(), timeoutS: o.timeoutS });
      if (m.code !== 0) unavailable.set(s.name, `setup \`papers ${args.join(' ')}\` failed: exit ${m.code ?? m.signal}: ${lastLine(m.stderrTail)}`);
    }
  }

  const peerMissing = o.peer && want(PEER) ? ensureSklearn(o.install) : undefined;
  const rows: Row[] = [];
  const noStartup: Startup = { runs: 0, tool: 'none', status: 'not available', note: 'not measured yet' };
  const snapshotOf = (startup: Startup): BenchResults => ({
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageAtEnd: os.loadavg() },
    sizes: o.sizes,
    seed: o.seed,
    repeat: o.repeat,
    rows: [...rows],
    startup,
  });
  const push = (row: Row) => {
    rows.push(row);
    o.onProgress?.(snapshotOf(noStartup));
  };
  for (const size of o.sizes) {
    const corpus = await ensureCorpus(size, o.seed, pools);
    const bytes = statSync(corpus).size;
    const rel = relative(REPO_ROOT, corpus);
    if (want(FLOOR)) {
      log(`${fmtSize(size)} floor`);
      const m = await measureMedian(o.repeat, process.execPath, [resolve(REPO_ROOT, 'scripts/bench/floor.mjs'), rel], { timeoutS: o.timeoutS });
      push(toRow({ name: FLOOR, kind: 'floor', records: size, bytes }, m, o.timeoutS));
    }
    for (const s of stages) {
      const base = { name: s.name, kind: s.kind, records: size, bytes };
      const why = unavailable.get(s.name);
      if (why) {
        push({ ...base, status: 'not available', note: why });
        continue;
      }
      const args = s.args(rel, models);
      log(`${fmtSize(size)} papers ${args.join(' ')}`);
      const m = await measureMedian(o.repeat, process.execPath, [BIN, ...args], { env: papersEnv(), timeoutS: o.timeoutS });
      const row = toRow(base, m, o.timeoutS);
      if (o.repeat > 1) row.detail = { walls: m.walls };
      push(row);
      log(`  ${row.status}${row.wallS !== undefined ? ` ${row.wallS.toFixed(2)} s, ${((row.peakRssKb ?? 0) / 1024).toFixed(0)} MB` : `: ${row.note}`}`);
    }
    if (o.peer && want(PEER)) {
      const base = { name: PEER, kind: 'peer' as const, records: size, bytes };
      if (peerMissing) {
        push({ ...base, status: 'not available', note: peerMissing });
      } else {
        log(`${fmtSize(size)} peer`);
        const { env, unset } = peerEnv();
        const m = await measureMedian(o.repeat, PYTHON, [resolve(REPO_ROOT, 'scripts/bench/peer_sklearn.py'), rel], {
          env,
          timeoutS: o.timeoutS,
          captureStdout: true,
        });
        const row = toRow(base, m, o.timeoutS);
        if (row.status === 'ok') {
          try {
            row.detail = { ...(JSON.parse(m.stdout) as Record<string, unknown>), unsetEnv: unset, walls: m.walls };
          } catch {
            row.detail = { stdout: m.stdout.slice(0, 2000), unsetEnv: unset };
          }
        }
        push(row);
        log(`  ${row.status}${row.wallS !== undefined ? ` ${row.wallS.toFixed(2)} s` : `: ${row.note}`}`);
      }
    }
  }
  const startup: Startup = want('startup') ? measureStartup(20) : { runs: 0, tool: 'none', status: 'not available', note: 'not selected' };
  return snapshotOf(startup);
}

function writeResults(base: string, res: BenchResults): string {
  const md = formatMarkdown(res);
  writeFileSync(`${base}.md`, md + '\n');
  writeFileSync(`${base}.json`, JSON.stringify({ generatorVersion: GENERATOR_VERSION, ...res }, null, 2) + '\n');
  return md;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      quick: { type: 'boolean' },
      only: { type: 'string' },
      'no-peer': { type: 'boolean' },
      'no-install': { type: 'boolean' },
      seed: { type: 'string' },
      timeout: { type: 'string' },
      repeat: { type: 'string' },
      'no-snapshot': { type: 'boolean' },
      note: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const sizes = values.quick ? [10_000] : (values.sizes ?? '100000,1000000').split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`--sizes: not a list of counts: ${values.sizes}`);
  const seed = Number(values.seed ?? DEFAULT_SEED);
  const timeoutS = Number(values.timeout ?? 1800);
  const base = values.out ?? join(BENCH_DIR, 'results');
  const res = await runBench({
    sizes,
    seed,
    only: values.only?.split(',').map((s) => s.trim()),
    peer: !values['no-peer'],
    install: !values['no-install'],
    timeoutS,
    repeat: Math.max(1, Number(values.repeat ?? 1) || 1),
    snapshot: !values['no-snapshot'],
    onProgress: (partial) => writeResults(base, partial),
    note: values.note,
  });
  const md = writeResults(base, res);
  process.stdout.write(md + '\n');
  process.stderr.write(`bench: wrote ${relative(process.cwd(), base)}.md and .json\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  });
}
