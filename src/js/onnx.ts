// The ONNX-format GEMV kernels in plain TypeScript (semantics: assembly/linalg/onnx.ts).
import { decodeFloat } from '../ops/onnx-float.js';

/** fp4_e2m1 nibbles as 2 value + 12 (the kernel's codes; zpe 12, factor 1/2). */
const FP4 = [12, 13, 14, 15, 16, 18, 20, 24, 12, 11, 10, 9, 8, 6, 4, 0];

/**
 * Code of element e of a row at byte p, as the kernels read it (kind 0 int8, 1 uint8 ^ 0x80,
 * 2 int4 nibble ^ 8, 3 uint4, 4 fp4 through FP4; 5 / 6: the fp8 value itself; 7: the table value
 * of the nibble, high nibble first).
 */
function code(mem: Uint8Array, p: number, e: number, kind: number, table?: Float32Array): number {
  if (kind === 7) return table![(mem[p + (e >> 1)] >> ((~e & 1) * 4)) & 15];
  if (kind === 5 || kind === 6) return decodeFloat(kind === 5 ? 'fp8_e4m3' : 'fp8_e5m2', mem[p + e]);
  if (kind === 4) return FP4[(mem[p + (e >> 1)] >> ((e & 1) * 4)) & 15];
  if (kind >= 2) return ((mem[p + (e >> 1)] >> ((e & 1) * 4)) & 15) ^ (kind === 2 ? 8 : 0);
  return (((mem[p + e] ^ (kind === 1 ? 0x80 : 0)) << 24) >> 24);
}

/** xq in element order (4-bit kinds get it deinterleaved per full 32-run of each group). */
function natural(xq: Int8Array, kind: number, cols: number, group: number): Int8Array {
  if (kind < 2 || kind > 4) return xq;
  const out = new Int8Array(cols);
  for (let c0 = 0; c0 < cols; c0 += group) {
    let c = c0;
    for (; c + 32 <= c0 + group; c += 32) for (let j = 0; j < 16; j++) { out[c + 2 * j] = xq[c + j]; out[c + 2 * j + 1] = xq[c + 16 + j]; }
    for (; c < c0 + group; c++) out[c] = xq[c];
  }
  return out;
}

/**
 * y = W x over the codes minus zero points, one scale per group. Int8 activations (xq with scale
 * sx; 4-bit kinds deinterleaved as the kernel reads them) sum exact integers; f32 activations
 * (sx = 1) round each group sum to f32 as the wasm lanes do.
 */
export function gemvOnnx(mem: Uint8Array, w: number, kind: number, scale: Float32Array, zpe: Int32Array, gstride: number, xa: Int8Array | Float32Array, sx: number, y: Float32Array, rows: number, cols: number, group: number, table?: Float32Array): void {
  const int8 = xa instanceof Int8Array, x = int8 ? natural(xa, kind, cols, group) : xa, rowBytes = (kind >= 2 && kind <= 4) || kind === 7 ? cols / 2 : cols;
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let g = 0; g < cols / group; g++) {
      const k = gstride ? r * gstride + g : 0;
      let s = 0;
      for (let c = g * group; c < (g + 1) * group; c++) s += (code(mem, w + r * rowBytes, c, kind, table) - zpe[k]) * x[c];
      acc += (int8 ? s : Math.fround(s)) * scale[k];
    }
    y[r] = (int8 ? acc * sx : acc) * (kind === 4 ? 0.5 : 1);
  }
}
