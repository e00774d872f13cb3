// Invariants checked on generated inputs (fast-check). PROPERTY_RUNS raises the count for long runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CollectingDiagnostics, DataError } from '../../src/errors.js';
import { sanitizeForTerminal } from '../../src/io/terminal.js';
import { IdRegistry } from '../../src/record.js';
import { formatNames, parseText } from '../../src/stages/parse/index.js';
import { chunksOf } from '../support/records.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

async function parseAll(text: string, from?: string, chunk = 64): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const r of parseText(chunksOf(text, chunk), 'gen.txt', { from }, new CollectingDiagnostics(), new IdRegistry())) out.push(r);
  return out;
}

// Text that looks like the inputs parsers see: lines of mixed structure, quotes, braces, controls.
const inputText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 400 }),
  fc.array(
    fc.oneof(
      fc.constantFrom('{', '}', '[', ']', '"', ',', '\n', '\r\n', '\t', '%', 'title', 'abstract', 'TY  - JOUR', 'ER  -', '@article{', '\\\\', 'arXiv:2301.00001', '<?xml version="1.0"?>', '<record>', '</record>', 'Title: ', '> ', '\u0000', '\uFEFF', '\u202E'),
      fc.string({ maxLength: 30 }),
      fc.string({ minLength: 200, maxLength: 400 }),
    ),
    { maxLength: 40 },
  ).map((parts) => parts.join('')),
);

describe('properties', () => {
  it('parse never throws anything but a DataError, for any text and any format', async () => {
    await fc.assert(
      fc.asyncProperty(inputText, fc.constantFrom(undefined, ...formatNames()), async (text, from) => {
        try {
          const records = await parseAll(text, from);
          expect(Array.isArray(records)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(DataError);
          expect((err as Error).message).toMatch(/^gen\.txt(:\d+)?: /);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('records round-trip through JSONL unchanged, control characters and odd keys included', async () => {
    const key = fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('tags', 'x-y', 'ünï', ' '));
    const value = fc.jsonValue({ maxDepth: 3 });
    const record = fc.record({
      id: fc.string({ minLength: 1, maxLength: 20 }),
      title: fc.string({ maxLength: 60 }),
      source: fc.record({ path: fc.string({ maxLength: 10 }), line: fc.integer({ min: 1, max: 1e6 }) }),
      extra: fc.dictionary(key, value, { maxKeys: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 5 }), async (recs) => {
        const papers = recs.map(({ extra, ...rest }) => {
          const out: Record<string, unknown> = Object.create(null);
          for (const [k, v] of Object.entries(extra)) if (!['__proto__', 'constructor', 'prototype', 'id', 'title', 'source'].includes(k)) out[k] = v;
          return { ...rest, ...out };
        });
        const text = papers.map((p) => JSON.stringify(p)).join('\n') + '\n';
        const back = await parseAll(text, 'jsonl', 13);
        expect(back.map((r) => JSON.stringify(r))).toEqual(papers.map((p) => JSON.stringify(p)));
      }),
      { numRuns: RUNS },
    );
  });

  it('the terminal sanitizer is idempotent and leaves no control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.boolean(), (s, keepNewlines) => {
        const once = sanitizeForTerminal(s, keepNewlines);
        expect(sanitizeForTerminal(once, keepNewlines)).toBe(once);
        // eslint-disable-next-line no-control-regex
        const bad = keepNewlines ? /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/ : /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
        expect(bad.test(once)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('parsing does not depend on how the input is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 97 }), fc.constantFrom('listing', 'csv', 'jsonl'), async (chunk, kind) => {
        const text =
          kind === 'csv'
            ? 'title,abstract\n"Caf\u00e9 \u{1F600}, a title","multi\nline"\nplain,row\n'
            : kind === 'jsonl'
              ? '{"title":"\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9 \u{1F600}"}\n{"title":"b"}\n'
              : `Title \u00fc\u00f1\u00ee\n${'An abstract sentence with \u00e9m\u00f6ji \u{1F600}. '.repeat(8)}\n`;
        const whole = await parseAll(text, undefined, 1 << 16);
        const cut = await parseAll(text, undefined, chunk);
        expect(cut).toEqual(whole);
      }),
      { numRuns: Math.min(RUNS, 300) },
    );
  });
});
