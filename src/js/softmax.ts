// The classic softmax family in plain TypeScript: the js tier, and the readable statement of
// the semantics every tier shares (see assembly/softmax/softmax.ts for the edge rules).
// Sums run in float64, so this tier is the most accurate of the three.

export type SoftmaxOut = 'softmax' | 'logSoftmax' | 'logSumExp';

/**
 * Rows of x (row-major, `cols` wide) -> y. For 'logSumExp', y holds one value per row.
 * beta is the inverse temperature (> 0). x and y may be the same array.
 */
export function softmaxRows(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number, out: SoftmaxOut): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity, nan = false;
    for (let i = 0; i < cols; i++) {
      const v = x[o + i];
      if (v > m) m = v;
      else if (v !== v) nan = true;
    }
    if (out === 'logSumExp') {
      y[r] = nan ? NaN : m === Infinity || m === -Infinity ? m : m * beta + Math.log(expSum(x, o, cols, m, beta));
      continue;
    }
    if (nan) { y.fill(NaN, o, o + cols); continue; }
    if (m === -Infinity) { y.fill(out === 'softmax' ? 0 : -Infinity, o, o + cols); continue; }
    if (m === Infinity) { infRow(x, y, o, cols, out); continue; }
    if (out === 'softmax') {
      let sum = 0;
      for (let i = 0; i < cols; i++) { const e = Math.exp((x[o + i] - m) * beta); y[o + i] = e; sum += e; }
      const inv = 1 / sum;
      for (let i = 0; i < cols; i++) y[o + i] *= inv;
    } else {
      const lse = Math.log(expSum(x, o, cols, m, beta));
      for (let i = 0; i < cols; i++) y[o + i] = (x[o + i] - m) * beta - lse;
    }
  }
}

function expSum(x: Float32Array, o: number, n: number, m: number, beta: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp((x[o + i] - m) * beta);
  return sum;
}

/** A row whose max is +Inf: the +Inf entries share the mass equally. */
function infRow(x: Float32Array, y: Float32Array, o: number, n: number, out: SoftmaxOut): void {
  let count = 0;
  for (let i = 0; i < n; i++) if (x[o + i] === Infinity) count++;
  const share = out === 'softmax' ? 1 / count : -Math.log(count);
  const rest = out === 'softmax' ? 0 : -Infinity;
  for (let i = 0; i < n; i++) y[o + i] = x[o + i] === Infinity ? share : rest;
}

/**
 * y = x * beta + mask (additive f32 mask) or x * beta where mask != 0 and -Inf elsewhere
 * (boolean u8 mask). Row r uses mask row r % maskRows.
 */
export function maskLogits(x: Float32Array, mask: Float32Array | Uint8Array, y: Float32Array, rows: number, cols: number, maskRows: number, beta: number): void {
  const additive = mask instanceof Float32Array;
  for (let r = 0; r < rows; r++) {
    const o = r * cols, mo = (r % maskRows) * cols;
    for (let i = 0; i < cols; i++) {
      y[o + i] = additive ? x[o + i] * beta + mask[mo + i] : mask[mo + i] !== 0 ? x[o + i] * beta : -Infinity;
    }
  }
}

/**
 * Softmax by the online normalizer: one pass keeps the running max m and the sum s rescaled
 * whenever m grows; a second pass writes exp(x - m) / s. Rows this cannot do exactly (+Inf,
 * NaN, all -Inf) go to softmaxRows, which owns the edge rules.
 */
export function softmaxOnline(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity, s = 0;
    for (let i = 0; i < cols; i++) {
      const v = x[o + i];
      if (v === -Infinity) continue;
      const nm = Math.max(m, v); // NaN stays NaN and makes s NaN
      s = s * Math.exp((m - nm) * beta) + Math.exp((v - nm) * beta);
      m = nm;
    }
    if (!(s > 0 && s < Infinity) || m === Infinity) {
      softmaxRows(x.subarray(o, o + cols), y.subarray(o, o + cols), 1, cols, beta, 'softmax');
      continue;
    }
    for (let i = 0; i < cols; i++) y[o + i] = Math.exp((x[o + i] - m) * beta) / s;
  }
}

/**
 * Softmax by the two-pass algorithm (Dukhan & Ablavatski): each e^z is kept as p * 2^n with
 * p = exp(z - n ln2), and the sum in the same form (s * 2^e, e the largest exponent so far),
 * so no max pass is needed. Entries below -16384 count as 0; rows whose max lies outside
 * [-16280, 16384] or whose sum is not a positive number go to softmaxRows (the edge rules).
 */
export function softmaxTwoPass(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0, e = -Infinity, zmax = -Infinity;
    for (let i = 0; i < cols; i++) {
      const z = x[o + i] * beta;
      if (z > zmax || z !== z) zmax = z;
      const zc = Math.max(z, -16384), n = Math.round(zc * Math.LOG2E), p = Math.exp(zc - n * Math.LN2);
      if (n > e) { s = s * 2 ** (e - n) + p; e = n; } else s += p * 2 ** (n - e);
    }
    if (!(s > 0 && s < Infinity) || !(zmax >= -16280 && zmax <= 16384)) {
      softmaxRows(x.subarray(o, o + cols), y.subarray(o, o + cols), 1, cols, beta, 'softmax');
      continue;
    }
    // p * 2^(n - e) / s is exp(zc - e ln2) / s
    for (let i = 0; i < cols; i++) y[o + i] = Math.exp(Math.max(x[o + i] * beta, -16384) - e * Math.LN2) / s;
  }
}
