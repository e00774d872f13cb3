// The dedupe stage: find records that describe the same paper and merge each group into its most
// complete record. In memory: dedupe(records). For large inputs, the same work in two passes:
//   const index = new DedupeIndex(options); for (r of records) index.add(r);   // pass 1, compact
//   const plan = index.resolve();
//   for ([i, r] of records again) if (plan.needs(i)) plan.collect(i, r);       // pass 2a
//   for ([i, r] of records again) { const out = plan.emit(i, r); if (out) write(out); } // pass 2b
//   plan.finish();
import type { Paper } from '../../record.js';
import { DedupeIndex } from './engine.js';
import type { DedupeOptions, DedupeResult, DuplicateGroup } from './types.js';

export { DedupeIndex } from './engine.js';
export { DedupePlan } from './plan.js';
export { completeness, mergeGroup } from './merge.js';
export { foldText, surnames, isGenericTitleText } from './fold.js';
export {
  DEFAULT_DEDUPE_OPTIONS,
  MATCH_RULES,
  type DedupeOptions,
  type DedupeResult,
  type DedupeStats,
  type DuplicateGroup,
  type MatchRule,
  type MatchedPair,
} from './types.js';

/** Deduplicate records held in memory. Pure: the input records are not modified. */
export function dedupe(records: Paper[], options: Partial<DedupeOptions> = {}): DedupeResult {
  const index = new DedupeIndex(options);
  for (const r of records) index.add(r);
  const plan = index.resolve();
  records.forEach((r, i) => {
    if (plan.needs(i)) plan.collect(i, r);
  });
  const out: Paper[] = [];
  const groups: DuplicateGroup[] = [];
  records.forEach((r, i) => {
    const o = plan.emit(i, r);
    if (o) out.push(o);
    if (plan.lastGroup) groups.push(plan.lastGroup);
  });
  plan.finish();
  return { records: out, groups, stats: plan.stats };
}
