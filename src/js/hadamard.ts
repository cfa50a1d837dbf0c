// Normalized fast Walsh-Hadamard transform per row (semantics: assembly/linalg/hadamard.ts).
// Strides 1, 2, 4, ... like the wasm kernel; each Float32Array store rounds a sum of two f32
// (exact in float64) once, so this computes the same f32 operations and the same results.

/** y = H x / sqrt(cols) for each row; y may be x. cols a power of two. */
export function hadamard(x: Float32Array, y: Float32Array, rows: number, cols: number): void {
  const s = Math.fround(1 / Math.sqrt(cols));
  if (y !== x) y.set(x.subarray(0, rows * cols));
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let h = 1; h < cols; h <<= 1) {
      const m = h << 1 === cols ? s : 1; // the scale goes into the last stage only
      for (let j = o; j < o + cols; j += h << 1) {
        for (let i = j; i < j + h; i++) {
          const a = y[i], b = y[i + h];
          y[i] = Math.fround(a + b) * m;
          y[i + h] = Math.fround(a - b) * m;
        }
      }
    }
  }
}
