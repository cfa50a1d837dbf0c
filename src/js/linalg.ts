import { GGML, decodeSub, type GgmlFormat } from '../ops/ggml.js';
// GEMV in plain TypeScript (semantics: assembly/linalg/gemv.ts).
export function gemvF32(w: Float32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c] * x[c];
    y[r] = s;
  }
}

/** int8 weights with row scales times f32 x (int8 activations run as the ONNX int8 kernel, src/js/onnx.ts). */
export function gemvInt8F32(w: Int8Array, scale: Float32Array, x: Float32Array, y: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c] * x[c];
    y[r] = Math.fround(s) * scale[r];
  }
}

/**
 * ggml blocks times q8_0 activations, `tokens` rows of them (semantics: assembly/linalg/ggml.ts):
 * per 32-element sub-block dx * (sum over halves of scale * sum(q * xq) + bias * sum(xq)), in float64.
 */
export function gemmGgml(mem: Uint8Array, w: number, format: GgmlFormat, xq: Int8Array, xd: Float32Array, y: Float32Array, rows: number, cols: number, tokens: number): void {
  const { qk, bytes } = GGML[format], nb = cols / qk, subs = qk / 32;
  for (let r = 0; r < rows; r++) {
    const sub = Array.from({ length: nb * subs }, (_, k) => decodeSub(format, mem, w + (r * nb + Math.floor(k / subs)) * bytes, k % subs));
    for (let t = 0; t < tokens; t++) {
      let acc = 0;
      sub.forEach(({ q, s0, s1, m }, k) => {
        let a = 0, b = 0, sx = 0;
        for (let j = 0; j < 32; j++) {
          const x = xq[t * cols + 32 * k + j];
          if (j < 16) a += q[j] * x; else b += q[j] * x;
          sx += x;
        }
        acc += xd[t * (cols / 32) + k] * (s0 * a + s1 * b + (m ?? 0) * sx);
      });
      y[t * rows + r] = acc;
    }
  }
}
