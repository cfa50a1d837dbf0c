// Cloudflare's workerd: a module worker imports dist/workerd.js, whose `./simdnn.*.wasm`
// imports resolve to modules declared as wasm in the config, compiled by the host. Nothing may
// compile wasm from bytes there (Cloudflare forbids it): record.js wraps every way to do so,
// and a control route shows the recorder works.
import { describe, it, expect } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE, bin, checkReport, dist, logTier, missing, skipIf, type Report } from './probe';

const PKG = 'node_modules/simdnn/dist'; // module names as a bundler-less deploy would lay them out

// Imported first, so it is evaluated before the package (ES modules evaluate in import order).
const RECORD = `
export const fromBytes = [];
const isModule = (a) => Object.prototype.toString.call(a) === '[object WebAssembly.Module]';
for (const k of ['compile', 'instantiate', 'compileStreaming', 'instantiateStreaming']) {
  const f = WebAssembly[k];
  WebAssembly[k] = function (a, ...rest) { if (!isModule(a)) fromBytes.push(k); return f.call(this, a, ...rest); };
}
WebAssembly.Module = new Proxy(WebAssembly.Module, {
  construct(M, args, newTarget) { fromBytes.push('new WebAssembly.Module'); return Reflect.construct(M, args, newTarget); },
});`;

const WORKER = `
import { fromBytes } from './record.js';
import * as s from './${PKG}/workerd.js';
const EMPTY = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]); // an empty module
const json = (v) => new Response(JSON.stringify(v), { headers: { 'content-type': 'application/json' } });
export default {
  async fetch(request) {
    if (new URL(request.url).pathname === '/control') {
      const before = fromBytes.length;
      try { new WebAssembly.Module(EMPTY); } catch {}
      try { await WebAssembly.compile(EMPTY); } catch {}
      try { await WebAssembly.instantiate(EMPTY); } catch {}
      return json({ recorded: fromBytes.slice(before) });
    }
    ${PROBE}
    report.fromBytes = fromBytes.slice();
    return json(report);
  },
};`;

const config = (port: number) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "record.js", esModule = embed "record.js"),
    (name = "${PKG}/workerd.js", esModule = embed "${PKG}/workerd.js"),
    (name = "${PKG}/simdnn.simd.wasm", wasm = embed "${PKG}/simdnn.simd.wasm"),
    (name = "${PKG}/simdnn.relaxed.wasm", wasm = embed "${PKG}/simdnn.relaxed.wasm"),
  ],
  compatibilityDate = "2025-01-01",
);`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

describe('workerd', () => {
  it('the workerd entry runs relaxed, correct, and never compiles wasm from bytes', async (ctx) => {
    const workerd = bin('workerd');
    skipIf(ctx, missing(workerd, 'the npm package "workerd" is a devDependency: run npm ci'));
    const dir = mkdtempSync(join(tmpdir(), 'simdnn-workerd-'));
    let proc: ChildProcess | undefined;
    try {
      mkdirSync(join(dir, PKG), { recursive: true });
      for (const f of ['workerd.js', 'simdnn.simd.wasm', 'simdnn.relaxed.wasm']) copyFileSync(dist(f), join(dir, PKG, f));
      writeFileSync(join(dir, 'record.js'), RECORD);
      writeFileSync(join(dir, 'worker.js'), WORKER);
      const port = await freePort();
      writeFileSync(join(dir, 'config.capnp'), config(port));

      let log = '';
      const p = (proc = spawn(workerd, ['serve', 'config.capnp'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
      p.stdout!.on('data', (d) => { log += d; });
      p.stderr!.on('data', (d) => { log += d; });
      const get = async <T>(path: string): Promise<T> => {
        for (let i = 0; ; i++) {
          if (p.exitCode !== null) throw new Error(`workerd exited ${p.exitCode}:\n${log}`);
          try {
            const res = await fetch(`http://127.0.0.1:${port}${path}`);
            const text = await res.text();
            if (res.status !== 200) throw new Error(`workerd answered ${res.status}: ${text}\n${log}`);
            return JSON.parse(text) as T;
          } catch (e) {
            if (!(e instanceof TypeError) || i >= 300) throw new Error(`${path}: ${e}\n${log}`); // TypeError: not listening yet
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      };
      const report = await get<Report & { fromBytes: string[] }>('/');
      logTier('workerd', report);
      checkReport(report, 'relaxed');
      expect(report.fromBytes, 'wasm compiled from bytes in workerd').toEqual([]);

      const control = await get<{ recorded: string[] }>('/control');
      expect(control.recorded, 'the recorder sees compiling from bytes').toEqual(['new WebAssembly.Module', 'compile', 'instantiate']);
    } finally {
      if (proc) await stop(proc);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
