// tag is idempotent: tagging tagged records changes nothing (dedupe's own property test covers dedupe).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Paper } from '../../src/record.js';
import { tagCorpus } from '../../src/stages/tag/index.js';
import { SEED } from '../support/cli.js';
import { parseString } from '../support/records.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
let seed: Paper[] = [];

beforeAll(async () => {
  seed = (await parseString(readFileSync(SEED, 'utf8'), {}, 'seed.txt')).records;
});

describe('tag idempotence', () => {
  it('tag(tag(x)) == tag(x) on the whole seed listing', () => {
    const once = tagCorpus(structuredClone(seed));
    const twice = tagCorpus(structuredClone(once));
    expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
    expect(once.every((r) => Array.isArray(r.tags) && Array.isArray(r.keywords))).toBe(true);
  });

  it(`holds on ${RUNS} generated sub-corpora, with user fields and odd text mixed in`, () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 118 }), { minLength: 1, maxLength: 6 }),
        fc.string({ maxLength: 40 }),
        (picks, extra) => {
          const corpus = picks.map((i, k) => ({ ...structuredClone(seed[i]), title: k === 0 ? `${seed[i].title} ${extra}` : seed[i].title, note: extra }));
          const once = tagCorpus(structuredClone(corpus));
          const twice = tagCorpus(structuredClone(once));
          expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
