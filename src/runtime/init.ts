// init(): pick the best tier that validates AND passes the numeric self-test, silently falling
// back (relaxed -> simd -> js). The reasons are kept for capabilities().
import { Allocator, ArrayHeap, PAGE } from './memory.js';
import { ABI_VERSION, KERNEL_NAMES, type Kernels } from './kernels.js';
import { Runtime, setRuntime, peekRuntime, type Tier } from './runtime.js';
import { probeFeatures, type Features } from './probe.js';
import { selfTest } from './selftest.js';
import { jsKernels } from '../js/kernels.js';
import { SimdnnArgumentError, SimdnnTierError, describe } from './errors.js';

/** Anything a wasm build can be given as. */
export type ModuleSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response | Promise<Response> | URL | string;
/** Where the wasm builds come from: one source (its tier is read from the module) or one per tier. */
export type ModuleOption = ModuleSource | ((tier: 'relaxed' | 'simd') => ModuleSource | Promise<ModuleSource>);

export interface InitOptions {
  /** Force a tier. A forced wasm tier that cannot run throws SimdnnTierError instead of falling back. */
  tier?: Tier;
  /** The wasm to use instead of the package's own files (required shape on Cloudflare Workers: a Module). */
  module?: ModuleOption;
  /** Upper bound for linear memory, in bytes (default 1 GiB; at most 4 GiB). */
  maxMemoryBytes?: number;
  /** Initial linear memory, in bytes (default 1 MiB). */
  initialMemoryBytes?: number;
}

export interface Capabilities {
  /** The tier in use. */
  tier: Tier;
  /** Why this tier: what was tried before it and why that was passed over. */
  reason: string;
  /** The engine validates WebAssembly SIMD128. */
  simd: boolean;
  /** The engine validates relaxed SIMD. */
  relaxedSimd: boolean;
  /** Worker threads in use (not yet: always false). */
  threads: boolean;
  /** Current size of the heap in bytes. */
  memoryBytes: number;
  /** Bytes held by live tensors and scratch. */
  allocatedBytes: number;
  /** The configured maximum. */
  maxMemoryBytes: number;
}

const DEFAULT_MAX = 1 << 30;
const DEFAULT_INITIAL = 1 << 20;

let features: Features | undefined;
let reason = '';
let pending: Promise<Capabilities> | undefined;
let pendingKey = '';

/** The package's own wasm, per entry point (node reads files, browsers fetch, workerd imports). */
export type DefaultSource = (tier: 'relaxed' | 'simd') => ModuleSource | Promise<ModuleSource>;

function keyOf(opts: InitOptions): string {
  return JSON.stringify([opts.tier ?? '', opts.maxMemoryBytes ?? DEFAULT_MAX, opts.initialMemoryBytes ?? DEFAULT_INITIAL, opts.module ? 'm' : '']);
}

/**
 * Async init shared by every entry point. Idempotent: repeated or concurrent calls with the
 * same options share one initialization. Calling again with other options re-initializes
 * (tensors from before are then unusable).
 */
export function initWith(opts: InitOptions = {}, source: DefaultSource | undefined): Promise<Capabilities> {
  const key = keyOf(opts);
  if (opts.module === undefined && pending && pendingKey === key) return pending;
  pendingKey = key;
  // Serialize behind any init still running, so the last call decides the runtime.
  const before = pending ?? Promise.resolve();
  const p = before.catch(() => undefined).then(() => select(opts, source)).then((rt) => { setRuntime(rt); return capabilities(); });
  pending = p;
  p.catch(() => { if (pending === p) pending = undefined; });
  return p;
}

/** Synchronous init (Node, workers, Deno, Bun; not a browser main thread with modules > 4 KB). */
export function initSyncWith(opts: InitOptions = {}, source: DefaultSource | undefined): Capabilities {
  const rt = selectSync(opts, source);
  setRuntime(rt);
  pending = Promise.resolve(capabilities());
  pendingKey = keyOf(opts);
  return capabilities();
}

/** The current tier, why it was chosen, and memory use. Before init(): tier 'js', reason 'not initialized', and the engine's feature probes. */
export function capabilities(): Capabilities {
  const rt = peekRuntime();
  const f = features ?? probeFeatures();
  return {
    tier: rt?.tier ?? 'js',
    reason: rt ? reason : 'not initialized',
    simd: f.simd,
    relaxedSimd: f.relaxedSimd,
    threads: false,
    memoryBytes: rt?.alloc.memoryBytes ?? 0,
    allocatedBytes: rt?.alloc.allocatedBytes ?? 0,
    maxMemoryBytes: rt?.alloc.maxBytes ?? 0,
  };
}

/** The compiled module of the current wasm tier (post it to a worker and init({ module }) there). */
export function getModule(): WebAssembly.Module | undefined {
  return peekRuntime()?.module;
}

// ---- selection -------------------------------------------------------------------------------

function memoryLimits(opts: InitOptions): { initial: number; maximum: number } {
  const max = opts.maxMemoryBytes ?? DEFAULT_MAX;
  if (typeof max !== 'number' || !(max >= PAGE) || max > 2 ** 32) {
    throw new SimdnnArgumentError('maxMemoryBytes', describe(max), `a number of bytes from ${PAGE} to ${2 ** 32}`);
  }
  const init = opts.initialMemoryBytes ?? Math.min(DEFAULT_INITIAL, max);
  if (typeof init !== 'number' || !(init >= PAGE) || init > max) {
    throw new SimdnnArgumentError('initialMemoryBytes', describe(init), `a number of bytes from ${PAGE} to maxMemoryBytes (${max})`);
  }
  return { initial: Math.ceil(init / PAGE), maximum: Math.floor(max / PAGE) };
}

function checkTier(tier: unknown): void {
  if (tier !== undefined && tier !== 'relaxed' && tier !== 'simd' && tier !== 'js') {
    throw new SimdnnArgumentError('tier', describe(tier), "'relaxed', 'simd' or 'js'");
  }
}

/**
 * One run of tier selection: the candidates in order, the notes on each one passed over, and
 * what to do when a candidate works or fails. The async and sync loops below share it.
 */
class Selection {
  readonly notes: string[] = [];
  readonly tiers: ('relaxed' | 'simd')[];
  private readonly forced: boolean;

  constructor(private readonly opts: InitOptions) {
    checkTier(opts.tier);
    memoryLimits(opts);
    this.forced = opts.tier !== undefined;
    this.tiers = this.candidates();
  }

  /** A wasm runtime passed its checks for `tier` (throws, to be rejected, if it is another tier's build). */
  accept(tier: 'relaxed' | 'simd', rt: Runtime): Runtime {
    if (this.forced && rt.tier !== tier) throw new Error(`the given module is the ${rt.tier} build`);
    reason = this.why(rt.tier);
    return rt;
  }

  /** `tier` failed: throw if it was forced, else note why. True when no other tier is worth trying. */
  reject(tier: 'relaxed' | 'simd', e: unknown): boolean {
    const msg = (e as Error)?.message ?? String(e);
    if (this.forced) throw new SimdnnTierError(tier, msg);
    this.notes.push(`${tier}: ${msg}`);
    // A single given module is the same for every tier: no point compiling it twice.
    return this.opts.module !== undefined && typeof this.opts.module !== 'function';
  }

  /** The js tier, when no wasm tier worked (or it was asked for). */
  fallback(): Runtime {
    const { initial, maximum } = memoryLimits(this.opts);
    const heap = new ArrayHeap(initial);
    reason = this.why('js');
    return new Runtime('js', jsKernels(heap), new Allocator(heap, maximum * PAGE), undefined);
  }

  private candidates(): ('relaxed' | 'simd')[] {
    const f = (features = probeFeatures());
    if (this.opts.tier === 'js') return [];
    if (!f.wasm) { this.notes.push('WebAssembly is not available'); return []; }
    const want: ('relaxed' | 'simd')[] = this.opts.tier ? [this.opts.tier] : ['relaxed', 'simd'];
    return want.filter((t) => {
      const ok = t === 'relaxed' ? f.relaxedSimd : f.simd;
      if (!ok) this.reject(t, new Error(`the engine does not validate ${t === 'relaxed' ? 'relaxed SIMD' : 'SIMD128'}`));
      return ok;
    });
  }

  private why(tier: Tier): string {
    const why = this.forced ? `forced by init({ tier: '${tier}' })` : tier === 'js' ? 'pure JS fallback' : 'best tier that passed the self-test';
    return this.notes.length ? `${why} (${this.notes.join('; ')})` : why;
  }
}

/** Check an instance's ABI and run the self-test; returns the runtime or throws with the reason. */
function checkInstance(inst: WebAssembly.Instance, module: WebAssembly.Module, mem: WebAssembly.Memory, maximum: number): Runtime {
  const ex = inst.exports as Record<string, unknown>;
  const abi = typeof ex.simdnn_abi === 'function' ? (ex.simdnn_abi as () => number)() : -1;
  if (abi !== ABI_VERSION) throw new Error(`the module is not a simdnn ${ABI_VERSION} build (ABI ${abi})`);
  for (const k of [...KERNEL_NAMES, 'simdnn_tier', 'simdnn_heap_base']) if (typeof ex[k] !== 'function') throw new Error(`the module lacks the export ${k}`);
  const tier: Tier = (ex.simdnn_tier as () => number)() === 2 ? 'relaxed' : 'simd';
  const alloc = new Allocator(mem, maximum * PAGE, (ex.simdnn_heap_base as () => number)());
  const kernels = ex as unknown as Kernels;
  const bad = selfTest(kernels, alloc);
  if (bad) throw new Error(`self-test failed: ${bad}`);
  return new Runtime(tier, kernels, alloc, module);
}

function newMemory(opts: InitOptions): { memory: WebAssembly.Memory; maximum: number } {
  const { initial, maximum } = memoryLimits(opts);
  return { memory: new WebAssembly.Memory({ initial, maximum }), maximum };
}

async function select(opts: InitOptions, source: DefaultSource | undefined): Promise<Runtime> {
  const s = new Selection(opts);
  for (const tier of s.tiers) {
    try {
      const module = await compileAsync(await sourceFor(tier, opts, source));
      const { memory, maximum } = newMemory(opts);
      const inst = await WebAssembly.instantiate(module, { env: { memory } });
      return s.accept(tier, checkInstance(inst, module, memory, maximum));
    } catch (e) {
      if (s.reject(tier, e)) break;
    }
  }
  return s.fallback();
}

function selectSync(opts: InitOptions, source: DefaultSource | undefined): Runtime {
  const s = new Selection(opts);
  for (const tier of s.tiers) {
    try {
      const src = sourceFor(tier, opts, source);
      if (src instanceof Promise) throw new Error('initSync needs a WebAssembly.Module or bytes, not a promise');
      const module = compileSync(src);
      const { memory, maximum } = newMemory(opts);
      return s.accept(tier, checkInstance(new WebAssembly.Instance(module, { env: { memory } }), module, memory, maximum));
    } catch (e) {
      if (s.reject(tier, e)) break;
    }
  }
  return s.fallback();
}

function sourceFor(tier: 'relaxed' | 'simd', opts: InitOptions, source: DefaultSource | undefined): ModuleSource | Promise<ModuleSource> {
  const m = opts.module;
  if (typeof m === 'function') return m(tier);
  if (m !== undefined) return m;
  if (!source) throw new Error('this entry point has no wasm of its own: pass init({ module })');
  return source(tier);
}

/** A compiled module, also one from another realm (where instanceof would say no). */
function isModule(src: unknown): boolean {
  return src instanceof WebAssembly.Module || Object.prototype.toString.call(src) === '[object WebAssembly.Module]';
}

function isBytes(src: unknown): src is ArrayBuffer | ArrayBufferView {
  return src instanceof ArrayBuffer || ArrayBuffer.isView(src);
}

function compileSync(src: ModuleSource): WebAssembly.Module {
  if (isModule(src)) return src as WebAssembly.Module;
  if (isBytes(src)) return new WebAssembly.Module(src as BufferSource);
  throw new Error(`initSync cannot load ${describe(src)}: pass a WebAssembly.Module or bytes`);
}

async function compileAsync(src: ModuleSource): Promise<WebAssembly.Module> {
  const s = await src;
  if (isModule(s)) return s as WebAssembly.Module;
  if (isBytes(s)) return WebAssembly.compile(s as BufferSource);
  if (typeof s === 'string' || s instanceof URL) return compileAsync(fetch(s));
  if (typeof Response !== 'undefined' && s instanceof Response) {
    if (!s.ok) throw new Error(`fetching ${s.url || 'the wasm'} failed with HTTP ${s.status}`);
    // compileStreaming needs the application/wasm MIME type; fall back to bytes when it is wrong.
    if (typeof WebAssembly.compileStreaming === 'function' && s.headers.get('content-type')?.startsWith('application/wasm')) {
      return WebAssembly.compileStreaming(s);
    }
    return WebAssembly.compile(await s.arrayBuffer());
  }
  throw new Error(`cannot load a module from ${describe(s)}`);
}
