// Growable lists of 32-bit integers over typed arrays (capacity doubles), shared by the stages
// that keep per-record columns (dedupe, cluster).

abstract class TypedList<T extends Uint32Array | Int32Array> {
  /** Backing store; values live in data[0 .. length). Replaced when it grows. */
  data: T;
  length = 0;

  constructor(capacity: number) {
    this.data = this.make(Math.max(1, capacity));
  }

  protected abstract make(n: number): T;

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  get(i: number): number {
    return this.data[i];
  }

  /** A copy of the values. */
  toArray(): T {
    return this.data.slice(0, this.length) as T;
  }

  /** The values as a view (valid until the next push). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }

  bytes(): number {
    return this.data.byteLength;
  }
}

export class U32List extends TypedList<Uint32Array> {
  constructor(capacity = 1024) {
    super(capacity);
  }
  protected make(n: number): Uint32Array {
    return new Uint32Array(n);
  }
}

export class I32List extends TypedList<Int32Array> {
  constructor(capacity = 1024) {
    super(capacity);
  }
  protected make(n: number): Int32Array {
    return new Int32Array(n);
  }
}
