// runBatch (src/cli/map-batch.ts) decodes a batch line by line and writes UTF-8 itself: it must
// give what decoding the whole batch and serializing each record to a string gave.
import { describe, expect, it } from 'vitest';
import { type Batch, runBatch } from '../../src/cli/map-batch.js';

/** Deterministic pseudo-random numbers (no flaky inputs). */
function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 16807) % 2147483647;
    return s % n;
  };
}

const PIECES = [
  Buffer.from('{"id":"a","title":"T"}'),
  Buffer.from('abc'),
  Buffer.from('é€😀'),
  Buffer.from('\uFFFD'),
  Buffer.from([0xff]),
  Buffer.from([0x80]),
  Buffer.from([0xc3]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xf0, 0x9f, 0x98]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xef, 0xbb, 0xbf]),
  Buffer.from('\r'),
  Buffer.from('\n'),
  Buffer.from(' '),
];

function randomBytes(next: (n: number) => number): Buffer {
  const parts: Buffer[] = [];
  const n = next(40);
  for (let i = 0; i < n; i++) parts.push(PIECES[next(PIECES.length)]);
  return Buffer.concat(parts);
}

function batchOf(bytes: Buffer): Batch {
  return { seq: 0, path: 'x.jsonl', firstLine: 1, bytes, skipInvalid: true };
}

describe('runBatch', () => {
  it('decoding line by line gives the text of decoding the whole batch, split at newlines', () => {
    const next = random(11);
    for (let i = 0; i < 3000; i++) {
      const bytes = randomBytes(next);
      const whole = bytes.toString('utf8').split('\n');
      const lines: string[] = [];
      let start = 0;
      for (;;) {
        const end = bytes.indexOf(10, start);
        lines.push(bytes.toString('utf8', start, end < 0 ? bytes.length : end));
        if (end < 0) break;
        start = end + 1;
      }
      expect(lines).toEqual(whole);
    }
  });

  it('reports invalid text exactly when the decoded batch holds U+FFFD', () => {
    const next = random(5);
    for (let i = 0; i < 3000; i++) {
      const bytes = randomBytes(next);
      const result = runBatch(batchOf(bytes), (r) => r);
      expect(result.invalidText).toBe(bytes.toString('utf8').includes('\uFFFD'));
    }
  });

  it('writes each record as JSON.stringify does, also records longer than the first buffer', () => {
    const records = [
      { id: 'a', title: 'ascii', source: { path: 'p', line: 1 } },
      { id: 'b', title: 'é€😀'.repeat(5000), source: { path: 'p', line: 2 } },
      { id: 'c', title: 'x'.repeat(20000), abstract: '\u2028 \uD800 lone', source: { path: 'p', line: 3 } },
    ];
    const bytes = Buffer.from(records.map((r) => JSON.stringify(r)).join('\r\n') + '\n\n');
    const result = runBatch(batchOf(bytes), (r) => r);
    expect(result.error).toBeUndefined();
    expect(Buffer.from(result.out.buffer, result.out.byteOffset, result.outLength).toString('utf8')).toBe(
      records.map((r) => JSON.stringify(r) + '\n').join(''),
    );
    expect(result.baseIds).toEqual([null, null, null]);
    expect(result.records).toBe(3);
  });
});
