// papers cluster: group papers into topics with readable labels (TF-IDF -> LSA -> k-means).
// Fitting needs the whole corpus: pass 1 keeps only compact vectors while records are spooled
// (in memory for small inputs, a temporary file beyond); pass 2 re-reads them and adds the fields.
// With --model, papers are assigned one at a time to saved clusters (streaming, no refit).
import { loadClusterModel } from '../model-files.js';
import type { Command } from 'commander';
import { addJobsOption, resolveJobs, runPerRecord } from '../parallel.js';
import { UsageError } from '../../errors.js';
import Table from 'cli-table3';
import { LineWriter, type TableSpec } from '../../io/output.js';
import { sanitizeForTerminal } from '../../io/terminal.js';
import type { Paper } from '../../record.js';
import { AtomicFile } from '../../report/atomic-file.js';
import {
  ClusterFitter, DEFAULT_OPTIONS, ModelAssigner, UNCLUSTERED, UNCLUSTERED_LABEL, annotate, assignRecord, serializeModel,
  type ClusterInfo, type ClusterOptions,
} from '../../stages/cluster/index.js';
import {
  type CliIO, type InputOptions, type OutputOptions, addInputOptions, addOutputOptions, readRecords, resolveOutputFormat, writeRecords,
} from '../framework.js';
import { RecordSpool } from '../../io/spool.js';
import { CorpusThreads } from '../corpus-threads.js';

interface ClusterCommandOptions extends InputOptions, OutputOptions {
  k?: string;
  seed?: string;
  dims?: string;
  restarts?: string;
  kMax?: string;
  saveModel?: string;
  model?: string;
  quiet?: boolean;
  jobs?: string;
}

// Per-record view (--format md/csv, or table with --model is summarized instead).
const RECORD_TABLE: TableSpec = {
  columns: [
    { header: 'cluster', weight: 1, value: (r) => String(r.cluster ?? '') },
    { header: 'label', weight: 3, value: (r) => String(r.cluster_label ?? '') },
    { header: 'id', weight: 2, value: (r) => r.id },
    { header: 'title', weight: 6, value: (r) => r.title },
  ],
};

interface ClusterRow {
  id: number;
  size: number;
  label: string;
  titles: string[];
}

/** The terminal view: one row per cluster, its representative titles one per line. */
function renderClusters(rows: ClusterRow[], width: number, color: CliIO['color']): string {
  // Narrow fixed columns for the numbers; label and titles share the rest 1:2.
  const fixed = [9, 7];
  const rest = Math.max(30, width - fixed.reduce((a, b) => a + b, 0) - 5);
  const labelWidth = Math.max(12, Math.floor(rest / 3));
  const table = new Table({
    head: ['cluster', 'size', 'label', 'representative papers'].map((h) => color.bold(h)),
    colWidths: [...fixed, labelWidth, Math.max(16, rest - labelWidth)],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
  for (const r of rows) {
    table.push([
      String(r.id),
      String(r.size),
      color.bold(sanitizeForTerminal(r.label)),
      r.titles.map((t) => `• ${sanitizeForTerminal(t)}`).join('\n'),
    ]);
  }
  return `${table.toString()}\n`;
}

function clusterRows(clusters: ClusterInfo[]): ClusterRow[] {
  return clusters.map((c) => ({ id: c.id, size: c.size, label: c.label, titles: c.representativeTitles }));
}

function positiveInt(raw: string | undefined, name: string, min = 1): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${name} expects a whole number${min > 0 ? ` of at least ${min}` : ''}, got '${raw}'`);
  }
  return value;
}

export function clusterOptionsFromFlags(opts: ClusterCommandOptions): Partial<ClusterOptions> {
  const out: Partial<ClusterOptions> = {};
  if (opts.k !== undefined && String(opts.k).trim() !== 'auto') out.k = positiveInt(opts.k, '--k');
  out.seed = positiveInt(opts.seed, '--seed', 0);
  out.dims = positiveInt(opts.dims, '--dims');
  out.restarts = positiveInt(opts.restarts, '--restarts');
  out.kMax = positiveInt(opts.kMax, '--k-max', 2);
  if (out.dims !== undefined && out.dims > 1000) throw new UsageError(`--dims expects at most 1000, got '${opts.dims}'`);
  if (out.k !== undefined && out.k > 10_000) throw new UsageError(`--k expects at most 10000, got '${opts.k}'`);
  return out;
}


export function registerCluster(program: Command, io: CliIO): void {
  const d = DEFAULT_OPTIONS;
  const cmd = program
    .command('cluster')
    .description('group papers into topics with readable labels; adds cluster and cluster_label')
    .argument('[inputs...]', 'files or directories to read (default: stdin)')
    .option('--k <n>', 'number of clusters (default: chosen by silhouette, from 2 to about sqrt(papers/2), at most 30)')
    .option('--k-max <n>', 'largest k the automatic choice tries')
    .option('--seed <n>', `seed of every random choice; the same input and seed give the same output (default: ${d.seed})`)
    .option('--dims <n>', `LSA dimensions the papers are reduced to (default: ${d.dims}, fewer for small inputs)`)
    .option('--restarts <n>', `k-means++ starts; the lowest inertia wins (default: ${d.restarts})`)
    .option('--save-model <file>', 'also save the fitted clusters, to assign later papers with --model')
    .option('--model <file>', 'assign papers to the clusters of a saved model, one at a time, without refitting')
    .option('-q, --quiet', 'do not report the clustering on stderr');
  addInputOptions(cmd);
  addJobsOption(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    `
How: TF-IDF over the words and word pairs of title and abstract (stemmed, stopwords removed,
sublinear tf), reduced by truncated SVD (LSA) and normalized, then k-means (k-means++ starts,
lowest inertia kept; ml-kmeans for small inputs, a typed-array engine for large ones).
Labels are each cluster's most distinctive words and phrases (class-based TF-IDF); cluster 0 is
the largest. Papers with no usable word get cluster ${UNCLUSTERED} ("${UNCLUSTERED_LABEL}").
Memory: fitting keeps a few bytes per word of each paper; records are spooled to a temporary
file beyond 20,000. With --model each record is handled on its own (streaming; shardable).
On a terminal a table of clusters is shown; records are written as JSONL when piped.

Examples:
  papers cluster fixtures/trending-listing.txt                 (terminal: the clusters)
  papers cluster papers.jsonl --k 12 > clustered.jsonl
  papers cluster monday.jsonl --save-model topics.json > /dev/null
  papers cluster tuesday.jsonl --model topics.json | jq -r '[.cluster_label, .title] | @tsv'`,
  );
  cmd.action(async (inputs: string[], opts: ClusterCommandOptions) => {
    const diagnostics = io.diagnostics('cluster');
    const options = clusterOptionsFromFlags(opts);
    if (opts.model !== undefined) {
      const conflicting = (['k', 'kMax', 'seed', 'dims', 'restarts', 'saveModel'] as const).filter((f) => opts[f] !== undefined);
      if (conflicting.length) {
        const names = conflicting.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
        throw new UsageError(`--model assigns papers to saved clusters; ${names.join(', ')} cannot be used with it`);
      }
      await assignWithModel(inputs, opts, io, diagnostics);
      return;
    }
    if (opts.saveModel !== undefined && opts.saveModel.trim() === '') throw new UsageError('--save-model expects a file name');
    const modelFile = opts.saveModel ? await AtomicFile.open(opts.saveModel) : undefined;
    const fitDiagnostics = opts.quiet ? { warn: diagnostics.warn, info() {} } : diagnostics;
    const { jobs, explicit } = resolveJobs(opts.jobs, io.env);
    const spool = new RecordSpool();
    let threads: CorpusThreads | undefined;
    const startThread = () => new CorpusThreads(fitDiagnostics, { cluster: { options, model: modelFile !== undefined, info: !opts.quiet } });
    try {
      // Beyond the in-memory limit (or with --jobs 2 and more) the fit runs on a worker thread fed
      // as the records are read; below it, on this thread once all are read. Same result either way.
      let papers = 0;
      // With --jobs 1 the fitter takes each record as it is read; otherwise the first records wait
      // in `held` (the spool's in-memory records, not copies) until the input proves large.
      const fitter = jobs > 1 ? undefined : new ClusterFitter({ ...options, diagnostics: fitDiagnostics });
      let held: Paper[] | undefined = fitter ? undefined : [];
      if (jobs > 1 && explicit) threads = startThread();
      for await (const rec of readRecords(inputs, opts, io, diagnostics, 'cluster')) {
        papers++;
        if (threads) {
          const json = JSON.stringify(rec);
          await threads.add(json);
          await spool.add(rec, json);
          continue;
        }
        if (fitter) fitter.add(rec);
        else held!.push(rec);
        await spool.add(rec);
        if (held && !spool.inMemory) {
          threads = startThread();
          for (const r of held!) await threads.add(JSON.stringify(r));
          held = undefined;
        }
      }
      await spool.seal();
      let fit: { assignment: Int32Array; clusters: ClusterInfo[] };
      let modelText: string | undefined;
      if (threads) {
        await threads.end();
        const f = await threads.clusters();
        threads.dispose();
        threads = undefined;
        fit = f;
        modelText = f.model;
      } else {
        const local = fitter ?? new ClusterFitter({ ...options, diagnostics: fitDiagnostics });
        for (const r of held ?? []) local.add(r);
        held = undefined;
        const f = local.fit();
        fit = f;
        if (modelFile) modelText = serializeModel(f.model);
      }
      if (modelFile) {
        await modelFile.write(modelText!);
        await modelFile.commit();
      }
      if (resolveOutputFormat(opts, io) === 'table') {
        const out = new LineWriter(io.stdout);
        await out.write(fit.clusters.length ? renderClusters(clusterRows(fit.clusters), io.columns, io.color) : 'No papers to cluster.\n');
        const unclustered = fit.assignment.filter((c) => c === UNCLUSTERED).length;
        if (unclustered) await out.write(`${unclustered} paper(s) without usable words: cluster ${UNCLUSTERED} (${UNCLUSTERED_LABEL}).\n`);
        await out.flush();
      } else {
        const labelOf = (c: number) => (c === UNCLUSTERED ? UNCLUSTERED_LABEL : fit.clusters[c].label);
        async function* passTwo(): AsyncGenerator<Paper> {
          for await (const [i, rec] of spool.read()) yield annotate(rec!, fit.assignment[i], labelOf(fit.assignment[i]));
        }
        await writeRecords(passTwo(), opts, io, RECORD_TABLE);
      }
      if (!opts.quiet) {
        const sizes = fit.clusters.map((c) => c.size).join(', ');
        diagnostics.info(`clustered ${papers} paper(s) into ${fit.clusters.length} cluster(s)${sizes ? ` of ${sizes}` : ''}`);
      }
    } finally {
      await modelFile?.abort();
      spool.dispose();
      threads?.dispose();
    }
  });
}

async function assignWithModel(inputs: string[], opts: ClusterCommandOptions, io: CliIO, diagnostics: ReturnType<CliIO['diagnostics']>): Promise<void> {
  const model = await loadClusterModel(opts.model!);
  if (resolveOutputFormat(opts, io) === 'jsonl') {
    // A pure per-record map: batches of lines on every core (src/cli/parallel.ts).
    const n = await runPerRecord({ inputs, options: opts, io, diagnostics, command: 'cluster', spec: { stage: 'cluster', model: opts.model! }, jobs: opts.jobs });
    if (!opts.quiet) diagnostics.info(`assigned ${n} paper(s) to the ${model.clusters.length} cluster(s) of ${opts.model}`);
    return;
  }
  const assigner = new ModelAssigner(model);
  const records = (async function* () {
    for await (const rec of readRecords(inputs, opts, io, diagnostics, 'cluster')) yield assignRecord(assigner, rec);
  })();
  if (resolveOutputFormat(opts, io) !== 'table') {
    const n = await writeRecords(records, opts, io, RECORD_TABLE);
    if (!opts.quiet) diagnostics.info(`assigned ${n} paper(s) to the ${model.clusters.length} cluster(s) of ${opts.model}`);
    return;
  }
  // Terminal: the saved clusters with how many of these papers each received, and their titles.
  const counts = new Map<number, { size: number; titles: string[] }>();
  for await (const rec of records) {
    const c = rec.cluster as number;
    const entry = counts.get(c) ?? { size: 0, titles: [] };
    entry.size++;
    if (entry.titles.length < 3) entry.titles.push(rec.title);
    counts.set(c, entry);
  }
  const rows = [...counts]
    .sort((a, b) => b[1].size - a[1].size || a[0] - b[0])
    .map(([c, e]) => ({ id: c, size: e.size, label: c === UNCLUSTERED ? UNCLUSTERED_LABEL : model.clusters[c].label, titles: e.titles }));
  const out = new LineWriter(io.stdout);
  await out.write(rows.length ? renderClusters(rows, io.columns, io.color) : 'No papers to assign.\n');
  await out.flush();
}
