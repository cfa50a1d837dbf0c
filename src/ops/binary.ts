// The `binary` format: 1 bit per weight (its sign) with one f32 scale per group, the 1-bit setting
// of XNOR-Net / BiViT / PTQ1.61 / QuEST, and its GEMV (kernels: assembly/linalg/binary.ts,
// src/js/binary.ts).
//
//   code:       b = 1 for w >= 0 (sign(0) = +1, and -0 counts as >= 0), b = 0 for w < 0
//   value:      scale * (b ? +1 : -1), exactly (dequantize returns +-scale)
//   scales:     one f32 per group of the layout of src/ops/onnx.ts: per row (default), per group
//               of `groupSize` columns of a row, or one for the tensor (`axis: null`); by default
//               scale = fround(mean |w| over the group) (the sum in float64, then fround(sum / n)):
//               XNOR-Net's optimal alpha for sign binarization (it minimizes ||w - alpha sign(w)||^2);
//               or given (`scales`, finite >= 0)
//   round trip: |w - dequantize(w)| = ||w| - scale| <= max(|w|, scale) <= |w| + scale
//   non-finite: NaN and +-Inf weights are refused (SimdnnArgumentError), with or without `scales`
//   bytes:      element c of a row in bit c & 7 (LSB first) of byte c >> 3, rows of cols / 8 bytes
//               back to back; cols and groupSize must be multiples of 8 (groups start on a byte);
//               1 + 32 / groupSize bits per weight
//
// gemv(w, x):
//   activations 'f32' (default): y[r] = sum_g scale[r, g] * sum_{c in g} (b ? x[c] : -x[c]), the
//               sign of x flipped in registers by v128.xor with the 8 sign masks of each weight byte
//               (from an 8 KB table the kernel fills per call); f32 sums in the order stated in
//               assembly/linalg/binary.ts (every tier gives the same bits); NaN / Inf in x propagate.
//   activations 'binary': x binarized once per call, bits of sign(x) (x >= 0 -> 1) and one scale
//               sx = fround(mean |x|) for the whole vector; per group the XNOR-popcount dot
//               sum_{c in g} sign(w) sign(x) = groupSize - 2 popcount(w ^ x) (exact integer), then
//               y[r] = fround(sx * sum_g scale[r, g] * dot_g), the sum in float64 in group order (each
//               product exact), times sx in float64, one rounding to f32. Non-finite x: refused.
import type { Runtime } from '../runtime/runtime.js';
import { Tensor } from '../runtime/tensor.js';
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { outOf, type F32Input } from './args.js';
import { scratchRegions, inputAt, copyOut } from './marshal.js';
import { scaleLayout, scaleIndex, type ScaleLayout } from './onnx.js';

/** gemv / gemm activations: 'binary' only for binary weights. */
export type Activations = 'int8' | 'f32' | 'binary';

/** Layout, bytes and scales of a binary tensor (what a QTensor is built from). */
export interface BinaryParts { layout: ScaleLayout; bytes: Uint8Array; scales: Float32Array }
/** A binary QTensor as the kernels see it: pointers to the bits and the scales. */
export interface BinaryWeights { rows: number; cols: number; w: number; scales: number; layout: ScaleLayout }
/** The options binary takes (quantize or QTensor.from). */
interface BinaryOptions { groupSize?: number; axis?: 0 | 1 | null; scales?: Float32Array; symmetric?: boolean; saturate?: boolean; zeroPoints?: unknown; codebook?: unknown }

/** Bytes of a [rows, cols] binary matrix (cols a multiple of 8). */
export function byteLengthBinary(rows: number, cols: number): number {
  if (cols % 8 !== 0) throw new SimdnnArgumentError('cols', `${cols} for binary`, 'a multiple of 8 (binary rows start on a byte)');
  return (rows * cols) / 8;
}

/** Sign bits of v (v >= 0 -> 1), element i in bit i & 7 of byte i >> 3. */
export function signBits(v: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(v.length / 8));
  for (let i = 0; i < v.length; i++) if (v[i] >= 0) out[i >> 3] |= 1 << (i & 7);
  return out;
}

/** fround(mean |v|), the sum in float64. */
export function meanAbs(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.abs(v[i]);
  return Math.fround(s / v.length);
}

/** The options' layout and scales after every check (the scales given, or from `data`). */
function partsOf(rows: number, cols: number, o: BinaryOptions, data?: Float32Array): { layout: ScaleLayout; scales: Float32Array } {
  for (const k of ['saturate', 'zeroPoints', 'codebook'] as const) if (o[k] !== undefined) throw new SimdnnArgumentError(k, describe(o[k]), 'undefined for binary (no such option)');
  if (o.symmetric !== undefined && o.symmetric !== true) throw new SimdnnArgumentError('symmetric', describe(o.symmetric), 'true or undefined (binary has no zero points)');
  byteLengthBinary(rows, cols);
  const layout = scaleLayout('binary', rows, cols, o.groupSize, o.axis);
  if (layout.groupSize % 8 !== 0) throw new SimdnnArgumentError('groupSize', `${layout.groupSize} for binary`, 'a multiple of 8 (binary groups start on a byte)');
  if (o.scales !== undefined || !data) {
    const s = o.scales;
    if (!(s instanceof Float32Array) || s.length !== layout.count || s.some((v) => !(v >= 0) || !Number.isFinite(v))) throw new SimdnnArgumentError('scales', describe(s), `a Float32Array of ${layout.count} finite scales >= 0`);
  }
  if (data && data.some((v) => !Number.isFinite(v))) throw new SimdnnArgumentError('x', 'a non-finite value', 'finite values (binary codes have no NaN or Infinity)');
  if (o.scales || !data) return { layout, scales: o.scales!.slice() };
  const sums = new Float64Array(layout.count), n = (rows * cols) / layout.count;
  for (let i = 0; i < data.length; i++) sums[scaleIndex(layout, Math.floor(i / cols), i % cols)] += Math.abs(data[i]);
  return { layout, scales: Float32Array.from(sums, (s) => s / n) };
}

/** quantize(x, { format: 'binary', ... }): sign bits and scales of a [rows, cols] matrix. */
export function quantizeBinary(data: Float32Array, rows: number, cols: number, o: BinaryOptions): BinaryParts {
  return { ...partsOf(rows, cols, o, data), bytes: signBits(data) };
}

/** QTensor.from('binary', bytes, rows, cols, scales | { scales, groupSize, axis }): checked copies. */
export function fromBinary(bytes: unknown, rows: number, cols: number, scales: unknown): BinaryParts {
  if (typeof scales !== 'object' || scales === null) throw new SimdnnArgumentError('scales', describe(scales), 'a Float32Array of row scales or an options object with scales');
  const p = partsOf(rows, cols, ArrayBuffer.isView(scales) ? { scales: scales as Float32Array } : (scales as BinaryOptions)), n = byteLengthBinary(rows, cols);
  if (!(bytes instanceof Uint8Array) || bytes.length !== n) throw new SimdnnArgumentError('bytes', describe(bytes), `a Uint8Array of ${n} bytes (rows * cols / 8)`);
  return { ...p, bytes: bytes.slice() };
}

/** The f32 values: +-scale of each element's group. */
export function dequantizeBinary(bytes: Uint8Array, rows: number, cols: number, l: ScaleLayout, scales: Float32Array): Float32Array {
  return Float32Array.from({ length: rows * cols }, (_, i) => {
    const s = scales[scaleIndex(l, Math.floor(i / cols), i % cols)];
    return (bytes[i >> 3] >> (i & 7)) & 1 ? s : -s;
  });
}

/** gemv over binary weights (x.length already checked against cols). */
export function gemvBinary(rt: Runtime, q: BinaryWeights, x: F32Input, options: { out?: unknown; activations?: unknown }): Float32Array | Tensor {
  const { rows, cols, layout } = q, act = options.activations ?? 'f32';
  if (act !== 'f32' && act !== 'binary') throw new SimdnnArgumentError('activations', describe(act), "'f32' (default) or 'binary' for binary weights");
  const out = outOf(rt, options.out, rows), outT = out instanceof Tensor;
  let py: number;
  if (act === 'f32') {
    const at = scratchRegions(rt, [x instanceof Tensor ? 0 : cols * 4, outT ? 0 : rows * 4, 8192]); // (8 KB: the kernel's sign-mask table)
    py = outT ? out.ptr : at[1];
    rt.kernels.gemv_binary_f32(q.w, q.scales, layout.groupsPerRow, inputAt(rt, x, at[0]), py, rows, cols, layout.groupSize, at[2]);
  } else {
    const xv = x instanceof Tensor ? x.toArray() : x;
    if (xv.some((v) => !Number.isFinite(v))) throw new SimdnnArgumentError('x', 'a non-finite value', "finite values with activations 'binary'");
    const bits = signBits(xv), at = scratchRegions(rt, [bits.length, outT ? 0 : rows * 4]);
    new Uint8Array(rt.alloc.heap.buffer, at[0], bits.length).set(bits);
    py = outT ? out.ptr : at[1];
    rt.kernels.gemv_binary_bin(q.w, q.scales, layout.groupsPerRow, at[0], meanAbs(xv), py, rows, cols, layout.groupSize);
  }
  return outT ? out : copyOut(rt, py, rows, out as Float32Array | undefined, Float32Array);
}
