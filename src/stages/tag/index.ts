// The tag stage: taxonomy tags (with word senses told apart by context), keywords (TF-IDF against
// corpus statistics) and learned tags (a saved linear model). Pure: records in, records out.
//
// Two ways to use it:
//   tagCorpus(records, options)            whole corpus in memory; keywords use its own statistics.
//   createTagger(options).tag(record)      one record at a time (streaming); keyword statistics
//                                          come from options.keywordStats or the model.
import type { Paper } from '../../record.js';
import { DocTokens } from './lexicon.js';
import { GramIndex } from './gram-index.js';
import { docGrams } from './ngrams.js';
import { DEFAULT_KEYWORD_OPTIONS, KeywordExtractor, type KeywordStats, KeywordStatsBuilder } from './keywords.js';
import { CompiledTaxonomy, type TagReason } from './matcher.js';
import type { TagModel } from './classifier.js';
import { defaultTaxonomy } from './default-taxonomy.js';
import type { Taxonomy } from './taxonomy.js';

export interface TagOptions {
  /** Taxonomy to tag with; null for none (learned tags only). Default: the bundled default taxonomy. */
  taxonomy: Taxonomy | CompiledTaxonomy | null;
  /** Keywords per paper (0 = do not add `keywords`). */
  keywords: number;
  /** Longest keyword phrase in content words (1 to 3). */
  keywordWords: number;
  /** Corpus statistics for keywords; tagCorpus computes them from its records when absent. */
  keywordStats?: KeywordStats;
  /** A trained model whose predicted labels are added to `tags`. */
  model?: TagModel;
  /** Add `tag_reasons` ({tag: [why, ...]}) to each record. */
  explain: boolean;
}

export const DEFAULT_TAG_OPTIONS: TagOptions = {
  taxonomy: null,
  keywords: DEFAULT_KEYWORD_OPTIONS.count,
  keywordWords: DEFAULT_KEYWORD_OPTIONS.maxWords,
  explain: false,
};

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function resolveTaxonomy(t: TagOptions['taxonomy'] | undefined): CompiledTaxonomy | null {
  if (t === null) return null;
  if (t === undefined) return compiledDefault();
  return t instanceof CompiledTaxonomy ? t : new CompiledTaxonomy(t);
}

let defaultCompiled: CompiledTaxonomy | undefined;
/** The default taxonomy, compiled once. */
export function compiledDefault(): CompiledTaxonomy {
  defaultCompiled ??= new CompiledTaxonomy(defaultTaxonomy());
  return defaultCompiled;
}

/** First pass for keywords: document frequencies of the corpus' terms and phrases. */
export class CorpusStatsBuilder {
  private readonly doc = new DocTokens();
  private readonly builder: KeywordStatsBuilder;

  constructor(maxWords = DEFAULT_KEYWORD_OPTIONS.maxWords) {
    this.builder = new KeywordStatsBuilder(maxWords);
  }

  add(record: Paper): void {
    this.doc.load(text(record.title), text(record.abstract));
    this.builder.add(this.doc);
  }

  finish(): KeywordStats {
    return this.builder.finish();
  }
}

/** Keyword statistics of a set of records (the first pass of tagCorpus). */
export function buildKeywordStats(records: Iterable<Paper>, maxWords = DEFAULT_KEYWORD_OPTIONS.maxWords): KeywordStats {
  const b = new CorpusStatsBuilder(maxWords);
  for (const r of records) b.add(r);
  return b.finish();
}

/**
 * Tags one record at a time with fixed resources, so memory stays flat however many records pass.
 * Not re-entrant (buffers are reused): one Tagger per concurrent stream.
 */
export class Tagger {
  readonly taxonomy: CompiledTaxonomy | null;
  readonly options: TagOptions;
  private readonly doc = new DocTokens();
  private readonly keywords?: KeywordExtractor;
  /** The model's features and the keyword statistics in one table (one lookup per n-gram). */
  private readonly index?: GramIndex;
  private readonly indexWords: number;

  constructor(options: Partial<TagOptions> = {}) {
    this.options = { ...DEFAULT_TAG_OPTIONS, ...options };
    this.taxonomy = resolveTaxonomy(options.taxonomy);
    const stats = this.options.keywordStats ?? this.options.model?.keywordStats;
    if (this.options.keywords > 0) {
      if (!stats) throw new Error('keywords need corpus statistics: pass keywordStats (or a model that has them), or set keywords: 0');
      this.keywords = new KeywordExtractor(stats, {
        count: this.options.keywords,
        maxWords: this.options.keywordWords,
        titleWeight: DEFAULT_KEYWORD_OPTIONS.titleWeight,
      });
    }
    const model = this.options.model;
    if (model || this.keywords) this.index = new GramIndex(model?.features, this.keywords?.stats.table);
    this.indexWords = Math.max(model ? model.ngrams : 0, this.keywords ? this.options.keywordWords : 0);
  }

  /** Family of a tag id ("learned" for model labels not in the taxonomy). */
  familyOf(tag: string): string | undefined {
    const i = this.taxonomy?.tagIndex.get(tag);
    if (i !== undefined) return this.taxonomy!.tags[i].family;
    return this.options.model?.tags.includes(tag) ? 'learned' : undefined;
  }

  /** The record with `tags` (sorted) and `keywords` set; other fields unchanged, in order. */
  tag(record: Paper): Paper {
    const doc = this.doc;
    doc.load(text(record.title), text(record.abstract));
    const explain = this.options.explain;
    let tags: string[] = [];
    let reasons: TagReason[] | undefined;
    if (this.taxonomy) {
      const m = this.taxonomy.match(doc, explain);
      tags = m.tags;
      reasons = m.reasons;
    }
    const model = this.options.model;
    const index = this.index;
    const grams = index ? docGrams(doc) : undefined;
    if (index) index.resolve(grams!, this.indexWords);
    if (model) {
      const p = model.predictResolved(doc, grams!, index!.feature);
      let added = false;
      for (const k of p.labels) {
        const t = model.tags[k];
        if (!tags.includes(t)) {
          tags.push(t);
          added = true;
        }
        if (explain) {
          const terms = model.explain(doc, k).map((x) => `"${x.term}" ${x.weight.toFixed(3)}`);
          (reasons ??= []).push({
            tag: t,
            reasons: [`learned (${model.field} = ${model.labels[k]}, score ${p.scores[k].toFixed(2)})${terms.length ? `: ${terms.join(', ')}` : ''}`],
            score: p.scores[k],
          });
        }
      }
      if (added) tags.sort();
    }
    const out: Paper = { id: record.id, title: record.title };
    for (const key of Object.keys(record)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
      if (key === 'tags') out.tags = tags;
      else if (key === 'keywords') out.keywords = [];
      else if (key === 'tag_reasons') continue;
      else out[key] = record[key];
    }
    out.tags = tags;
    if (this.keywords) out.keywords = this.keywords.extractResolved(doc, grams!, index!.df);
    else delete out.keywords;
    if (explain) {
      const why: Record<string, string[]> = {};
      for (const r of (reasons ?? []).sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))) {
        why[r.tag] = (why[r.tag] ?? []).concat(r.reasons);
      }
      out.tag_reasons = why;
    }
    return out;
  }
}

export function createTagger(options: Partial<TagOptions> = {}): Tagger {
  return new Tagger(options);
}

/**
 * Tag a corpus held in memory: default taxonomy, keywords against the corpus' own statistics
 * (computed in a first pass unless given), and learned labels when a model is given.
 */
export function tagCorpus(records: Paper[], options: Partial<TagOptions> = {}): Paper[] {
  const keywords = options.keywords ?? DEFAULT_TAG_OPTIONS.keywords;
  let keywordStats = options.keywordStats;
  if (keywords > 0 && !keywordStats) keywordStats = buildKeywordStats(records, options.keywordWords ?? DEFAULT_TAG_OPTIONS.keywordWords);
  const tagger = new Tagger({ ...options, keywords, keywordStats });
  return records.map((r) => tagger.tag(r));
}

export { CompiledTaxonomy } from './matcher.js';
export { parseTaxonomy, type Taxonomy } from './taxonomy.js';
export { defaultTaxonomy, defaultTaxonomyText, DEFAULT_TAXONOMY_PATH } from './default-taxonomy.js';
export { KeywordStats } from './keywords.js';
export { TagModel, LabelledCorpus, trainModel, crossValidate, labelToTag, type EvalReport, type TrainOptions, DEFAULT_TRAIN_OPTIONS } from './classifier.js';
