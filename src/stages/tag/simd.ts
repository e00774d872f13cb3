// Dense scoring of linear models: scores[k] += v[i] * W[f[i]][k] for every touched feature i, in
// order. This is the inner loop of TagModel.predict (a paper touches ~100 features of ~100 labels
// each), so it runs in a small WebAssembly module with 128-bit SIMD: two float64 lanes per
// instruction, each lane doing exactly what the scalar JavaScript does (float32 weight widened to
// float64, one multiply, one add, same order per label; wasm never fuses a multiply-add), so the
// scores are bit for bit those of the plain loop, which remains as the fallback.
//
// The module is assembled here from its instructions (no build step, no binary file):
//
//   (func (export "acc") (param $feat i32) (param $val i32) (param $n i32) (param $w i32)
//                        (param $rowBytes i32) (param $scores i32)
//     for i in 0 .. n - 1 step 2:                              ;; two features per pass
//       row = w + feat[i] * rowBytes;  v = f64x2.splat(val[i])
//       row2 = w + feat[i + 1] * rowBytes;  v2 = f64x2.splat(val[i + 1]);  p = scores
//       for j in 0 .. rowBytes step 16:                       ;; 4 labels per step
//         p[0..1] = (p[0..1] + v * f64x2.promote_low_f32x4(v128.load64_zero(row + j)))
//                           + v2 * f64x2.promote_low_f32x4(v128.load64_zero(row2 + j))
//         p[2..3] = (likewise at + 8)
//         p += 32
//     the last feature of an odd n: the same with one row
//
// Two features per pass add the same terms in the same order as one after the other (each sum is
// rounded before the next term is added), with half the loads and stores of the scores.
//
// Rows are padded with zeros to a multiple of 4 labels (the padding lanes add 0 to unused scores).

/** Feature rows of a weight matrix padded to this many labels. */
const LANES = 4;
/** Features handed to the module per call (the scratch area holds this many). */
const CHUNK = 4096;
const PAGE = 65536;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

// Instructions used.
const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const tee = (i: number) => [0x22, ...uleb(i)];
const i32Const = (n: number) => [0x41, ...sleb(n)];
const memarg = (alignLog2: number, offset = 0) => [...uleb(alignLog2), ...uleb(offset)];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = [0x0b];
const BR_IF = (depth: number) => [0x0d, ...uleb(depth)];
const I32_EQZ = [0x45];
const I32_LT_U = [0x49];
const I32_ADD = [0x6a];
const I32_MUL = [0x6c];
const I32_SHL = [0x74];
const I32_LOAD = (o = 0) => [0x28, ...memarg(2, o)];
const F64_LOAD = (o = 0) => [0x2b, ...memarg(3, o)];
const V128_LOAD = (o = 0) => simd(0x00, ...memarg(4, o));
const V128_STORE = (o = 0) => simd(0x0b, ...memarg(4, o));
const F64X2_SPLAT = simd(0x14);
const V128_LOAD64_ZERO = (o = 0) => simd(0x5d, ...memarg(3, o));
const F64X2_PROMOTE_LOW_F32X4 = simd(0x5f);
const F64X2_ADD = simd(0xf0);
const F64X2_MUL = simd(0xf2);

function moduleBytes(): Uint8Array {
  // Parameters 0..5: feat, val, n, w, rowBytes, scores. Locals: 6 i, 7 row, 8 j, 9 p, 10 row2 (i32),
  // 11 v, 12 v2 (v128).
  const [FEAT, VAL, N, W, ROW_BYTES, SCORES, I, ROW, J, P, ROW2, V, V2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  // p[o..o+1] = p[o..o+1] + v * widen(row[j + o/2 ..])
  const lanePair = (o: number) => [
    ...get(P), ...get(P), ...V128_LOAD(o),
    ...get(V), ...get(ROW), ...get(J), ...I32_ADD, ...V128_LOAD64_ZERO(o / 2), ...F64X2_PROMOTE_LOW_F32X4, ...F64X2_MUL,
    ...F64X2_ADD, ...V128_STORE(o),
  ];
  // Two features at a time: p[o..o+1] = (p[o..o+1] + v * widen(row[..])) + v2 * widen(row2[..]), the
  // same additions in the same order as one feature after the other, with one load and one store of
  // the scores instead of two.
  const lanePair2 = (o: number) => [
    ...get(P), ...get(P), ...V128_LOAD(o),
    ...get(V), ...get(ROW), ...get(J), ...I32_ADD, ...V128_LOAD64_ZERO(o / 2), ...F64X2_PROMOTE_LOW_F32X4, ...F64X2_MUL,
    ...F64X2_ADD,
    ...get(V2), ...get(ROW2), ...get(J), ...I32_ADD, ...V128_LOAD64_ZERO(o / 2), ...F64X2_PROMOTE_LOW_F32X4, ...F64X2_MUL,
    ...F64X2_ADD, ...V128_STORE(o),
  ];
  const body = [
    // Pairs of features while two are left.
    ...BLOCK,
    ...get(N), ...i32Const(2), ...I32_LT_U, ...BR_IF(0),
    ...LOOP,
    // row = w + feat[i] * rowBytes; row2 = w + feat[i + 1] * rowBytes
    ...get(W), ...get(FEAT), ...get(I), ...i32Const(2), ...I32_SHL, ...I32_ADD, ...I32_LOAD(), ...get(ROW_BYTES), ...I32_MUL, ...I32_ADD, ...set(ROW),
    ...get(W), ...get(FEAT), ...get(I), ...i32Const(2), ...I32_SHL, ...I32_ADD, ...I32_LOAD(4), ...get(ROW_BYTES), ...I32_MUL, ...I32_ADD, ...set(ROW2),
    // v = splat(val[i]); v2 = splat(val[i + 1])
    ...get(VAL), ...get(I), ...i32Const(3), ...I32_SHL, ...I32_ADD, ...F64_LOAD(), ...F64X2_SPLAT, ...set(V),
    ...get(VAL), ...get(I), ...i32Const(3), ...I32_SHL, ...I32_ADD, ...F64_LOAD(8), ...F64X2_SPLAT, ...set(V2),
    ...i32Const(0), ...set(J), ...get(SCORES), ...set(P),
    ...LOOP,
    ...lanePair2(0),
    ...lanePair2(16),
    ...get(P), ...i32Const(32), ...I32_ADD, ...set(P),
    ...get(J), ...i32Const(16), ...I32_ADD, ...tee(J), ...get(ROW_BYTES), ...I32_LT_U, ...BR_IF(0),
    ...END,
    // i += 2, again while i + 1 < n
    ...get(I), ...i32Const(2), ...I32_ADD, ...tee(I), ...i32Const(1), ...I32_ADD, ...get(N), ...I32_LT_U, ...BR_IF(0),
    ...END,
    ...END,
    // The last feature of an odd count.
    ...BLOCK,
    ...get(I), ...get(N), ...I32_LT_U, ...I32_EQZ, ...BR_IF(0),
    // row = w + feat[i] * rowBytes
    ...get(W), ...get(FEAT), ...get(I), ...i32Const(2), ...I32_SHL, ...I32_ADD, ...I32_LOAD(), ...get(ROW_BYTES), ...I32_MUL, ...I32_ADD, ...set(ROW),
    // v = splat(val[i])
    ...get(VAL), ...get(I), ...i32Const(3), ...I32_SHL, ...I32_ADD, ...F64_LOAD(), ...F64X2_SPLAT, ...set(V),
    ...i32Const(0), ...set(J), ...get(SCORES), ...set(P),
    ...LOOP,
    ...lanePair(0),
    ...lanePair(16),
    ...get(P), ...i32Const(32), ...I32_ADD, ...set(P),
    ...get(J), ...i32Const(16), ...I32_ADD, ...tee(J), ...get(ROW_BYTES), ...I32_LT_U, ...BR_IF(0),
    ...END,
    ...END,
  ];
  const code = [...vec([[5, I32], [2, V128]]), ...body, ...END];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])]])), // type: (i32 x6) -> ()
    ...section(2, vec([[...name('m'), ...name('mem'), 0x02, 0x00, ...uleb(1)]])), // import memory m.mem (min 1 page)
    ...section(3, vec([[0]])), // one function of type 0
    ...section(7, vec([[...name('acc'), 0x00, 0]])), // export it
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}

type Accumulate = (feat: number, val: number, n: number, w: number, rowBytes: number, scores: number) => void;

// The slice of the WebAssembly API used here (the project compiles against ES2022 without DOM types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

function wasmModule(): object | null {
  if (compiled === undefined) {
    compiled = null;
    try {
      const bytes = moduleBytes();
      if (wasm && wasm.validate(bytes)) compiled = new wasm.Module(bytes);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Whether the SIMD module is available here (else scoring runs the JavaScript loop). */
export function simdAvailable(): boolean {
  return wasmModule() !== null;
}

function align16(n: number): number {
  return (n + 15) & ~15;
}

/**
 * A feature-major weight matrix (features x labels, rows padded to `stride` labels) and the scorer
 * that sums touched rows into per-label scores.
 */
export class LinearScorer {
  /** Labels per row in `weights` (labels rounded up to a multiple of 4). */
  readonly stride: number;
  /** weights[f * stride + k]: weight of feature f for label k (0 in the padding). */
  readonly weights: Float32Array;
  /** Scores of the last call, `labels` long (reused). */
  readonly scores: Float64Array;
  private readonly padded: Float64Array;
  private readonly acc: Accumulate | null = null;
  private feat: Int32Array = new Int32Array(0);
  private val: Float64Array = new Float64Array(0);
  private featOff = 0;
  private valOff = 0;
  private weightsOff = 0;
  private scoresOff = 0;

  /** An all-zero matrix; fill `weights` (see setRows). `simd: false` forces the JavaScript loop. */
  constructor(
    readonly features: number,
    readonly labels: number,
    simd = true,
  ) {
    const stride = Math.ceil(labels / LANES) * LANES;
    this.stride = stride;
    const module = simd ? wasmModule() : null;
    let weights: Float32Array | undefined;
    let padded: Float64Array | undefined;
    if (module) {
      const scoresBytes = align16(stride * 8);
      this.scoresOff = 0;
      this.featOff = scoresBytes;
      this.valOff = align16(this.featOff + CHUNK * 4);
      this.weightsOff = align16(this.valOff + CHUNK * 8);
      const total = this.weightsOff + features * stride * 4;
      const pages = Math.max(1, Math.ceil(total / PAGE));
      if (pages <= 65536) {
        try {
          const memory = new wasm!.Memory({ initial: pages, maximum: pages });
          const instance = new wasm!.Instance(module, { m: { mem: memory } });
          // The memory never grows, so these views stay valid.
          const buffer = memory.buffer;
          padded = new Float64Array(buffer, this.scoresOff, stride);
          this.feat = new Int32Array(buffer, this.featOff, CHUNK);
          this.val = new Float64Array(buffer, this.valOff, CHUNK);
          weights = new Float32Array(buffer, this.weightsOff, features * stride);
          this.acc = instance.exports.acc as Accumulate;
        } catch {
          weights = undefined;
          padded = undefined;
        }
      }
    }
    if (!weights || !padded) {
      this.acc = null;
      weights = new Float32Array(features * stride);
      padded = new Float64Array(stride);
    }
    this.weights = weights;
    this.padded = padded;
    this.scores = padded.subarray(0, labels);
  }

  /** True when scoring runs in WebAssembly. */
  get simd(): boolean {
    return this.acc !== null;
  }

  /** Copy a features x labels matrix (row-major, unpadded) given as float32 values or their little-endian bytes. */
  setRows(source: Float32Array | Uint8Array): void {
    const L = this.labels;
    const stride = this.stride;
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    const target = new Uint8Array(this.weights.buffer, this.weights.byteOffset, this.weights.byteLength);
    if (stride === L) {
      target.set(bytes.subarray(0, this.features * L * 4));
      return;
    }
    for (let f = 0; f < this.features; f++) target.set(bytes.subarray(f * L * 4, (f + 1) * L * 4), f * stride * 4);
  }

  /**
   * Decode a features x labels matrix (row-major, unpadded little-endian float32) from base64
   * straight into `weights`, with no intermediate buffer. Returns false, having changed nothing that
   * matters, when the text does not decode to exactly that many bytes (the caller then reports it).
   */
  setRowsBase64(text: string): boolean {
    const L = this.labels;
    const stride = this.stride;
    const bytes = this.features * L * 4;
    if (Buffer.byteLength(text, 'base64') !== bytes) return false;
    const w = this.weights;
    // Decode into the end of the area, then move each row down to its padded place (rows move to
    // lower addresses, first row first, so none is overwritten before it has moved).
    const area = Buffer.from(w.buffer, w.byteOffset, w.byteLength);
    const at = w.byteLength - bytes;
    if (area.write(text, at, bytes, 'base64') !== bytes) {
      w.fill(0);
      return false;
    }
    if (stride !== L) {
      for (let f = 0; f < this.features; f++) area.copyWithin(f * stride * 4, at + f * L * 4, at + (f + 1) * L * 4);
      for (let f = 0; f < this.features; f++) w.fill(0, f * stride + L, (f + 1) * stride);
    }
    return true;
  }

  /** The matrix without padding (features x labels, row-major). */
  rows(): Float32Array {
    const L = this.labels;
    const stride = this.stride;
    if (stride === L) return this.weights.slice();
    const out = new Float32Array(this.features * L);
    for (let f = 0; f < this.features; f++) out.set(this.weights.subarray(f * stride, f * stride + L), f * L);
    return out;
  }

  /**
   * scores[k] = bias[k] + sum over i < n, in order, of val[i] * weights[feat[i]][k], in float64.
   * Returns `scores` (reused by the next call).
   */
  score(bias: Float32Array, feat: Int32Array, val: Float64Array, n: number): Float64Array {
    const L = this.labels;
    const scores = this.padded;
    for (let k = 0; k < L; k++) scores[k] = bias[k];
    for (let k = L; k < this.stride; k++) scores[k] = 0;
    const acc = this.acc;
    if (acc !== null) {
      for (let from = 0; from < n; from += CHUNK) {
        const m = Math.min(CHUNK, n - from);
        this.feat.set(feat.subarray(from, from + m));
        this.val.set(val.subarray(from, from + m));
        acc(this.featOff, this.valOff, m, this.weightsOff, this.stride * 4, this.scoresOff);
      }
      return this.scores;
    }
    const w = this.weights;
    const stride = this.stride;
    for (let i = 0; i < n; i++) {
      const v = val[i];
      const base = feat[i] * stride;
      for (let k = 0; k < L; k++) scores[k] += v * w[base + k];
    }
    return this.scores;
  }
}
