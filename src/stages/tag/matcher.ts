// Taxonomy matching on stem ids. Every phrase of a taxonomy (tag phrases and context phrases alike)
// is compiled once into a stem-indexed table; a document is then matched in one pass over its
// tokens, and context conditions are checked against the matches found in that pass.
//
// Word senses: when several tags list the same phrase with `near` conditions ("kernel" near "cuda"
// for gpu-kernels, near "gaussian process" for kernel-methods), each occurrence goes to the tag whose
// context phrases are nearest and most numerous (each counts 1 / (1 + gap in tokens)). An occurrence
// with no context phrase nearby takes the sense most other occurrences in the same paper took
// ("one sense per discourse"), or none when no occurrence had context.
import { BREAK, type DocTokens, lexicon, phraseStemIds, TITLE } from './lexicon.js';
import { tokenize } from '../../text/tokens.js';
import type { ColorName, Taxonomy } from './taxonomy.js';

const MAX_CONTEXT = 64;

interface Rule {
  tag: number;
  phrase: number;
  weight: number;
  window: number;
  /** Bitset over phrase ids (Uint8Array for simplicity), or null. */
  near: Uint8Array | null;
  notNear: Uint8Array | null;
  line: number;
}

export interface CompiledTag {
  id: string;
  family: string;
  color: ColorName;
  name: string;
  minScore: number;
  /** Position in the taxonomy: ties between senses go to the earlier tag. */
  order: number;
  /** Tag indexes given along with this one (transitive closure of `implies`). */
  implies: number[];
}

/** Why a tag was given: one line per distinct reason, with how often it applied. */
export interface TagReason {
  tag: string;
  reasons: string[];
  score: number;
}

export interface MatchResult {
  tags: string[];
  reasons?: TagReason[];
}

export class CompiledTaxonomy {
  readonly tags: CompiledTag[] = [];
  readonly tagIndex = new Map<string, number>();
  readonly titleWeight: number;
  readonly familyColors = new Map<string, ColorName>();
  private readonly atLeastOne: string[] = [];
  private readonly phraseStems: Int32Array[] = [];
  /** For `exact` phrases, the lexicon entries (word forms) that must appear; else null. */
  private readonly phraseEntries: Array<Int32Array | null> = [];
  private readonly phraseKey = new Map<string, number>();
  private readonly rules: Rule[] = [];
  /** Rules whose main phrase is phrase p: rulesOf[p]. */
  private rulesOf: number[][] = [];
  /** CSR from first stem id to phrase ids (longest first). */
  private firstStart: Int32Array = new Int32Array(0);
  private firstList: Int32Array = new Int32Array(0);
  // Per-document scratch, reused.
  private mPhrase: Int32Array = new Int32Array(256);
  private mStart: Int32Array = new Int32Array(256);
  private mEnd: Int32Array = new Int32Array(256);
  private mCount = 0;
  /** Nearest context match found by the last contextScore call. */
  private bestCue = -1;
  private maxPhrase = 1;
  private readonly contested: number[] = [];
  private tagScore: Float64Array;
  /** Per tag, the end of the last occurrence credited to it in this document. */
  private covered: Int32Array;
  private readonly touched: number[] = [];

  constructor(readonly taxonomy: Taxonomy) {
    this.titleWeight = taxonomy.defaults.titleWeight;
    for (const f of taxonomy.families) {
      this.familyColors.set(f.id, f.color);
      if (f.atLeastOne) this.atLeastOne.push(f.id);
    }
    taxonomy.tags.forEach((t, order) => {
      this.tagIndex.set(t.id, order);
      this.tags.push({
        id: t.id,
        family: t.family,
        color: this.familyColors.get(t.family) ?? 'white',
        name: t.name,
        minScore: t.minScore,
        order,
        implies: [],
      });
    });
    // Transitive closure of implies, so a chain gives every tag along it.
    taxonomy.tags.forEach((t, i) => {
      const seen = new Set<number>([i]);
      const stack = t.implies.map((id) => this.tagIndex.get(id)!);
      while (stack.length) {
        const j = stack.pop()!;
        if (seen.has(j)) continue;
        seen.add(j);
        this.tags[i].implies.push(j);
        for (const id of taxonomy.tags[j].implies) stack.push(this.tagIndex.get(id)!);
      }
      this.tags[i].implies.sort((a, b) => a - b);
    });
    const bitsets: Array<[Rule, string[], string[]]> = [];
    taxonomy.tags.forEach((t, tag) => {
      // "graph" and "graphs" are one stem: the same rule twice in a tag counts once (the larger weight).
      const seen = new Map<string, Rule>();
      for (const p of t.phrases) {
        const phrase = this.phraseId(p.phrase, p.exact);
        const near = p.near.map((c) => this.phraseId(c)).sort((a, b) => a - b);
        const notNear = p.notNear.map((c) => this.phraseId(c)).sort((a, b) => a - b);
        const key = `${phrase}|${near.join(',')}|${notNear.join(',')}|${near.length || notNear.length ? p.window : ''}`;
        const same = seen.get(key);
        if (same) {
          same.weight = Math.max(same.weight, p.weight);
          continue;
        }
        const rule: Rule = { tag, phrase, weight: p.weight, window: p.window, near: null, notNear: null, line: p.line };
        seen.set(key, rule);
        this.rules.push(rule);
        bitsets.push([rule, p.near, p.notNear]);
      }
    });
    const n = this.phraseStems.length;
    for (const [rule, near, notNear] of bitsets) {
      // A context phrase that is the rule's own phrase would only find other occurrences of it.
      if (near.length) {
        rule.near = new Uint8Array(n);
        for (const c of near) if (this.phraseId(c) !== rule.phrase) rule.near[this.phraseId(c)] = 1;
      }
      if (notNear.length) {
        rule.notNear = new Uint8Array(n);
        for (const c of notNear) if (this.phraseId(c) !== rule.phrase) rule.notNear[this.phraseId(c)] = 1;
      }
    }
    for (const p of this.phraseStems) this.maxPhrase = Math.max(this.maxPhrase, p.length);
    this.rulesOf = Array.from({ length: n }, () => []);
    this.rules.forEach((r, i) => this.rulesOf[r.phrase].push(i));
    this.buildIndex();
    this.tagScore = new Float64Array(this.tags.length);
    this.covered = new Int32Array(this.tags.length);
  }

  /** Number of distinct phrases (tag and context phrases). */
  get phraseCount(): number {
    return this.phraseStems.length;
  }

  /** Id of a phrase; "=words" (or exact) matches the word forms as written instead of their stems. */
  private phraseId(text: string, exact = false): number {
    if (text.startsWith('=')) {
      text = text.slice(1);
      exact = true;
    }
    const stems = phraseStemIds(text);
    const entries = exact ? tokenize(text).map((w) => lexicon.entryOf(w)) : null;
    const key = entries ? `=${entries.join(' ')}` : stems.join(' ');
    let id = this.phraseKey.get(key);
    if (id === undefined) {
      id = this.phraseStems.length;
      this.phraseStems.push(Int32Array.from(stems));
      this.phraseEntries.push(entries ? Int32Array.from(entries) : null);
      this.phraseKey.set(key, id);
    }
    return id;
  }

  private buildIndex(): void {
    let maxStem = -1;
    for (const s of this.phraseStems) if (s[0] > maxStem) maxStem = s[0];
    const counts = new Int32Array(maxStem + 2);
    for (const s of this.phraseStems) counts[s[0] + 1]++;
    for (let i = 1; i < counts.length; i++) counts[i] += counts[i - 1];
    this.firstStart = counts;
    const fill = counts.slice();
    const list = new Int32Array(this.phraseStems.length);
    // Longest phrases first so that each start position lists them in that order.
    const order = this.phraseStems.map((_, i) => i).sort((a, b) => this.phraseStems[b].length - this.phraseStems[a].length || a - b);
    for (const p of order) list[fill[this.phraseStems[p][0]]++] = p;
    this.firstList = list;
    // The phrases of firstList, stems back to back in list order: the candidates at one position are
    // then compared without leaving a few cache lines.
    const offsets = new Int32Array(list.length + 1);
    for (let k = 0; k < list.length; k++) offsets[k + 1] = offsets[k] + (this.phraseStems[list[k]]?.length ?? 0);
    const flat = new Int32Array(offsets[list.length]);
    for (let k = 0; k < list.length; k++) if (this.phraseStems[list[k]]) flat.set(this.phraseStems[list[k]], offsets[k]);
    this.listOffset = offsets;
    this.listStems = flat;
  }

  private listOffset: Int32Array = new Int32Array(1);
  private listStems: Int32Array = new Int32Array(0);

  private pushMatch(phrase: number, start: number, end: number): void {
    const i = this.mCount;
    if (i >= this.mPhrase.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.mPhrase = grow(this.mPhrase);
      this.mStart = grow(this.mStart);
      this.mEnd = grow(this.mEnd);
    }
    this.mPhrase[i] = phrase;
    this.mStart[i] = start;
    this.mEnd[i] = end;
    this.mCount = i + 1;
  }

  /** Find every phrase occurrence (tag and context phrases) in one pass; matches sorted by start. */
  private findMatches(doc: DocTokens): void {
    this.mCount = 0;
    const stems = doc.stem;
    const flags = doc.flags;
    const n = doc.length;
    const firstStart = this.firstStart;
    const limit = firstStart.length - 1;
    const list = this.firstList;
    const listOffset = this.listOffset;
    const listStems = this.listStems;
    for (let i = 0; i < n; i++) {
      const s = stems[i];
      if (s < 0 || s >= limit) continue;
      const from = firstStart[s];
      const to = firstStart[s + 1];
      for (let k = from; k < to; k++) {
        const off = listOffset[k];
        const len = listOffset[k + 1] - off;
        if (i + len > n) continue;
        let j = 1;
        // A phrase does not run across punctuation or from the title into the abstract.
        for (; j < len; j++) if (stems[i + j] !== listStems[off + j] || (flags[i + j] & BREAK) !== 0) break;
        if (j < len) continue;
        const p = list[k];
        const exact = this.phraseEntries[p];
        if (exact !== null) {
          let k = 0;
          while (k < len && doc.entry[i + k] === exact[k]) k++;
          if (k < len) continue;
        }
        this.pushMatch(p, i, i + len);
      }
    }
  }

  /**
   * Context score of the phrases in `set` around [start, end): sum of 1 / (1 + gap), counting only
   * phrases in the same part (title or abstract). At most MAX_CONTEXT matches are examined, which
   * bounds the work on pathological text ("a a a a ...") without changing it on real abstracts.
   */
  private contextScore(set: Uint8Array, start: number, end: number, window: number, self: number, titleEnd: number, any: boolean): number {
    let score = 0;
    let best = -1;
    let bestGap = Infinity;
    const inTitle = start < titleEnd;
    let examined = 0;
    // Matches are sorted by start; a context phrase ending within the window starts at most
    // window + (longest phrase) tokens before.
    const mStart = this.mStart;
    const mEnd = this.mEnd;
    const mPhrase = this.mPhrase;
    const count = this.mCount;
    let lo = 0;
    let hi = count;
    const from = start - window - this.maxPhrase;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (mStart[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    const last = end + window;
    for (let m = lo; m < count; m++) {
      const ms = mStart[m];
      if (ms > last || ++examined > MAX_CONTEXT) break;
      if (set[mPhrase[m]] !== 1 || m === self || ms < titleEnd !== inTitle) continue;
      const me = mEnd[m];
      const gap = ms >= end ? ms - end : start >= me ? start - me : 0;
      if (gap > window) continue;
      score += 1 / (1 + gap);
      if (any) break;
      if (gap < bestGap) {
        bestGap = gap;
        best = m;
      }
    }
    this.bestCue = best;
    return score;
  }

  /**
   * Tags of one tokenized paper, sorted by id. With `explain`, also the reasons per tag.
   * Pure apart from reusing this matcher's scratch buffers (not re-entrant).
   */
  match(doc: DocTokens, explain = false): MatchResult {
    this.findMatches(doc);
    const score = this.tagScore;
    const touched = this.touched;
    touched.length = 0;
    const reasons = explain ? new Map<number, Map<string, number>>() : undefined;
    const note = (tag: number, text: string) => {
      if (!reasons) return;
      let m = reasons.get(tag);
      if (!m) reasons.set(tag, (m = new Map()));
      m.set(text, (m.get(text) ?? 0) + 1);
    };
    const covered = this.covered;
    const credit = (rule: Rule, m: number, why: string | undefined, inOrder = true) => {
      // Inside a longer phrase already counted for this tag ("language models" in "large language
      // models"): one mention, counted once. (Matches come in order of position, longest first.)
      if (inOrder) {
        if (this.mEnd[m] <= covered[rule.tag]) return;
        covered[rule.tag] = this.mEnd[m];
      }
      const inTitle = (doc.flags[this.mStart[m]] & TITLE) !== 0;
      const w = rule.weight * (inTitle ? this.titleWeight : 1);
      if (score[rule.tag] === 0) touched.push(rule.tag);
      score[rule.tag] += w;
      if (reasons) note(rule.tag, `"${this.surface(doc, m)}"${inTitle ? ' (title)' : ''}${why ?? ''}`);
    };
    // Occurrences that had no context nearby, to settle by the paper's other occurrences.
    let pending: Array<{ m: number; rules: number[] }> | undefined;
    // Votes: phrase id -> tag -> summed context score of occurrences resolved to it.
    let votes: Map<number, Map<number, number>> | undefined;

    for (let m = 0; m < this.mCount; m++) {
      const ruleIds = this.rulesOf[this.mPhrase[m]];
      if (ruleIds.length === 0) continue;
      const start = this.mStart[m];
      const end = this.mEnd[m];
      let bestRule = -1;
      let bestScore = 0;
      let bestCue = -1;
      const contested = this.contested;
      contested.length = 0;
      for (const ri of ruleIds) {
        const rule = this.rules[ri];
        if (rule.notNear && this.contextScore(rule.notNear, start, end, rule.window, m, doc.titleEnd, true) > 0) continue;
        if (!rule.near) {
          credit(rule, m, undefined);
          continue;
        }
        const s = this.contextScore(rule.near, start, end, rule.window, m, doc.titleEnd, false);
        const best = this.bestCue;
        contested.push(ri);
        if (s > bestScore || (s === bestScore && s > 0 && this.rules[bestRule].tag > rule.tag)) {
          bestScore = s;
          bestRule = ri;
          bestCue = best;
        }
      }
      if (contested.length === 0) continue;
      if (bestRule >= 0) {
        const rule = this.rules[bestRule];
        credit(rule, m, reasons ? ` near "${this.surface(doc, bestCue)}"` : undefined);
        votes ??= new Map();
        let v = votes.get(this.mPhrase[m]);
        if (!v) votes.set(this.mPhrase[m], (v = new Map()));
        v.set(rule.tag, (v.get(rule.tag) ?? 0) + bestScore);
      } else {
        (pending ??= []).push({ m, rules: contested.slice() });
      }
    }
    if (pending && votes) {
      for (const { m, rules } of pending) {
        const v = votes.get(this.mPhrase[m]);
        if (!v) continue;
        let best = -1;
        let bestVote = 0;
        for (const ri of rules) {
          const tv = v.get(this.rules[ri].tag) ?? 0;
          if (tv > bestVote || (tv === bestVote && tv > 0 && this.rules[best].tag > this.rules[ri].tag)) {
            bestVote = tv;
            best = ri;
          }
        }
        if (best >= 0) credit(this.rules[best], m, reasons ? ' (same sense as elsewhere in the paper)' : undefined, false);
      }
    }

    const given = new Set<number>();
    const why: TagReason[] | undefined = reasons ? [] : undefined;
    for (const t of touched) if (score[t] >= this.tags[t].minScore) given.add(t);
    // Families that want at least one tag: the best-scoring one (earlier tag on ties) when none passed.
    for (const family of this.atLeastOne) {
      let best = -1;
      for (const t of touched) {
        if (this.tags[t].family !== family) continue;
        if (given.has(t)) {
          best = -2;
          break;
        }
        if (best === -1 || score[t] > score[best] || (score[t] === score[best] && t < best)) best = t;
      }
      if (best >= 0) {
        given.add(best);
        if (why) {
          const lines = [...reasons!.get(best)!].map(([text, n]) => (n > 1 ? `${text} x${n}` : text));
          why.push({ tag: this.tags[best].id, reasons: [...lines, `best-scoring ${family} tag`], score: score[best] });
        }
      }
    }
    for (const t of [...given]) {
      for (const j of this.tags[t].implies) {
        if (given.has(j)) continue;
        given.add(j);
        if (why) why.push({ tag: this.tags[j].id, reasons: [`implied by ${this.tags[t].id}`], score: 0 });
      }
    }
    const tags: string[] = [];
    for (const t of given) {
      tags.push(this.tags[t].id);
      if (why && score[t] >= this.tags[t].minScore && !why.some((w) => w.tag === this.tags[t].id)) {
        const lines = [...reasons!.get(t)!].map(([text, n]) => (n > 1 ? `${text} x${n}` : text));
        why.push({ tag: this.tags[t].id, reasons: lines, score: score[t] });
      }
    }
    for (const t of touched) {
      score[t] = 0;
      covered[t] = 0;
    }
    tags.sort();
    why?.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    return why ? { tags, reasons: why } : { tags };
  }

  /** The matched words as written in the paper. */
  private surface(doc: DocTokens, m: number): string {
    return doc.span(this.mStart[m], this.mEnd[m]);
  }
}
