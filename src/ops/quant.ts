// int8 quantization (symmetric, one f32 scale per row), QTensor, and the GEMV / dot ops.
import { runtime } from '../runtime/runtime.js';
import { Tensor, tensor } from '../runtime/tensor.js';
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { f32Input, optionsOf, positiveInt, type F32Input } from './args.js';
import { scratchRegions, inputAt, copyOut, overlaps } from './marshal.js';
import { GGML, GGML_FORMATS, FROM_BYTES_ONLY, quantizeBlock, dequantizeBlock, type GgmlFormat } from './ggml.js';
import { gemmGgml, gemmGgmlF32 } from './ggml-gemm.js';
import { isOnnxInt, isOnnx, is4bit, quantizeRow, scaleLayout, scaleIndex, quantizeInt, packCodes, unpackCodes, dequantizeInt, byteLengthInt, kernelZero, RANGE, type OnnxFormat, type OnnxIntFormat, type ScaleLayout } from './onnx.js';
import { isOnnxFloat, quantizeFloat, decodeFloat, FLOAT_MAX, ONNX_FLOAT_FORMATS, type OnnxFloatFormat } from './onnx-float.js';
import { gemmOnnxI8, gemvOnnxF32, type OnnxWeights } from './onnx-gemv.js';
import { isCodebook, codebookTable, tableMax, quantizeCodebook, kernelTable, CODEBOOK_FORMATS, type CodebookFormat } from './codebook.js';
import { byteLengthBinary, quantizeBinary, fromBinary, dequantizeBinary, gemvBinary, type Activations, type BinaryParts } from './binary.js';

export type QFormat = 'int8' | GgmlFormat | 'uint8' | 'int4' | 'uint4' | OnnxFloatFormat | CodebookFormat | 'binary';
const FORMATS: QFormat[] = ['int8', 'uint8', 'int4', 'uint4', ...ONNX_FLOAT_FORMATS, ...CODEBOOK_FORMATS, ...GGML_FORMATS, 'binary'];
const isGgml = (f: QFormat): f is GgmlFormat => f in GGML;
/** Scale layout and granularity options of the ONNX formats (src/ops/onnx.ts, src/ops/onnx-float.ts). */
export interface QScaleOptions {
  groupSize?: number; axis?: 0 | 1 | null;
  /** Integer formats: symmetric (default) or with zero points. */
  symmetric?: boolean;
  /** fp8 formats: saturate out-of-range values to +-max (default) or map them to NaN / Inf as ONNX. */
  saturate?: boolean;
  /** Float formats: given scales (one per group of the layout, finite > 0) instead of amax / max; then NaN and +-Inf x are admitted. */
  scales?: Float32Array;
  /** 'codebook' only: the 16 values the 4-bit codes index (distinct, finite, any order). */
  codebook?: Float32Array | readonly number[];
}


/** Quantized weights resident in simdnn's memory. */
/** Bytes of a [rows, cols] matrix in a format (ggml formats need whole blocks per row). */
function byteLength(format: QFormat, rows: number, cols: number): number {
  if (format === 'int8') return rows * cols;
  if (format === 'binary') return byteLengthBinary(rows, cols);
  if (isOnnx(format)) {
    if (is4bit(format) && cols % 2 !== 0) throw new SimdnnArgumentError('cols', `${cols} for ${format}`, 'an even number (4-bit rows start on a byte)');
    return byteLengthInt(format, rows * cols);
  }
  const { qk, bytes } = GGML[format];
  if (cols % qk !== 0) throw new SimdnnArgumentError('cols', `${cols} for ${format}`, `a multiple of ${qk} (the ${format} block)`);
  return rows * (cols / qk) * bytes;
}

function formatOf(format: unknown): QFormat {
  if (!FORMATS.includes(format as QFormat)) throw new SimdnnArgumentError('format', describe(format), FORMATS.map((f) => `'${f}'`).join(', '));
  return format as QFormat;
}

/**
 * Quantized weights resident in simdnn's memory. int8: one f32 scale per row (`scales`); q8_0 and
 * q4_0: ggml's blocks of 32 with an f16 scale each, byte for byte as in GGUF files.
 */
export class QTensor {
  /** @internal the bytes (in a tensor of a quarter the floats) */ readonly q: Tensor;
  /** @internal int8 row scales; ONNX formats: the scales of `layout` */ readonly s?: Tensor;
  /** @internal ONNX integer formats: zero points as the kernels subtract them (i32); none for the float and codebook formats */ readonly z?: Tensor;
  /** @internal codebook formats: the kernel table (src/ops/codebook.ts kernelTable) */ readonly t?: Tensor;
  /** @internal */ constructor(readonly format: QFormat, readonly rows: number, readonly cols: number, /** @internal */ readonly layout?: ScaleLayout, private readonly zps?: Int32Array, private readonly table?: Float32Array) {
    this.q = tensor([Math.ceil(byteLength(format, rows, cols) / 4) + (isGgml(format) ? 32 : 0)]); // + the 3 blocks the ggml GEMV may read (masked) past the last row
    try {
      if (layout) { this.s = tensor([layout.count]); if (zps) this.z = tensor([layout.count]); }
      else if (format === 'int8') this.s = tensor([rows]);
      if (table) this.t = tensor(kernelTable(table));
    } catch (e) { this.q.dispose(); this.s?.dispose(); this.z?.dispose(); throw e; }
    if (layout && zps) new Int32Array(this.z!.rt.alloc.heap.buffer, this.z!.ptr, layout.count).set(zps!.map((v) => kernelZero(format as OnnxFormat, v)));
  }
  /** ONNX integer formats: the zero points (a copy), one per scale. */
  get zeroPoints(): Int32Array | undefined { return isOnnxFloat(this.format) || isCodebook(this.format) ? undefined : this.zps?.slice(); }
  /** Codebook formats: the 16 values the codes index (a copy). */
  get codebook(): Float32Array | undefined { return this.table?.slice(); }
  /** Columns per scale (cols for per-row or per-tensor scales). */
  get groupSize(): number { return this.layout?.groupSize ?? (isGgml(this.format) ? GGML[this.format].qk : this.cols); }
  /** The stored bytes (a copy): int8 values row-major (Int8Array), or the ggml blocks (Uint8Array). */
  get bytes(): Int8Array | Uint8Array {
    this.q.check('q');
    const n = byteLength(this.format, this.rows, this.cols), buf = this.q.rt.alloc.heap.buffer;
    return this.format === 'int8' ? new Int8Array(buf, this.q.ptr, n).slice() : new Uint8Array(buf, this.q.ptr, n).slice();
  }
  /** int8 only: one f32 scale per row (a copy): w[r, c] ~ scales[r] * bytes[r * cols + c]. */
  get scales(): Float32Array | undefined { return this.s?.toArray(); }
  /** Free the memory. Safe to call twice. */
  dispose(): void { this.q.dispose(); this.s?.dispose(); this.z?.dispose(); this.t?.dispose(); }
  get disposed(): boolean { return this.q.disposed; }

  /**
   * Wrap existing bytes without re-quantizing: int8 values (Int8Array) with `scales`, or ggml
   * q8_0 / q4_0 blocks (Uint8Array), e.g. a tensor read from a GGUF file; the ONNX and codebook
   * formats take `{ scales, groupSize, axis }` (and `zeroPoints` / `codebook` where they apply),
   * e.g. bitsandbytes' nf4 bytes with its absmax as scales.
   */
  static from(format: QFormat, bytes: Int8Array | Uint8Array, rows: number, cols: number, scales?: Float32Array | (QScaleOptions & { scales: Float32Array; zeroPoints?: ArrayLike<number> })): QTensor {
    const f = formatOf(format);
    runtime();
    positiveInt('rows', rows); positiveInt('cols', cols);
    if (f === 'binary') return binaryTensor(rows, cols, fromBinary(bytes, rows, cols, scales));
    if (isOnnxFloat(f) || isCodebook(f)) return fromOnnx(f, bytes, rows, cols, scales instanceof Float32Array ? { scales } : scales!);
    if (scales !== undefined && !(scales instanceof Float32Array)) return fromOnnx(f, bytes, rows, cols, scales);
    const n = byteLength(f, rows, cols);
    if (!(bytes instanceof (f === 'int8' ? Int8Array : Uint8Array)) || bytes.length !== n) {
      throw new SimdnnArgumentError('bytes', describe(bytes), `${f === 'int8' ? 'an Int8Array' : 'a Uint8Array'} of ${n} bytes`);
    }
    if (f === 'int8' && (!(scales instanceof Float32Array) || scales.length !== rows)) throw new SimdnnArgumentError('scales', describe(scales), `a Float32Array of ${rows} row scales`);
    const t = new QTensor(f, rows, cols);
    new Uint8Array(t.q.rt.alloc.heap.buffer, t.q.ptr, n).set(new Uint8Array(bytes.buffer, bytes.byteOffset, n));
    if (f === 'int8') t.s!.data.set(scales!);
    return t;
  }
}

/**
 * Quantize a [rows, cols] f32 matrix.
 * - 'int8': one symmetric scale per row (ONNX QuantizeLinear with zero point 0: x / scale, round
 *   half to even, saturate to [-127, 127]; scale = max|row| / 127). Round trip within scale / 2.
 * - 'q8_0', 'q4_0': ggml's blocks of 32 with ggml's reference rounding (cols % 32 == 0): q8_0
 *   d = amax / 127, q = roundf(x / d); q4_0 d = (the value of largest magnitude) / -8,
 *   q = min(15, trunc(x / d + 8.5)); d stored as f16. Bytes as in GGUF.
 * - 'nf4', 'codebook': 4-bit codes into a 16-value table with a scale per group (src/ops/codebook.ts):
 *   nf4 as bitsandbytes' blockwise NF4 (pass groupSize: 64 for its default), 'codebook' with the
 *   `codebook` option's values.
 */
export function quantize(x: F32Input, options: { format: QFormat; rows?: number; cols: number } & QScaleOptions): QTensor {
  const rt = runtime();
  const o = optionsOf<{ format: QFormat; rows: number; cols: number } & QScaleOptions>(options);
  const format = formatOf(o.format);
  const n = f32Input(rt, 'x', x), cols = positiveInt('cols', o.cols), rows = positiveInt('rows', o.rows, n / cols);
  if (rows * cols !== n) throw new SimdnnArgumentError('x', `length ${n}`, `rows*cols = ${rows * cols}`);
  byteLength(format, rows, cols); // (block size check before any work)
  if ((FROM_BYTES_ONLY as readonly string[]).includes(format)) throw new SimdnnArgumentError('format', `'${format}'`, `a format with a quantizer (${format} tensors come from GGUF files: QTensor.from)`);
  const data = x instanceof Tensor ? x.toArray() : x;
  if (format === 'binary') return binaryTensor(rows, cols, quantizeBinary(data, rows, cols, o));
  if (isOnnxFloat(format)) return quantizeOnnxFloat(format, data, rows, cols, o);
  if (isCodebook(format)) return quantizeCodebookTensor(format, data, rows, cols, o);
  for (const k of ['saturate', 'scales', 'codebook'] as const) if (o[k] !== undefined) throw new SimdnnArgumentError(k, describe(o[k]), `undefined for ${format} (an option of the ${k === 'codebook' ? "'codebook' format" : 'float formats'})`);
  if (data.some((v) => !Number.isFinite(v))) throw new SimdnnArgumentError('x', 'a non-finite value', `finite values (${format} has no NaN or Infinity)`);
  if (o.symmetric !== undefined && typeof o.symmetric !== 'boolean') throw new SimdnnArgumentError('symmetric', describe(o.symmetric), 'true or false');
  if (isOnnxInt(format) && (format !== 'int8' || o.groupSize !== undefined || o.axis !== undefined || o.symmetric === false)) {
    const l = scaleLayout(format, rows, cols, o.groupSize, o.axis), { q, scales, zps } = quantizeInt(format, data, rows, cols, l, o.symmetric !== false);
    return filled(new QTensor(format, rows, cols, l, zps), packCodes(format, q), scales);
  }
  const t = new QTensor(format, rows, cols), buf = rt.alloc.heap.buffer;
  if (format === 'int8') {
    const q = new Int8Array(rows * cols), s = new Float32Array(rows);
    for (let r = 0; r < rows; r++) s[r] = quantizeRow(data.subarray(r * cols, (r + 1) * cols), q, r * cols);
    new Int8Array(buf, t.q.ptr, rows * cols).set(q);
    t.s!.data.set(s);
  } else {
    const out = new Uint8Array(byteLength(format, rows, cols)), { qk, bytes } = GGML[format as GgmlFormat];
    for (let b = 0; b < n / qk; b++) quantizeBlock(format as GgmlFormat, data, b * qk, out, b * bytes);
    new Uint8Array(buf, t.q.ptr, out.length).set(out);
  }
  return t;
}

/** The float formats: codes of x / scale with scales from amax / max per group or given. */
function quantizeOnnxFloat(format: OnnxFloatFormat, data: Float32Array, rows: number, cols: number, o: QScaleOptions): QTensor {
  if (o.symmetric !== undefined && o.symmetric !== true) throw new SimdnnArgumentError('symmetric', describe(o.symmetric), `true or undefined (${format} has no zero points)`);
  if (o.saturate !== undefined && typeof o.saturate !== 'boolean') throw new SimdnnArgumentError('saturate', describe(o.saturate), 'true or false');
  const l = scaleLayout(format, rows, cols, o.groupSize, o.axis), key = (i: number) => scaleIndex(l, Math.floor(i / cols), i % cols);
  let scales: Float32Array;
  if (o.scales !== undefined) {
    if (!(o.scales instanceof Float32Array) || o.scales.length !== l.count || o.scales.some((v) => !(v > 0) || !Number.isFinite(v))) throw new SimdnnArgumentError('scales', describe(o.scales), `a Float32Array of ${l.count} finite scales > 0`);
    scales = o.scales;
  } else {
    if (data.some((v) => !Number.isFinite(v))) throw new SimdnnArgumentError('x', 'a non-finite value', 'finite values (the scales come from the data; give `scales` to quantize NaN or Infinity)');
    // (a scale that underflows f32 becomes the least one, so tiny groups keep their values)
    scales = Float32Array.from(groupAmax(data, l, cols), (a) => (a ? Math.max(Math.fround(a / FLOAT_MAX(format)), 2 ** -149) : 0));
  }
  const q = quantizeFloat(format, data, (i) => scales[key(i)], o.saturate ?? true);
  return filled(new QTensor(format, rows, cols, l), packCodes(format, q), scales);
}

/** The codebook formats: amax / max |table| per group, the nearest table value of x / scale. */
function quantizeCodebookTensor(format: CodebookFormat, data: Float32Array, rows: number, cols: number, o: QScaleOptions): QTensor {
  for (const k of ['saturate', 'scales'] as const) if (o[k] !== undefined) throw new SimdnnArgumentError(k, describe(o[k]), `undefined for ${format} (an option of the float formats)`);
  if (o.symmetric !== undefined && o.symmetric !== true) throw new SimdnnArgumentError('symmetric', describe(o.symmetric), `true or undefined (${format} has no zero points)`);
  const table = codebookTable(format, o.codebook);
  if (data.some((v) => !Number.isFinite(v))) throw new SimdnnArgumentError('x', 'a non-finite value', `finite values (${format} has no NaN or Infinity)`);
  const l = scaleLayout(format, rows, cols, o.groupSize, o.axis), key = (i: number) => scaleIndex(l, Math.floor(i / cols), i % cols);
  const m = tableMax(table), scales = Float32Array.from(groupAmax(data, l, cols), (a) => a / m);
  const b = packCodes(format, quantizeCodebook(table, data, (i) => scales[key(i)]));
  return filled(new QTensor(format, rows, cols, l, undefined, table), b, scales);
}

/** The f32 values of a QTensor: scales[r] * q[r, c], or each block's d * q. */
export function dequantize(q: QTensor): Float32Array {
  if (!(q instanceof QTensor)) throw new SimdnnArgumentError('q', describe(q), 'a QTensor');
  const b = q.bytes;
  if (q.format === 'binary') return dequantizeBinary(b as Uint8Array, q.rows, q.cols, q.layout!, q.scales!);
  if (isOnnxFloat(q.format) || isCodebook(q.format)) { // value(code) * scale
    const f = q.format, codes = unpackCodes(f, b, q.rows * q.cols), s = q.scales!, l = q.layout!, t = q.codebook;
    const value = t ? (c: number) => t[c] : (c: number) => decodeFloat(f as OnnxFloatFormat, c);
    return Float32Array.from(codes, (c, i) => value(c) * s[scaleIndex(l, Math.floor(i / q.cols), i % q.cols)]);
  }
  if (q.layout) return dequantizeInt(q.format as OnnxIntFormat, b, q.rows, q.cols, q.layout, q.scales!, q.zeroPoints!);
  if (q.format === 'int8') { const s = q.scales!; return Float32Array.from(b, (v, i) => v * s[Math.floor(i / q.cols)]); }
  const out = new Float32Array(q.rows * q.cols), f = q.format as GgmlFormat, { qk, bytes } = GGML[f];
  for (let k = 0; k < out.length / qk; k++) dequantizeBlock(f, b as Uint8Array, k * bytes, out, k * qk);
  return out;
}

/**
 * y = W x. W: a [rows, cols] Float32Array or Tensor (cols = x.length), or an int8 QTensor.
 * For a QTensor, `activations: 'int8'` (default) quantizes x once per call (symmetric,
 * max|x| / 127) and sums exact integer products; `'f32'` widens the weights in registers.
 * Binary weights: `'f32'` (default) or `'binary'` (XNOR-popcount), see src/ops/binary.ts.
 */
export function gemv(w: F32Input | QTensor, x: F32Input, options?: { out?: Float32Array | Tensor; activations?: Activations }): Float32Array | Tensor {
  const rt = runtime();
  const o = optionsOf<{ out: Float32Array | Tensor; activations: Activations }>(options);
  const cols = f32Input(rt, 'x', x);
  let rows: number;
  if (w instanceof QTensor) {
    w.q.check('w');
    if (w.cols !== cols) throw new SimdnnArgumentError('x', `length ${cols}`, `the weights' cols (${w.cols})`);
    rows = w.rows;
  } else {
    const n = f32Input(rt, 'w', w);
    if (n % cols !== 0) throw new SimdnnArgumentError('w', `length ${n}`, `a multiple of x.length (${cols})`);
    rows = n / cols;
  }
  if (o.out instanceof Tensor && (overlaps(o.out, rows, x, cols) || overlaps(o.out, rows, w, rows * cols))) { // the kernels write y while reading x and w
    if (f32Input(rt, 'out', o.out) !== rows) throw new SimdnnArgumentError('out', describe(o.out), `length ${rows}`);
    const y = gemv(w, x, { activations: o.activations }) as Float32Array;
    o.out.data.set(y);
    return o.out;
  }
  if (w instanceof QTensor && w.format === 'binary') return gemvBinary(rt, { rows, cols, w: w.q.ptr, scales: w.s!.ptr, layout: w.layout! }, x, o);
  const float = w instanceof QTensor && isOnnxFloat(w.format), act = o.activations ?? defaultActivations(w);
  if (act !== 'int8' && act !== 'f32') throw new SimdnnArgumentError('activations', describe(act), "'int8' or 'f32' ('binary' is for binary weights)");
  if ((float || (w instanceof QTensor && isCodebook(w.format))) && act === 'int8' && w.format !== 'fp4_e2m1') throw new SimdnnArgumentError('activations', describe(act), `'f32' for ${w.format} weights (decoded in registers)`);
  if (w instanceof QTensor && (w.layout || (w.format === 'int8' && act === 'int8'))) {
    if (o.out !== undefined && f32Input(rt, 'out', o.out) !== rows) throw new SimdnnArgumentError('out', describe(o.out), `length ${rows}`);
    const outT = o.out instanceof Tensor, dst = outT ? (o.out as Tensor).ptr : undefined;
    const py = act === 'int8' ? gemmOnnxI8(rt, onnxWeights(w), 'x', x, 1, dst) : gemvOnnxF32(rt, onnxWeights(w), x, dst);
    return outT ? (o.out as Tensor) : copyOut(rt, py, rows, o.out as Float32Array | undefined, Float32Array);
  }
  if (o.out !== undefined && f32Input(rt, 'out', o.out) !== rows) throw new SimdnnArgumentError('out', describe(o.out), `length ${rows}`);
  const outT = o.out instanceof Tensor;
  if (w instanceof QTensor && isGgml(w.format) && act === 'f32') {
    const py = gemmGgmlF32(rt, { format: w.format, rows, cols, w: w.q.ptr }, x, 1, outT ? (o.out as Tensor).ptr : undefined);
    return outT ? (o.out as Tensor) : copyOut(rt, py, rows, o.out as Float32Array | undefined, Float32Array);
  }
  if (w instanceof QTensor && isGgml(w.format)) { // int8 activations
    const py = gemmGgml(rt, { format: w.format, rows, cols, w: w.q.ptr }, 'x', x, 1, outT ? (o.out as Tensor).ptr : undefined);
    return outT ? (o.out as Tensor) : copyOut(rt, py, rows, o.out as Float32Array | undefined, Float32Array);
  }
  const at = scratchRegions(rt, [w instanceof QTensor || w instanceof Tensor ? 0 : w.length * 4, x instanceof Tensor ? 0 : cols * 4, outT ? 0 : rows * 4]);
  const py = outT ? (o.out as Tensor).ptr : at[2];
  if (w instanceof QTensor) rt.kernels.gemv_i8_f32(w.q.ptr, w.s!.ptr, inputAt(rt, x, at[1]), py, rows, cols);
  else rt.kernels.gemv_f32(inputAt(rt, w, at[0]), inputAt(rt, x, at[1]), py, rows, cols);
  return outT ? (o.out as Tensor) : copyOut(rt, py, rows, o.out as Float32Array | undefined, Float32Array);
}

/**
 * @internal The kernel view of a QTensor with a scale layout (the ONNX and codebook formats), or
 * of int8 with row scales (the ONNX kernel's int8 with one group per row).
 */
export const onnxWeights = (w: QTensor): OnnxWeights => ({ format: w.format as OnnxFormat, rows: w.rows, cols: w.cols, w: w.q.ptr, scales: w.s!.ptr, zpe: w.z?.ptr ?? 0, table: w.t?.ptr ?? 0, layout: w.layout ?? { groupSize: w.cols, groupsPerRow: 1, count: w.rows } });

/** 'f32' for the float, codebook and binary formats (and plain f32 weights), else 'int8'. */
export const defaultActivations = (w: unknown): 'int8' | 'f32' => (w instanceof QTensor && !isOnnxFloat(w.format) && !isCodebook(w.format) && w.format !== 'binary' ? 'int8' : 'f32');

/**
 * a . b, over arrays of the same length:
 * - two Float32Arrays: a float (f32 products and sums);
 * - two Int8Arrays: the exact integer (including -128 * -128) while |a . b| < 2^31, which always
 *   holds for length < 131072 (beyond, the i32 result wraps modulo 2^32);
 * - a Uint8Array and an Int8Array, in either order (ONNX MatMulInteger: uint8 activations times
 *   int8 weights, 255 * -128 included): the exact integer for any length (summed in i64 blocks).
 */
export function dot(a: Float32Array | Int8Array | Uint8Array, b: Float32Array | Int8Array | Uint8Array): number {
  const rt = runtime();
  const f = a instanceof Float32Array && b instanceof Float32Array, i = a instanceof Int8Array && b instanceof Int8Array;
  const u = a instanceof Uint8Array && b instanceof Int8Array ? [a, b] as const : b instanceof Uint8Array && a instanceof Int8Array ? [b, a] as const : undefined;
  if (!f && !i && !u) throw new SimdnnArgumentError('b', `${describe(a)} and ${describe(b)}`, 'two Float32Arrays, two Int8Arrays, or a Uint8Array and an Int8Array');
  if (a.length !== b.length) throw new SimdnnArgumentError('b', `length ${b.length}`, `the length of a (${a.length})`);
  const at = scratchRegions(rt, [a.byteLength, b.byteLength]);
  const heap = rt.alloc.heap.buffer;
  if (f) {
    new Float32Array(heap, at[0], a.length).set(a); new Float32Array(heap, at[1], b.length).set(b);
    return rt.kernels.dot_f32(at[0], at[1], a.length);
  }
  if (u) {
    new Uint8Array(heap, at[0], a.length).set(u[0]); new Int8Array(heap, at[1], b.length).set(u[1]);
    return rt.kernels.dot_u8i8(at[0], at[1], a.length);
  }
  new Int8Array(heap, at[0], a.length).set(a as Int8Array); new Int8Array(heap, at[1], b.length).set(b as Int8Array);
  return rt.kernels.dot_i8(at[0], at[1], a.length);
}

/** t with its bytes and scales copied in. */
function filled(t: QTensor, bytes: Int8Array | Uint8Array, scales: Float32Array): QTensor {
  new Uint8Array(t.q.rt.alloc.heap.buffer, t.q.ptr, bytes.length).set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  t.s!.data.set(scales);
  return t;
}

/** max |x| per scale of the layout (float64). */
function groupAmax(data: Float32Array, l: ScaleLayout, cols: number): Float64Array {
  const amax = new Float64Array(l.count);
  data.forEach((v, i) => { const k = scaleIndex(l, Math.floor(i / cols), i % cols); amax[k] = Math.max(amax[k], Math.abs(v)); });
  return amax;
}

/** A binary QTensor (src/ops/binary.ts) holding the given bits and scales. */
const binaryTensor = (rows: number, cols: number, p: BinaryParts) => filled(new QTensor('binary', rows, cols, p.layout), p.bytes, p.scales);

/** QTensor.from for the ONNX integer formats: bytes as ONNX stores them, scales (and zero points) per the layout. */
function fromOnnx(f: QFormat, bytes: Int8Array | Uint8Array, rows: number, cols: number, o: QScaleOptions & { scales: Float32Array; zeroPoints?: ArrayLike<number> }): QTensor {
  if (!isOnnx(f)) throw new SimdnnArgumentError('scales', 'an options object', `a Float32Array of row scales (or nothing) for ${f}`);
  if (typeof o !== 'object' || o === null) throw new SimdnnArgumentError('scales', describe(o), 'a Float32Array of row scales or an options object with scales');
  const l = scaleLayout(f, rows, cols, o.groupSize, o.axis), n = byteLength(f, rows, cols);
  if (!(bytes instanceof (f === 'int8' ? Int8Array : Uint8Array)) || bytes.length !== n) throw new SimdnnArgumentError('bytes', describe(bytes), `${f === 'int8' ? 'an Int8Array' : 'a Uint8Array'} of ${n} bytes`);
  if (!(o.scales instanceof Float32Array) || o.scales.length !== l.count || o.scales.some((v) => !(v >= 0) || !Number.isFinite(v))) throw new SimdnnArgumentError('scales', describe(o.scales), `a Float32Array of ${l.count} finite scales >= 0`);
  if (isOnnxFloat(f) || isCodebook(f)) {
    if (o.zeroPoints !== undefined) throw new SimdnnArgumentError('zeroPoints', describe(o.zeroPoints), `undefined (${f} has no zero points)`);
    return filled(new QTensor(f, rows, cols, l, undefined, isCodebook(f) ? codebookTable(f, o.codebook) : undefined), bytes, o.scales);
  }
  const [qmin, qmax] = RANGE[f], sym = f === 'uint8' ? 128 : f === 'uint4' ? 8 : 0;
  const zp = o.zeroPoints === undefined ? new Int32Array(l.count).fill(sym) : Int32Array.from(o.zeroPoints);
  if (zp.length !== l.count || zp.some((v, i) => v < qmin || v > qmax || v !== (o.zeroPoints === undefined ? sym : o.zeroPoints![i]))) throw new SimdnnArgumentError('zeroPoints', describe(o.zeroPoints), `${l.count} integers in [${qmin}, ${qmax}]`);
  return filled(new QTensor(f, rows, cols, l, zp), bytes, o.scales);
}
