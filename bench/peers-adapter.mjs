// simdnn as a column of the shared peer harness (/work/shared/peers; see its README and
// adapters/TEMPLATE-ours.mjs.example). Softmax only: Float32Array in -> Float32Array out on the
// best tier the process runs (bench/peers.mjs starts the harness so that relaxed SIMD validates).
// A second column times the same call on resident Tensors, the counterpart of "tfjs-wasm (resident)".
import { readFileSync } from 'node:fs';

// The harness runs from a temp copy where the name 'simdnn' does not resolve: import the build by
// the absolute file URL of dist/node.js.
const s = await import(new URL('../dist/node.js', import.meta.url).href);
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

let caps;
async function init() {
  caps ??= await s.init();
  return { version, simd: `${caps.tier} tier (${caps.reason})`, threads: 1 };
}

const inOut = {
  name: 'simdnn',
  init,
  labels: { softmax: 'softmax(Float32Array)', attention: 'attention(Float32Array)' },
  softmax(x, rows, cols) {
    const y = new Float32Array(x.length);
    return { run: () => s.softmax(x, { cols, out: y }), output: () => y };
  },
  // q [S, H, D], k/v [Hkv, L, D], out [S, H, D]: q and out 'bshd' (batch 1), k and v 'bhsd'
  attention(p) {
    const o = new Float32Array(p.seqQ * p.heads * p.headDim);
    const args = { q: p.q, k: p.k, v: p.v, heads: p.heads, kvHeads: p.kvHeads, headDim: p.headDim, layout: 'bshd', kvLayout: 'bhsd', causal: p.causal, out: o };
    return { run: () => s.attention(args), output: () => o };
  },
};

const resident = {
  name: 'simdnn (resident)',
  init,
  labels: { softmax: 'softmax(Tensor) -> Tensor', attention: 'attention(Tensors), K/V resident', gemvF32: 'gemv(Tensor W)', gemvQ8: 'gemv(QTensor int8, int8 activations)', gemvQ4: 'gemv(QTensor uint4 g32, int8 activations)' },
  softmax(x, rows, cols) {
    const tx = s.tensor(x), ty = s.tensor([rows, cols]); // untimed upload, as the harness's setup
    return { run: () => s.softmax(tx, { cols, out: ty }), output: () => ty.toArray(), dispose: () => { tx.dispose(); ty.dispose(); } };
  },
  gemvF32(p) { // weights resident, as a model's are
    const w = s.tensor(p.w), y = new Float32Array(p.N);
    return { run: () => s.gemv(w, p.x, { out: y }), output: () => y, dispose: () => w.dispose() };
  },
  gemvQ8(p) { // the harness's int8 weights and row scales wrapped as they are (no re-quantization)
    const q = s.QTensor.from('int8', p.wq8, p.N, p.K, p.s8), y = new Float32Array(p.N);
    return { run: () => s.gemv(q, p.x, { out: y }), output: () => y, dispose: () => q.dispose() };
  },
  gemvQ4(p) { // the harness's 4-bit weights are ONNX uint4 (low nibble first), zero point 8, a scale per 32: wrapped as they are
    const q = s.QTensor.from('uint4', p.wq4, p.N, p.K, { scales: p.s4, groupSize: 32 }), y = new Float32Array(p.N);
    return { run: () => s.gemv(q, p.x, { out: y }), output: () => y, dispose: () => q.dispose() };
  },
  attention(p) { // K/V resident (a KV cache in practice), q uploaded per call like a new token
    const k = s.tensor(p.k), v = s.tensor(p.v), out = s.tensor([p.seqQ * p.heads * p.headDim]);
    const args = { k, v, heads: p.heads, kvHeads: p.kvHeads, headDim: p.headDim, layout: 'bshd', kvLayout: 'bhsd', causal: p.causal, out };
    return { run: () => s.attention({ q: p.q, ...args }), output: () => out.toArray(), dispose: () => { k.dispose(); v.dispose(); out.dispose(); } };
  },
};

export default [inOut, resident];
