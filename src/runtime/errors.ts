/** Base class of every error simdnn throws on purpose. `code` is stable; match on it or on the class. */
export class SimdnnError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An argument has the wrong type, size or value. Names the argument, what was given, what was expected. */
export class SimdnnArgumentError extends SimdnnError {
  readonly argument: string;
  constructor(argument: string, given: string, expected: string) {
    super('ERR_SIMDNN_ARGUMENT', `${argument}: got ${given}, expected ${expected}`);
    this.argument = argument;
  }
}

/** A kernel was called before `init()` finished (or after a failed init). */
export class SimdnnNotInitializedError extends SimdnnError {
  constructor() {
    super('ERR_SIMDNN_NOT_INITIALIZED', 'simdnn is not initialized: call `await init()` first (or `initSync()` in Node and workers)');
  }
}

/** Linear memory would exceed `maxMemoryBytes` (or the engine refused to grow it). The instance stays usable. */
export class SimdnnMemoryError extends SimdnnError {
  readonly requestedBytes: number;
  readonly availableBytes: number;
  constructor(requestedBytes: number, availableBytes: number, detail = '') {
    super('ERR_SIMDNN_MEMORY', `out of memory: requested ${requestedBytes} bytes, ${availableBytes} bytes available` +
      ` (raise init({ maxMemoryBytes }) or dispose() unused tensors)${detail ? `: ${detail}` : ''}`);
    this.requestedBytes = requestedBytes;
    this.availableBytes = availableBytes;
  }
}

/** A forced tier (`init({ tier })`) or a given module cannot run here. */
export class SimdnnTierError extends SimdnnError {
  readonly tier: string;
  constructor(tier: string, reason: string) {
    super('ERR_SIMDNN_TIER', `tier '${tier}' is unavailable: ${reason}`);
    this.tier = tier;
  }
}

/** A Tensor was used after dispose(), or with another init() than the one that made it. */
export class SimdnnDisposedError extends SimdnnError {
  constructor(what: string) {
    super('ERR_SIMDNN_DISPOSED', what);
  }
}

/** Short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return `${v}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length ?? v.byteLength})`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
