// Softpick in plain TypeScript (the js tier): ReLU(e^z - 1) / (sum |e^z - 1| + eps), z = x / T,
// with e^m factored out (m = max(max z, 0), in float64) so nothing overflows. Edges as in
// assembly/softmax/softpick.ts: all -Inf -> 0, NaN -> NaN row, +Inf entries share the mass.
export function softpick(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number, eps: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = 0, nan = false, inf = 0;
    for (let i = 0; i < cols; i++) {
      const v = x[o + i];
      if (v !== v) nan = true;
      else if (v === Infinity) inf++;
      else if (v * beta > m) m = v * beta; // float64: no overflow for finite x
    }
    if (nan || inf) {
      for (let i = 0; i < cols; i++) y[o + i] = nan ? NaN : x[o + i] === Infinity ? 1 / inf : 0;
      continue;
    }
    // v = e^-m (e^z - 1), with expm1 where z is near 0
    const c = Math.exp(-m);
    let sum = 0;
    for (let i = 0; i < cols; i++) {
      const z = x[o + i] * beta;
      const v = Math.abs(z) < 0.5 ? c * Math.expm1(z) : Math.exp(z - m) - c;
      y[o + i] = v;
      sum += Math.abs(v);
    }
    const denom = sum + eps * c;
    for (let i = 0; i < cols; i++) y[o + i] = denom > 0 ? Math.max(y[o + i], 0) / denom : 0;
  }
}
