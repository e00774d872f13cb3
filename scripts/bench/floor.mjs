// The floor: the least any JSONL-to-JSONL stage must do. Read the file in large chunks, split lines
// by indexOf (no readline), JSON.parse and JSON.stringify every line, write to stdout with backpressure.
// Plain JavaScript on purpose: no loader, no build, nothing but Node.
//
//   node scripts/bench/floor.mjs corpus.jsonl > /dev/null      (prints {"records":N,"bytes":B} on stderr)
import { createReadStream } from 'node:fs';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node scripts/bench/floor.mjs FILE.jsonl\n');
  process.exit(2);
}

const out = process.stdout;
let pending = '';
let records = 0;
let bytes = 0;

function write(text) {
  if (out.write(text)) return null;
  return new Promise((resolve) => out.once('drain', resolve));
}

// Lines are found in bytes and decoded one by one: decoding megabyte chunks into one big string
// (StringDecoder, readline) measured slower here than many small toString calls.
let carry = null;
for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
  bytes += chunk.length;
  const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
  let start = 0;
  for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
    if (nl > start) {
      pending += JSON.stringify(JSON.parse(buf.toString('utf8', start, nl))) + '\n';
      records++;
    }
    start = nl + 1;
  }
  carry = start < buf.length ? buf.subarray(start) : null;
  if (pending.length >= 1 << 20) {
    const wait = write(pending);
    pending = '';
    if (wait) await wait;
  }
}
if (carry && carry.toString('utf8').trim()) {
  pending += JSON.stringify(JSON.parse(carry.toString('utf8'))) + '\n';
  records++;
}
if (pending) {
  const wait = write(pending);
  if (wait) await wait;
}
process.stderr.write(JSON.stringify({ records, bytes }) + '\n');
