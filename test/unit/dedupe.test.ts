// The dedupe stage: variants found, hard negatives kept apart, ids conserved, idempotent, deterministic.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CollectingDiagnostics } from '../../src/errors.js';
import type { Paper } from '../../src/record.js';
import {
  DEFAULT_DEDUPE_OPTIONS, DedupeIndex, completeness, dedupe, foldText, isGenericTitleText, mergeGroup, surnames,
} from '../../src/stages/dedupe/index.js';
import { hasSeriesMarker, numberTokens } from '../../src/stages/dedupe/fold.js';
import { FIXTURES, shared } from '../support/cli.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

function readJsonl(path: string): Paper[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Paper);
}

/** Every id of a record set: record ids and the ids they absorbed earlier, sorted. */
function allIds(records: Paper[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    out.push(r.id);
    for (const d of r.duplicates ?? []) out.push(d);
  }
  return out.sort();
}

/**
 * The two-pass API driven the way the CLI drives it: separate iterations, pass 2a only on needed
 * records (in reverse order here, to show order does not matter), pass 2b on objects or on JSON lines.
 */
function dedupeTwoPass(records: Paper[], options = {}, lines = false): { records: Paper[]; groups: unknown[] } {
  const index = new DedupeIndex(options);
  for (const r of records) index.add(r);
  const steps = index.resolveSteps();
  let step = steps.next();
  while (!step.done) step = steps.next();
  const plan = step.value;
  for (let i = records.length - 1; i >= 0; i--) if (plan.needs(i)) plan.collect(i, JSON.parse(JSON.stringify(records[i])));
  const out: Paper[] = [];
  const groups: unknown[] = [];
  records.forEach((r, i) => {
    if (lines) {
      const text = plan.emitLine(i, JSON.stringify(r));
      if (text !== undefined) out.push(JSON.parse(text) as Paper);
    } else {
      const o = plan.emit(i, JSON.parse(JSON.stringify(r)));
      if (o) out.push(o);
    }
    if (plan.lastGroup) groups.push(plan.lastGroup);
  });
  plan.finish();
  return { records: out, groups };
}

describe('folding', () => {
  it('folds case, spacing, ligatures, quotes, dashes, accents, LaTeX and HTML entities alike', () => {
    const plain = foldText('Efficient Lowner-type bounds for "alpha" divergences');
    expect(foldText('Eﬃcient  Löwner—type\nbounds for “$\\alpha$” divergences')).toBe(plain);
    expect(foldText('Efficient L\\"{o}wner-type bounds for \\emph{α} divergences')).toBe(plain);
    expect(foldText('Efficient Lo\u0308wner&ndash;type bounds for &ldquo;alpha&rdquo; divergences')).toBe(plain);
    expect(foldText("Editor's Notes")).toBe(foldText('Editor’s notes'));
    expect(foldText('Stra&#223;e &amp; Bj&#xF8;rn')).toBe('strasse bjorn');
  });

  it('recognizes generic titles but not papers that merely contain such words', () => {
    for (const t of ["Editor's Notes", "Chair's Message", 'Introduction', 'Guest Editorial', 'Book Reviews', 'Calls for Papers / Announcements', 'Title, Foreword', "Vice Chair's Message", 'In Memoriam']) {
      expect(isGenericTitleText(foldText(t)), t).toBe(true);
    }
    for (const t of ['Introduction to Sparse Attention', 'Reviews of Query Optimizers Considered Harmful', 'A Message Passing Network']) {
      expect(isGenericTitleText(foldText(t)), t).toBe(false);
    }
  });

  it('reads surnames from the usual author formats', () => {
    expect(surnames(['Maria Keller', 'Keller, Maria', 'M. Keller', 'Keller M', 'Maria Keller Jr.'])).toEqual(['keller']);
    expect(surnames('Ada Lovelace, Alan Turing')).toEqual(['lovelace', 'turing']);
    expect(surnames('Lovelace, A.; Turing, A.')).toEqual(['lovelace', 'turing']);
    expect(surnames(['José Ortega', 'Jose\u0301 Ortega', 'Lena M\\"uller', 'Lena Müller'])).toEqual(['ortega', 'muller']);
    expect(surnames(['B?hm', 'et al.'])).toEqual([]); // damaged by a bad encoding: neither matches nor vetoes
  });

  it('sees series numbers in titles and tails', () => {
    expect(numberTokens(foldText('Index Tuning, Part II'))).toBe('ii');
    expect(numberTokens(foldText('LightSeg v2: fast'))).toBe('v2');
    expect(hasSeriesMarker('part ii')).toBe(true);
    expect(hasSeriesMarker('outlier free 4 bit inference for llms')).toBe(false);
  });
});

describe('dedupe on the variant corpus (fixtures/dedupe/corpus.jsonl)', () => {
  const corpus = readJsonl(join(FIXTURES, 'dedupe', 'corpus.jsonl'));
  const entity = (id: string) => id.split('#')[0];
  const result = dedupe(corpus);

  it('merges no two distinct papers', () => {
    for (const g of result.groups) expect(new Set(g.members.map(entity)), g.members.join(' + ')).toHaveProperty('size', 1);
  });

  it('finds every variant: each paper comes out once', () => {
    const out = result.records.map((r) => entity(r.id));
    expect(out.length).toBe(new Set(out).size);
    expect(new Set(out)).toEqual(new Set(corpus.map((r) => entity(r.id))));
  });

  it('uses each rule at least once, and explains every merge', () => {
    const rules = new Set(result.groups.flatMap((g) => g.pairs.map((p) => p.rule)));
    expect([...rules].sort()).toEqual(['arxiv', 'doi', 'id', 'near_title', 'text', 'title', 'title_prefix']);
    for (const g of result.groups) expect(g.pairs).toHaveLength(g.members.length - 1);
  });

  it('keeps the most complete record and fills what it lacks from the others', () => {
    const merged = result.records.find((r) => entity(r.id) === 'sparse')!;
    expect(merged.id).toBe('sparse#v2-added'); // the longest abstract among the most complete
    expect(merged.doi).toBe('10.1162/TACL_A_00512'); // filled from the journal version (the stage does not rewrite values)
    expect(merged.venue).toMatch(/Computational Linguistics/);
    expect(merged.code_urls).toEqual(['https://github.com/example/anchor-attention']);
    expect(merged.duplicates).toEqual(['sparse#arxiv-v1', 'sparse#wrapped', 'sparse#journal', 'sparse#retitled']);
    const walks = result.records.find((r) => entity(r.id) === 'walks')!;
    expect(walks.venue).toBe('Proceedings of the Graph Learning Conference');
  });

  it('keeps survivors in order of first appearance of their group', () => {
    const firstSeen = new Map<string, number>();
    corpus.forEach((r, i) => {
      if (!firstSeen.has(entity(r.id))) firstSeen.set(entity(r.id), i);
    });
    const order = result.records.map((r) => firstSeen.get(entity(r.id))!);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('reports counts', () => {
    expect(result.stats).toEqual({ in: corpus.length, out: result.records.length, merged: corpus.length - result.records.length, groups: result.groups.length });
  });

  it('does not modify its input', () => {
    const copy = JSON.parse(JSON.stringify(corpus));
    dedupe(corpus);
    expect(corpus).toEqual(copy);
  });

  it('gives the same bytes twice, and the same through the two-pass API', () => {
    const again = dedupe(corpus);
    expect(JSON.stringify(again)).toBe(JSON.stringify(result));
    for (const lines of [false, true]) {
      const two = dedupeTwoPass(corpus, {}, lines);
      expect(JSON.stringify(two.records)).toBe(JSON.stringify(result.records));
      expect(JSON.stringify(two.groups)).toBe(JSON.stringify(result.groups));
    }
  });

  it('is idempotent: deduping the output changes nothing', () => {
    expect(dedupe(result.records).records).toEqual(result.records);
  });

  it('finds nothing new when the input is read twice', () => {
    const twice = dedupe([...corpus, ...corpus]);
    expect(twice.records).toEqual(result.records);
  });
});

describe('dedupe rules', () => {
  const base: Paper = { id: 'a', title: 'Learning Sparse Anchors for Long Documents', authors: ['Maria Keller'], year: 2021 };

  it('lets conflicting DOIs veto an equal title', () => {
    const r = dedupe([
      { ...base, doi: '10.1000/a' },
      { ...base, id: 'b', doi: '10.1000/b' },
    ]);
    expect(r.stats.merged).toBe(0);
  });

  it('merges equal arXiv ids regardless of version, and keeps different ones apart', () => {
    expect(dedupe([{ ...base, arxiv_id: '2101.00001v1' }, { id: 'b', title: 'Other', arxiv_id: 'arXiv:2101.00001v3' }]).stats.merged).toBe(1);
    expect(dedupe([{ ...base, arxiv_id: '2101.00001' }, { ...base, id: 'b', arxiv_id: '2101.00002' }]).stats.merged).toBe(0);
  });

  it('does not let a chain join records whose identifiers conflict', () => {
    // b (no DOI) matches both a and c by title, but a and c name different DOIs.
    const r = dedupe([
      { ...base, doi: '10.1000/a' },
      { ...base, id: 'b' },
      { ...base, id: 'c', doi: '10.1000/c' },
    ]);
    expect(r.records.map((x) => x.id).sort()).toEqual(['a', 'c']);
  });

  it('vetoes a title match across a year gap or between disjoint author lists', () => {
    expect(dedupe([base, { ...base, id: 'b', year: 2024 }]).stats.merged).toBe(0);
    expect(dedupe([base, { ...base, id: 'b', year: 2022 }]).stats.merged).toBe(1);
    expect(dedupe([base, { ...base, id: 'b', year: 2022 }], { yearGap: 0 }).stats.merged).toBe(0);
    expect(dedupe([base, { ...base, id: 'b', authors: ['Wei Zhang'] }]).stats.merged).toBe(0);
  });

  it('treats different venues in different years as different publications', () => {
    const r = dedupe([
      { ...base, venue: 'VLDB', year: 2000 },
      { ...base, id: 'b', venue: 'VLDB J.', year: 2001 },
    ]);
    expect(r.stats.merged).toBe(0);
  });

  it('needs more than a generic title', () => {
    const ed = { title: "Editor's Notes", authors: ['Carla Rossi'], year: 2021 };
    expect(dedupe([{ id: 'a', ...ed }, { id: 'b', ...ed }]).stats.merged).toBe(0);
    // ... but equal identifiers are enough.
    expect(dedupe([{ id: 'a', ...ed, doi: '10.1000/x' }, { id: 'b', ...ed, doi: '10.1000/X' }]).stats.merged).toBe(1);
  });

  it('marks a short title recurring over three or more years as generic', () => {
    const col = (id: string, year: number): Paper => ({ id, title: 'Database Principles Column', authors: ['Leonid Libkin'], year });
    expect(dedupe([col('a', 2001), col('b', 2001)]).stats.merged).toBe(1);
    expect(dedupe([col('a', 2001), col('b', 2001), col('c', 2002), col('d', 2003)]).stats.merged).toBe(0);
  });

  it('survivor: most complete, ties to the first; union of code links', () => {
    const a: Paper = { id: 'a', title: 'T is a long enough title here', code_urls: ['https://github.com/x/a'] };
    const b: Paper = { id: 'b', title: 'T is a long enough title here', year: 2020, code_urls: ['https://github.com/x/b', 'https://github.com/x/a'] };
    const c: Paper = { id: 'c', title: 'T is a long enough title here', year: 2020, code_urls: [] };
    const r = dedupe([a, b, c]);
    expect(r.records).toHaveLength(1);
    expect(r.records[0].id).toBe('b');
    expect(r.records[0].code_urls).toEqual(['https://github.com/x/b', 'https://github.com/x/a']);
    expect(r.records[0].duplicates).toEqual(['a', 'c']);
    expect(completeness(b)).toBeGreaterThan(completeness(a));
  });

  it('carries ids absorbed in an earlier run, without repeats', () => {
    const m = mergeGroup(
      [
        { id: 'a', title: 'x', duplicates: ['p', 'q'] },
        { id: 'b', title: 'x', duplicates: ['r'] },
      ],
      [
        { id: 'b', title: 'x', duplicates: ['r'] },
        { id: 'a', title: 'x', duplicates: ['p', 'q'] },
      ],
    );
    expect(m.duplicates).toEqual(['p', 'q', 'b', 'r']);
  });

  it('never copies a __proto__ key into a merged record', () => {
    const evil = JSON.parse('{"id":"b","title":"Learning Sparse Anchors for Long Documents","__proto__":{"polluted":true},"year":2021}') as Paper;
    const r = dedupe([base, evil]);
    expect(r.records).toHaveLength(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(r.records[0])).toBe(Object.prototype);
  });

  it('tolerates fields of unexpected types', () => {
    const odd = { id: 'x', title: 'Odd', authors: 'Keller, Maria', year: '2021', abstract: 42, doi: 7, code_urls: 'nope' } as unknown as Paper;
    const r = dedupe([odd, { ...odd, id: 'y' }]);
    expect(r.stats.in).toBe(2);
  });

  it('warns when an id stays repeated in the output', () => {
    const diagnostics = new CollectingDiagnostics();
    dedupe([{ id: 'same', title: 'One paper about graphs' }, { id: 'same', title: 'Another paper about proteins' }], { diagnostics });
    expect(diagnostics.warnings.join('\n')).toMatch(/id "same" is also used by a different record/);
  });

  it('rejects option values out of range', () => {
    expect(() => dedupe([], { nearTitleThreshold: 2 })).toThrow(RangeError);
    expect(() => dedupe([], { titleBands: 30, titleRows: 10 })).toThrow(/bands x rows/);
    expect(dedupe([]).stats).toEqual({ in: 0, out: 0, merged: 0, groups: 0 });
  });
});

describe('dedupe at scale', () => {
  it('caps buckets: 4,000 records with one generic title cost a bounded number of comparisons', () => {
    const records: Paper[] = [];
    for (let i = 0; i < 4000; i++) records.push({ id: `r${i}`, title: 'Introduction', authors: [`Author${i % 50} Name`], year: 1990 + (i % 30) });
    const index = new DedupeIndex();
    for (const r of records) index.add(r);
    const plan = index.resolve();
    // Every bucket source (5 keyed, the title and text bands) compares a record with at most `window` others, per round.
    const o = DEFAULT_DEDUPE_OPTIONS;
    expect(plan.comparisons).toBeLessThanOrEqual(records.length * o.bucketWindow * (5 + o.titleBands + o.textBands) * plan.rounds);
    // Far from all pairs: a rejected pair is not judged again for the other buckets it shares.
    expect(plan.comparisons).toBeLessThanOrEqual(2 * records.length * o.bucketWindow * plan.rounds);
    expect(plan.stats.merged).toBe(0);
  });
});

// ---- properties ----

const BASES = [
  { title: 'Anchor Attention: Linear-Time Transformers for Long Documents', authors: ['Maria Keller', 'Wei Zhang'], year: 2021, doi: '10.1000/anchor', arxiv_id: '2103.04412' },
  { title: 'Random-Walk Positional Encodings Beyond Weisfeiler-Leman', authors: ['Priya Raman'], year: 2023, doi: '10.1000/walks' },
  { title: 'Progressive Step Distillation for Diffusion Samplers', authors: ['Ana Lima', 'Kenji Watanabe'], year: 2022, arxiv_id: '2202.00512' },
  { title: 'Noise-Aware Optical Flow for Night Driving', authors: ['José Ortega'], year: 2020 },
  { title: "Editor's Notes", authors: ['Carla Rossi'], year: 2021 },
  { title: 'Learning to Walk on Sand and Snow', authors: ['Greta Holm', 'Daniel Osei'], year: 2022 },
  { title: 'Index Tuning in Practice, Part I', authors: ['Ruth Bauer'], year: 2019 },
  { title: 'Index Tuning in Practice, Part II', authors: ['Ruth Bauer'], year: 2019 },
];
const SENTENCES = [
  'We study attention for documents longer than the context window of standard transformers.',
  'Our method selects anchor tokens with a learned scoring function.',
  'The cost grows linearly with the length of the document.',
  'On three benchmarks the model matches dense attention with a fifth of the memory.',
  'We release code and checkpoints so that every number can be reproduced.',
  'Message passing networks cannot tell apart graphs with identical local structure.',
];

const variant = fc.record({
  base: fc.nat({ max: BASES.length - 1 }),
  titleForm: fc.constantFrom('same', 'upper', 'lower', 'spaces', 'punct', 'other', 'prefix', 'empty', 'generic'),
  abstract: fc.option(fc.subarray(SENTENCES, { minLength: 3 }), { nil: undefined }),
  keepAuthors: fc.boolean(),
  yearShift: fc.constantFrom(0, 0, 0, 1, 5),
  keepDoi: fc.boolean(),
  keepArxiv: fc.boolean(),
  version: fc.constantFrom('', 'v1', 'v2'),
  code: fc.option(fc.constantFrom('https://github.com/a/b', 'https://gitlab.com/c/d'), { nil: undefined }),
  extra: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
  prior: fc.nat({ max: 2 }),
  venue: fc.constantFrom(undefined, 'VLDB', 'VLDB J.'),
  date: fc.constantFrom(undefined, '2021-05-01', 'n.d.'),
  yearAsText: fc.boolean(),
  arxivDoi: fc.boolean(),
});

function build(variants: Array<typeof variant extends fc.Arbitrary<infer T> ? T : never>): Paper[] {
  let priorId = 0;
  return variants.map((v, k) => {
    const b = BASES[v.base];
    const title =
      v.titleForm === 'upper' ? b.title.toUpperCase()
      : v.titleForm === 'lower' ? b.title.toLowerCase()
      : v.titleForm === 'spaces' ? b.title.replace(/ /g, '  \n ')
      : v.titleForm === 'punct' ? b.title.replace(/[:,-]/g, ' ; ')
      : v.titleForm === 'other' ? `Unrelated study number ${k} of ${b.title.split(' ')[0]}`
      : v.titleForm === 'prefix' ? b.title.split(/[:,]/)[0]
      : v.titleForm === 'empty' ? ''
      : v.titleForm === 'generic' ? 'Introduction'
      : b.title;
    const r: Paper = { id: `r${k}`, title };
    if (v.abstract) r.abstract = v.abstract.join(' ');
    if (v.keepAuthors) r.authors = b.authors;
    r.year = v.yearAsText ? (`${b.year + v.yearShift}` as unknown as number) : b.year + v.yearShift;
    if (v.venue) r.venue = v.venue;
    if (v.date) r.date = v.date;
    if (v.arxivDoi && b.arxiv_id) r.doi = `10.48550/arXiv.${b.arxiv_id}`;
    if (v.keepDoi && b.doi) r.doi = b.doi;
    if (v.keepArxiv && b.arxiv_id) r.arxiv_id = b.arxiv_id + v.version;
    if (v.code) r.code_urls = [v.code];
    if (v.extra !== undefined) r.extra_field = v.extra;
    if (v.prior) r.duplicates = Array.from({ length: v.prior }, () => `p${priorId++}`);
    return r;
  });
}

describe('dedupe properties', () => {
  const input = fc.array(variant, { maxLength: 24 }).map(build);

  it(
    `holds its invariants on ${RUNS} generated inputs: ids conserved, idempotent, deterministic, two-pass equal, no identifier conflict`,
    () => {
      fc.assert(
        fc.property(input, (records) => {
          const once = dedupe(records);
          // Conservation: every input id is an output id or in exactly one duplicates list.
          expect(allIds(once.records)).toEqual(allIds(records));
          expect(once.stats.in).toBe(records.length);
          expect(once.stats.out).toBe(once.records.length);
          const members = once.groups.flatMap((g) => g.members).sort();
          expect(new Set(members).size).toBe(members.length);
          // Idempotence: the output is a fixpoint.
          const twice = dedupe(once.records);
          expect(twice.records).toEqual(once.records);
          expect(twice.stats.merged).toBe(0);
          // Determinism, and the streaming form agrees byte for byte.
          expect(JSON.stringify(dedupe(records))).toBe(JSON.stringify(once));
          expect(JSON.stringify(dedupeTwoPass(records, {}, records.length % 2 === 0).records)).toBe(JSON.stringify(once.records));
          // No group holds two different DOIs or arXiv ids, whatever chain joined it.
          const byId = new Map(records.map((x) => [x.id, x]));
          for (const g of once.groups) {
            // An arXiv DataCite DOI (10.48550/arXiv.X) names the arXiv id X, not a published version.
            const doiOf = (m: string) => String(byId.get(m)!.doi ?? '').toLowerCase();
            const dois = new Set(g.members.map(doiOf).filter((d) => d && !d.startsWith('10.48550/')));
            const arxivOf = (m: string) => String(byId.get(m)!.arxiv_id ?? '').replace(/v\d+$/, '');
            const arx = new Set(g.members.map(arxivOf).filter(Boolean));
            for (const m of g.members) if (doiOf(m).startsWith('10.48550/') && !arxivOf(m)) arx.add(doiOf(m).slice('10.48550/arxiv.'.length));
            expect(dois.size).toBeLessThanOrEqual(1);
            expect(arx.size).toBeLessThanOrEqual(1);
          }
        }),
        { numRuns: RUNS },
      );
    },
    600_000,
  );
});

// ---- real data: a sample in fixtures, the full sets in ../shared (skipped when absent) ----

function readPercent(dir: string, file: string, prefix: string): Paper[] {
  return readFileSync(join(dir, file), 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const [id, title, authors, venue, year] = line.split('%');
      const r: Paper = { id: `${prefix}:${id}`, title, authors: authors.split(',').map((x) => x.trim()).filter(Boolean) };
      if (venue) r.venue = venue;
      if (year) r.year = Number(year);
      return r;
    });
}

function scorePairs(dir: string, groups: Array<{ members: string[] }>): { predicted: number; correct: number; truth: number } {
  const truth = new Set(
    readFileSync(join(dir, 'gt.csv'), 'utf8')
      .split(/\r?\n/)
      .slice(1)
      .filter(Boolean)
      .map((l) => {
        const [d, a] = l.split('%');
        return `dblp:${d}|acm:${a}`;
      }),
  );
  let predicted = 0;
  let correct = 0;
  for (const g of groups) {
    for (let x = 0; x < g.members.length; x++) {
      for (let y = x + 1; y < g.members.length; y++) {
        predicted++;
        const [a, b] = [g.members[x], g.members[y]];
        if (truth.has(`${a}|${b}`) || truth.has(`${b}|${a}`)) correct++;
      }
    }
  }
  return { predicted, correct, truth: truth.size };
}

describe('dedupe on the DBLP-ACM sample (fixtures/dedupe/dblp-acm-sample)', () => {
  it('finds the true pairs and merges none of the 20 same-title editorial items', () => {
    const dir = join(FIXTURES, 'dedupe', 'dblp-acm-sample');
    const r = dedupe([...readPercent(dir, 'dblp.csv', 'dblp'), ...readPercent(dir, 'acm.csv', 'acm')]);
    const s = scorePairs(dir, r.groups);
    expect(s.predicted - s.correct).toBe(0);
    expect(s.correct / s.truth).toBeGreaterThanOrEqual(0.9);
  });
});

const DBLP_ACM = shared('dblp-acm');
describe.skipIf(!existsSync(join(DBLP_ACM, 'gt.csv')))('dedupe on DBLP-ACM', () => {
  it('reaches F1 >= 0.97 on the concatenated sources', () => {
    const r = dedupe([...readPercent(DBLP_ACM, 'dblp.csv', 'dblp'), ...readPercent(DBLP_ACM, 'acm.csv', 'acm')]);
    const s = scorePairs(DBLP_ACM, r.groups);
    const precision = s.correct / s.predicted;
    const recall = s.correct / s.truth;
    expect((2 * precision * recall) / (precision + recall)).toBeGreaterThanOrEqual(0.97);
    // Every merge is explained.
    for (const g of r.groups) expect(g.pairs.length).toBe(g.members.length - 1);
  });
});

const ARXIV = shared('arxiv-cs-2016', 'papers.jsonl');
describe.skipIf(!existsSync(ARXIV))('dedupe on arXiv cs 2016', () => {
  it('keeps the 11 same-title pairs with different arXiv ids apart (no merge at all)', () => {
    const rows = readJsonl(ARXIV) as unknown as Array<Record<string, unknown>>;
    const records = rows.map((x) => ({ id: String(x.arxiv_id), title: String(x.title), abstract: String(x.abstract), authors: x.authors as string[], arxiv_id: String(x.arxiv_id), doi: (x.doi as string) || undefined }));
    const r = dedupe(records);
    expect(r.stats.merged).toBe(0);
  });
});
