// Bytes to text: BOMs, UTF-16, invalid UTF-8 and binary input get a documented outcome.
import { TextDecoder } from 'node:util';
import { DataError, type Diagnostics } from '../errors.js';

const SNIFF_BYTES = 8192;

/** NUL bytes, or more than 10% control characters, in the first 8 KiB: not text. */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, SNIFF_BYTES);
  let controls = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return true;
    if (b < 8 || (b > 13 && b < 32 && b !== 27)) controls++;
  }
  return n > 0 && controls / n > 0.1;
}

/**
 * Decode a byte stream into text chunks. A UTF-8 BOM is dropped; a UTF-16 BOM switches decoding;
 * bytes that are not UTF-8 become U+FFFD with one warning per input; NUL bytes mean binary: an error.
 * Multibyte characters split across chunks come out intact (streaming decoder).
 */
export async function* decodeChunks(
  source: AsyncIterable<Uint8Array | string>,
  path: string,
  diagnostics: Diagnostics,
): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  let checkedStart = false;
  let warnedInvalid = false;
  for await (const raw of source) {
    let bytes = typeof raw === 'string' ? Buffer.from(raw) : raw;
    if (!checkedStart) {
      if (bytes.length === 0) continue;
      checkedStart = true;
      let encoding = 'utf-8';
      if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
      else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
      else if (looksBinary(bytes)) throw new DataError('binary data, not text (expected a listing, CSV, JSON or JSONL)', { path });
      // ignoreBOM: false drops a leading BOM of the chosen encoding.
      decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: false });
    }
    const text = decoder!.decode(bytes, { stream: true });
    if (!warnedInvalid && text.includes('\uFFFD')) {
      warnedInvalid = true;
      diagnostics.warn('bytes that are not valid text were replaced with U+FFFD', { path });
    }
    bytes = new Uint8Array(0);
    if (text) yield text;
  }
  if (decoder) {
    const tail = decoder.decode();
    if (tail) yield tail;
  }
}
