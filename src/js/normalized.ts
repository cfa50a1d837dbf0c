// f(z) / sum f(z) normalizers in plain TypeScript (the js tier), float64 throughout:
// StableMax, Taylor softmax and softplus. Edges as in assembly/softmax/stablemax.ts and taylor.ts:
// NaN -> NaN row, +Inf entries share the mass, a row summing to 0 (all -Inf) gives zeros.
import { softmaxRows } from './softmax.js';

type F = (z: number) => number;

/** s(z) = z + 1 for z >= 0, 1 / (1 - z) below (Prieto et al.). */
export const stablemaxTerm: F = (z) => (z >= 0 ? z + 1 : 1 / (1 - z));
/** 1 + z + z^2 / 2 with -Inf masked out (de Brébisson & Vincent). */
export const taylorTerm: F = (z) => (z === -Infinity ? 0 : 1 + z + (z * z) / 2);

/** One row's sum of f(x * beta) over the finite entries, its +Inf count and whether it has a NaN. */
function scan(x: Float32Array, o: number, cols: number, beta: number, f: F): { sum: number; inf: number; nan: boolean } {
  let sum = 0, inf = 0, nan = false;
  for (let i = 0; i < cols; i++) {
    const v = x[o + i];
    if (v !== v) nan = true;
    else if (v === Infinity) inf++;
    else sum += f(v * beta);
  }
  return { sum, inf, nan };
}

export function normalizeRows(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number, f: F): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const { sum, inf, nan } = scan(x, o, cols, beta, f);
    for (let i = 0; i < cols; i++) {
      const v = x[o + i];
      y[o + i] = nan ? NaN : inf ? (v === Infinity ? 1 / inf : 0) : sum > 0 ? f(v * beta) / sum : 0;
    }
  }
}

/** softplus(z) = max(z, 0) + log1p(e^-|z|). */
export const softplusTerm: F = (z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));

/**
 * Softplus normalization: normalizeRows with softplusTerm, except that a row whose largest z is
 * below -27.6 is its exact limit softmax(z) (softplus(z) = e^z (1 + O(1e-12)) there).
 */
export function softplusNorm(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number): void {
  for (let r = 0; r < rows; r++) {
    const xr = x.subarray(r * cols, (r + 1) * cols), yr = y.subarray(r * cols, (r + 1) * cols);
    let m = -Infinity;
    for (const v of xr) if (v > m) m = v;
    if (m * beta < -27.6) softmaxRows(xr, yr, 1, cols, beta, 'softmax');
    else normalizeRows(xr, yr, 1, cols, beta, softplusTerm);
  }
}

/**
 * The shared edge rule for one row: NaN -> NaN row, +Inf entries share the mass, all -Inf ->
 * zeros. Writes `out` and returns true for such a row; else returns the row max.
 */
export function edgeRow(row: Float32Array, out: Float32Array): number | true {
  let m = -Infinity, nan = false, inf = 0;
  for (const v of row) { if (v !== v) nan = true; else if (v === Infinity) inf++; else if (v > m) m = v; }
  if (!nan && !inf && m > -Infinity) return m;
  for (let i = 0; i < row.length; i++) out[i] = nan ? NaN : inf ? (row[i] === Infinity ? 1 / inf : 0) : 0;
  return true;
}

/** log stablemax: log s(z) - log sum s(z), with log s(z) = +-log1p(|z|); edges as logSoftmax. */
export function logStablemax(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number): void {
  const logS = (z: number) => (z >= 0 ? Math.log1p(z) : -Math.log1p(-z));
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const { sum, inf, nan } = scan(x, o, cols, beta, stablemaxTerm);
    const ls = Math.log(sum);
    for (let i = 0; i < cols; i++) {
      const v = x[o + i];
      y[o + i] = nan ? NaN : inf ? (v === Infinity ? -Math.log(inf) : -Infinity) : sum > 0 ? logS(v * beta) - ls : -Infinity;
    }
  }
}
