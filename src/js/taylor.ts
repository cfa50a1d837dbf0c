// Taylor softmax in plain TypeScript (the js tier): f(z) = 1 + z + z^2 / 2, z = x / T,
// normalized, in float64 (no overflow for f32 inputs). -Inf entries are masked out (0);
// edges as in assembly/softmax/taylor.ts.
const f = (v: number, beta: number) => (v === -Infinity ? 0 : 1 + v * beta + (v * beta) ** 2 / 2);

export function taylorSoftmax(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let sum = 0, inf = 0, nan = false;
    for (let i = 0; i < cols; i++) {
      const v = x[o + i];
      if (v !== v) nan = true;
      else if (v === Infinity) inf++;
      else sum += f(v, beta);
    }
    for (let i = 0; i < cols; i++) {
      const v = x[o + i];
      y[o + i] = nan ? NaN : inf ? (v === Infinity ? 1 / inf : 0) : sum > 0 ? f(v, beta) / sum : 0;
    }
  }
}
