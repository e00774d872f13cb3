// Where a papers command spends its time: runs it under `node --cpu-prof` (output to /dev/null) and
// prints self time by function, by file and by package, plus total time per function (self + callees).
//
//   npx tsx scripts/bench/profile.ts [--top 25] -- tag .bench/corpus-100000-s1-v1.jsonl
//   npx tsx scripts/bench/profile.ts --profile existing.cpuprofile
import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, readdirSync, rmSync, closeSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './make-corpus.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  byFunction: Array<{ name: string; selfMs: number; totalMs: number }>;
  byFile: Array<{ name: string; selfMs: number }>;
  byPackage: Array<{ name: string; selfMs: number }>;
}

function where(url: string): { file: string; pkg: string } {
  if (!url) return { file: '(native / V8)', pkg: '(native / V8)' };
  if (url.startsWith('node:')) return { file: url, pkg: 'node internals' };
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const rel = relative(REPO_ROOT, path);
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel);
  if (nm) return { file: rel.slice(rel.lastIndexOf('node_modules/') + 13), pkg: nm[1] };
  return { file: rel, pkg: rel.startsWith('dist/') ? 'papers (dist/)' : rel };
}

/** Self and total (self + callees, each sample counted once per function) time from a .cpuprofile. */
export function summarize(p: CpuProfile): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const file = new Map<string, number>();
  const pkg = new Map<string, number>();
  const key = (n: ProfileNode) => {
    const w = where(n.callFrame.url);
    return `${n.callFrame.functionName || '(anonymous)'} ${w.file}:${n.callFrame.lineNumber + 1}`;
  };
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (let i = 0; i < p.samples.length; i++) {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(p.samples[i]);
    if (!leaf) continue;
    const w = where(leaf.callFrame.url);
    add(self, key(leaf), ms);
    add(file, w.file, ms);
    add(pkg, w.pkg, ms);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const k = key(byId.get(id)!);
      if (!seen.has(k)) {
        seen.add(k);
        add(total, k, ms);
      }
    }
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return {
    totalMs: (p.endTime - p.startTime) / 1000,
    byFunction: sorted(self).map(([name, selfMs]) => ({ name, selfMs, totalMs: total.get(name) ?? selfMs })),
    byFile: sorted(file).map(([name, selfMs]) => ({ name, selfMs })),
    byPackage: sorted(pkg).map(([name, selfMs]) => ({ name, selfMs })),
  };
}

export function formatSummary(s: ProfileSummary, top: number): string {
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1)}%`;
  const lines = [`profile: ${(s.totalMs / 1000).toFixed(2)} s sampled`, '', 'self time by function:'];
  for (const f of s.byFunction.slice(0, top)) lines.push(`  ${pct(f.selfMs).padStart(6)} self ${pct(f.totalMs).padStart(6)} total  ${f.name}`);
  lines.push('', 'self time by file:');
  for (const f of s.byFile.slice(0, top)) lines.push(`  ${pct(f.selfMs).padStart(6)}  ${f.name}`);
  lines.push('', 'self time by package:');
  for (const f of s.byPackage.slice(0, top)) lines.push(`  ${pct(f.selfMs).padStart(6)}  ${f.name}`);
  lines.push('', 'total time (self + callees), top functions:');
  const byTotal = [...s.byFunction].sort((a, b) => b.totalMs - a.totalMs || (a.name < b.name ? -1 : 1));
  for (const f of byTotal.slice(0, top)) lines.push(`  ${pct(f.totalMs).padStart(6)}  ${f.name}`);
  return lines.join('\n');
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string' }, profile: { type: 'string' }, interval: { type: 'string' } },
  });
  const top = Number(values.top ?? 25);
  let file = values.profile;
  if (!file) {
    if (!positionals.length) throw new Error('usage: profile.ts [--top N] -- <papers arguments> | --profile FILE.cpuprofile');
    const dir = resolve(REPO_ROOT, '.bench/prof');
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) rmSync(join(dir, f), { force: true });
    const devNull = openSync('/dev/null', 'w');
    const t0 = performance.now();
    // Sampling every 1 ms (the default) keeps the profile small on minute-long runs.
    const r = spawnSync(
      process.execPath,
      ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', values.interval ?? '1000', resolve(REPO_ROOT, 'bin/papers.js'), ...positionals],
      { cwd: REPO_ROOT, stdio: ['ignore', devNull, 'inherit'], env: { ...process.env, NO_COLOR: '1' } },
    );
    closeSync(devNull);
    process.stdout.write(`papers ${positionals.join(' ')}: exit ${r.status}, ${((performance.now() - t0) / 1000).toFixed(2)} s wall\n`);
    // worker_threads write one profile each; the main thread's is the first (lowest thread id).
    const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
    if (!profiles.length) throw new Error('no .cpuprofile written');
    for (const p of profiles) {
      process.stdout.write(`\n== ${p}\n`);
      process.stdout.write(formatSummary(summarize(JSON.parse(readFileSync(join(dir, p), 'utf8')) as CpuProfile), top) + '\n');
    }
    return;
  }
  process.stdout.write(formatSummary(summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile), top) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`profile: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
