// papers digest: parse, dedupe, tag, cluster and report in one process, for CI and daily use.
// The output is byte for byte what piping the five commands gives (tested).
import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import { DataError, type Diagnostics } from '../../errors.js';
import { decodeChunks } from '../../io/decode.js';
import type { Paper } from '../../record.js';
import { AtomicFile } from '../../report/atomic-file.js';
import { buildReport } from '../../report/model.js';
import { SeenIndex, filterUnseen, formatSeenLine, parseSeenLine, seenLineFor } from '../../report/seen.js';
import { clusterRecords } from '../../stages/cluster/index.js';
import { dedupe } from '../../stages/dedupe/index.js';
import type { InputStats } from '../../stages/parse/index.js';
import { textLines } from '../../stages/parse/types.js';
import { tagCorpus } from '../../stages/tag/index.js';
import { type CliIO, addInputOptions, describeStats, readRecords } from '../framework.js';
import { type ReportCommandOptions, addReportOptions, openOut, reportChunks, resolveReportOptions, writeReport } from './report.js';

interface DigestCommandOptions extends ReportCommandOptions {
  seen?: string;
  quiet?: boolean;
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
  cmd.addHelpText(
    'after',
    `
Same bytes as: papers parse INPUT | papers dedupe | papers tag | papers cluster | papers report
(with default stage options). Holds the corpus in memory, as dedupe and cluster do.

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
    const diagnostics = io.diagnostics('digest');
    // Open the outputs first: an unwritable path fails before any work.
    const out = await openOut(resolved);
    let state: AtomicFile | undefined;
    try {
      const seen = opts.seen ? await loadSeen(opts.seen, diagnostics) : undefined;
      if (opts.seen) state = await AtomicFile.open(opts.seen, { copyExisting: true });

      const stats: InputStats[] = [];
      let records: Paper[] = [];
      for await (const r of readRecords(inputs, opts, io, diagnostics, 'digest', stats)) records.push(r);
      const read = records.length;

      const deduped = dedupe(records, { diagnostics });
      records = deduped.records;
      let seenFigures;
      if (seen) {
        const filtered = filterUnseen(records, seen.index);
        records = filtered.fresh;
        seenFigures = { dropped: filtered.dropped, droppedMerged: filtered.droppedMerged, known: seen.index.lines };
      }
      records = tagCorpus(records);
      if (records.length) records = clusterRecords(records, { diagnostics }).records;

      const model = buildReport(records, { ...resolved.model, seen: seenFigures });
      await writeReport(reportChunks(model, resolved, io), out, io);

      if (state && seen) {
        if (!seen.endsWithNewline) await state.write('\n');
        for (const r of records) await state.write(formatSeenLine(seenLineFor(r, resolved.model.date)) + '\n');
        await state.commit();
      }
      if (!opts.quiet) {
        for (const line of describeStats(stats)) diagnostics.info(line);
        const parts = [`${read} read`, `${deduped.stats.merged} merged as duplicates`];
        if (seenFigures) parts.push(`${seenFigures.dropped} already reported`);
        parts.push(`${model.papers} in the digest`);
        if (model.has.cluster) parts.push(`${model.topics.filter((t) => t.cluster !== null).length} topics`);
        if (opts.seen) parts.push(`state ${opts.seen}: ${seenFigures!.known} + ${records.length} papers`);
        diagnostics.info(parts.join(', '));
      }
    } catch (err) {
      await out?.abort();
      await state?.abort();
      throw err;
    }
  });
}
