// Matrix-vector products y = W x over row-major W [rows, cols]: f32 weights (and their gemm, walked
// in L1-sized chunks for many tokens at once), and int8 weights with one f32 scale per row and f32
// activations (weights widened in registers; with int8 activations they run as the ONNX int8
// kernel with one group per row, assembly/linalg/onnx.ts).
import { fma4, hsum4 } from '../simd/fma';

// @ts-ignore: decorator
@inline const CHUNK: i32 = 1024; // columns: four rows of a chunk (16 KB) stay in L1 while the tokens pass
// @ts-ignore: decorator
@inline const TOKENS: i32 = 32; // tokens per pass over the weights: their accumulators live in ST
const ST = memory.data(TOKENS * 128, 16);

/**
 * The 16-column steps over [c0, c1) of a four-row block for one token. The eight accumulators
 * (two chains per row, which hide the FMA latency) live at st between calls, so a row can be
 * walked in chunks with the same operations in the same order as in one pass.
 */
// @ts-ignore: decorator
@inline function steps16(w0: usize, w1: usize, w2: usize, w3: usize, x: usize, c0: i32, c1: i32, st: usize): void {
  let a0 = v128.load(st), a1 = v128.load(st, 16), a2 = v128.load(st, 32), a3 = v128.load(st, 48);
  let b0 = v128.load(st, 64), b1 = v128.load(st, 80), b2 = v128.load(st, 96), b3 = v128.load(st, 112);
  for (let c = c0; c < c1; c += 16) {
    const o = <usize>c << 2, x0 = v128.load(x + o), x1 = v128.load(x + o, 16), x2 = v128.load(x + o, 32), x3 = v128.load(x + o, 48);
    a0 = fma4(v128.load(w0 + o), x0, a0); b0 = fma4(v128.load(w0 + o, 16), x1, b0);
    a1 = fma4(v128.load(w1 + o), x0, a1); b1 = fma4(v128.load(w1 + o, 16), x1, b1);
    a2 = fma4(v128.load(w2 + o), x0, a2); b2 = fma4(v128.load(w2 + o, 16), x1, b2);
    a3 = fma4(v128.load(w3 + o), x0, a3); b3 = fma4(v128.load(w3 + o, 16), x1, b3);
    a0 = fma4(v128.load(w0 + o, 32), x2, a0); b0 = fma4(v128.load(w0 + o, 48), x3, b0);
    a1 = fma4(v128.load(w1 + o, 32), x2, a1); b1 = fma4(v128.load(w1 + o, 48), x3, b1);
    a2 = fma4(v128.load(w2 + o, 32), x2, a2); b2 = fma4(v128.load(w2 + o, 48), x3, b2);
    a3 = fma4(v128.load(w3 + o, 32), x2, a3); b3 = fma4(v128.load(w3 + o, 48), x3, b3);
  }
  v128.store(st, a0); v128.store(st, a1, 16); v128.store(st, a2, 32); v128.store(st, a3, 48);
  v128.store(st, b0, 64); v128.store(st, b1, 80); v128.store(st, b2, 96); v128.store(st, b3, 112);
}

/** The end of a four-row block after its 16-column steps (from c16 on): the four sums at y. */
// @ts-ignore: decorator
@inline function finish4(w0: usize, w1: usize, w2: usize, w3: usize, x: usize, c16: i32, cols: i32, st: usize, y: usize): void {
  let a0 = f32x4.add(v128.load(st), v128.load(st, 64)), a1 = f32x4.add(v128.load(st, 16), v128.load(st, 80));
  let a2 = f32x4.add(v128.load(st, 32), v128.load(st, 96)), a3 = f32x4.add(v128.load(st, 48), v128.load(st, 112));
  let c = c16;
  for (; c + 4 <= cols; c += 4) {
    const o = <usize>c << 2, xv = v128.load(x + o);
    a0 = fma4(v128.load(w0 + o), xv, a0);
    a1 = fma4(v128.load(w1 + o), xv, a1);
    a2 = fma4(v128.load(w2 + o), xv, a2);
    a3 = fma4(v128.load(w3 + o), xv, a3);
  }
  // the four row sums in one vector (transpose-add)
  const t0 = f32x4.add(i32x4.shuffle(a0, a1, 0, 4, 1, 5), i32x4.shuffle(a0, a1, 2, 6, 3, 7));
  const t1 = f32x4.add(i32x4.shuffle(a2, a3, 0, 4, 1, 5), i32x4.shuffle(a2, a3, 2, 6, 3, 7));
  let s = f32x4.add(i32x4.shuffle(t0, t1, 0, 1, 4, 5), i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  for (; c < cols; c++) {
    const o = <usize>c << 2, xc = f32x4.splat(load<f32>(x + o));
    s = fma4(xc, f32x4(load<f32>(w0 + o), load<f32>(w1 + o), load<f32>(w2 + o), load<f32>(w3 + o)), s);
  }
  v128.store(y, s);
}

/** One row (the rows past the last four-row block). */
// @ts-ignore: decorator
@inline function row1(wr: usize, x: usize, cols: i32): f32 {
  let a = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4) a = fma4(v128.load(wr + (<usize>c << 2)), v128.load(x + (<usize>c << 2)), a);
  let s = <f32>hsum4(a);
  for (; c < cols; c++) s += load<f32>(wr + (<usize>c << 2)) * load<f32>(x + (<usize>c << 2));
  return s;
}

/**
 * Y[t] = W X[t], f32: W [rows, cols], X [tokens, cols], Y[t] at y + t * ys floats. Four rows at a
 * time so each load of x serves four rows; with several tokens the weights are walked in chunks
 * that stay in L1 while up to TOKENS tokens pass, each with gemv's operations in gemv's order
 * (so every token's result equals gemv_f32 on it, bit for bit).
 */
export function gemm_f32(w: usize, x: usize, y: usize, rows: i32, cols: i32, tokens: i32, ys: i32): void {
  const stride = <usize>cols << 2, c16 = cols & ~15;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const w0 = w + <usize>r * stride, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
    for (let t0 = 0; t0 < tokens; t0 += TOKENS) {
      const nt = min(TOKENS, tokens - t0);
      memory.fill(ST, 0, <usize>nt << 7);
      for (let c0 = 0; c0 < c16; c0 += CHUNK) {
        const c1 = min(c0 + CHUNK, c16);
        for (let t = 0; t < nt; t++) steps16(w0, w1, w2, w3, x + <usize>(t0 + t) * stride, c0, c1, ST + (<usize>t << 7));
      }
      for (let t = 0; t < nt; t++) {
        const tt = t0 + t;
        finish4(w0, w1, w2, w3, x + <usize>tt * stride, c16, cols, ST + (<usize>t << 7), y + ((<usize>tt * <usize>ys + <usize>r) << 2));
      }
    }
  }
  for (; r < rows; r++) {
    for (let t = 0; t < tokens; t++) store<f32>(y + ((<usize>t * <usize>ys + <usize>r) << 2), row1(w + <usize>r * stride, x + <usize>t * stride, cols));
  }
}

/** y = W x, f32 (gemm_f32 with one token). */
export function gemv_f32(w: usize, x: usize, y: usize, rows: i32, cols: i32): void {
  gemm_f32(w, x, y, rows, cols, 1, rows);
}

/** y[r] = scale[r] * (w8[r] . x): int8 weights widened to f32 in registers, f32 activations. */
export function gemv_i8_f32(w: usize, scale: usize, x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * <usize>cols;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    let c = 0;
    for (; c + 16 <= cols; c += 16) {
      const raw = v128.load(wr + <usize>c), lo = i16x8.extend_low_i8x16_s(raw), hi = i16x8.extend_high_i8x16_s(raw);
      const o = x + (<usize>c << 2);
      a0 = fma4(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), v128.load(o), a0);
      a1 = fma4(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), v128.load(o, 16), a1);
      a2 = fma4(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), v128.load(o, 32), a2);
      a3 = fma4(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), v128.load(o, 48), a3);
    }
    let s = <f32>hsum4(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
    for (; c < cols; c++) s += <f32>load<i8>(wr + <usize>c) * load<f32>(x + (<usize>c << 2));
    store<f32>(y + (<usize>r << 2), s * load<f32>(scale + (<usize>r << 2)));
  }
}
