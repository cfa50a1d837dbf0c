// GEMV in plain TypeScript (semantics: assembly/linalg/gemv.ts).
export function gemvF32(w: Float32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c] * x[c];
    y[r] = s;
  }
}

/** int8 weights with row scales; xq int8 activations with scale sx (exact integer sums), or f32 x. */
export function gemvInt8(w: Int8Array, scale: Float32Array, x: Int8Array | Float32Array, sx: number, y: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c] * x[c];
    y[r] = x instanceof Int8Array ? s * scale[r] * sx : Math.fround(s) * scale[r];
  }
}
