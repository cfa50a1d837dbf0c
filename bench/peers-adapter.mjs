// simdnn as a column of the shared peer harness (../shared/peers, see its README): softmax
// from Float32Array to Float32Array, and on resident Tensors. The tier is the best one the
// process runs (run the harness under --experimental-wasm-relaxed-simd for relaxed), or
// SIMDNN_TIER to force one.
import * as s from '../dist/node.js';

let caps;
const ready = async () => (caps ??= await s.init(process.env.SIMDNN_TIER ? { tier: process.env.SIMDNN_TIER } : {}));

const inOut = {
  name: 'simdnn',
  async init() {
    const c = await ready();
    return { version: '0.1.0', simd: `${c.tier} tier`, threads: 1 };
  },
  labels: { softmax: 'softmax(Float32Array)' },
  softmax(x, rows, cols) {
    const y = new Float32Array(x.length);
    return { run: () => s.softmax(x, { cols, out: y }), output: () => y };
  },
};

const resident = {
  name: 'simdnn (resident)',
  init: inOut.init,
  labels: { softmax: 'softmax(Tensor) -> Tensor' },
  softmax(x, rows, cols) {
    const tx = s.tensor(x), ty = s.tensor([rows, cols]);
    return { run: () => s.softmax(tx, { cols, out: ty }), output: () => ty.toArray(), dispose: () => { tx.dispose(); ty.dispose(); } };
  },
};

export default [inOut, resident];
