// Public types and defaults of the dedupe stage.
import type { Diagnostics } from '../../errors.js';
import type { Paper } from '../../record.js';

/** Why two records were judged the same paper. */
export type MatchRule =
  | 'doi' // equal DOI
  | 'arxiv' // equal arXiv id (version ignored)
  | 'id' // equal record id and equal normalized title: the same record read twice
  | 'title' // equal normalized title, with years, venues and authors compatible
  | 'near_title' // character-trigram similar titles, with years, venues and authors compatible
  | 'title_prefix' // one title is the other with a subtitle or tail cut off; authors must agree
  | 'text'; // near-duplicate title + abstract (MinHash over word shingles), titles similar

export const MATCH_RULES: readonly MatchRule[] = ['doi', 'arxiv', 'id', 'title', 'near_title', 'title_prefix', 'text'];

export interface MatchedPair {
  a: string;
  b: string;
  rule: MatchRule;
  /**
   * 1 for identifier and exact-title rules; the similarity for near_title (title trigram Jaccard),
   * title_prefix (share of the longer title covered) and text (shingle containment).
   */
  score: number;
}

export interface DuplicateGroup {
  /** 1-based number of the group among merged groups, in order of first appearance. */
  group: number;
  /** Id of the record kept (the most complete one). */
  survivor: string;
  /** Ids of all members in input order, survivor included. */
  members: string[];
  /** The accepted pairs that joined the members (a spanning tree of the group). */
  pairs: MatchedPair[];
}

export interface DedupeStats {
  in: number;
  out: number;
  /** Records absorbed into another (in - out). */
  merged: number;
  /** Groups of two or more records. */
  groups: number;
}

export interface DedupeResult {
  records: Paper[];
  groups: DuplicateGroup[];
  stats: DedupeStats;
}

export interface DedupeOptions {
  /** Most years two records matched by title may lie apart (0 when both name different venues). */
  yearGap: number;
  /** Most years apart for a near-duplicate text match (preprint and published version). */
  textYearGap: number;
  /** Title character-trigram Jaccard needed by the near_title rule. */
  nearTitleThreshold: number;
  /** Share of the shorter author list the other list must contain for near_title and title_prefix. */
  authorOverlap: number;
  /** Estimated word-shingle containment (of the shorter text in the longer) needed by the text rule. */
  textThreshold: number;
  /** Title trigram Jaccard the text rule still needs (keeps an extended version with a new title apart). */
  textTitleThreshold: number;
  /** Below this containment the text rule, too, is vetoed by disjoint author lists; above it the text is taken as verbatim. */
  textAuthorOverride: number;
  /** When both records have abstracts, a title rule also needs at least this containment. */
  titleTextThreshold: number;
  /** Abstracts shorter than this many words are ignored (boilerplate such as "No abstract available"). */
  minAbstractWords: number;
  /**
   * A title is generic (a column or message, not a paper) when it is on the built-in list or made
   * of list words only ("Title, Foreword"), or has at most genericTitleWords content words and
   * occurs genericTitleFrequency times or more carrying three or more different years.
   */
  genericTitleWords: number;
  genericTitleFrequency: number;
  /** title_prefix: the shorter title needs at least this many content words. */
  prefixMinWords: number;
  /** In one bucket, each record is compared with at most this many earlier members (no quadratic buckets). */
  bucketWindow: number;
  /** Words per shingle for the text signature. */
  shingleWords: number;
  /** LSH layout: bands x rows = signature length (at most 256). */
  titleBands: number;
  titleRows: number;
  textBands: number;
  textRows: number;
  /** Seed of the hash functions; the result is deterministic for a given seed. */
  seed: number;
  /** Warnings (repeated ids) go here. */
  diagnostics?: Diagnostics;
}

/**
 * Defaults. Thresholds were chosen on the hand-made variant corpus (fixtures/dedupe) and on real
 * arXiv abstracts with generated variants, then checked on DBLP-ACM (not fitted to it); see
 * docs/sections/dedupe.md and scripts/eval-dedupe.ts for the measurements.
 */
export const DEFAULT_DEDUPE_OPTIONS: Readonly<DedupeOptions> = Object.freeze({
  yearGap: 1,
  textYearGap: 2,
  nearTitleThreshold: 0.7,
  authorOverlap: 0.5,
  textThreshold: 0.7,
  textTitleThreshold: 0.5,
  textAuthorOverride: 0.9,
  titleTextThreshold: 0.4,
  minAbstractWords: 20,
  genericTitleWords: 4,
  genericTitleFrequency: 3,
  prefixMinWords: 3,
  bucketWindow: 32,
  shingleWords: 3,
  titleBands: 24,
  titleRows: 6,
  textBands: 16,
  textRows: 4,
  seed: 0x5eed,
});
