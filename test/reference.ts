// Independent float64 references for the softmax family, written from the definitions
// (not from the kernels): softmax(x / T + mask) per row, with the documented edge rules.

export interface RefOptions { cols: number; temperature?: number; mask?: Float32Array | Uint8Array }

/** The logits each row normalizes: x / T + mask, in float64. */
export function logits(x: ArrayLike<number>, o: RefOptions): Float64Array[] {
  const { cols } = o, T = o.temperature ?? 1, rows = x.length / cols;
  const out: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    const row = new Float64Array(cols);
    for (let i = 0; i < cols; i++) {
      const v = x[r * cols + i] / T;
      const mi = o.mask ? (o.mask.length === cols ? i : r * cols + i) : -1;
      row[i] = !o.mask ? v : o.mask instanceof Uint8Array ? (o.mask[mi] ? v : -Infinity) : v + o.mask[mi];
    }
    out.push(row);
  }
  return out;
}

/** Row max m and s = sum exp(v - m), kept apart so huge rows lose no precision. */
function rowStats(row: Float64Array): { m: number; s: number } {
  if (row.some((v) => Number.isNaN(v))) return { m: NaN, s: NaN };
  const m = row.reduce((a, b) => Math.max(a, b), -Infinity);
  if (m === -Infinity || m === Infinity) return { m, s: 1 };
  let s = 0;
  for (const v of row) s += Math.exp(v - m);
  return { m, s };
}

export function refSoftmax(x: ArrayLike<number>, o: RefOptions): Float64Array {
  return Float64Array.from(logits(x, o).flatMap((row) => {
    const { m, s } = rowStats(row);
    if (Number.isNaN(m)) return [...row].map(() => NaN);
    if (m === -Infinity) return [...row].map(() => 0);
    if (m === Infinity) {
      const k = row.filter((v) => v === Infinity).length;
      return [...row].map((v) => (v === Infinity ? 1 / k : 0));
    }
    return [...row].map((v) => Math.exp(v - m) / s);
  }));
}

export function refLogSoftmax(x: ArrayLike<number>, o: RefOptions): Float64Array {
  const rows = logits(x, o), stats = rows.map(rowStats);
  return Float64Array.from(refSoftmax(x, o), (p, i) => {
    const r = Math.floor(i / o.cols), { m, s } = stats[r];
    if (Number.isFinite(m)) return rows[r][i % o.cols] - m - Math.log(s);
    return Math.log(p); // edges: -Inf for zeros, -log(k) for the +Inf entries, NaN stays NaN
  });
}

export function refLogSumExp(x: ArrayLike<number>, o: RefOptions): Float64Array {
  return Float64Array.from(logits(x, o), (row) => { const { m, s } = rowStats(row); return m + Math.log(s); });
}

/**
 * Largest violation of |got - want| <= rel * |want| + abs, as a ratio (<= 1 passes).
 * want is rounded to f32 first (a float64 value beyond the f32 range is +-Infinity in f32).
 * NaN must match NaN and infinities must match exactly.
 */
export function worst(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, abs: number): { ratio: number; at: number } {
  if (got.length !== want.length) throw new Error(`length ${got.length} != ${want.length}`);
  let ratio = 0, at = -1;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = Math.fround(want[i]);
    let r: number;
    if (Number.isNaN(w) || !Number.isFinite(w)) r = Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)) ? 0 : Infinity;
    else r = Math.abs(g - w) / (rel * Math.abs(w) + abs);
    if (!(r <= ratio)) { ratio = r; at = i; }
  }
  return { ratio, at };
}

/** Deterministic pseudo-random floats in [lo, hi). */
export function randomF32(n: number, seed: number, lo = -10, hi = 10): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    out[i] = lo + ((s >>> 0) / 2 ** 32) * (hi - lo);
  }
  return out;
}

/** Rows with the contract's edge values: each row is `cols` wide. */
export function edgeRows(cols: number): { name: string; row: number[] }[] {
  const base = Array.from(randomF32(cols, cols * 7 + 1));
  const put = (v: number, at: number[]) => base.map((b, i) => (at.includes(i % cols) ? v : b));
  return [
    { name: 'all -Infinity', row: base.map(() => -Infinity) },
    { name: 'one NaN', row: put(NaN, [cols >> 1]) },
    { name: 'NaN and +Infinity', row: put(NaN, [0]).map((v, i) => (i === cols - 1 && cols > 1 ? Infinity : v)) },
    { name: 'one +Infinity', row: put(Infinity, [cols - 1]) },
    { name: 'two +Infinity', row: put(Infinity, [0, cols - 1]) },
    { name: 'some -Infinity', row: put(-Infinity, [0, 2, 5]) },
    { name: '+-1e4', row: base.map((_, i) => (i % 2 ? 1e4 : -1e4) + i) },
    { name: '+-3e38', row: base.map((_, i) => (i % 3 === 0 ? 3e38 : i % 3 === 1 ? -3e38 : 1)) },
    { name: 'denormals', row: base.map((_, i) => (i % 2 ? 1e-40 : -3e-39)) },
    { name: 'all equal', row: base.map(() => 0.5) },
    { name: 'wide range', row: base.map((b) => b * 20) },
  ];
}


/**
 * Indices of the k largest of row r, largest first; ties keep the lower index; NaN ranks above
 * every number. Written as a stable sort, independently of the kernels' insertion scheme.
 */
export function refTopk(x: ArrayLike<number>, cols: number, k: number): { values: number[]; indices: number[] }[] {
  const out = [];
  for (let o = 0; o < x.length; o += cols) {
    const order = Array.from({ length: cols }, (_, i) => i).sort((a, b) => {
      const va = x[o + a], vb = x[o + b];
      const ra = Number.isNaN(va) ? Infinity : 0, rb = Number.isNaN(vb) ? Infinity : 0;
      if (ra !== rb) return rb - ra;
      if (va !== vb && !Number.isNaN(va)) return vb > va ? 1 : -1;
      return a - b;
    }).slice(0, k);
    out.push({ indices: order, values: order.map((i) => x[o + i]) });
  }
  return out;
}

/** Softpick in float64 from its definition: ReLU(e^z - 1) / (sum |e^z - 1| + eps), z = x / T. */
export function refSoftpick(x: ArrayLike<number>, cols: number, temperature = 1, eps = 1e-8): Float64Array {
  const out = new Float64Array(x.length);
  for (let o = 0; o < x.length; o += cols) {
    const z = Array.from({ length: cols }, (_, i) => x[o + i] / temperature);
    if (z.some(Number.isNaN)) { out.fill(NaN, o, o + cols); continue; }
    const inf = z.filter((v) => v === Infinity).length;
    if (inf) { z.forEach((v, i) => { out[o + i] = v === Infinity ? 1 / inf : 0; }); continue; }
    // scale by e^-m (m = max(z, 0)) so huge rows stay finite; expm1 keeps small z exact
    const m = Math.max(0, z.reduce((a, b) => Math.max(a, b), -Infinity));
    // e^-m * expm1(t); where that underflows to 0 or is 0 * Inf, the direct difference
    const v = z.map((t) => Math.exp(-m) * Math.expm1(t) || Math.exp(t - m) - Math.exp(-m));
    const sum = v.reduce((a, b) => a + Math.abs(b), 0) + eps * Math.exp(-m);
    v.forEach((t, i) => { out[o + i] = sum > 0 ? Math.max(t, 0) / sum : 0; });
  }
  return out;
}

/** StableMax in float64 from its definition, on the logits x / T + mask. */
export function refStablemax(x: ArrayLike<number>, o: RefOptions): Float64Array {
  return refNormalized(x, o, (z) => (z >= 0 ? z + 1 : 1 / (1 - z)));
}

/** Taylor softmax in float64: 1 + z + z^2 / 2, -Inf entries masked out. */
export function refTaylor(x: ArrayLike<number>, o: RefOptions): Float64Array {
  return refNormalized(x, o, (z) => (z === -Infinity ? 0 : 1 + z + (z * z) / 2));
}

/** softplus normalized in float64; where every softplus underflows (sum 0), its limit softmax. */
export function refSoftplusNorm(x: ArrayLike<number>, o: RefOptions): Float64Array {
  const sp = (z: number) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
  const out = refNormalized(x, o, sp), soft = refSoftmax(x, o);
  logits(x, o).forEach((row, r) => {
    if (row.every((z) => !(sp(z) > 0)) && !row.some((z) => Number.isNaN(z))) out.set(soft.subarray(r * o.cols, (r + 1) * o.cols), r * o.cols);
  });
  return out;
}

/** s(z) / sum s(z) over each row of logits, with the shared edge rules (NaN row, +Inf share). */
function refNormalized(x: ArrayLike<number>, o: RefOptions, s: (z: number) => number): Float64Array {
  return Float64Array.from(logits(x, o).flatMap((row) => {
    if (row.some(Number.isNaN)) return [...row].map(() => NaN);
    const inf = row.filter((v) => v === Infinity).length;
    if (inf) return [...row].map((v) => (v === Infinity ? 1 / inf : 0));
    const sum = row.reduce((a, v) => a + s(v), 0);
    return [...row].map((v) => (sum > 0 ? s(v) / sum : 0));
  }));
}

/** ReLU(z) / n per entry, z = x / T + mask. */
export function refReluNorm(x: ArrayLike<number>, o: RefOptions, n = o.cols): Float64Array {
  return Float64Array.from(logits(x, o).flatMap((row) => [...row].map((z) => (z < 0 ? 0 : z) / n)));
}

/**
 * sigmoid(z + b) per entry (b = -ln n by default), optionally divided by the row sum. Where
 * the float64 sigmoids underflow (sum 0), the normalized row is its limit, softmax(z).
 */
export function refSigmoidNorm(x: ArrayLike<number>, o: RefOptions, bias = -Math.log(o.cols), normalize = false): Float64Array {
  const soft = normalize ? refSoftmax(x, o) : undefined;
  return Float64Array.from(logits(x, o).flatMap((row, r) => {
    const v = [...row].map((z) => 1 / (1 + Math.exp(-(z + bias))));
    const sum = v.reduce((a, b) => a + b, 0);
    if (!normalize) return v;
    if (Number.isNaN(sum)) return v.map(() => NaN);
    return sum > 0 ? v.map((t) => t / sum) : Array.from(soft!.subarray(r * o.cols, (r + 1) * o.cols));
  }));
}

/**
 * Sparsemax (p = 1) and 1.5-entmax (p = 2) in float64, independent of the kernels' algorithms:
 * y = [u - tau]_+^p with u = (z - max) / p, tau by bisection on sum y = 1, then solved exactly
 * on the support it selects (linear for p = 1, the smaller quadratic root for p = 2).
 */
function refThreshold(x: ArrayLike<number>, o: RefOptions, p: 1 | 2): Float64Array {
  return Float64Array.from(logits(x, o).flatMap((row) => {
    if (row.some(Number.isNaN)) return [...row].map(() => NaN);
    const inf = row.filter((v) => v === Infinity).length;
    if (inf) return [...row].map((v) => (v === Infinity ? 1 / inf : 0));
    const m = row.reduce((a, b) => Math.max(a, b), -Infinity);
    if (m === -Infinity) return [...row].map(() => 0);
    const u = [...row].map((v) => (v - m) / p);
    let lo = -1, hi = 0;
    for (let it = 0; it < 200; it++) {
      const mid = (lo + hi) / 2;
      if (u.reduce((a, v) => a + Math.max(v - mid, 0) ** p, 0) > 1) lo = mid; else hi = mid;
    }
    const S = u.filter((v) => v > lo), k = S.length, mean = S.reduce((a, b) => a + b, 0) / k;
    const tau = p === 1 ? mean - 1 / k : mean - Math.sqrt(Math.max(mean * mean - (S.reduce((a, b) => a + b * b, 0) - 1) / k, 0));
    return u.map((v) => Math.max(v - tau, 0) ** p);
  }));
}

export const refSparsemax = (x: ArrayLike<number>, o: RefOptions) => refThreshold(x, o, 1);
export const refEntmax15 = (x: ArrayLike<number>, o: RefOptions) => refThreshold(x, o, 2);

/** log stablemax in float64: log s(z) - log sum s(z) (edges from log of the probabilities). */
export function refLogStablemax(x: ArrayLike<number>, o: RefOptions): Float64Array {
  const logS = (z: number) => (z >= 0 ? Math.log1p(z) : -Math.log1p(-z));
  const p = refStablemax(x, o);
  return Float64Array.from(logits(x, o).flatMap((row, r) => {
    const finite = !row.some((v) => Number.isNaN(v) || v === Infinity) && row.some((v) => v > -Infinity);
    const ls = Math.log(row.reduce((a, v) => a + (v >= 0 ? v + 1 : 1 / (1 - v)), 0));
    return [...row].map((z, i) => (finite ? logS(z) - ls : Math.log(p[r * o.cols + i])));
  }));
}

/** Python's round(): half to even, via the nearest integer and a parity fix. */
export function roundEven(v: number): number {
  const n = Math.round(v); // half up
  return n - v === 0.5 && n % 2 !== 0 ? n - 1 : n;
}

/** int8 activations as gemv quantizes them: scale = fround(max|x| / 127), q = rne(x / scale) (float64 division). */
export function actQ(x: Float32Array): { q: Int8Array; s: number } {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  const s = Math.fround(m / 127);
  return { q: Int8Array.from(x, (v) => (s ? roundEven(v / s) : 0)), s };
}
