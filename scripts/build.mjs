// npm run build: AssemblyScript (two builds from one source) -> esbuild bundles -> declarations.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, copyFileSync, cpSync, writeFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;

rmSync('dist', { recursive: true, force: true });
mkdirSync('build', { recursive: true });
mkdirSync('dist', { recursive: true });

// The two wasm builds in parallel: each is one core's work for minutes (asc -O3 --converge).
const asc = (target) => promisify(execFile)(bin('asc'), ['--config', 'asconfig.json', '--target', target], { maxBuffer: 64 << 20 })
  .catch((e) => e)
  .then((r) => {
    process.stdout.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    if (r instanceof Error) throw r;
  });
await Promise.all(['simd', 'relaxed'].map(asc));
for (const f of ['simdnn.simd.wasm', 'simdnn.relaxed.wasm']) copyFileSync(`build/${f}`, `dist/${f}`);

const common = { bundle: true, target: 'es2020', legalComments: 'none', logLevel: 'warning' };
await Promise.all([
  // Browsers and bundlers: fetch(new URL('./x.wasm', import.meta.url)).
  build({ ...common, entryPoints: ['src/entry/browser.ts'], outfile: 'dist/index.js', format: 'esm', platform: 'neutral' }),
  // Node/Deno/Bun ESM and CJS: read the files beside the bundle.
  build({ ...common, entryPoints: ['src/entry/node.ts'], outfile: 'dist/node.js', format: 'esm', platform: 'node' }),
  build({
    ...common, entryPoints: ['src/entry/node.ts'], outfile: 'dist/node.cjs', format: 'cjs', platform: 'node',
    define: { 'import.meta.url': '__simdnnFileUrl' },
    banner: { js: "const __simdnnFileUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
  // workerd: keep `import x from './simdnn.simd.wasm'` for the host to compile.
  build({ ...common, entryPoints: ['src/entry/workerd.ts'], outfile: 'dist/workerd.js', format: 'esm', platform: 'neutral', external: ['*.wasm'] }),
  // One file, wasm inlined.
  build({ ...common, entryPoints: ['src/entry/inline.ts'], outfile: 'dist/simdnn.inline.js', format: 'esm', platform: 'neutral', loader: { '.wasm': 'binary' }, minify: true }),
  // The `simdnn` command.
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', format: 'esm', platform: 'node', banner: { js: '#!/usr/bin/env node' } }),
]);

run(bin('tsc'), ['-p', 'tsconfig.json', '--emitDeclarationOnly']);
// `require` consumers get the same declarations marked as CommonJS (node16/nodenext resolution
// reads the module format of a .d.ts from the nearest package.json).
cpSync('dist/types', 'dist/types-cjs', { recursive: true });
writeFileSync('dist/types-cjs/package.json', '{ "type": "commonjs" }\n');
