// Normalized fast Walsh-Hadamard transform over rows: y = H x / sqrt(cols), cols a power of two.
// Stages run with strides 1, 2, 4, ... (the order src/js/hadamard.ts uses too, so every tier does
// the same float operations); the scale is applied by the last stage only.

// Sign bit in the lanes that take the difference a - b (added as a + (-b), which IEEE defines as equal).
const NEG_ODD = i32x4(0, -0x80000000, 0, -0x80000000);
const NEG_HIGH = i32x4(0, 0, -0x80000000, -0x80000000);

/** Strides 1 and 2, inside each vector of the row: x -> y, times s. */
function inVector(x: usize, y: usize, cols: i32, s: v128): void {
  for (let i = 0; i < cols; i += 4) {
    const o = <usize>i << 2;
    let v = v128.load(x + o);
    v = f32x4.add(i32x4.shuffle(v, v, 0, 0, 2, 2), v128.xor(i32x4.shuffle(v, v, 1, 1, 3, 3), NEG_ODD));
    v = f32x4.add(i32x4.shuffle(v, v, 0, 1, 0, 1), v128.xor(i32x4.shuffle(v, v, 2, 3, 2, 3), NEG_HIGH));
    v128.store(y + o, f32x4.mul(v, s));
  }
}

/** One stage of stride h >= 4 over the row in place, outputs times s. */
function stage(y: usize, cols: i32, h: i32, s: v128): void {
  const hb = <usize>h << 2;
  for (let j = 0; j < cols; j += h << 1) {
    for (let i = j; i < j + h; i += 4) {
      const p = y + (<usize>i << 2);
      const a = v128.load(p), b = v128.load(p + hb);
      v128.store(p, f32x4.mul(f32x4.add(a, b), s));
      v128.store(p + hb, f32x4.mul(f32x4.sub(a, b), s));
    }
  }
}

/**
 * x, y: rows x cols f32 (y may be x). The scale 1/sqrt(cols) is exact when log2(cols) is even;
 * otherwise it is that value rounded to f32 (relative error <= 2^-24), one more rounding per output.
 * Multiplying by 1 in the other stages is exact, NaN and Infinity included.
 */
export function hadamard_f32(x: usize, y: usize, rows: i32, cols: i32): void {
  const sc = <f32>(1.0 / Math.sqrt(<f64>cols)), s = f32x4.splat(sc), one = f32x4.splat(1);
  const bytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const px = x + <usize>r * bytes, py = y + <usize>r * bytes;
    if (cols < 4) {
      const a = load<f32>(px);
      if (cols === 1) { store<f32>(py, a); continue; }
      const b = load<f32>(px, 4);
      store<f32>(py, (a + b) * sc);
      store<f32>(py, (a - b) * sc, 4);
      continue;
    }
    inVector(px, py, cols, cols === 4 ? s : one);
    for (let h = 4; h < cols; h <<= 1) stage(py, cols, h, h << 1 === cols ? s : one);
  }
}
