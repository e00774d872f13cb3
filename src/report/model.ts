// The report model: what a reader needs from a stream of records, gathered in one pass.
// Records may come from any stage; each part of the report uses only the fields present.
// Per paper only a compact entry is kept (no abstract), so a million records stay affordable.
import { type Paper, isCodeUrl, normalizeArxivId, normalizeDoi } from '../record.js';
import { STOPWORDS, stem, tokenize } from '../text/tokens.js';

export interface ReportOptions {
  /** Report title (default "Papers digest"). */
  title?: string;
  /** Report date, YYYY-MM-DD (the adapter supplies it; never the clock here). */
  date: string;
  /** Terms shown per topic. */
  termsPerTopic?: number;
  /** Keep authors, venue and date per paper (only the CSV shows them; a million papers save memory without). */
  paperDetails?: boolean;
  /** Papers removed before the report because an earlier digest already listed them (digest --seen). */
  seen?: SeenFigures;
}

export interface SeenFigures {
  /** Records dropped as already reported. */
  dropped: number;
  /** Duplicates those dropped records had absorbed (they count as read and merged). */
  droppedMerged: number;
  /** Ids known in the state file before this run. */
  known: number;
}

/** One paper as the report shows it. */
export interface PaperEntry {
  id: string;
  title: string;
  year?: number;
  date?: string;
  authors?: string; // "A; B; C"
  venue?: string;
  arxivId?: string;
  doi?: string;
  /** First link that is neither arXiv, DOI nor code (the paper's page), if any. */
  url?: string;
  codeUrls: string[];
  tags: string[];
  /** Index into ReportModel.topics, or -1. */
  topic: number;
  duplicates: number;
}

export interface TopicSummary {
  /** The `cluster` value of the records, or null for records without one. */
  cluster: number | null;
  label: string;
  size: number;
  terms: string[];
  /** Entry indices in input order. */
  members: number[];
}

export interface StageRow {
  stage: string;
  in?: number;
  out: number;
  /** Records dropped or merged away at this stage. */
  removed: number;
  why: string;
}

export interface InputSummary {
  path: string;
  /** Records in this report that came from this input. */
  records: number;
}

export interface ReportModel {
  title: string;
  date: string;
  /** Papers in this report (one per record). */
  papers: number;
  /** Entries read before merging and filtering: papers + merged + seen-dropped. */
  read: number;
  /** Records merged into others (sum of `duplicates` lengths). */
  merged: number;
  withCode: number;
  withArxiv: number;
  withDoi: number;
  years?: { min: number; max: number };
  /** Which stages' fields the records carry. */
  has: { source: boolean; duplicates: boolean; tags: boolean; keywords: boolean; cluster: boolean };
  inputs: InputSummary[];
  stages: StageRow[];
  /** Tags by count (descending), ties by tag. */
  tags: Array<{ tag: string; count: number }>;
  tagged: number;
  /** Topics by size (descending), ties by cluster number; papers without a cluster last. */
  topics: TopicSummary[];
  /** Entries that absorbed duplicates, with the absorbed ids, in input order. */
  duplicateGroups: Array<{ entry: number; ids: string[] }>;
  entries: PaperEntry[];
  seen?: SeenFigures;
}

function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const v of value) if (typeof v === 'string' && v.trim() !== '') out.push(v);
  return out;
}

function httpUrls(value: unknown): string[] {
  return stringList(value).filter((u) => /^https?:\/\//i.test(u.trim()));
}

// Shared by every entry without code links or tags: one array instead of a million.
const NONE: string[] = Object.freeze([]) as unknown as string[];

interface TopicAccumulator {
  cluster: number | null;
  labels: Map<string, number>;
  firstLabel: string;
  members: number[];
  /** Papers of this topic per term key (see termKey). */
  termCounts: Map<string, number>;
}

// Term counting keeps memory bounded on huge inputs: past these sizes, terms seen only once are
// forgotten (lossy counting). Terms shared by several papers, the only ones shown, survive.
const MAX_TERMS = 200_000;
const MAX_TOPIC_TERMS = 50_000;

function pruneSingles(counts: Map<string, number>): void {
  for (const [k, n] of counts) if (n <= 1) counts.delete(k);
}

// Surface form -> term key, for the forms seen most (the same keywords and title words recur).
const MAX_TERM_KEYS = 200_000;
const termKeys = new Map<string, string>();

/** Words of a keyword phrase or title, stemmed so "kernel" and "kernels" count as one term. */
function termKey(phrase: string): string {
  let key = termKeys.get(phrase);
  if (key === undefined) {
    key = phrase.split(' ').map((w) => (/^\p{L}+$/u.test(w) ? stem(w) : w)).join(' ');
    if (termKeys.size < MAX_TERM_KEYS) termKeys.set(phrase, key);
  }
  return key;
}

/** A term over the whole report: papers with it (document frequency) and how they write it. */
interface TermStat {
  df: number;
  /** The first written form and its papers; `forms` takes over once a second form appears. */
  form: string;
  formCount: number;
  forms: Map<string, number> | undefined;
}

/** Gathers records one at a time; `finish` gives the model. */
export class ReportBuilder {
  private readonly entries: PaperEntry[] = [];
  private readonly inputs = new Map<string, number>();
  private readonly tagCounts = new Map<string, number>();
  private readonly topics = new Map<number | null, TopicAccumulator>();
  private readonly duplicateGroups: Array<{ entry: number; ids: string[] }> = [];
  private merged = 0;
  private withCode = 0;
  private withArxiv = 0;
  private withDoi = 0;
  private tagged = 0;
  private minYear = Infinity;
  private maxYear = -Infinity;
  private readonly has = { source: false, duplicates: false, tags: false, keywords: false, cluster: false };
  // Entry index -> raw cluster value, resolved to a topic index in finish().
  private readonly clusterOf: Array<number | null> = [];
  // Papers share a few tag combinations: keep one array per combination.
  private readonly tagSets = new Map<string, string[]>();
  // Papers per term over the whole report (document frequency), and how each term is written.
  private readonly terms = new Map<string, TermStat>();

  constructor(private readonly options: ReportOptions) {}

  add(record: Paper): void {
    const index = this.entries.length;
    const title = typeof record.title === 'string' ? record.title : '';
    const urls = httpUrls(record.urls);
    const codeUrls = httpUrls(record.code_urls);
    for (const u of urls) if (isCodeUrl(u) && !codeUrls.includes(u)) codeUrls.push(u);
    const arxivId = normalizeArxivId(record.arxiv_id);
    const doi = normalizeDoi(record.doi);
    const page = urls.find((u) => !codeUrls.includes(u) && !/arxiv\.org\/(abs|pdf)\//i.test(u) && !/doi\.org\//i.test(u));

    const entry: PaperEntry = { id: String(record.id), title, codeUrls: codeUrls.length ? codeUrls : NONE, tags: NONE, topic: -1, duplicates: 0 };
    if (typeof record.year === 'number' && Number.isFinite(record.year)) {
      entry.year = record.year;
      if (record.year < this.minYear) this.minYear = record.year;
      if (record.year > this.maxYear) this.maxYear = record.year;
    }
    if (this.options.paperDetails !== false) {
      if (typeof record.date === 'string' && record.date) entry.date = record.date;
      const authors = stringList(record.authors);
      if (authors.length) entry.authors = authors.join('; ');
      if (typeof record.venue === 'string' && record.venue) entry.venue = record.venue;
    }
    if (arxivId) {
      entry.arxivId = arxivId;
      this.withArxiv++;
    }
    if (doi) {
      entry.doi = doi;
      this.withDoi++;
    }
    if (page) entry.url = page;
    if (codeUrls.length) this.withCode++;

    const source = record.source as { path?: unknown } | undefined;
    if (source && typeof source === 'object' && typeof source.path === 'string') {
      this.has.source = true;
      this.inputs.set(source.path, (this.inputs.get(source.path) ?? 0) + 1);
    }

    if (Array.isArray(record.duplicates)) {
      this.has.duplicates = true;
      const ids = record.duplicates.filter((d): d is string => typeof d === 'string');
      if (ids.length) {
        entry.duplicates = ids.length;
        this.merged += ids.length;
        this.duplicateGroups.push({ entry: index, ids });
      }
    }

    if (Array.isArray(record.tags)) {
      this.has.tags = true;
      let tags = [...new Set(stringList(record.tags))].sort();
      if (tags.length) {
        const key = tags.join('\u0000');
        const shared = this.tagSets.get(key);
        if (shared) tags = shared;
        else this.tagSets.set(key, tags);
        entry.tags = tags;
      }
      if (tags.length) this.tagged++;
      for (const t of tags) this.tagCounts.set(t, (this.tagCounts.get(t) ?? 0) + 1);
    }

    const keywords = stringList(record.keywords);
    if (Array.isArray(record.keywords)) this.has.keywords = true;
    let cluster: number | null = null;
    if (typeof record.cluster === 'number' && Number.isInteger(record.cluster)) {
      this.has.cluster = true;
      // A negative cluster (cluster's UNCLUSTERED, -1) means "no topic".
      cluster = record.cluster >= 0 ? record.cluster : null;
    }
    this.clusterOf.push(cluster);
    let acc = this.topics.get(cluster);
    if (!acc) {
      acc = { cluster, labels: new Map(), firstLabel: '', members: [], termCounts: new Map() };
      this.topics.set(cluster, acc);
    }
    acc.members.push(index);
    const label = typeof record.cluster_label === 'string' ? record.cluster_label.trim() : '';
    if (label) {
      if (!acc.firstLabel) acc.firstLabel = label;
      acc.labels.set(label, (acc.labels.get(label) ?? 0) + 1);
    }
    this.countTerms(title, keywords, acc);

    this.entries.push(entry);
  }

  /** A paper's terms: its keywords (from the tag stage) and the content words of its title. */
  private countTerms(title: string, keywords: string[], acc: TopicAccumulator): void {
    const keys = new Map<string, string>();
    for (const k of keywords) {
      const surface = k.toLowerCase().replace(/\s+/g, ' ').trim();
      if (surface.length >= 2 && surface.length <= 60) keys.set(termKey(surface), surface);
    }
    for (const w of tokenize(title)) {
      if (w.length < 3 || STOPWORDS.has(w) || /^\d+$/.test(w)) continue;
      const key = termKey(w);
      if (!keys.has(key)) keys.set(key, w);
    }
    for (const [key, surface] of keys) {
      const t = this.terms.get(key);
      if (!t) this.terms.set(key, { df: 1, form: surface, formCount: 1, forms: undefined });
      else {
        t.df++;
        if (t.forms) t.forms.set(surface, (t.forms.get(surface) ?? 0) + 1);
        else if (t.form === surface) t.formCount++;
        else t.forms = new Map([[t.form, t.formCount], [surface, 1]]);
      }
      acc.termCounts.set(key, (acc.termCounts.get(key) ?? 0) + 1);
    }
    if (this.terms.size > MAX_TERMS) {
      for (const [k, t] of this.terms) if (t.df <= 1) this.terms.delete(k);
    }
    if (acc.termCounts.size > MAX_TOPIC_TERMS) pruneSingles(acc.termCounts);
  }

  /**
   * The terms that set a topic apart: shared by several of its papers and rarer elsewhere
   * (papers in the topic with the term x log of its lift over the whole report).
   */
  private topTerms(acc: TopicAccumulator, n: number, papers: number): string[] {
    const minShared = acc.members.length > 1 ? 2 : 1;
    const scored: Array<[string, number]> = [];
    for (const [key, count] of acc.termCounts) {
      if (count < minShared) continue;
      const df = Math.max(count, this.terms.get(key)?.df ?? 0);
      // How much likelier the term is inside the topic than overall (lift), weighted by how many
      // of the topic's papers have it: words every topic shares score low.
      const score = count * Math.log((count * papers) / (acc.members.length * df));
      if (score > 0) scored.push([key, score]);
    }
    scored.sort((a, b) => b[1] - a[1] || compare(a[0], b[0]));
    // Shown as the form most papers use ("vertices" rather than "vertical" for the stem "vertic").
    return scored.slice(0, n).map(([key]) => {
      const t = this.terms.get(key);
      if (!t) return key;
      return t.forms ? (mostFrequent(t.forms) ?? key) : t.form;
    });
  }

  finish(): ReportModel {
    const termsPerTopic = this.options.termsPerTopic ?? 6;
    const papers = this.entries.length;
    const seen = this.options.seen;
    const read = papers + this.merged + (seen ? seen.dropped + seen.droppedMerged : 0);

    const accs = [...this.topics.values()];
    // Without any cluster field there is one implicit group: no topics section.
    const topics: TopicSummary[] = this.has.cluster
      ? accs
          .sort((a, b) => {
            if (a.cluster === null || b.cluster === null) return a.cluster === null ? (b.cluster === null ? 0 : 1) : -1;
            return b.members.length - a.members.length || a.cluster - b.cluster;
          })
          .map((acc) => ({
            cluster: acc.cluster,
            label: mostFrequent(acc.labels) ?? acc.firstLabel,
            size: acc.members.length,
            terms: this.topTerms(acc, termsPerTopic, papers),
            members: acc.members,
          }))
      : [];
    if (topics.length) {
      const topicIndex = new Map<number | null, number>();
      topics.forEach((t, i) => topicIndex.set(t.cluster, i));
      for (let i = 0; i < this.entries.length; i++) this.entries[i].topic = topicIndex.get(this.clusterOf[i]) ?? -1;
    }

    const tags = [...this.tagCounts.entries()]
      .map(([tag, count]) => ({ tag, count }))
      .sort((a, b) => b.count - a.count || compare(a.tag, b.tag));
    const inputs = [...this.inputs.entries()].map(([path, records]) => ({ path, records }));

    const model: ReportModel = {
      title: this.options.title ?? 'Papers digest',
      date: this.options.date,
      papers,
      read,
      merged: this.merged,
      withCode: this.withCode,
      withArxiv: this.withArxiv,
      withDoi: this.withDoi,
      has: { ...this.has },
      inputs,
      stages: [],
      tags,
      tagged: this.tagged,
      topics,
      duplicateGroups: this.duplicateGroups,
      entries: this.entries,
    };
    if (this.minYear <= this.maxYear) model.years = { min: this.minYear, max: this.maxYear };
    if (seen) model.seen = seen;
    model.stages = ledger(model);
    return model;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function mostFrequent(counts: Map<string, number>): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const [k, n] of counts) {
    if (n > bestCount || (n === bestCount && best !== undefined && compare(k, best) < 0)) {
      best = k;
      bestCount = n;
    }
  }
  return best;
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${num(n)} ${n === 1 ? word : many}`;
}

/** The stages the records went through, as far as their fields tell. */
function ledger(m: ReportModel): StageRow[] {
  const rows: StageRow[] = [];
  const seen = m.seen;
  const afterDedupe = m.papers + (seen ? seen.dropped : 0);
  if (m.has.source || m.has.duplicates || seen) {
    const files = m.inputs.length;
    const kept = m.merged || seen?.dropped ? ' kept' : '';
    const why = files ? `from ${m.inputs.map((i) => `${i.path} (${num(i.records)}${kept})`).join(', ')}` : 'records without a source';
    rows.push({ stage: 'parse', out: m.read, removed: 0, why });
  }
  if (m.has.duplicates || m.merged) {
    const groups = m.duplicateGroups.length;
    const dropped = m.merged + (seen?.droppedMerged ?? 0);
    rows.push({
      stage: 'dedupe',
      in: m.read,
      out: afterDedupe,
      removed: dropped,
      why: dropped
        ? seen?.droppedMerged
          ? `${plural(dropped, 'record')} merged as duplicates of other papers`
          : `${plural(dropped, 'record')} merged as duplicates into ${plural(groups, 'paper')}`
        : 'no duplicates found',
    });
  }
  if (seen) {
    rows.push({
      stage: 'seen',
      in: afterDedupe,
      out: m.papers,
      removed: seen.dropped,
      why: `${seen.dropped ? `${plural(seen.dropped, 'paper')} already reported in an earlier digest` : 'none reported before'} (${plural(seen.known, 'paper')} in the --seen state)`,
    });
  }
  if (m.has.tags) {
    const untagged = m.papers - m.tagged;
    rows.push({
      stage: 'tag',
      in: m.papers,
      out: m.papers,
      removed: 0,
      why: `${num(m.tagged)} tagged with ${plural(m.tags.length, 'distinct tag')}${untagged ? `; ${num(untagged)} without a tag` : ''}`,
    });
  }
  if (m.has.cluster) {
    const clustered = m.topics.filter((t) => t.cluster !== null);
    const unclustered = m.topics.find((t) => t.cluster === null)?.size ?? 0;
    rows.push({
      stage: 'cluster',
      in: m.papers,
      out: m.papers,
      removed: 0,
      why: `${plural(clustered.length, 'topic')}${unclustered ? `; ${num(unclustered)} without a topic` : ''}`,
    });
  }
  return rows;
}

/** Build the model from records in one pass. */
export function buildReport(records: Iterable<Paper>, options: ReportOptions): ReportModel {
  const builder = new ReportBuilder(options);
  for (const r of records) builder.add(r);
  return builder.finish();
}

/** Same, from an async stream (records are not kept, only compact entries). */
export async function buildReportAsync(records: AsyncIterable<Paper> | Iterable<Paper>, options: ReportOptions): Promise<ReportModel> {
  const builder = new ReportBuilder(options);
  for await (const r of records) builder.add(r);
  return builder.finish();
}

/** Links of one entry, best first: arXiv, DOI, the paper's page, then code. */
export function entryLinks(e: PaperEntry): { arxiv?: string; doi?: string; page?: string; code: string[] } {
  return {
    arxiv: e.arxivId ? `https://arxiv.org/abs/${e.arxivId}` : undefined,
    doi: e.doi ? `https://doi.org/${e.doi}` : undefined,
    page: e.url,
    code: e.codeUrls,
  };
}
