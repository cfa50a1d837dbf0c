// int8 quantization (symmetric, one f32 scale per row), QTensor, and the GEMV / dot ops.
import { runtime } from '../runtime/runtime.js';
import { Tensor, tensor } from '../runtime/tensor.js';
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { f32Input, optionsOf, positiveInt, type F32Input } from './args.js';
import { scratchRegions, inputAt, copyOut } from './marshal.js';

/** Round half to even (the ONNX QuantizeLinear rule). */
function rne(y: number): number {
  const f = Math.floor(y), r = y - f;
  return r > 0.5 || (r === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** Symmetric int8 of one row into out[to..]: scale = max|x| / 127 (f32), q = rne(x / scale); returns the scale. */
export function quantizeRow(row: ArrayLike<number>, out: Int8Array, to: number): number {
  let m = 0;
  for (let c = 0; c < row.length; c++) m = Math.max(m, Math.abs(row[c]));
  const scale = Math.fround(m / 127);
  for (let c = 0; c < row.length; c++) out[to + c] = scale ? Math.max(-127, Math.min(127, rne(row[c] / scale))) : 0;
  return scale;
}

/** Quantized weights resident in simdnn's memory. */
export class QTensor {
  /** @internal int8 values, row-major (in a tensor of a quarter the floats) */ readonly q: Tensor;
  /** @internal */ readonly s: Tensor;
  /** @internal */ constructor(readonly format: 'int8', readonly rows: number, readonly cols: number) {
    this.q = tensor([Math.ceil((rows * cols) / 4)]);
    try { this.s = tensor([rows]); } catch (e) { this.q.dispose(); throw e; }
  }
  /** The int8 values, row-major (a copy). */
  get bytes(): Int8Array { this.q.check('q'); return new Int8Array(this.q.rt.alloc.heap.buffer, this.q.ptr, this.rows * this.cols).slice(); }
  /** One f32 scale per row (a copy): w[r, c] ~ scales[r] * bytes[r * cols + c]. */
  get scales(): Float32Array { return this.s.toArray(); }
  /** Free the memory. Safe to call twice. */
  dispose(): void { this.q.dispose(); this.s.dispose(); }
  get disposed(): boolean { return this.q.disposed; }

  /** Wrap existing int8 values and per-row scales (no re-quantization). */
  static from(format: 'int8', bytes: Int8Array, rows: number, cols: number, scales: Float32Array): QTensor {
    if (format !== 'int8') throw new SimdnnArgumentError('format', describe(format), "'int8'");
    runtime();
    positiveInt('rows', rows); positiveInt('cols', cols);
    if (!(bytes instanceof Int8Array) || bytes.length !== rows * cols) throw new SimdnnArgumentError('bytes', describe(bytes), `an Int8Array of rows*cols = ${rows * cols}`);
    if (!(scales instanceof Float32Array) || scales.length !== rows) throw new SimdnnArgumentError('scales', describe(scales), `a Float32Array of ${rows} row scales`);
    const t = new QTensor(format, rows, cols);
    new Int8Array(t.q.rt.alloc.heap.buffer, t.q.ptr, rows * cols).set(bytes);
    t.s.data.set(scales);
    return t;
  }
}

/**
 * Quantize a [rows, cols] f32 matrix to int8 with one symmetric scale per row (ONNX
 * QuantizeLinear semantics with zero point 0: x / scale, round half to even, saturate to
 * [-127, 127]; scale = max|row| / 127). Round-trip error per element <= scale / 2.
 */
export function quantize(x: F32Input, options: { format: 'int8'; rows?: number; cols: number }): QTensor {
  const rt = runtime();
  const o = optionsOf<{ format: 'int8'; rows: number; cols: number }>(options);
  if (o.format !== 'int8') throw new SimdnnArgumentError('format', describe(o.format), "'int8' (the other formats are not in this release)");
  const n = f32Input(rt, 'x', x), cols = positiveInt('cols', o.cols), rows = positiveInt('rows', o.rows, n / cols);
  if (rows * cols !== n) throw new SimdnnArgumentError('x', `length ${n}`, `rows*cols = ${rows * cols}`);
  const data = x instanceof Tensor ? x.toArray() : x;
  if (data.some((v) => !Number.isFinite(v))) throw new SimdnnArgumentError('x', 'a non-finite value', 'finite values (int8 has no NaN or Infinity)');
  const t = new QTensor('int8', rows, cols), q = new Int8Array(rows * cols), s = new Float32Array(rows);
  for (let r = 0; r < rows; r++) s[r] = quantizeRow(data.subarray(r * cols, (r + 1) * cols), q, r * cols);
  new Int8Array(rt.alloc.heap.buffer, t.q.ptr, rows * cols).set(q);
  t.s.data.set(s);
  return t;
}

/** The f32 values of a QTensor: scales[r] * q[r, c]. */
export function dequantize(q: QTensor): Float32Array {
  if (!(q instanceof QTensor)) throw new SimdnnArgumentError('q', describe(q), 'a QTensor');
  const b = q.bytes, s = q.scales;
  return Float32Array.from(b, (v, i) => v * s[Math.floor(i / q.cols)]);
}

/**
 * y = W x. W: a [rows, cols] Float32Array or Tensor (cols = x.length), or an int8 QTensor.
 * For a QTensor, `activations: 'int8'` (default) quantizes x once per call (symmetric,
 * max|x| / 127) and sums exact integer products; `'f32'` widens the weights in registers.
 */
export function gemv(w: F32Input | QTensor, x: F32Input, options?: { out?: Float32Array | Tensor; activations?: 'int8' | 'f32' }): Float32Array | Tensor {
  const rt = runtime();
  const o = optionsOf<{ out: Float32Array | Tensor; activations: 'int8' | 'f32' }>(options);
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
  const act = o.activations ?? 'int8';
  if (act !== 'int8' && act !== 'f32') throw new SimdnnArgumentError('activations', describe(act), "'int8' or 'f32'");
  if (o.out !== undefined && f32Input(rt, 'out', o.out) !== rows) throw new SimdnnArgumentError('out', describe(o.out), `length ${rows}`);
  const outT = o.out instanceof Tensor;
  const int8 = w instanceof QTensor && act === 'int8';
  const xv = int8 ? (x instanceof Tensor ? x.toArray() : x) : undefined;
  if (xv && xv.some((v) => !Number.isFinite(v))) throw new SimdnnArgumentError('x', 'a non-finite value', "finite values with activations 'int8'");
  const at = scratchRegions(rt, [w instanceof QTensor || w instanceof Tensor ? 0 : w.length * 4, int8 ? cols : (x instanceof Tensor ? 0 : cols * 4), outT ? 0 : rows * 4]);
  const py = outT ? (o.out as Tensor).ptr : at[2];
  if (w instanceof QTensor) {
    if (int8) {
      const xq = new Int8Array(cols), sx = quantizeRow(xv!, xq, 0);
      new Int8Array(rt.alloc.heap.buffer, at[1], cols).set(xq);
      rt.kernels.gemv_i8_i8(w.q.ptr, w.s.ptr, at[1], sx, py, rows, cols);
    } else rt.kernels.gemv_i8_f32(w.q.ptr, w.s.ptr, inputAt(rt, x, at[1]), py, rows, cols);
  } else rt.kernels.gemv_f32(inputAt(rt, w, at[0]), inputAt(rt, x, at[1]), py, rows, cols);
  return outT ? (o.out as Tensor) : copyOut(rt, py, rows, o.out as Float32Array | undefined, Float32Array);
}

/** a . b: Float32Arrays (float result) or Int8Arrays (the exact integer). */
export function dot(a: Float32Array | Int8Array, b: Float32Array | Int8Array): number {
  const rt = runtime();
  const f = a instanceof Float32Array && b instanceof Float32Array, i = a instanceof Int8Array && b instanceof Int8Array;
  if (!f && !i) throw new SimdnnArgumentError('b', `${describe(a)} and ${describe(b)}`, 'two Float32Arrays or two Int8Arrays');
  if (a.length !== b.length) throw new SimdnnArgumentError('b', `length ${b.length}`, `the length of a (${a.length})`);
  const at = scratchRegions(rt, [a.byteLength, b.byteLength]);
  const heap = rt.alloc.heap.buffer;
  if (f) {
    new Float32Array(heap, at[0], a.length).set(a); new Float32Array(heap, at[1], b.length).set(b);
    return rt.kernels.dot_f32(at[0], at[1], a.length);
  }
  new Int8Array(heap, at[0], a.length).set(a); new Int8Array(heap, at[1], b.length).set(b);
  return rt.kernels.dot_i8(at[0], at[1], a.length);
}
