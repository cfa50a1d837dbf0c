// exp and log over a block of up to BLOCK floats, each in two short loops: the first reduces
// each argument (n and r of vexp; e and f of vlog) into scratch, the second evaluates the
// polynomial. Each lane gets exactly the operations of vexp(arg, true) / vlogPos, so the same
// bits. Why: one vexp is a chain of ~14 dependent operations (~25 without FMA), and V8 keeps
// at most 16 vectors in registers; fused with the work around it in one loop, too few
// iterations fit the core's scheduler to hide that latency, and constants are reloaded from
// the stack. Split, softmax runs 10-24% faster (A/B against the fused loop, both tiers) and
// logStablemax ~25%.
import { fma4 } from './fma';
import { LOG2E, MAGIC, FLUSH_LO, reduce, poly } from './vexp';
import { logE, logF, logFrom } from './vlog';

/** Largest block (floats) expBlock takes. */
// @ts-ignore: decorator
@inline export const BLOCK: i32 = 256;
const R = memory.data(BLOCK << 2, 16);
const S = memory.data(BLOCK << 2, 16);
/** One more block of scratch, for callers (kernels run one at a time): e.g. the e of expBlock. */
export const scratch = memory.data(BLOCK << 2, 16);
const TAIL = memory.data(16, 16);

/**
 * The last `rem` bytes of a row (fewer than 16) at src, padded with `pad` to four floats: lets the
 * tail of a row go through the block code (one copy of it in the binary, the same operations
 * as the rest of the row); copy the results back with memory.copy.
 */
export function tailBlock(src: usize, rem: usize, pad: f32): usize {
  v128.store(TAIL, f32x4.splat(pad));
  memory.copy(TAIL, src, rem);
  return TAIL;
}

/** The argument a of the exponential, from x and two row constants c, b: a <= 0 (or <= 80 with `minus1`), so no overflow. */
export const enum Arg {
  /** (x - c) * b, with c >= max x and b > 0 (softmax terms); `unscaled` skips the multiply. */
  Shifted = 0,
  /** -|x * b + c| (the e^-|z| of softplus and sigmoid). */
  NegAbs = 1,
  /** Shifted where x > 0 (or NaN), -Inf where x <= 0 (softpick's large rows). */
  ShiftedPositive = 2,
}

// @ts-ignore: decorator
@inline function argOf(x: v128, kind: Arg, c: v128, b: v128, unscaled: bool): v128 {
  if (kind == Arg.NegAbs) return v128.or(f32x4.add(f32x4.mul(x, b), c), f32x4.splat(-0.0)); // set the sign bit
  const a = unscaled ? f32x4.sub(x, c) : f32x4.mul(f32x4.sub(x, c), b);
  return kind == Arg.ShiftedPositive ? v128.bitselect(f32x4.splat(-Infinity), a, f32x4.le(x, f32x4.splat(0))) : a;
}

/** exp (or k (exp - 1)) from the reduced argument r and the scale 2^n. */
// @ts-ignore: decorator
@inline function expOut(r: v128, sc: v128, minus1: bool, k: f32): v128 {
  if (!minus1) return fma4(f32x4.mul(r, sc), poly(r), sc);
  return f32x4.mul(fma4(f32x4.mul(r, sc), poly(r), f32x4.sub(sc, f32x4.splat(1))), f32x4.splat(k));
}

/**
 * e[i] = exp(arg(x[i])) for i < n, n a multiple of 4 and at most BLOCK (x and e may be the same
 * block); returns the lane sums of e (of |e| with `absSum`). With `minus1`, e[i] = k (exp(a) - 1)
 * instead, as (2^n - 1) + 2^n r p(r): no cancellation near a = 0, and the argument may then be
 * positive up to 80. `kind`, `unscaled`, `minus1` and `absSum` are compile-time constants.
 * Lanes below -80 give 0 (-k with `minus1`), as vexp(.., true). Inlined where a loop over the
 * block follows (a call in between costs the caller its registers: softplusNorm measured 18%
 * slower); the softmax sums call the two functions below, one copy each in the binary.
 */
// @ts-ignore: decorator
@inline export function expBlock(x: usize, e: usize, n: i32, kind: Arg, c: f32, b: f32, unscaled: bool = false, minus1: bool = false, k: f32 = 1, absSum: bool = false): v128 {
  const vc = f32x4.splat(c), vb = f32x4.splat(b);
  for (let j = 0; j < n; j += 4) {
    const off = <usize>j << 2;
    const a = argOf(v128.load(x + off), kind, vc, vb, unscaled);
    const low = f32x4.lt(a, f32x4.splat(FLUSH_LO));
    const ac = v128.andnot(a, low);
    const nb = fma4(ac, f32x4.splat(LOG2E), f32x4.splat(MAGIC));
    v128.store(S + off, v128.andnot(i32x4.shl(nb, 23), low)); // 2^n, and 0 for the flushed lanes
    v128.store(R + off, reduce(ac, f32x4.sub(nb, f32x4.splat(MAGIC))));
  }
  let s0 = f32x4.splat(0), s1 = s0;
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const off = <usize>j << 2;
    const e0 = expOut(v128.load(R + off), v128.load(S + off), minus1, k);
    const e1 = expOut(v128.load(R + off, 16), v128.load(S + off, 16), minus1, k);
    v128.store(e + off, e0);
    v128.store(e + off, e1, 16);
    s0 = f32x4.add(s0, absSum ? f32x4.abs(e0) : e0); s1 = f32x4.add(s1, absSum ? f32x4.abs(e1) : e1);
  }
  if (j < n) {
    const off = <usize>j << 2;
    const e0 = expOut(v128.load(R + off), v128.load(S + off), minus1, k);
    v128.store(e + off, e0);
    s0 = f32x4.add(s0, absSum ? f32x4.abs(e0) : e0);
  }
  return f32x4.add(s0, s1);
}

/** expBlock of exp((x - c) * b). */
export function expShifted(x: usize, e: usize, n: i32, c: f32, b: f32): v128 { return expBlock(x, e, n, Arg.Shifted, c, b); }
/** expBlock of exp(x - c). */
export function expShifted1(x: usize, e: usize, n: i32, c: f32): v128 { return expBlock(x, e, n, Arg.Shifted, c, 1, true); }

/**
 * y[i] = log(x[i]) - c for i < n (n a multiple of 4, at most BLOCK; x and y may be the same
 * block), exactly as vlogPos(x) - c, for x that holds no NaN. Lanes that are not positive normal
 * floats get garbage; returns true if there were any (the caller fixes those up).
 */
// @ts-ignore: decorator
@inline export function logBlock(x: usize, y: usize, n: i32, c: f32): bool {
  let lo = f32x4.splat(Infinity);
  for (let j = 0; j < n; j += 4) {
    const off = <usize>j << 2;
    const v = v128.load(x + off);
    lo = f32x4.pmin(lo, v);
    v128.store(S + off, logE(v));
    v128.store(R + off, logF(v));
  }
  const vc = f32x4.splat(c);
  for (let j = 0; j < n; j += 4) {
    const off = <usize>j << 2;
    v128.store(y + off, f32x4.sub(logFrom(v128.load(S + off), v128.load(R + off)), vc));
  }
  return v128.any_true(f32x4.lt(lo, f32x4.splat(1.17549435e-38)));
}
