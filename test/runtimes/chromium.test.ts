// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, with a fresh profile.
// A local server on 127.0.0.1 serves dist/ and test pages: the one-file build (no .wasm
// fetched), the browser entry that fetches its .wasm (compileStreaming with application/wasm),
// and the same with .wasm sent as application/octet-stream (must fall back to bytes).
import { describe, it, beforeAll, afterAll, expect } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { PROBE, checkReport, dist, logTier, missing, skipIf, type Report } from './probe';

const CHROMIUM = '/usr/bin/chromium';
const skip = missing(CHROMIUM, 'apt-get install chromium; .ci/run installs it');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

// A classic script runs before the module: it records which WebAssembly entry points were used.
const page = (entry: string) => `<!doctype html>
<script>
  window.wasmCalls = [];
  for (const k of ['compile', 'compileStreaming', 'instantiate', 'instantiateStreaming']) {
    const f = WebAssembly[k];
    WebAssembly[k] = function (...a) { wasmCalls.push(k); return f.apply(this, a); };
  }
</script>
<script type="module">
  import * as s from '${entry}';
  window.result = (async () => { ${PROBE} return report; })().catch((e) => ({ error: String(e && e.stack || e) }));
</script>`;

let server: Server, base = '', ctx: BrowserContext | undefined, profile = '';
let served: { path: string; type: string }[] = [];

beforeAll(async () => {
  if (skip) return;
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    // /wrong-mime/... is the same tree, but .wasm goes out as application/octet-stream.
    const wrongMime = path.startsWith('/wrong-mime/');
    const rel = wrongMime ? path.slice('/wrong-mime'.length) : path;
    let body: string | Buffer | undefined, type = '';
    if (rel === '/inline.html') [body, type] = [page('/dist/simdnn.inline.js'), TYPES['.html']];
    else if (rel === '/index.html') [body, type] = [page(`${wrongMime ? '/wrong-mime' : ''}/dist/index.js`), TYPES['.html']];
    else if (/^\/dist\/[\w.]+\.(js|wasm)$/.test(rel) && existsSync(dist(rel.slice(6)))) {
      body = readFileSync(dist(rel.slice(6)));
      type = rel.endsWith('.wasm') && wrongMime ? 'application/octet-stream' : TYPES[rel.slice(rel.lastIndexOf('.'))];
    }
    if (body === undefined) { res.statusCode = 404; res.end(); return; }
    served.push({ path, type });
    res.setHeader('content-type', type);
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  profile = mkdtempSync(join(tmpdir(), 'simdnn-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 90_000 });
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Load a page, wait for its report; fail with the page's errors and console if it has none. */
async function run(path: string): Promise<Report & { wasmCalls: string[] }> {
  served = [];
  const p = await ctx!.newPage();
  const log: string[] = [];
  p.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  p.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
  p.on('requestfailed', (r) => log.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
  try {
    await p.goto(base + path);
    await p.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 30_000 })
      .catch((e) => { throw new Error(`${path}: no result (${e})\n${log.join('\n')}`); });
    const r = await p.evaluate(async () => {
      const w = window as unknown as { result: Promise<Report & { error?: string }>; wasmCalls: string[] };
      return { ...(await w.result), wasmCalls: w.wasmCalls };
    });
    if ('error' in r) throw new Error(`${path}: ${r.error}\n${log.join('\n')}`);
    logTier(`chromium ${path} (WebAssembly calls: ${r.wasmCalls.join(', ')})`, r);
    return r;
  } finally {
    await p.close();
  }
}

const wasmServed = () => served.filter((s) => s.path.endsWith('.wasm'));

describe('chromium', () => {
  it('dist/simdnn.inline.js (single file): relaxed, correct, fetches no .wasm', async (t) => {
    skipIf(t, skip);
    checkReport(await run('/inline.html'), 'relaxed');
    expect(wasmServed()).toEqual([]);
  }, 120_000);

  it('dist/index.js fetches simdnn.relaxed.wasm beside it and compiles it streaming', async (t) => {
    skipIf(t, skip);
    const r = await run('/index.html');
    checkReport(r, 'relaxed');
    expect(wasmServed()).toEqual([{ path: '/dist/simdnn.relaxed.wasm', type: 'application/wasm' }]);
    expect(r.wasmCalls.some((k) => k.endsWith('Streaming')), `calls: ${r.wasmCalls}`).toBe(true);
  }, 120_000);

  it('dist/index.js still loads when .wasm is served as application/octet-stream (falls back to bytes)', async (t) => {
    skipIf(t, skip);
    const r = await run('/wrong-mime/index.html');
    checkReport(r, 'relaxed');
    expect(wasmServed()).toEqual([{ path: '/wrong-mime/dist/simdnn.relaxed.wasm', type: 'application/octet-stream' }]);
    expect(r.wasmCalls.some((k) => k === 'compile' || k === 'instantiate'), `calls: ${r.wasmCalls}`).toBe(true);
  }, 120_000);
});
