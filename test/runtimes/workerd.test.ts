// Cloudflare's workerd: the `workerd` entry imports the .wasm files as modules; nothing may
// compile wasm from bytes there (the platform forbids it), which the worker below records.
import { describe, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { PROBE, checkReport, root, bin, requireBinary, type Report } from './probe';

const WORKER = `
import * as s from './workerd.js';
const fromBytes = [];
for (const k of ['compile', 'instantiate', 'compileStreaming', 'instantiateStreaming']) {
  const f = WebAssembly[k];
  WebAssembly[k] = function (a, ...rest) { if (!(a instanceof WebAssembly.Module)) fromBytes.push(k); return f.call(this, a, ...rest); };
}
WebAssembly.Module = new Proxy(WebAssembly.Module, { construct(M, args) { fromBytes.push('new Module'); return new M(...args); } });
export default {
  async fetch() {
    ${PROBE}
    report.compiledFromBytes = fromBytes;
    return new Response(JSON.stringify(report), { headers: { 'content-type': 'application/json' } });
  },
};`;

const config = (port: number) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .w)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const w :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "workerd.js", esModule = embed "workerd.js"),
    (name = "simdnn.simd.wasm", wasm = embed "simdnn.simd.wasm"),
    (name = "simdnn.relaxed.wasm", wasm = embed "simdnn.relaxed.wasm"),
  ],
  compatibilityDate = "2025-01-01",
);`;

function freePort(): Promise<number> {
  return new Promise((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
}

describe('workerd', () => {
  it('the workerd entry runs relaxed, correct, and never compiles from bytes', async () => {
    const workerd = bin('workerd');
    requireBinary(workerd);
    const dir = mkdtempSync(join(tmpdir(), 'simdnn-workerd-'));
    for (const f of ['workerd.js', 'simdnn.simd.wasm', 'simdnn.relaxed.wasm']) copyFileSync(`${root}dist/${f}`, join(dir, f));
    writeFileSync(join(dir, 'worker.js'), WORKER);
    const port = await freePort();
    writeFileSync(join(dir, 'config.capnp'), config(port));
    const proc = spawn(workerd, ['serve', 'config.capnp'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout.on('data', (d) => { log += d; });
    proc.stderr.on('data', (d) => { log += d; });
    try {
      let report: Report | undefined;
      for (let i = 0; i < 100 && !report; i++) {
        try { report = await (await fetch(`http://127.0.0.1:${port}/`)).json() as Report; } catch { await new Promise((r) => setTimeout(r, 200)); }
      }
      if (!report) throw new Error(`workerd did not answer:\n${log}`);
      checkReport(report, 'relaxed');
      expect(report.compiledFromBytes).toEqual([]);
    } finally {
      proc.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
