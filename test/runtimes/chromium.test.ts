// Headless Chromium (Debian's package) driven by playwright-core, pages served from localhost:
// the one-file build, the bundler entry that fetches its wasm, and a server with the wrong
// MIME type for .wasm (loading must fall back from compileStreaming to bytes).
import { describe, it, beforeAll, afterAll, expect } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { PROBE, checkReport, root, type Report } from './probe';

const CHROMIUM = '/usr/bin/chromium';
let server: Server, base = '', ctx: BrowserContext, profile = '';

const page = (entry: string) => `<!doctype html><script type="module">
  import * as s from '${entry}';
  window.result = (async () => { ${PROBE} return report; })().catch((e) => ({ error: String(e) }));
</script>`;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const wrongMime = url.pathname.startsWith('/wrong-mime/');
    const path = url.pathname.replace(/^\/wrong-mime/, '');
    if (path.startsWith('/page/')) {
      res.setHeader('content-type', 'text/html');
      return res.end(page(path === '/page/inline' ? '/dist/simdnn.inline.js' : url.pathname.replace(/page\/index$/, 'dist/index.js')));
    }
    if (!path.startsWith('/dist/') || !existsSync(root + path)) { res.statusCode = 404; return res.end(); }
    const type = path.endsWith('.wasm') ? (wrongMime ? 'application/octet-stream' : 'application/wasm') : 'text/javascript';
    res.setHeader('content-type', type);
    res.end(readFileSync(root + path));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  profile = mkdtempSync(join(tmpdir(), 'simdnn-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

afterAll(async () => {
  await ctx?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function run(path: string): Promise<Report> {
  const p = await ctx.newPage();
  try {
    await p.goto(base + path);
    await p.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined);
    const r = await p.evaluate(() => (window as unknown as { result: Promise<Report & { error?: string }> }).result);
    expect(r.error).toBeUndefined();
    return r;
  } finally {
    await p.close();
  }
}

describe('chromium', () => {
  it('the single-file browser build', async () => checkReport(await run('/page/inline'), 'relaxed'));
  it('the bundler/browser entry fetching its wasm', async () => checkReport(await run('/page/index'), 'relaxed'));
  it('still loads when the server sends .wasm with the wrong MIME type', async () => checkReport(await run('/wrong-mime/page/index'), 'relaxed'));
});
