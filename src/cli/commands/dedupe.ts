// papers dedupe: records (any input format) -> one record per paper, merges explained.
// Two passes over the input: pass 1 feeds the compact index while the records are spooled (in
// memory for small inputs, to a temporary JSONL file beyond that); pass 2 re-reads the spool.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { RecordSpool } from '../../io/spool.js';
import { LineWriter, renderTable, type TableSpec } from '../../io/output.js';
import type { Paper } from '../../record.js';
import { AtomicFile } from '../../report/atomic-file.js';
import {
  DEFAULT_DEDUPE_OPTIONS, DedupeIndex, type DedupeOptions, type DedupePlan, type DuplicateGroup,
} from '../../stages/dedupe/index.js';
import {
  type CliIO, type InputOptions, type OutputOptions, addInputOptions, addOutputOptions, readRecords, resolveOutputFormat, writeRecords,
} from '../framework.js';

interface DedupeCommandOptions extends InputOptions, OutputOptions {
  groups?: string;
  quiet?: boolean;
  yearGap?: string;
  textYearGap?: string;
  nearTitle?: string;
  textThreshold?: string;
  textTitle?: string;
  authorOverlap?: string;
  minAbstractWords?: string;
  window?: string;
  seed?: string;
}

// Flag -> option, and whether it takes a whole number or a share in 0..1.
const THRESHOLD_FLAGS: Array<[keyof DedupeCommandOptions, keyof DedupeOptions, string, 'int' | 'share']> = [
  ['yearGap', 'yearGap', '--year-gap', 'int'],
  ['textYearGap', 'textYearGap', '--text-year-gap', 'int'],
  ['nearTitle', 'nearTitleThreshold', '--near-title', 'share'],
  ['textThreshold', 'textThreshold', '--text-threshold', 'share'],
  ['textTitle', 'textTitleThreshold', '--text-title', 'share'],
  ['authorOverlap', 'authorOverlap', '--author-overlap', 'share'],
  ['minAbstractWords', 'minAbstractWords', '--min-abstract-words', 'int'],
  ['window', 'bucketWindow', '--window', 'int'],
  ['seed', 'seed', '--seed', 'int'],
];

export function dedupeOptionsFromFlags(opts: DedupeCommandOptions): Partial<DedupeOptions> {
  const out: Partial<DedupeOptions> = {};
  for (const [flag, option, name, kind] of THRESHOLD_FLAGS) {
    const raw = opts[flag];
    if (raw === undefined) continue;
    const text = String(raw).trim();
    const value = Number(text);
    if (kind === 'int' && (!/^\d+$/.test(text) || !Number.isSafeInteger(value))) {
      throw new UsageError(`${name} expects a whole number, got '${raw}'`);
    }
    if (kind === 'share' && (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(text) || value > 1)) {
      throw new UsageError(`${name} expects a number from 0 to 1, got '${raw}'`);
    }
    (out as Record<string, number>)[option] = value;
  }
  return out;
}

// The terminal view: one row per merged group.
const GROUP_TABLE: TableSpec = {
  columns: [
    { header: 'kept', weight: 2, value: (r) => r.id },
    { header: 'title', weight: 5, value: (r) => r.title },
    { header: 'absorbed', weight: 3, value: (r) => (r.duplicates ?? []).join(' ') },
    { header: 'matched by', weight: 3, value: (r) => String(r.matched ?? '') },
  ],
};

function groupRow(record: Paper, group: DuplicateGroup): Paper {
  const rules = group.pairs.map((p) => (p.score === 1 ? p.rule : `${p.rule} ${p.score.toFixed(2)}`));
  return { id: record.id, title: record.title, duplicates: group.members.filter((m) => m !== group.survivor), matched: rules.join(', ') };
}

async function* passTwo(spool: RecordSpool, plan: DedupePlan, onGroup: (rec: Paper, g: DuplicateGroup) => Promise<void>): AsyncGenerator<Paper> {
  for await (const [i, rec] of spool.read()) {
    const out = plan.emit(i, rec!);
    if (out && plan.lastGroup) await onGroup(out, plan.lastGroup);
    if (out) yield out;
  }
  plan.finish();
}

export function registerDedupe(program: Command, io: CliIO): void {
  const d = DEFAULT_DEDUPE_OPTIONS;
  const cmd = program
    .command('dedupe')
    .description('merge records that describe the same paper; every merge is explained (--groups)')
    .argument('[inputs...]', 'files or directories to read (default: stdin)')
    .option('--groups <file>', 'write every merged group as JSONL: members, and the rule and score of each accepted pair')
    .option('--year-gap <n>', `most years apart for a title match (0 when the venues differ) (default: ${d.yearGap})`)
    .option('--text-year-gap <n>', `most years apart for a near-duplicate abstract match (default: ${d.textYearGap})`)
    .option('--near-title <x>', `title character-trigram similarity for near_title, 0..1 (default: ${d.nearTitleThreshold})`)
    .option('--text-threshold <x>', `share of the shorter abstract's word shingles found in the other, 0..1 (default: ${d.textThreshold})`)
    .option('--text-title <x>', `title similarity the text rule still needs, 0..1 (default: ${d.textTitleThreshold})`)
    .option('--author-overlap <x>', `share of the shorter author list found in the other for near_title and title_prefix (default: ${d.authorOverlap})`)
    .option('--min-abstract-words <n>', `shorter abstracts are ignored (default: ${d.minAbstractWords})`)
    .option('--window <n>', `in one bucket, compare each record with at most N earlier ones (default: ${d.bucketWindow})`)
    .option('--seed <n>', `seed of the MinHash functions (default: ${d.seed})`)
    .option('-q, --quiet', 'do not report counts on stderr');
  addInputOptions(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Rules (strongest first; conflicting DOIs or arXiv ids veto every rule):
  doi, arxiv     equal DOI / arXiv id (version ignored)
  id             equal record id and title: the same record read twice
  title          equal title after folding case, accents, ligatures, LaTeX, punctuation; needs
                 compatible years and authors; generic titles ("Editor's Notes") need more evidence
  near_title     similar titles (no abstract on one side), authors agreeing
  title_prefix   one title is the other without its subtitle, authors agreeing
  text           near-duplicate title + abstract (MinHash/LSH over word shingles, then verified)
The kept record is the most complete one; fields it lacks are filled from the others and
"duplicates" lists the ids it absorbed. On a terminal the merged groups are shown; records are
written as JSONL when piped (or with --format jsonl).

Examples:
  papers parse day1.txt day2.txt | papers dedupe > papers.jsonl
  papers dedupe dblp.csv acm.csv --groups groups.jsonl --format jsonl > merged.jsonl
  papers dedupe papers.jsonl              (on a terminal: a table of merged groups)`,
  );
  cmd.action(async (inputs: string[], opts: DedupeCommandOptions) => {
    const diagnostics = io.diagnostics('dedupe');
    let options: Partial<DedupeOptions>;
    let index: DedupeIndex;
    try {
      options = dedupeOptionsFromFlags(opts);
      index = new DedupeIndex({ ...options, diagnostics });
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(err.message);
      throw err;
    }
    if (opts.groups !== undefined && opts.groups.trim() === '') throw new UsageError('--groups expects a file name');
    const groupsFile = opts.groups ? await AtomicFile.open(opts.groups) : undefined;
    const spool = new RecordSpool();
    try {
      for await (const rec of readRecords(inputs, opts, io, diagnostics, 'dedupe')) {
        index.add(rec);
        await spool.add(rec);
      }
      await spool.seal();
      // Resolve in steps, letting the event loop run in between (Ctrl-C stays responsive).
      const steps = index.resolveSteps();
      let step = steps.next();
      while (!step.done) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        step = steps.next();
      }
      const plan = step.value;
      for await (const [i, rec] of spool.read((k) => plan.needs(k))) if (rec) plan.collect(i, rec);

      const writeGroup = async (g: DuplicateGroup) => {
        if (groupsFile) await groupsFile.write(JSON.stringify(g) + '\n');
      };
      const format = resolveOutputFormat(opts, io);
      if (format === 'jsonl' && !spool.inMemory) {
        // Large input as JSONL: records without duplicates are copied from the spool unparsed.
        const out = new LineWriter(io.stdout);
        try {
          for await (const [i, line] of spool.lines()) {
            const text = plan.emitLine(i, line);
            if (text !== undefined) await out.write(text + '\n');
            if (plan.lastGroup) await writeGroup(plan.lastGroup);
          }
          plan.finish();
        } finally {
          await out.flush().catch(() => {});
        }
      } else if (format === 'table') {
        const rows: Paper[] = [];
        for await (const _ of passTwo(spool, plan, async (rec, g) => {
          rows.push(groupRow(rec, g));
          await writeGroup(g);
        }));
        const out = new LineWriter(io.stdout);
        await out.write(
          rows.length ? renderTable(rows, GROUP_TABLE, io.columns, io.color) : `No duplicates among ${plan.stats.in} records.\n`,
        );
        await out.flush();
      } else {
        await writeRecords(passTwo(spool, plan, (_rec, g) => writeGroup(g)), opts, io, GROUP_TABLE);
      }
      await groupsFile?.commit();
      const s = plan.stats;
      if (!opts.quiet) {
        diagnostics.info(`records in ${s.in}, out ${s.out}, merged ${s.merged} (${s.groups} group${s.groups === 1 ? '' : 's'})`);
      }
    } finally {
      await groupsFile?.abort();
      spool.dispose();
    }
  });
}
