// f(z) / sum f(z) normalizers in plain TypeScript (the js tier), float64 throughout:
// StableMax and Taylor softmax. Edges as in assembly/softmax/stablemax.ts and taylor.ts:
// NaN -> NaN row, +Inf entries share the mass, a row summing to 0 (all -Inf) gives zeros.
type F = (z: number) => number;

/** s(z) = z + 1 for z >= 0, 1 / (1 - z) below (Prieto et al.). */
export const stablemaxTerm: F = (z) => (z >= 0 ? z + 1 : 1 / (1 - z));
/** 1 + z + z^2 / 2 with -Inf masked out (de Brébisson & Vincent). */
export const taylorTerm: F = (z) => (z === -Infinity ? 0 : 1 + z + (z * z) / 2);

export function normalizeRows(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number, f: F): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let sum = 0, inf = 0, nan = false;
    for (let i = 0; i < cols; i++) {
      const v = x[o + i];
      if (v !== v) nan = true;
      else if (v === Infinity) inf++;
      else sum += f(v * beta);
    }
    for (let i = 0; i < cols; i++) {
      const v = x[o + i];
      y[o + i] = nan ? NaN : inf ? (v === Infinity ? 1 / inf : 0) : sum > 0 ? f(v * beta) / sum : 0;
    }
  }
}
