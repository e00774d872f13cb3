// Pass 2 of dedupe. The plan knows every record's group; the records are read again (twice):
// collect() keeps only members of groups with duplicates and merges each group as soon as it is
// complete; emit() then returns the output record at each position, so survivors come out in
// order of their group's first appearance.
import type { Diagnostics } from '../../errors.js';
import type { Paper } from '../../record.js';
import { radixSortByKey } from './columns.js';
import { mergeGroup } from './merge.js';
import { MATCH_RULES, type DedupeStats, type DuplicateGroup, type MatchedPair } from './types.js';

export interface PlanInput {
  /** Union-find root of each record. */
  roots: Int32Array;
  /** Completeness of each record (higher is kept). */
  scores: Float64Array;
  /** Accepted pairs: record indices, rule index into MATCH_RULES, score x 10000. */
  edges: { a: Uint32Array; b: Uint32Array; rule: Uint32Array; score: Uint32Array };
  /** Number of pairs judged. */
  comparisons: number;
  /** The same, by the bucket source that proposed the pair. */
  comparisonsBySource: Record<string, number>;
  /** Rounds run by resolve() (the record round plus rounds over group views). */
  rounds: number;
  /** Record id keys (two 32-bit halves), to notice ids that stay repeated in the output. */
  idHi: Uint32Array;
  idLo: Uint32Array;
  diagnostics?: Diagnostics;
}

const MAX_ID_WARNINGS = 10;

export class DedupePlan {
  readonly size: number;
  readonly stats: DedupeStats;
  /** Pairs judged in resolve() (a measure of work: never all pairs). */
  readonly comparisons: number;
  readonly comparisonsBySource: Record<string, number>;
  readonly rounds: number;
  private readonly slotOf: Int32Array;
  private readonly slotSize: Int32Array;
  private readonly slotFirst: Int32Array;
  private readonly slotGroup: Int32Array;
  private readonly slotClash: Uint8Array;
  private readonly scores: Float64Array;
  private readonly edgeStart: Int32Array;
  private readonly edgeOrder: Int32Array;
  private readonly edges: PlanInput['edges'];
  private readonly pending = new Map<number, Array<{ i: number; rec: Paper }>>();
  private readonly merged = new Map<number, { record: Paper; group: DuplicateGroup }>();
  private readonly diagnostics?: Diagnostics;
  private idWarnings = 0;
  private emitted = 0;
  /** The group merged into the record returned by the last emit() call, if it was a merged one. */
  lastGroup: DuplicateGroup | undefined;

  constructor(input: PlanInput) {
    const n = input.roots.length;
    this.size = n;
    this.scores = input.scores;
    this.comparisons = input.comparisons;
    this.rounds = input.rounds;
    this.comparisonsBySource = input.comparisonsBySource;
    this.diagnostics = input.diagnostics;
    // Output slots in order of first appearance of each group.
    const slotOfRoot = new Int32Array(n).fill(-1);
    this.slotOf = new Int32Array(n);
    let slots = 0;
    for (let i = 0; i < n; i++) {
      const r = input.roots[i];
      if (slotOfRoot[r] < 0) slotOfRoot[r] = slots++;
      this.slotOf[i] = slotOfRoot[r];
    }
    this.slotSize = new Int32Array(slots);
    this.slotFirst = new Int32Array(slots).fill(-1);
    const survivor = new Int32Array(slots).fill(-1);
    for (let i = 0; i < n; i++) {
      const s = this.slotOf[i];
      this.slotSize[s]++;
      if (this.slotFirst[s] < 0) this.slotFirst[s] = i;
      const best = survivor[s];
      if (best < 0 || this.scores[i] > this.scores[best]) survivor[s] = i;
    }
    this.slotGroup = new Int32Array(slots);
    let groups = 0;
    for (let s = 0; s < slots; s++) if (this.slotSize[s] > 1) this.slotGroup[s] = ++groups;
    this.stats = { in: n, out: slots, merged: n - slots, groups };

    // Edges grouped by slot (counting sort).
    this.edges = input.edges;
    const m = input.edges.a.length;
    this.edgeStart = new Int32Array(slots + 1);
    for (let k = 0; k < m; k++) this.edgeStart[this.slotOf[input.edges.a[k]] + 1]++;
    for (let s = 0; s < slots; s++) this.edgeStart[s + 1] += this.edgeStart[s];
    this.edgeOrder = new Int32Array(m);
    const fill = this.edgeStart.slice(0, slots);
    for (let k = 0; k < m; k++) this.edgeOrder[fill[this.slotOf[input.edges.a[k]]]++] = k;

    // Output ids that stay repeated: survivors of different slots with the same id key.
    this.slotClash = new Uint8Array(slots);
    const items = Uint32Array.from(survivor);
    const keys = Uint32Array.from(survivor, (i) => input.idHi[i]);
    const sorted = radixSortByKey(items, keys);
    for (let k = 1; k < sorted.items.length; k++) {
      const a = sorted.items[k - 1];
      const b = sorted.items[k];
      if (sorted.keys[k] === sorted.keys[k - 1] && input.idLo[a] === input.idLo[b]) {
        this.slotClash[this.slotOf[a]] = 1;
        this.slotClash[this.slotOf[b]] = 1;
      }
    }
  }

  /** True when record i belongs to a group with duplicates (collect() needs it). */
  needs(i: number): boolean {
    return this.slotSize[this.slotOf[i]] > 1;
  }

  /** Pass 2a: hand over record i (only those for which needs(i) is true are kept). */
  collect(i: number, rec: Paper): void {
    const s = this.slotOf[i];
    const size = this.slotSize[s];
    if (size < 2 || this.merged.has(s)) return;
    let members = this.pending.get(s);
    if (!members) this.pending.set(s, (members = []));
    if (members.some((m) => m.i === i)) return;
    members.push({ i, rec });
    if (members.length < size) return;
    this.pending.delete(s);
    const inputOrder = members.slice().sort((x, y) => x.i - y.i);
    const ranked = members.slice().sort((x, y) => this.scores[y.i] - this.scores[x.i] || x.i - y.i);
    const record = mergeGroup(
      ranked.map((m) => m.rec),
      inputOrder.map((m) => m.rec),
    );
    const idOf = new Map(members.map((m) => [m.i, String(m.rec.id)]));
    const pairs: MatchedPair[] = [];
    for (let e = this.edgeStart[s]; e < this.edgeStart[s + 1]; e++) {
      const k = this.edgeOrder[e];
      pairs.push({
        a: idOf.get(this.edges.a[k])!,
        b: idOf.get(this.edges.b[k])!,
        rule: MATCH_RULES[this.edges.rule[k]],
        score: this.edges.score[k] / 10000,
      });
    }
    const group: DuplicateGroup = {
      group: this.slotGroup[s],
      survivor: String(ranked[0].rec.id),
      members: inputOrder.map((m) => String(m.rec.id)),
      pairs,
    };
    this.merged.set(s, { record, group });
  }

  /**
   * Pass 2b: the output record at record i's position: the record itself when it has no duplicates,
   * the merged survivor at the first member of a group, nothing for the group's other members.
   */
  emit(i: number, rec: Paper): Paper | undefined {
    const s = this.slotOf[i];
    this.lastGroup = undefined;
    let out: Paper;
    if (this.slotSize[s] === 1) {
      out = rec;
    } else {
      if (i !== this.slotFirst[s]) return undefined;
      const m = this.merged.get(s);
      if (!m) throw new Error(`dedupe pass 2: group ${this.slotGroup[s]} was not collected before emit`);
      this.merged.delete(s);
      out = m.record;
      this.lastGroup = m.group;
    }
    this.emitted++;
    if (this.slotClash[s]) this.warnClash(out);
    return out;
  }

  /**
   * emit() for records held as JSON lines (a spool file): a record without duplicates is returned
   * as the same line, unparsed; a merged record is serialized. The output is byte-identical to
   * JSON.stringify(emit(i, JSON.parse(line))).
   */
  emitLine(i: number, line: string): string | undefined {
    const s = this.slotOf[i];
    if (this.slotSize[s] > 1) {
      const out = this.emit(i, undefined as unknown as Paper);
      return out ? JSON.stringify(out) : undefined;
    }
    this.lastGroup = undefined;
    this.emitted++;
    if (this.slotClash[s]) this.warnClash(JSON.parse(line) as Paper);
    return line;
  }

  /** Call after pass 2: checks every group was emitted and summarizes repeated-id warnings. */
  finish(): void {
    if (this.emitted !== this.stats.out) {
      throw new Error(`dedupe pass 2: emitted ${this.emitted} of ${this.stats.out} records (records changed between passes?)`);
    }
    if (this.idWarnings > MAX_ID_WARNINGS) {
      this.diagnostics?.warn(`${this.idWarnings} output records share their id with another record (${MAX_ID_WARNINGS} shown)`);
    }
  }

  private warnClash(rec: Paper): void {
    this.idWarnings++;
    if (this.idWarnings > MAX_ID_WARNINGS) return;
    const src = rec.source;
    const loc = src && typeof src === 'object' && typeof src.path === 'string' ? { path: src.path, line: typeof src.line === 'number' ? src.line : undefined } : undefined;
    this.diagnostics?.warn(`id ${JSON.stringify(rec.id)} is also used by a different record (not a duplicate); ids should be unique`, loc);
  }
}
