// init(): tier selection, self-test fallback, module sources, idempotence and concurrency.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { simdnn } from './util';

const SIMD = readFileSync(new URL('../dist/simdnn.simd.wasm', import.meta.url));
const RELAXED = readFileSync(new URL('../dist/simdnn.relaxed.wasm', import.meta.url));
const NODE_ENTRY = new URL('../dist/node.js', import.meta.url).href;

/** A build that compiles and instantiates but computes exp wrong: log2(e) replaced by 1.5. */
function corrupt(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  const log2e = [0x3b, 0xaa, 0xb8, 0x3f], bad = [0x00, 0x00, 0xc0, 0x3f];
  let hits = 0;
  for (let i = 0; i + 4 <= out.length; i++) {
    if (log2e.every((b, j) => out[i + j] === b)) { out.set(bad, i); hits++; }
  }
  if (!hits) throw new Error('log2(e) constant not found in the build');
  return out;
}

/** Run a snippet in a child node (ESM, top-level await allowed) and return its stdout as JSON. */
function child(code: string, flags: string[] = []): any {
  const out = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', code], { encoding: 'utf8' });
  return JSON.parse(out);
}

describe('tier selection', () => {
  it('picks relaxed where the engine validates it (this process runs with the flag)', async () => {
    const caps = await simdnn.init();
    expect(caps.relaxedSimd).toBe(true);
    expect(caps.tier).toBe('relaxed');
    expect(caps.reason).toMatch(/self-test/);
    expect(caps.threads).toBe(false);
    expect(caps.memoryBytes).toBeGreaterThan(0);
  });

  it('plain Node 20 falls back to simd silently, and forcing relaxed there throws a typed error', () => {
    const r = child(`
      import * as s from '${NODE_ENTRY}';
      const caps = await s.init();
      let forced;
      try { await s.init({ tier: 'relaxed' }); forced = 'no error'; } catch (e) { forced = e.name + ': ' + e.message; }
      const y = s.softmax(new Float32Array([1, 2, 3]));
      console.log(JSON.stringify({ caps, forced, y: [...y], after: s.capabilities().tier }));`);
    expect(r.caps.tier).toBe('simd');
    expect(r.caps.relaxedSimd).toBe(false);
    expect(r.caps.reason).toMatch(/relaxed: the engine does not validate relaxed SIMD/);
    expect(r.forced).toMatch(/^SimdnnTierError: tier 'relaxed' is unavailable/);
    expect(r.after).toBe('simd'); // the failed forced init left the working runtime in place
    expect(r.y[2]).toBeCloseTo(0.665240955, 6);
  });

  it('without WebAssembly the js tier serves everything', () => {
    const r = child(`
      delete globalThis.WebAssembly;
      const s = await import('${NODE_ENTRY}');
      const caps = await s.init();
      console.log(JSON.stringify({ caps, y: [...s.softmax(new Float32Array([0, Math.log(3)]))] }));`);
    expect(r.caps.tier).toBe('js');
    expect(r.caps.reason).toMatch(/WebAssembly is not available/);
    expect(r.y[0]).toBeCloseTo(0.25, 6);
  });

  it('a tier that computes wrong is skipped by the self-test', async () => {
    const caps = await simdnn.init({ module: (tier) => (tier === 'relaxed' ? corrupt(RELAXED) : SIMD) });
    expect(caps.tier).toBe('simd');
    expect(caps.reason).toMatch(/relaxed: self-test failed: exp/);
    const both = await simdnn.init({ module: (tier) => corrupt(tier === 'relaxed' ? RELAXED : SIMD) });
    expect(both.tier).toBe('js');
    expect(both.reason).toMatch(/simd: self-test failed/);
    expect(simdnn.softmax(new Float32Array([0, Math.log(3)]))[1]).toBeCloseTo(0.75, 6);
  });

  it('forcing a tier whose module is corrupt throws SimdnnTierError naming the self-test', async () => {
    await expect(simdnn.init({ tier: 'simd', module: corrupt(SIMD) })).rejects.toThrow(simdnn.SimdnnTierError);
    await expect(simdnn.init({ tier: 'simd', module: corrupt(SIMD) })).rejects.toThrow(/self-test failed/);
  });

  it('rejects a bad tier name and non-simdnn modules', async () => {
    await expect(simdnn.init({ tier: 'gpu' as never })).rejects.toThrow(simdnn.SimdnnArgumentError);
    const empty = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    await expect(simdnn.init({ tier: 'simd', module: empty })).rejects.toThrow(/not a simdnn 4 build \(ABI -1\)/);
  });
});

describe('module sources', () => {
  it('accepts a compiled Module, bytes, an ArrayBuffer and a Response (right and wrong MIME type)', async () => {
    const sources = [
      ['Module', new WebAssembly.Module(SIMD)],
      ['Uint8Array', new Uint8Array(SIMD)],
      ['ArrayBuffer', SIMD.buffer.slice(SIMD.byteOffset, SIMD.byteOffset + SIMD.byteLength)],
      ['Response wasm', new Response(SIMD, { headers: { 'content-type': 'application/wasm' } })],
      ['Response octet-stream', new Response(SIMD, { headers: { 'content-type': 'application/octet-stream' } })],
    ] as const;
    for (const [name, module] of sources) {
      const caps = await simdnn.init({ module: module as never });
      expect(caps.tier, name).toBe('simd');
      expect(simdnn.softmax(new Float32Array([0, Math.log(3)]))[1], name).toBeCloseTo(0.75, 6);
    }
    await expect(simdnn.init({ tier: 'simd', module: new Response('nope', { status: 404 }) })).rejects.toThrow(/HTTP 404/);
  });

  it('the relaxed build given alone is recognized as relaxed', async () => {
    expect((await simdnn.init({ module: RELAXED })).tier).toBe('relaxed');
  });

  it('initSync works in Node and agrees with init', () => {
    const caps = simdnn.initSync({ tier: 'simd' });
    expect(caps.tier).toBe('simd');
    expect(simdnn.softmax(new Float32Array([1, 1]))).toEqual(new Float32Array([0.5, 0.5]));
  });

  it('getModule() gives a Module a worker can instantiate without recompiling', async () => {
    await simdnn.init({ tier: 'simd' });
    const module = simdnn.getModule();
    expect(module).toBeInstanceOf(WebAssembly.Module);
    const worker = new Worker(`
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.entry).then(async (s) => {
        const caps = await s.init({ module: workerData.module });
        parentPort.postMessage({ tier: caps.tier, y: Array.from(s.softmax(new Float32Array([0, Math.log(3)]))) });
      }).catch((e) => parentPort.postMessage({ error: String(e) }));`, { eval: true, workerData: { module, entry: NODE_ENTRY } });
    const msg = await new Promise<any>((res, rej) => { worker.once('message', res); worker.once('error', rej); });
    await worker.terminate();
    expect(msg.error).toBeUndefined();
    expect(msg.tier).toBe('simd');
    expect(msg.y[1]).toBeCloseTo(0.75, 6);
  });
});

describe('idempotence and concurrency', () => {
  it('concurrent and repeated init() calls share one initialization', async () => {
    await simdnn.init({ tier: 'js' }); // start from a different state
    const [a, b, c] = await Promise.all([simdnn.init(), simdnn.init(), simdnn.init()]);
    expect(a).toEqual(b);
    expect(b).toEqual(c);
    const t = simdnn.tensor([4]);
    await simdnn.init(); // same options again: no re-initialization, the tensor stays valid
    expect(t.disposed).toBe(false);
    expect(t.data.length).toBe(4);
    t.dispose();
  });

  it('concurrent inits with different options settle on the last one called', async () => {
    const p1 = simdnn.init({ tier: 'js' });
    const p2 = simdnn.init({ tier: 'simd' });
    await Promise.all([p1, p2]);
    expect(simdnn.capabilities().tier).toBe('simd');
  });

  it('re-initializing makes old tensors unusable with a typed error', async () => {
    await simdnn.init({ tier: 'simd' });
    const t = simdnn.tensor(new Float32Array([1, 2]));
    await simdnn.init({ tier: 'js' });
    expect(t.disposed).toBe(true);
    expect(() => simdnn.softmax(t)).toThrow(simdnn.SimdnnDisposedError);
    expect(() => t.data).toThrow(/earlier init/);
  });
});
