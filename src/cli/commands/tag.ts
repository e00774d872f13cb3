// papers tag: taxonomy tags, keywords and learned tags for each record; training and evaluating
// learned-tag models. A thin adapter: flags in, the pure stage (src/stages/tag) does the work.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ChalkInstance } from 'chalk';
import stringWidth from 'string-width';
import { DataError, UsageError } from '../../errors.js';
import { LineWriter, type TableSpec } from '../../io/output.js';
import { sanitizeForTerminal } from '../../io/terminal.js';
import type { Paper } from '../../record.js';
import { AtomicFile } from '../../report/atomic-file.js';
import { DocTokens } from '../../stages/tag/lexicon.js';
import {
  CompiledTaxonomy, CorpusStatsBuilder, crossValidate, DEFAULT_TRAIN_OPTIONS, defaultTaxonomyText, type EvalReport, LabelledCorpus,
  parseTaxonomy, TagModel, Tagger, trainModel,
} from '../../stages/tag/index.js';
import { scoreModel } from '../../stages/tag/evaluate.js';
import {
  type CliIO, type InputOptions, type OutputOptions, addInputOptions, addOutputOptions, readRecords, resolveOutputFormat, writeRecords,
} from '../framework.js';
import { RecordSpool } from '../../io/spool.js';
import { readModelJSON, readText } from '../model-files.js';
import type { MapperSpec } from '../map-batch.js';
import { addJobsOption, runPerRecord } from '../parallel.js';

interface TagCommandOptions extends InputOptions, OutputOptions {
  taxonomy?: string | false;
  printTaxonomy?: boolean;
  keywords?: string;
  explain?: boolean;
  model?: string;
  threshold?: string;
  train?: string;
  labelsFrom?: string;
  saveModel?: string;
  eval?: boolean;
  folds?: string;
  c?: string;
  seed?: string;
  quiet?: boolean;
  jobs?: string;
}

function intFlag(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const t = String(value).trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || n < min || n > max) throw new UsageError(`${name} expects a whole number from ${min} to ${max}, got '${value}'`);
  return n;
}

function numberFlag(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const t = String(value).trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`${name} expects a number from ${min} to ${max}, got '${value}'`);
  return n;
}

/**
 * A model file read and checked (with the errors a full load gives), built into a TagModel only when
 * this thread uses it: a run whose worker threads tag only needs to know that it loads and whether it
 * holds keyword statistics, and building it here too would cost time and memory for nothing.
 */
class ModelFile {
  private model?: TagModel;
  /** Set by --threshold. */
  threshold?: number;

  private constructor(
    private data: unknown,
    readonly path: string,
    readonly keywordStats: boolean,
  ) {}

  static async open(path: string): Promise<ModelFile> {
    const data = await readModelJSON(path);
    const checked = TagModel.check(data, path);
    if (checked) return new ModelFile(data, path, checked.keywordStats);
    // A file only a full load can judge: load it now (failing as it would).
    const model = TagModel.fromJSON(data, path);
    const file = new ModelFile(undefined, path, Boolean(model.keywordStats));
    file.model = model;
    return file;
  }

  /** The model, built on first use. */
  get(): TagModel {
    if (!this.model) {
      this.model = TagModel.fromJSON(this.data, this.path);
      this.data = undefined;
    }
    if (this.threshold !== undefined) this.model.threshold = this.threshold;
    return this.model;
  }

  /** Let go of the parsed file (when only the worker threads will build the model). */
  release(): void {
    this.data = undefined;
    this.model = undefined;
  }
}

/** Labels of a record from FIELD: a string, or a list of strings; undefined when absent or empty. */
function labelsOf(record: Paper, field: string): { labels: string[]; list: boolean } | undefined {
  if (!Object.prototype.hasOwnProperty.call(record, field)) return undefined;
  const v = record[field];
  if (typeof v === 'string' || typeof v === 'number') {
    const s = String(v).trim();
    return s ? { labels: [s], list: false } : undefined;
  }
  if (Array.isArray(v)) {
    const labels = v.filter((x) => typeof x === 'string' || typeof x === 'number').map((x) => String(x).trim()).filter(Boolean);
    return labels.length ? { labels, list: true } : undefined;
  }
  return undefined;
}

// ----------------------------------------------------------------- terminal views

/** Colour each tag of a sanitized, space-separated list by its family. */
function colorTags(text: string, tagger: Tagger, color: ChalkInstance): string {
  return text
    .split(' ')
    .map((t) => paint(t, tagger, color))
    .join(' ');
}

function paint(tag: string, tagger: Tagger, color: ChalkInstance): string {
  const family = tagger.familyOf(tag);
  const name = family === 'learned' ? 'cyan' : family ? tagger.taxonomy?.familyColors.get(family) : undefined;
  if (!name) return tag;
  return (color as unknown as Record<string, (s: string) => string>)[name](tag);
}

const FAMILY_ORDER = ['area', 'method', 'task', 'resource'];

/** Tags for display: grouped by family (areas first, learned labels last), then by id. */
function displayOrder(tags: string[], tagger: Tagger): string[] {
  const rank = (t: string) => {
    const f = tagger.familyOf(t);
    const i = f === undefined ? -1 : FAMILY_ORDER.indexOf(f);
    return f === 'learned' ? 100 : i < 0 ? 50 : i;
  };
  return tags.slice().sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Column widths sized to the content: the tags column holds the longest tag when it can. */
function tagTable(records: Paper[], tagger: Tagger, columns: number, withKeywords?: boolean): TableSpec {
  let longest = 8;
  for (const r of records) for (const t of r.tags ?? []) longest = Math.max(longest, stringWidth(t));
  const showKeywords = withKeywords ?? records.some((r) => Array.isArray(r.keywords) && r.keywords.length);
  const usable = Math.max(30, columns - (showKeywords ? 10 : 7));
  const tagsWidth = Math.min(longest, Math.floor(usable * 0.34));
  const rest = usable - tagsWidth;
  const titleWidth = showKeywords ? Math.ceil(rest * 0.55) : rest;
  const spec: TableSpec = {
    columns: [
      { header: 'title', weight: titleWidth, value: (r) => r.title },
      {
        header: 'tags',
        weight: tagsWidth,
        value: (r) => displayOrder(r.tags ?? [], tagger).join(' '),
        style: (text, _r, color) => colorTags(text, tagger, color),
      },
    ],
  };
  if (showKeywords) {
    spec.columns.push({
      header: 'keywords',
      weight: rest - titleWidth,
      // A narrow terminal shows the first few (the record keeps them all).
      value: (r) => (Array.isArray(r.keywords) ? r.keywords.slice(0, columns < 120 ? 4 : 8).join('; ') : ''),
      style: (text, _r, color) => color.dim(text),
    });
  }
  return spec;
}

/** Word-wrap plain text to `width` columns (terminal cells). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && stringWidth(line) + 1 + stringWidth(word) > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** --explain on a terminal: each paper, then each tag with why it was given. */
function renderExplanations(records: Paper[], tagger: Tagger, columns: number, color: ChalkInstance): string {
  const out: string[] = [];
  let tagWidth = 8;
  for (const r of records) for (const t of r.tags ?? []) tagWidth = Math.max(tagWidth, stringWidth(t));
  tagWidth = Math.min(tagWidth, 28);
  const reasonWidth = Math.max(20, columns - tagWidth - 5);
  for (const r of records) {
    for (const line of wrap(sanitizeForTerminal(r.title), columns)) out.push(color.bold(line));
    const reasons = (r.tag_reasons ?? {}) as Record<string, string[]>;
    for (const tag of displayOrder(r.tags ?? [], tagger)) {
      const safeTag = sanitizeForTerminal(tag);
      const why = (reasons[tag] ?? []).map((s) => sanitizeForTerminal(s)).join('; ');
      const lines = wrap(why, reasonWidth);
      const pad = ' '.repeat(Math.max(0, tagWidth - stringWidth(safeTag)));
      out.push(`  ${paint(safeTag, tagger, color)}${pad}  ${lines[0] ?? ''}`);
      for (const l of lines.slice(1)) out.push(`  ${' '.repeat(tagWidth)}  ${l}`);
    }
    if (Array.isArray(r.keywords) && r.keywords.length) {
      for (const [i, l] of wrap(`keywords: ${sanitizeForTerminal(r.keywords.join('; '))}`, columns - 2).entries()) {
        out.push(color.dim(`${i ? '    ' : '  '}${l}`));
      }
    }
    out.push('');
  }
  return out.join('\n');
}

function formatReport(report: EvalReport, field: string, how: string): string {
  const lines: string[] = [];
  const pct = (x: number) => x.toFixed(3);
  lines.push(`${how}: ${report.documents} papers, labels from "${field}" (${report.multiLabel ? 'multi-label' : 'single label'})`);
  lines.push(
    `${report.multiLabel ? 'exact-set accuracy' : 'accuracy'} ${pct(report.accuracy)}   macro-F1 ${pct(report.macroF1)}   micro-F1 ${pct(report.microF1)}`,
  );
  lines.push('');
  const w = Math.max(5, ...report.perLabel.map((l) => stringWidth(sanitizeForTerminal(l.label))));
  lines.push(`${'label'.padEnd(w)}  precision  recall      f1  support`);
  for (const l of report.perLabel) {
    const name = sanitizeForTerminal(l.label);
    lines.push(`${name}${' '.repeat(w - stringWidth(name))}  ${pct(l.precision).padStart(9)}  ${pct(l.recall).padStart(6)}  ${pct(l.f1).padStart(6)}  ${String(l.support).padStart(7)}`);
  }
  return lines.join('\n') + '\n';
}

// ----------------------------------------------------------------- modes

async function trainMode(opts: TagCommandOptions, io: CliIO, inputs: string[]): Promise<void> {
  const diagnostics = io.diagnostics('tag');
  const field = opts.labelsFrom;
  if (!field) throw new UsageError('--train needs --labels-from FIELD (the record field holding the labels, e.g. categories)');
  if (inputs.length) throw new UsageError('--train reads its papers from the --train file; tag other files afterwards with --model');
  if (!opts.saveModel && !opts.eval) throw new UsageError('--train needs --save-model FILE, --eval, or both');
  const folds = intFlag(opts.folds, '--folds', 2, 50, 5);
  const c = numberFlag(opts.c, '--c', 1e-6, 1e6, DEFAULT_TRAIN_OPTIONS.c);
  const seed = intFlag(opts.seed, '--seed', 0, 2 ** 31 - 1, DEFAULT_TRAIN_OPTIONS.seed);
  const threshold = numberFlag(opts.threshold, '--threshold', -10, 10, DEFAULT_TRAIN_OPTIONS.threshold);
  // Open the model file first: an unwritable path fails before the work.
  const modelFile = opts.saveModel ? await AtomicFile.open(opts.saveModel) : undefined;
  try {
    const corpus = new LabelledCorpus();
    const stats = new CorpusStatsBuilder();
    const doc = new DocTokens();
    let missing = 0;
    for await (const r of readRecords([opts.train!], opts, io, diagnostics, 'tag')) {
      const l = labelsOf(r, field);
      if (!l) {
        missing++;
        continue;
      }
      doc.load(typeof r.title === 'string' ? r.title : '', typeof r.abstract === 'string' ? r.abstract : '');
      corpus.add(doc, l.labels, l.list);
      stats.add(r);
    }
    if (missing) diagnostics.warn(`${missing} record${missing === 1 ? '' : 's'} without a "${field}" label skipped`);
    const options = { c, seed, threshold };
    if (opts.eval) {
      const report = crossValidate(corpus, folds, options);
      const out = new LineWriter(io.stdout);
      if (opts.format === 'jsonl') await out.write(JSON.stringify({ evaluation: 'cross-validation', field, ...report }) + '\n');
      else await out.write(formatReport(report, field, `${folds}-fold cross-validation`));
      await out.flush();
    }
    if (modelFile) {
      const model = trainModel(corpus, field, options, stats.finish());
      await modelFile.write(JSON.stringify(model.toJSON()) + '\n');
      await modelFile.commit();
      if (!opts.quiet) {
        diagnostics.info(
          `trained on ${corpus.size} papers: ${model.labels.length} labels (${model.multiLabel ? 'multi-label' : 'single label'}), ${model.features.size} features; saved ${opts.saveModel}`,
        );
      }
    }
  } finally {
    await modelFile?.abort();
  }
}

async function evalModelMode(opts: TagCommandOptions, io: CliIO, inputs: string[], model: TagModel): Promise<void> {
  const diagnostics = io.diagnostics('tag');
  const field = opts.labelsFrom ?? model.field;
  const doc = new DocTokens();
  const truth: string[][] = [];
  const predicted: string[][] = [];
  let missing = 0;
  for await (const r of readRecords(inputs, opts, io, diagnostics, 'tag')) {
    const l = labelsOf(r, field);
    if (!l) {
      missing++;
      continue;
    }
    doc.load(typeof r.title === 'string' ? r.title : '', typeof r.abstract === 'string' ? r.abstract : '');
    truth.push(l.labels);
    predicted.push(model.predict(doc).labels.map((k) => model.labels[k]));
  }
  if (missing) diagnostics.warn(`${missing} record${missing === 1 ? '' : 's'} without a "${field}" label skipped`);
  if (truth.length === 0) throw new DataError(`no input record has a "${field}" label to evaluate against`);
  const report = scoreModel(truth, predicted, model.multiLabel);
  const out = new LineWriter(io.stdout);
  if (opts.format === 'jsonl') await out.write(JSON.stringify({ evaluation: 'held-out', field, ...report }) + '\n');
  else await out.write(formatReport(report, field, 'evaluation of the saved model'));
  await out.flush();
}

export function registerTag(program: Command, io: CliIO): void {
  const cmd = program
    .command('tag')
    .description('add research-area tags (word senses told apart by context), keywords, and learned tags')
    .argument('[inputs...]', 'files or directories to read (default: stdin)')
    .option('--taxonomy <file>', 'tag with this taxonomy (YAML or JSON) instead of the default one')
    .option('--no-taxonomy', 'no taxonomy tags (with --model: learned tags only)')
    .option('--print-taxonomy', 'print the default taxonomy (a file to copy and edit) and exit')
    .option('--keywords <n>', 'keywords per paper, 0 for none (default: 8)')
    .option('--explain', 'say why each tag was given (matched phrases and context; top terms of learned tags)')
    .option('--model <model.json>', 'add the labels a trained model predicts (keywords then use its corpus statistics)')
    .option('--threshold <x>', 'multi-label models: predict labels whose decision value exceeds this (default: the model\'s, 0)')
    .option('--train <labelled>', 'train a model on these records (any input format; JSONL typically)')
    .option('--labels-from <field>', 'record field holding the labels: a string (one label) or a list (several)')
    .option('--save-model <file>', 'write the trained model here (versioned JSON)')
    .option('--eval', 'with --train: cross-validated per-label precision/recall/F1; with --model: score it on labelled inputs')
    .option('--folds <k>', 'cross-validation folds (default: 5)')
    .option('--c <x>', `SVM regularization C (default: ${DEFAULT_TRAIN_OPTIONS.c})`)
    .option('--seed <n>', `seed for shuffling and folds (default: ${DEFAULT_TRAIN_OPTIONS.seed})`)
    .option('-q, --quiet', 'do not report counts on stderr');
  addInputOptions(cmd);
  addJobsOption(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Piped, each record gets "tags" (sorted lower-case ids such as vision, llm, graphs, gpu-kernels) and
"keywords" (its most distinctive terms and phrases against the corpus); on a terminal a table shows
title, tags (coloured by family: area, method, task, resource; learned labels cyan) and keywords.

Word senses come from context: "kernel" near CUDA/Triton/fused is gpu-kernels, near Gaussian
process/RKHS/regression is kernel-methods, near CNN/convolution/blur is convolution. A taxonomy is
a YAML/JSON file of tags, phrases and near/not_near conditions: see --print-taxonomy.

Keywords need corpus statistics: without --model the input is read twice (spooled to a temporary
file when large); with --model, the statistics saved in the model are used and tagging streams.

Examples:
  papers tag fixtures/trending-listing.txt
  papers parse listing.txt | papers tag | jq -c '{title, tags}'
  papers tag papers.jsonl --explain --format table
  papers tag --print-taxonomy > my-taxonomy.yaml && papers tag --taxonomy my-taxonomy.yaml papers.jsonl
  papers tag --train labelled.jsonl --labels-from primary_category --save-model model.json --eval
  papers tag --model model.json new-papers.jsonl > tagged.jsonl`,
  );
  cmd.action(async (inputs: string[], opts: TagCommandOptions) => {
    if (opts.printTaxonomy) {
      const out = new LineWriter(io.stdout);
      await out.write(defaultTaxonomyText());
      await out.flush();
      return;
    }
    if (opts.train !== undefined) {
      if (opts.model) throw new UsageError('use either --train (make a model) or --model (use one), not both');
      await trainMode(opts, io, inputs);
      return;
    }
    if (opts.labelsFrom && !opts.eval) throw new UsageError('--labels-from goes with --train or with --model --eval');
    if (opts.saveModel) throw new UsageError('--save-model goes with --train');
    const modelFile = opts.model ? await ModelFile.open(opts.model) : undefined;
    if (opts.threshold !== undefined) {
      if (!modelFile) throw new UsageError('--threshold goes with --model (or --train)');
      modelFile.threshold = numberFlag(opts.threshold, '--threshold', -10, 10, 0);
    }
    if (opts.eval) {
      if (!modelFile) throw new UsageError('--eval goes with --train (cross-validation) or --model (score it on labelled inputs)');
      await evalModelMode(opts, io, inputs, modelFile.get());
      return;
    }
    const keywords = intFlag(opts.keywords, '--keywords', 0, 100, 8);
    let taxonomy: CompiledTaxonomy | null | undefined;
    if (opts.taxonomy === false) {
      if (!modelFile) throw new UsageError('--no-taxonomy leaves nothing to tag with unless --model is given');
      taxonomy = null;
    } else if (typeof opts.taxonomy === 'string') {
      taxonomy = new CompiledTaxonomy(parseTaxonomy(await readText(opts.taxonomy, 'taxonomy'), opts.taxonomy));
    }
    const diagnostics = io.diagnostics('tag');
    const format = resolveOutputFormat(opts, io);
    const streaming = keywords === 0 || Boolean(modelFile?.keywordStats);

    let tagger: Tagger;
    let records: AsyncIterable<Paper>;
    let spool: RecordSpool | undefined;
    let count = 0;
    try {
      if (streaming && format === 'jsonl') {
        // A pure per-record map: batches of lines on every core (src/cli/parallel.ts).
        const spec: MapperSpec = {
          stage: 'tag',
          taxonomy: opts.taxonomy === false ? null : typeof opts.taxonomy === 'string' ? opts.taxonomy : undefined,
          keywords,
          model: opts.model,
          threshold: modelFile?.threshold,
          explain: Boolean(opts.explain),
        };
        modelFile?.release(); // each worker loads its own copy

        count = await runPerRecord({ inputs, options: opts, io, diagnostics, command: 'tag', spec, jobs: opts.jobs });
        if (!opts.quiet) diagnostics.info(`tagged ${count} record${count === 1 ? '' : 's'}`);
        return;
      }
      const model = modelFile?.get();
      if (streaming) {
        tagger = new Tagger({ taxonomy, keywords, model, explain: Boolean(opts.explain) });
        const source = readRecords(inputs, opts, io, diagnostics, 'tag');
        records = (async function* () {
          for await (const r of source) {
            count++;
            yield tagger.tag(r);
          }
        })();
      } else {
        // Pass 1: corpus statistics for keywords while the records are spooled; pass 2 tags.
        spool = new RecordSpool();
        const stats = new CorpusStatsBuilder();
        for await (const r of readRecords(inputs, opts, io, diagnostics, 'tag')) {
          stats.add(r);
          await spool.add(r);
        }
        await spool.seal();
        tagger = new Tagger({ taxonomy, keywords, keywordStats: stats.finish(), model, explain: Boolean(opts.explain) });
        const sp = spool;
        records = (async function* () {
          for await (const [, r] of sp.read()) {
            count++;
            yield tagger.tag(r!);
          }
        })();
      }
      if (format === 'table') {
        const all: Paper[] = [];
        for await (const r of records) all.push(r);
        const out = new LineWriter(io.stdout);
        if (all.length === 0) await out.write('No records.\n');
        else if (opts.explain) await out.write(renderExplanations(all, tagger, io.columns, io.color));
        else {
          const { renderTable } = await import('../../io/output.js');
          await out.write(renderTable(all, tagTable(all, tagger, io.columns), io.columns, io.color));
        }
        await out.flush();
      } else {
        // Markdown/CSV are not terminals: all keywords, no width-based trimming.
        await writeRecords(records, opts, io, tagTable([], tagger, 1000, keywords > 0));
      }
      if (!opts.quiet) diagnostics.info(`tagged ${count} record${count === 1 ? '' : 's'}`);
    } finally {
      spool?.dispose();
    }
  });
}
