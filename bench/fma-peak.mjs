// The f32x4 fused multiply-add throughput this engine and machine reach from wasm: a loop of 12
// independent f32x4.relaxed_madd chains (enough to cover the FMA latency on two ports), encoded
// here byte by byte so the bench needs no compiler. It bounds any f32 kernel of the relaxed tier
// from below: a causal prefill with F flops cannot take less than F / peak.
const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const f32 = (v) => [...new Uint8Array(Float32Array.of(v).buffer)];
const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
const ACC = 12, M = ACC + 1, C = ACC + 2; // locals: 0 the count, 1..12 accumulators, 13 and 14 the operands
const SPLAT = [0xfd, 0x13], MADD = [0xfd, ...leb(0x105)], ADD = [0xfd, ...leb(0xe4)], LANE0 = [0xfd, 0x1f, 0];

function moduleBytes() {
  const body = [1, 14, 0x7b]; // 14 v128 locals
  const splat = (v, local) => [0x43, ...f32(v), ...SPLAT, 0x21, local];
  for (let i = 1; i <= ACC; i++) body.push(...splat(1 + i * 1e-4, i));
  body.push(...splat(0.99999, M), ...splat(1e-5, C));
  body.push(0x02, 0x40, 0x03, 0x40, 0x20, 0, 0x45, 0x0d, 1); // block loop: exit when the count is 0
  for (let i = 1; i <= ACC; i++) body.push(0x20, i, 0x20, M, 0x20, C, ...MADD, 0x21, i);
  body.push(0x20, 0, 0x41, 1, 0x6b, 0x21, 0, 0x0c, 0, 0x0b, 0x0b); // count -= 1, continue
  body.push(0x20, 1);
  for (let i = 2; i <= ACC; i++) body.push(0x20, i, ...ADD);
  body.push(...LANE0, 0x0b);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]), // (i32) -> f32
    ...section(3, [1, 0]),
    ...section(7, [1, 4, ...Buffer.from('peak'), 0, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}

/** GFLOP/s of f32x4 FMA (2 flops per lane), best of `runs` timed loops; undefined without relaxed SIMD. */
export function fmaPeak(runs = 5) {
  let peak;
  try { peak = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes())).exports.peak; } catch { return undefined; }
  const n = 2e7;
  peak(1e6);
  let best = Infinity;
  for (let r = 0; r < runs; r++) { const t = performance.now(); peak(n); best = Math.min(best, performance.now() - t); }
  return (n * ACC * 8) / (best * 1e6);
}
