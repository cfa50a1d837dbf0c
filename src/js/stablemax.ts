// StableMax in plain TypeScript (the js tier): s(z) = z + 1 (z >= 0), 1 / (1 - z) (z < 0),
// z = x / T, normalized; float64 throughout. Edges as assembly/softmax/stablemax.ts.
const s = (z: number) => (z >= 0 ? z + 1 : 1 / (1 - z));

export function stablemax(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let sum = 0, inf = 0, nan = false;
    for (let i = 0; i < cols; i++) {
      const v = x[o + i];
      if (v !== v) nan = true;
      else if (v === Infinity) inf++;
      else sum += s(v * beta);
    }
    for (let i = 0; i < cols; i++) {
      const v = x[o + i];
      y[o + i] = nan ? NaN : inf ? (v === Infinity ? 1 / inf : 0) : sum > 0 ? s(v * beta) / sum : 0;
    }
  }
}
