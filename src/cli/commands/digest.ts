// papers digest: parse, dedupe, tag, cluster and report in one process, for CI and daily use.
// The output is byte for byte what piping the five commands gives (tested).
import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import { DataError, type Diagnostics } from '../../errors.js';
import { decodeChunks } from '../../io/decode.js';
import { RecordSpool } from '../../io/spool.js';
import { AtomicFile } from '../../report/atomic-file.js';
import { ReportBuilder } from '../../report/model.js';
import { SeenIndex, formatSeenLine, parseSeenLine, seenLineFor } from '../../report/seen.js';
import { ClusterFitter, UNCLUSTERED, UNCLUSTERED_LABEL, annotate } from '../../stages/cluster/index.js';
import { DedupeIndex } from '../../stages/dedupe/index.js';
import type { Paper } from '../../record.js';
import type { InputStats } from '../../stages/parse/index.js';
import { textLines } from '../../stages/parse/types.js';
import { CorpusStatsBuilder, DEFAULT_TAG_OPTIONS, Tagger } from '../../stages/tag/index.js';
import { type CliIO, addInputOptions, describeStats, readRecords } from '../framework.js';
import { type ReportCommandOptions, addReportOptions, openOut, reportChunks, resolveReportOptions, writeReport } from './report.js';
import { CorpusThreads } from '../corpus-threads.js';
import { addJobsOption, resolveJobs } from '../parallel.js';

interface DigestCommandOptions extends ReportCommandOptions {
  seen?: string;
  quiet?: boolean;
  jobs?: string;
}

/** Read the --seen state; a missing file is the first day (empty state). */
async function loadSeen(path: string, diagnostics: Diagnostics): Promise<{ index: SeenIndex; endsWithNewline: boolean }> {
  const index = new SeenIndex();
  let size: number;
  try {
    const st = await fs.stat(path);
    if (st.isDirectory()) throw new DataError(`cannot read '${path}': is a directory`);
    size = st.size;
  } catch (err) {
    if (err instanceof DataError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { index, endsWithNewline: true };
    throw new DataError(`cannot read '${path}': ${(err as Error).message}`);
  }
  const handle = await fs.open(path, 'r');
  try {
    const chunks = handle.createReadStream({ highWaterMark: 1 << 20, autoClose: false }) as AsyncIterable<Uint8Array>;
    for await (const { text, line } of textLines(decodeChunks(chunks, path, diagnostics))) {
      const entry = parseSeenLine(text, path, line);
      if (entry) index.add(entry);
    }
    // Appending after a last line without a newline would glue two lines together.
    const last = Buffer.alloc(1);
    if (size > 0) await handle.read(last, 0, 1, size - 1);
    return { index, endsWithNewline: size === 0 || last[0] === 0x0a };
  } finally {
    await handle.close().catch(() => {});
  }
}

export function registerDigest(program: Command, io: CliIO): void {
  const cmd = program
    .command('digest')
    .description('parse, dedupe, tag, cluster and report in one go: the Markdown digest of a listing')
    .argument('[inputs...]', 'raw listings/exports or JSONL records (default: stdin)')
    .option('--seen <state.jsonl>', 'daily use: skip papers listed in this state file, then add today\'s papers to it (atomically)')
    .option('-q, --quiet', 'do not report counts on stderr');
  addInputOptions(cmd);
  addReportOptions(cmd);
  addJobsOption(cmd);
  cmd.addHelpText(
    'after',
    `
Same bytes as: papers parse INPUT | papers dedupe | papers tag | papers cluster | papers report
(with default stage options). Streams: beyond 20,000 records the papers wait in a temporary
file between passes; memory holds compact state only (dedupe keys, cluster vectors, report entries).
There, tagging and clustering run on two more threads while the main thread reads, dedupes and
reports (--jobs 1: all on one thread; --jobs 2 or more: threads for any input).

--seen keeps one JSON line per reported paper (arXiv id, DOI, id, normalized title); papers found
there are left out before tagging and clustering, and today's papers are appended after the
digest is written. A missing state file means the first day.

Examples:
  papers digest fixtures/trending-listing.txt > digest.md
  papers digest listings/ --seen state/seen.jsonl --max-bytes 1000000 --out digest.md
  SOURCE_DATE_EPOCH=1736899200 papers digest listing.txt --format json`,
  );
  cmd.action(async (inputs: string[], opts: DigestCommandOptions) => {
    const resolved = resolveReportOptions(opts, io);
    const { jobs, explicit } = resolveJobs(opts.jobs, io.env);
    const diagnostics = io.diagnostics('digest');
    // PAPERS_DEBUG=1: when each phase ends, on stderr (which thread waits for which).
    const started = performance.now();
    const phase = io.env.PAPERS_DEBUG
      ? (what: string) => io.stderr.write(`papers digest: [debug] ${what}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
      : () => {};
    // Open the outputs first: an unwritable path fails before any work.
    const out = await openOut(resolved);
    let state: AtomicFile | undefined;
    let spoolIn: RecordSpool | undefined;
    let spoolOut: RecordSpool | undefined;
    let threads: CorpusThreads | undefined;
    try {
      const seen = opts.seen ? await loadSeen(opts.seen, diagnostics) : undefined;
      if (opts.seen) state = await AtomicFile.open(opts.seen, { copyExisting: true });

      // Streaming, so that a million papers fit in bounded memory: records go to a spool file
      // between passes and only compact state is held (dedupe keys, keyword counts, cluster
      // vectors, report entries).
      const stats: InputStats[] = [];
      // The index is dropped once resolved: locals of this (suspended) function would keep it.
      let index: DedupeIndex | undefined = new DedupeIndex({ diagnostics });
      spoolIn = new RecordSpool();
      for await (const r of readRecords(inputs, opts, io, diagnostics, 'digest', stats)) {
        index.add(r);
        await spoolIn.add(r);
      }
      await spoolIn.seal();
      const read = spoolIn.count;
      phase(`read and indexed ${read} records`);
      const plan = await (async () => {
        const steps = index!.resolveSteps();
        let step = steps.next();
        while (!step.done) {
          await new Promise<void>((resolve) => setImmediate(resolve)); // Ctrl-C stays responsive
          step = steps.next();
        }
        return step.value;
      })();
      index = undefined;
      phase('duplicates resolved');
      const inputSpool = spoolIn;
      for await (const [i, rec] of inputSpool.read((k) => plan.needs(k))) if (rec) plan.collect(i, rec);

      // Deduplicated papers (minus those already reported): keyword statistics, cluster vectors, and
      // the papers kept for tagging. Beyond the in-memory limit (or with --jobs 2 and more) two
      // threads take these: one tags, one clusters, while this one goes on.
      if (jobs > 1 && (explicit || !inputSpool.inMemory)) threads = new CorpusThreads(diagnostics, { tag: true, cluster: { options: {}, model: false, info: true } });
      let dropped = 0;
      let droppedMerged = 0;
      const keywordStats = threads ? undefined : new CorpusStatsBuilder();
      const fitter = threads ? undefined : new ClusterFitter({ diagnostics });
      if (!threads) spoolOut = new RecordSpool();
      for await (const [i, rec] of inputSpool.read()) {
        const out = plan.emit(i, rec!);
        if (!out) continue;
        if (seen?.index.has(out)) {
          dropped++;
          if (Array.isArray(out.duplicates)) droppedMerged += out.duplicates.length;
          continue;
        }
        if (threads) await threads.add(JSON.stringify(out));
        else {
          keywordStats!.add(out);
          fitter!.add(out);
          await spoolOut!.add(out);
        }
      }
      plan.finish();
      const merged = plan.stats.merged;
      spoolIn.dispose();
      spoolIn = undefined;
      if (threads) await threads.end();
      else await spoolOut!.seal();
      phase(threads ? 'papers handed to the tagging and clustering threads' : 'keyword statistics and cluster vectors built');
      const seenFigures = seen ? { dropped, droppedMerged, known: seen.index.lines } : undefined;

      let fit: { assignment: Int32Array; labels: string[] } | undefined;
      let tagger: Tagger | undefined;
      if (threads) {
        const f = await threads.clusters();
        if (f.fitted) fit = { assignment: f.assignment, labels: f.clusters.map((c) => c.label) };
      } else {
        tagger = new Tagger({ keywords: DEFAULT_TAG_OPTIONS.keywords, keywordStats: keywordStats!.finish() });
        const f = fitter!.size ? fitter!.fit() : undefined;
        if (f) fit = { assignment: f.assignment, labels: f.clusters.map((c) => c.label) };
      }
      phase('clusters fitted');
      const builder = new ReportBuilder({ ...resolved.model, seen: seenFigures });
      if (state && seen && !seen.endsWithNewline) await state.write('\n');
      let papers = 0;
      const report = async (tagged: Paper, i: number): Promise<void> => {
        let r = tagged;
        if (fit) {
          const c = fit.assignment[i];
          r = annotate(r, c, c === UNCLUSTERED ? UNCLUSTERED_LABEL : fit.labels[c]);
        }
        builder.add(r);
        papers++;
        if (state) await state.write(formatSeenLine(seenLineFor(r, resolved.model.date)) + '\n');
      };
      if (threads) {
        let i = 0;
        for await (const line of threads.tagged()) await report(JSON.parse(line) as Paper, i++);
        threads.dispose();
        threads = undefined;
      } else {
        for await (const [i, rec] of spoolOut!.read()) await report(tagger!.tag(rec!), i);
        spoolOut!.dispose();
        spoolOut = undefined;
      }
      phase('papers tagged and reported');
      const model = builder.finish();
      await writeReport(reportChunks(model, resolved, io), out, io);
      await state?.commit();
      phase('written');
      if (!opts.quiet) {
        for (const line of describeStats(stats)) diagnostics.info(line);
        const parts = [`${read} read`, `${merged} merged as duplicates`];
        if (seenFigures) parts.push(`${seenFigures.dropped} already reported`);
        parts.push(`${model.papers} in the digest`);
        if (model.has.cluster) parts.push(`${model.topics.filter((t) => t.cluster !== null).length} topics`);
        if (opts.seen) parts.push(`state ${opts.seen}: ${seenFigures!.known} + ${papers} papers`);
        diagnostics.info(parts.join(', '));
      }
    } catch (err) {
      await out?.abort();
      await state?.abort();
      throw err;
    } finally {
      spoolIn?.dispose();
      spoolOut?.dispose();
      threads?.dispose();
    }
  });
}
