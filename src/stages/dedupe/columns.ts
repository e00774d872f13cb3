// Compact per-record storage: typed-array columns grown in fixed chunks (no doubling copies,
// no per-record objects), a byte pool for short strings, and a stable radix sort of indices by key.

/** Records per chunk: record i is in chunk i >>> CHUNK_BITS, at (i & CHUNK_MASK) x width. */
export const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
export const CHUNK_MASK = CHUNK - 1;
const MASK = CHUNK_MASK;

type TypedArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
type TypedCtor<A extends TypedArray> = new (length: number) => A;

/** A column of `width` numbers per record. The first chunk starts small and grows, so small inputs stay small. */
export class Column<A extends TypedArray> {
  private readonly chunks: A[] = [];
  constructor(
    private readonly ctor: TypedCtor<A>,
    readonly width = 1,
  ) {}

  private ensure(i: number): A {
    const c = i >>> CHUNK_BITS;
    if (c === 0) {
      const need = ((i & MASK) + 1) * this.width;
      const first = this.chunks[0];
      if (first === undefined || first.length < need) {
        let cap = first ? first.length : 256 * this.width;
        while (cap < need) cap *= 4;
        const grown = new this.ctor(Math.min(cap, CHUNK * this.width));
        if (first) grown.set(first as never);
        this.chunks[0] = grown;
      }
      return this.chunks[0];
    }
    if (this.chunks[0] === undefined || this.chunks[0].length < CHUNK * this.width) this.ensure(CHUNK - 1);
    while (this.chunks.length <= c) this.chunks.push(new this.ctor(CHUNK * this.width));
    return this.chunks[c];
  }

  set(i: number, value: number, k = 0): void {
    this.ensure(i)[(i & MASK) * this.width + k] = value;
  }

  get(i: number, k = 0): number {
    const chunk = this.chunks[i >>> CHUNK_BITS];
    const at = (i & MASK) * this.width + k;
    return chunk === undefined || at >= chunk.length ? 0 : chunk[at];
  }

  /** The `width` values of record i as a view (valid until the next write). */
  row(i: number): A {
    const chunk = this.ensure(i);
    const start = (i & MASK) * this.width;
    return chunk.subarray(start, start + this.width) as A;
  }

  /**
   * The chunks holding records 0..n-1, every one allocated (record i is in chunk i >>> CHUNK_BITS,
   * from (i & CHUNK_MASK) x width; 0 where never set): read them in place, without a copy.
   */
  chunksFor(n: number): A[] {
    if (n <= 0) return this.chunks;
    this.ensure(Math.min(n, CHUNK) - 1);
    // Trailing chunks never written (a field most records lack) share one chunk of zeros.
    let zeros: A | undefined;
    for (let c = this.chunks.length; c <= (n - 1) >>> CHUNK_BITS; c++) this.chunks.push((zeros ??= new this.ctor(CHUNK * this.width)));
    return this.chunks;
  }

  /**
   * Records 0..n-1 as one array (n x width values, 0 where never set), for small columns: the
   * chunks are released.
   */
  flat(n: number): A {
    const len = n * this.width;
    const first = this.chunks[0];
    let out: A;
    if (this.chunks.length <= 1 && first !== undefined && first.length >= len) out = first.subarray(0, len) as A;
    else {
      out = new this.ctor(len);
      for (let c = 0; c < this.chunks.length; c++) {
        const start = c * CHUNK * this.width;
        const chunk = this.chunks[c];
        if (start < len) out.set(chunk.subarray(0, Math.min(chunk.length, len - start)) as never, start);
      }
    }
    this.chunks.length = 0;
    this.frozen = out;
    return out;
  }

  private frozen: A | undefined;

  bytes(): number {
    return this.chunks.reduce((s, c) => s + c.byteLength, 0) + (this.frozen?.byteLength ?? 0);
  }
}

const POOL_CHUNK = 1 << 20;

/** UTF-8 strings packed into 1 MiB byte chunks; a handle is (chunk << 20 | offset). */
export class BytePool {
  private readonly chunks: Uint8Array[] = [];
  private used = POOL_CHUNK;
  private readonly encoder = new TextEncoder();

  /** Store a string (truncated to maxBytes); returns [handle, length]. */
  add(s: string, maxBytes: number): [number, number] {
    // ASCII (most folded titles) is copied code by code; anything else is encoded.
    const ascii = /^[\x00-\x7f]*$/.test(s);
    const bytes = ascii ? undefined : this.encoder.encode(s);
    const len = Math.min(bytes ? bytes.length : s.length, maxBytes);
    if (this.used + len > POOL_CHUNK) {
      this.chunks.push(new Uint8Array(POOL_CHUNK));
      this.used = 0;
    }
    const c = this.chunks.length - 1;
    if (bytes) this.chunks[c].set(bytes.subarray(0, len), this.used);
    else for (let k = 0; k < len; k++) this.chunks[c][this.used + k] = s.charCodeAt(k);
    const handle = (c << 20) | this.used;
    this.used += len;
    return [handle >>> 0, len];
  }

  view(handle: number, length: number): Uint8Array {
    const chunk = this.chunks[handle >>> 20];
    const off = handle & (POOL_CHUNK - 1);
    return chunk.subarray(off, off + length);
  }

  bytes(): number {
    return this.chunks.length * POOL_CHUNK;
  }
}

export { U32List } from '../../util/typed-list.js';

/**
 * Sort `items` (record indices) by `keys[k]` (32-bit, parallel to items), stably: equal keys keep
 * their input order. LSD radix sort, linear time. The inputs and the scratch arrays are reused as
 * buffers; the result is in one of them.
 */
export function radixSortByKey(
  items: Uint32Array,
  keys: Uint32Array,
  scratchItems?: Uint32Array,
  scratchKeys?: Uint32Array,
): { items: Uint32Array; keys: Uint32Array } {
  const n = items.length;
  // Small inputs: 8-bit digits (four passes, tiny count arrays); large ones: 16-bit digits (two passes).
  const bits = n < 1 << 16 ? 8 : 16;
  const radix = 1 << bits;
  const mask = radix - 1;
  let srcI: Uint32Array = items;
  let srcK: Uint32Array = keys;
  let dstI: Uint32Array = scratchItems && scratchItems.length >= n ? scratchItems.subarray(0, n) : new Uint32Array(n);
  let dstK: Uint32Array = scratchKeys && scratchKeys.length >= n ? scratchKeys.subarray(0, n) : new Uint32Array(n);
  const count = new Uint32Array(radix + 1);
  for (let shift = 0; shift < 32; shift += bits) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[((srcK[i] >>> shift) & mask) + 1]++;
    for (let d = 0; d < radix; d++) count[d + 1] += count[d];
    for (let i = 0; i < n; i++) {
      const d = (srcK[i] >>> shift) & mask;
      const pos = count[d]++;
      dstI[pos] = srcI[i];
      dstK[pos] = srcK[i];
    }
    const ti = srcI;
    const tk = srcK;
    srcI = dstI;
    srcK = dstK;
    dstI = ti;
    dstK = tk;
  }
  return { items: srcI, keys: srcK };
}
