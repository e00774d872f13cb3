// Result types of the benchmark and their Markdown rendering (pure: results in, text out).

export type RowStatus = 'ok' | 'not available' | 'failed' | 'timed out';

/** One measured command on one corpus size. */
export interface Row {
  /** "floor", "parse", "tag --model", "digest", "peer (scikit-learn)", ... */
  name: string;
  kind: 'floor' | 'per-record' | 'corpus' | 'pipeline' | 'peer';
  records: number;
  bytes: number;
  status: RowStatus;
  /** Why a row is not ok: the missing command, the exit code and last stderr line, the limit hit. */
  note?: string;
  wallS?: number;
  cpuS?: number; // user + system
  peakRssKb?: number;
  /** Anything else worth keeping in the JSON (the peer's phases and BLAS kernel, say). */
  detail?: Record<string, unknown>;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  os: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
  /** Commit measured (short hash, plus how many tracked files differed from it). */
  commit?: string;
  note?: string;
}

export interface Startup {
  runs: number;
  tool: string; // "hyperfine" or "spawnSync"
  papersVersionMs?: number; // median
  nodeMs?: number; // median of `node -e 0`
  status: RowStatus;
  note?: string;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  sizes: number[];
  seed: number;
  /** Runs per cell; each cell shows the run with the median wall time. */
  repeat?: number;
  rows: Row[];
  startup: Startup;
}

export const FLOOR = 'floor';
export const PEER = 'peer (scikit-learn)';
export const DIGEST = 'digest';
export const RSS_LIMIT_KB = 2 * 1024 * 1024;

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

export function fmtSize(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1000 && n % 1000 === 0) return `${n / 1000}k`;
  return fmtInt(n);
}

function fmtSeconds(s: number): string {
  return s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s.toFixed(2);
}

function fmtRatio(r: number): string {
  return r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

const mb = (kb: number): string => fmtInt(kb / 1024);

/** The row for a command at a size, when it ran successfully. */
function okRow(rows: Row[], name: string, size: number): Row | undefined {
  return rows.find((r) => r.name === name && r.records === size && r.status === 'ok' && r.wallS !== undefined);
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Names in first-seen order (the order the runner measured them). */
function names(rows: Row[]): string[] {
  const out: string[] = [];
  for (const r of rows) if (!out.includes(r.name)) out.push(r.name);
  return out;
}

/** The same ratio on CPU seconds, which a busy machine disturbs less than wall time. */
function cpuNote(a: Row, b: Row, show: (a: number, b: number) => string): string {
  return a.cpuS && b.cpuS ? ` (CPU time: ${show(a.cpuS, b.cpuS)})` : '';
}

export interface Goal {
  goal: string;
  measured: string;
  met: boolean | undefined; // undefined: not measured
}

/** The issue's goals, judged on the largest size that has the figures. */
export function judgeGoals(res: BenchResults): Goal[] {
  const goals: Goal[] = [];
  const sizes = [...res.sizes].sort((a, b) => a - b);
  const largest = sizes.at(-1);
  if (largest !== undefined) {
    const d = okRow(res.rows, DIGEST, largest);
    const p = okRow(res.rows, PEER, largest);
    goals.push({
      goal: `digest wall time < peer's at ${fmtSize(largest)}`,
      measured:
        d && p
          ? `${fmtSeconds(d.wallS!)} s vs ${fmtSeconds(p.wallS!)} s (${fmtRatio(d.wallS! / p.wallS!)}x)${cpuNote(d, p, (x, y) => `${fmtRatio(x / y)}x`)}`
          : 'not measured',
      met: d && p ? d.wallS! < p.wallS! : undefined,
    });
    goals.push({
      goal: `digest peak RSS <= 2 GB at ${fmtSize(largest)}`,
      measured: d && d.peakRssKb !== undefined ? `${mb(d.peakRssKb)} MB` : 'not measured',
      met: d && d.peakRssKb !== undefined ? d.peakRssKb <= RSS_LIMIT_KB : undefined,
    });
    const f = okRow(res.rows, FLOOR, largest);
    for (const name of names(res.rows)) {
      const row = res.rows.find((r) => r.name === name);
      if (row?.kind !== 'per-record') continue;
      const s = okRow(res.rows, name, largest);
      goals.push({
        goal: `${name} throughput >= 50% of floor at ${fmtSize(largest)}`,
        measured: s && f ? `${fmtInt(100 * (f.wallS! / s.wallS!))}%${cpuNote(f, s, (a, b) => `${fmtInt((100 * a) / b)}%`)}` : 'not measured',
        met: s && f ? f.wallS! / s.wallS! >= 0.5 : undefined,
      });
    }
  }
  if (sizes.length >= 2) {
    const lo = sizes[0];
    const hi = sizes.at(-1)!;
    const limit = 1.1 * (hi / lo);
    for (const name of names(res.rows)) {
      const kind = res.rows.find((r) => r.name === name)?.kind;
      if (kind === 'floor' || kind === 'peer') continue;
      const a = okRow(res.rows, name, lo);
      const b = okRow(res.rows, name, hi);
      goals.push({
        goal: `${name}: t(${fmtSize(hi)}) / t(${fmtSize(lo)}) <= ${fmtRatio(limit)}`,
        measured: a && b ? `${fmtRatio(b.wallS! / a.wallS!)}${cpuNote(b, a, (x, y) => fmtRatio(x / y))}` : 'not measured',
        met: a && b ? b.wallS! / a.wallS! <= limit : undefined,
      });
    }
  }
  const st = res.startup;
  goals.push({
    goal: '`papers --version` within 1.5x of `node -e 0`',
    measured:
      st.status === 'ok' && st.papersVersionMs !== undefined && st.nodeMs !== undefined
        ? `${st.papersVersionMs.toFixed(0)} ms vs ${st.nodeMs.toFixed(0)} ms (${fmtRatio(st.papersVersionMs / st.nodeMs)}x)`
        : st.note ?? 'not measured',
    met:
      st.status === 'ok' && st.papersVersionMs !== undefined && st.nodeMs !== undefined
        ? st.papersVersionMs <= 1.5 * st.nodeMs
        : undefined,
  });
  return goals;
}

/** The whole report: machine, per-size table, scaling, goals, peer details. */
export function formatMarkdown(res: BenchResults): string {
  const out: string[] = [];
  const m = res.machine;
  out.push(`## Benchmark results (${res.startedAt.slice(0, 10)})`, '');
  out.push(
    `Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGb.toFixed(0)} GB memory, Node ${m.node}, ${m.os}; ` +
      `load average (1/5/15 min) ${m.loadAverageAtStart.map((x) => x.toFixed(2)).join(' / ')} at start` +
      (m.loadAverageAtEnd ? `, ${m.loadAverageAtEnd.map((x) => x.toFixed(2)).join(' / ')} at end.` : '.') +
      (m.commit ? ` Commit ${m.commit}.` : '') +
      (m.note ? ` ${m.note}` : ''),
  );
  out.push(`Corpus: seed ${res.seed}; sizes ${res.sizes.map(fmtSize).join(', ')} records. ${
      (res.repeat ?? 1) > 1 ? `Median of ${res.repeat} runs per cell.` : 'One run per cell.'
    }`, '');

  out.push('| stage | records | wall s | CPU s | records/s | MB/s | peak RSS MB | vs floor | vs peer |');
  out.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  const sizes = [...res.sizes].sort((a, b) => a - b);
  for (const size of sizes) {
    const floor = okRow(res.rows, FLOOR, size);
    const peer = okRow(res.rows, PEER, size);
    for (const r of res.rows.filter((x) => x.records === size)) {
      if (r.status !== 'ok' || r.wallS === undefined) {
        const why = r.note ? `${r.status}: ${r.note}` : r.status;
        out.push(`| ${escapeCell(r.name)} | ${fmtInt(size)} | ${escapeCell(why)} | | | | | | |`);
        continue;
      }
      const vsFloor = floor && r.kind !== 'floor' && r.kind !== 'peer' ? `${fmtRatio(floor.wallS! / r.wallS)}x` : '';
      const vsPeer = peer && r.kind === 'pipeline' ? `${fmtRatio(r.wallS / peer.wallS!)}x time` : '';
      out.push(
        `| ${escapeCell(r.name)} | ${fmtInt(size)} | ${fmtSeconds(r.wallS)} | ${r.cpuS !== undefined ? fmtSeconds(r.cpuS) : ''} | ` +
          `${fmtInt(size / r.wallS)} | ${(r.bytes / 1e6 / r.wallS).toFixed(1)} | ${r.peakRssKb !== undefined ? mb(r.peakRssKb) : ''} | ${vsFloor} | ${vsPeer} |`,
      );
    }
  }
  out.push(
    '',
    '"vs floor": throughput as a fraction of the floor\'s (floor time / stage time; goal >= 0.50 for per-record stages). ' +
      '"vs peer": digest time / peer time (goal < 1). CPU s above wall s means more than one core was busy.',
    '',
  );

  if (sizes.length >= 2) {
    out.push(`| stage | ${sizes.map((s) => `t(${fmtSize(s)}) s`).join(' | ')} | t(${fmtSize(sizes.at(-1)!)}) / t(${fmtSize(sizes[0])}) |`);
    out.push(`|---|${sizes.map(() => '--:|').join('')}--:|`);
    for (const name of names(res.rows)) {
      const cells = sizes.map((s) => okRow(res.rows, name, s));
      const first = cells[0];
      const last = cells.at(-1);
      const ratio = first && last ? fmtRatio(last.wallS! / first.wallS!) : '';
      out.push(`| ${escapeCell(name)} | ${cells.map((c) => (c ? fmtSeconds(c.wallS!) : 'n/a')).join(' | ')} | ${ratio} |`);
    }
    out.push('', `Linear scaling is ${fmtInt(sizes.at(-1)! / sizes[0])}x; the goal allows 1.1 times that.`, '');
  }

  out.push('| goal | measured | met |', '|---|---|---|');
  for (const g of judgeGoals(res)) {
    out.push(`| ${escapeCell(g.goal)} | ${escapeCell(g.measured)} | ${g.met === undefined ? 'n/a' : g.met ? 'yes' : 'no'} |`);
  }
  out.push('');

  const st = res.startup;
  if (st.status === 'ok' && st.papersVersionMs !== undefined && st.nodeMs !== undefined) {
    out.push(
      `Startup (${st.tool}, median of ${st.runs}): \`papers --version\` ${st.papersVersionMs.toFixed(1)} ms, ` +
        `\`node -e 0\` ${st.nodeMs.toFixed(1)} ms.`,
      '',
    );
  } else {
    out.push(`Startup: ${st.status}${st.note ? `: ${st.note}` : ''}.`, '');
  }

  for (const r of res.rows.filter((x) => x.kind === 'peer' && x.status === 'ok' && x.detail)) {
    const d = r.detail as {
      seconds?: Record<string, number>;
      features?: number;
      versions?: Record<string, string>;
      blas?: Array<Record<string, unknown>>;
      unsetEnv?: string[];
    };
    const phases = d.seconds
      ? Object.entries(d.seconds)
          .map(([k, v]) => `${k} ${fmtSeconds(v)} s`)
          .join(', ')
      : '';
    const blas = (d.blas ?? [])
      .map((b) => [b.internal_api, b.version, b.architecture, b.num_threads !== undefined ? `${b.num_threads} threads` : undefined].filter(Boolean).join(' '))
      .join('; ');
    const versions = d.versions ? Object.entries(d.versions).map(([k, v]) => `${k} ${v}`).join(', ') : '';
    out.push(
      `Peer at ${fmtSize(r.records)}: ${phases}; ${d.features !== undefined ? `${fmtInt(d.features)} features; ` : ''}` +
        `${versions}; BLAS: ${blas || 'unknown'}` +
        (d.unsetEnv && d.unsetEnv.length ? `; unset for this run: ${d.unsetEnv.join(', ')}` : '') +
        '.',
    );
  }
  if (res.rows.some((x) => x.kind === 'peer' && x.status === 'ok')) out.push('');
  return out.join('\n');
}
