// The binary-weight GEMV kernels in plain TypeScript (semantics and summation order:
// assembly/linalg/binary.ts): the same bits as the wasm tiers.

/** Sign bit (1 = +, 0 = -) of element c of the row at byte p. */
const bit = (mem: Uint8Array, p: number, c: number) => (mem[p + (c >> 3)] >> (c & 7)) & 1;

/**
 * f32 activations: per group, 16 f32 lanes (lane j takes the columns c0 + j, c0 + j + 16, ... in
 * order), combined as the wasm's four f32x4 accumulators are, scaled and summed in f32.
 */
export function gemvBinaryF32(mem: Uint8Array, w: number, scale: Float32Array, gstride: number, x: Float32Array, y: Float32Array, rows: number, cols: number, group: number): void {
  const lanes = new Float32Array(16), v = new Float32Array(4);
  for (let r = 0; r < rows; r++) {
    const p = w + r * (cols >> 3);
    let acc = 0;
    for (let g = 0; g < cols / group; g++) {
      const c0 = g * group;
      lanes.fill(0);
      for (let c = c0; c < c0 + group; c++) lanes[(c - c0) & 15] += bit(mem, p, c) ? x[c] : -x[c];
      for (let i = 0; i < 4; i++) v[i] = Math.fround(lanes[i] + lanes[4 + i]) + Math.fround(lanes[8 + i] + lanes[12 + i]);
      const s = Math.fround((v[0] + v[2]) + (v[1] + v[3])); // (the f64 lane sum of the wasm)
      acc = Math.fround(acc + Math.fround(s * scale[gstride ? r * gstride + g : 0]));
    }
    y[r] = acc;
  }
}

/** Binarized activations (sign bits at xb, scale sx): exact XNOR-popcount integers per group, f64 sums. */
export function gemvBinaryBits(mem: Uint8Array, w: number, scale: Float32Array, gstride: number, xb: number, sx: number, y: Float32Array, rows: number, cols: number, group: number): void {
  for (let r = 0; r < rows; r++) {
    const p = w + r * (cols >> 3);
    let acc = 0;
    for (let g = 0; g < cols / group; g++) {
      let diff = 0;
      for (let c = g * group; c < (g + 1) * group; c++) diff += bit(mem, p, c) ^ bit(mem, xb, c);
      acc += (group - 2 * diff) * scale[gstride ? r * gstride + g : 0];
    }
    y[r] = acc * sx;
  }
}
