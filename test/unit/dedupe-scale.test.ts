// The fast paths of the dedupe index must agree with the definitions they stand for: word hashes
// with foldText's words, title features with the four title functions, author hashes with
// authorKeys; and resolve() must give the same groups however its later rounds are driven.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Paper } from '../../src/record.js';
import { Column } from '../../src/stages/dedupe/columns.js';
import {
  authorKeyHashes, authorKeys, contentWordCount, foldText, foldedWordHashes, isGenericTitleText, leadingContentWords, numberTokens, titleFeatures,
} from '../../src/stages/dedupe/fold.js';
import { hashString } from '../../src/stages/dedupe/hash.js';
import { dedupe } from '../../src/stages/dedupe/index.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

// Text with the pieces the folding treats specially: LaTeX, braces, math, entities, apostrophes, non-ASCII.
const PIECES = [
  '\\emph{', '}', '{', '$', '$\\alpha$', '\\"{o}', "\\'e", '\\ss', '\\&', '\\\\', '~', '^', '_', '&amp;', '&#246;', '&eacute;', '&',
  "'", '`', '’', 'é', 'ﬁ', 'Ω', ' ', '  ', '-', '.', 'Graph', 'neural', 'NETWORKS', 'of', 'the', 'ii', 'Part', '2', 'v3', '3d', 'x',
];
const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }).map((p) => p.join('')),
  fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 6 })), { maxLength: 30 }).map((p) => p.join(' ')),
);

describe('dedupe fast paths', () => {
  it('foldedWordHashes hashes exactly the words of foldText', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 0xffffffff }), (s, seed) => {
        const words = foldText(s).split(' ').filter(Boolean);
        const { buffer, count } = foldedWordHashes(s, seed, new Uint32Array(2));
        expect(Array.from(buffer.subarray(0, count))).toEqual(words.map((w) => hashString(w, seed)));
      }),
      { numRuns: RUNS },
    );
  });

  it('titleFeatures agrees with contentWordCount, leadingContentWords, isGenericTitleText and numberTokens', () => {
    const titles = fc.oneof(
      text,
      fc.array(fc.constantFrom('editors', 'notes', 'the', 'of', 'introduction', '2021', 'part', 'ii', 'graph', 'message', 'chairs', 'v2', 'a'), { maxLength: 6 }).map((w) => w.join(' ')),
    );
    fc.assert(
      fc.property(titles, fc.integer({ min: 1, max: 4 }), (t, n) => {
        const folded = foldText(t);
        expect(titleFeatures(folded, n)).toEqual({
          contentWords: contentWordCount(folded),
          head: leadingContentWords(folded, n),
          generic: isGenericTitleText(folded),
          numbers: numberTokens(folded),
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('authorKeyHashes hashes the keys of authorKeys', () => {
    const name = fc.oneof(fc.constantFrom('Smith, John', 'J. Smith Jr.', 'Smith JA', 'et al.', 'Rafael Camps Paré', 'B?hm', 'de la Cruz', ''), fc.string({ maxLength: 20 }));
    fc.assert(
      fc.property(fc.oneof(fc.array(name, { maxLength: 6 }), name), (authors) => {
        const out: number[] = [];
        const count = authorKeyHashes(authors, 0x51f15e, out);
        const keys = authorKeys(authors);
        expect(count).toBe(keys.length);
        expect(out).toEqual(keys.flatMap((k) => [hashString(k[0], 0x51f15e) || 1, k.length > 1 ? hashString(k[1], 0x51f15e) || 1 : 0]));
      }),
      { numRuns: RUNS },
    );
  });

  it('flattens a column across chunks', () => {
    const col = new Column(Uint32Array, 2);
    for (let i = 0; i < 70_000; i += 3) col.set(i, i + 1, 1);
    const flat = col.flat(70_001);
    expect(flat.length).toBe(140_002);
    expect(flat[2 * 69_999 + 1]).toBe(70_000);
    expect(flat[2 * 69_998 + 1]).toBe(0);
    expect(flat[2 * 65_535 + 1]).toBe(65_536);
  });
});

describe('dedupe later rounds', () => {
  // A group of three forms in round 0 inside buckets shared with many unrelated records (the prefix
  // bucket, title bands); the next round revisits only the buckets its members hold, and must still
  // leave a fixpoint, whatever the window.
  function corpus(fillers: number): Paper[] {
    const records: Paper[] = [];
    const words = 'alpha beta gamma delta epsilon zeta theta kappa lambda sigma omega rho'.split(' ');
    for (let i = 0; i < fillers; i++) {
      const pick = (k: number) => words[(i * 7 + k * 5 + Math.floor(i / 11)) % words.length];
      records.push({
        id: `f${i}`,
        title: `Sparse attention kernels for ${pick(1)} ${pick(2)} ${i}`,
        abstract: `Filler abstract number ${i} about ${pick(3)} and ${pick(4)}, with words ${pick(5)} ${pick(6)} ${pick(7)} that vary from one record to the next ${i % 13}.`,
        authors: [`Author ${pick(8)}`],
        year: 2000 + (i % 20),
      });
    }
    const abstract =
      'We show that sparse attention kernels can be computed in linear time for documents of any length, and we measure the memory they save on three benchmarks with long inputs.';
    records.splice(Math.floor(fillers / 3), 0, { id: 'a', title: 'Sparse Attention Kernels for Long Documents', authors: ['Maria Keller'], year: 2021, doi: '10.1000/sak' });
    records.splice(Math.floor(fillers / 2), 0, { id: 'b', title: 'Sparse attention kernels for long documents', abstract, authors: ['M. Keller'], year: 2021 });
    records.push({ id: 'c', title: 'Sparse Attention Kernels for Long Documents (extended)', abstract: `${abstract} We add a proof.`, authors: ['Keller, Maria'], year: 2022 });
    return records;
  }

  it('joins the group inside large shared buckets and leaves a fixpoint', () => {
    for (const fillers of [0, 50, 400]) {
      const records = corpus(fillers);
      const once = dedupe(records);
      const twice = dedupe(once.records);
      expect(twice.stats.merged).toBe(0);
      for (const window of [1, 3, 32]) {
        const w = dedupe(records, { bucketWindow: window });
        expect(dedupe(w.records, { bucketWindow: window }).stats.merged).toBe(0);
      }
      const group = once.groups.find((g) => g.members.includes('a'));
      expect(group?.members.slice().sort()).toEqual(['a', 'b', 'c']);
    }
  });
});
