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

/** ggml blocks (format 0 = q8_0, 1 = q4_0) times q8_0 activations (xq int8, xd scales), as assembly/linalg/ggml.ts. */
export function gemvGgml(mem: Uint8Array, w: number, format: number, xq: Int8Array, xd: Float32Array, y: Float32Array, rows: number, cols: number): void {
  const nb = cols / 32, bb = format === 0 ? 34 : 18;
  const half = (p: number) => {
    const h = mem[p] | (mem[p + 1] << 8), s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    return e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  };
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let b = 0; b < nb; b++) {
      const wb = w + (r * nb + b) * bb;
      let sum = 0;
      for (let j = 0; j < 32; j++) {
        const q = format === 0 ? (mem[wb + 2 + j] << 24) >> 24 : (j < 16 ? mem[wb + 2 + j] & 15 : mem[wb + 2 + j - 16] >> 4) - 8;
        sum += q * xq[b * 32 + j];
      }
      acc += sum * Math.fround(half(wb) * xd[b]);
    }
    y[r] = acc;
  }
}
