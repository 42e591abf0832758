import { BackendError, describeValue, OptionError } from '@convnet-ts/tensor';
import { nodeBuiltin, workersAvailable } from './gemm-worker.js';
import { canBlock, checkSpinMicros, DEFAULT_SPIN_MICROS, GemmThreadPool } from './thread-pool.js';
import { type GemmInstance, type GemmModuleBytes, gemmInstance, relaxedSimdAvailable, replaceGemmInstance, shippedGemmModule } from './wasm-instance.js';

/**
 * How many threads the float32 kernels use. Every CPU backend holds a lease
 * (`acquireGemmThreads`, released by `dispose()`) and makes it the current
 * one (`use()`) at each kernel call; the kernels use the thread count of the
 * current lease (the most recently used or acquired live one), or 1 when
 * there is none. So two backends with different `threads` in one process
 * each run on their own count. Threads share one pool of workers, grown to
 * the largest count asked and terminated when the last lease asking for
 * more than one is released.
 *
 * Decision: a current lease rather than a count passed down, because the
 * GEMM and task helpers are called without their backend.
 */
export interface GemmThreadsLease {
  readonly threads: number;
  /** Makes this lease the current one (its thread count applies) until another is used or acquired. */
  use(): void;
  release(): void;
}

const leases: GemmThreadsLease[] = [];
/** How long a backend's constructor waits for its GEMM workers to start (they take tens of milliseconds). */
const WORKER_START_MS = 10_000;
let pool: GemmThreadPool | null = null;

/**
 * The default thread count: the cores (`os.availableParallelism()` in Node,
 * `navigator.hardwareConcurrency` in browsers), or 1 where workers cannot
 * share memory (no SharedArrayBuffer, or a page that is not cross-origin
 * isolated) or WebAssembly SIMD is missing.
 */
export function defaultThreads(): number {
  if (!workersAvailable() || gemmInstance()?.shared !== true) return 1;
  return cores();
}

/** The cores: `os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in browsers, else 1. */
function cores(): number {
  const os = nodeBuiltin<{ availableParallelism(): number }>('node:os');
  if (os !== undefined) return Math.max(1, os.availableParallelism());
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.max(1, n ?? 1);
}

/**
 * The most GEMM threads a backend may ask for: 4 per core, at most 64.
 * Beyond that threads only contend (256 threads on 2 cores took 13 s and
 * 2 GB for what 2 do in well under a second), so asking is an error.
 */
export function maxThreads(): number {
  return Math.min(64, 4 * cores());
}

/**
 * Asks for `threads` GEMM threads until `release()`. Starts the workers now
 * (so the first GEMM does not wait for them). Throws where more than one
 * thread is asked and workers cannot share memory here.
 */
export function acquireGemmThreads(threads: number): GemmThreadsLease {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new OptionError('createCpuBackend', 'threads', `threads must be a positive integer, got ${describeValue(threads)}`);
  }
  if (threads > maxThreads()) {
    throw new OptionError('createCpuBackend', 'threads', `threads must be at most ${maxThreads()} (4 per core, at most 64), got ${threads}`);
  }
  if (threads > 1) {
    const inst = gemmInstance();
    if (inst === null || !inst.shared || !workersAvailable()) {
      throw new BackendError('createCpuBackend', 'threads', `threads ${threads} needs ${threadsMissing(inst === null)}; leave threads unset (or 1) for one thread`);
    }
    if (pool === null || pool.threads < threads) {
      pool?.terminate();
      pool = new GemmThreadPool(inst, threads);
      pool.spinMicros = spinMicros;
      // In Node, give the workers a moment to start so the first GEMMs use them; a worker that is not
      // ready yet has its share done on the calling thread, so a slow start (a loaded machine) costs
      // speed, never correctness. Not in a browser's Web Worker, though it may block: its nested
      // workers start only once it returns to its event loop, so blocking would wait out the timeout.
      if (canBlock && nodeBuiltin('node:worker_threads') !== undefined) pool.waitReady(WORKER_START_MS);
    }
  }
  const lease: GemmThreadsLease = {
    threads,
    use: () => {
      if (leases.at(-1) === lease) return;
      const i = leases.indexOf(lease);
      if (i < 0) return;
      leases.splice(i, 1);
      leases.push(lease);
    },
    release: () => {
      const i = leases.indexOf(lease);
      if (i < 0) return;
      leases.splice(i, 1);
      if (pool !== null && !leases.some((l) => l.threads > 1)) {
        pool.terminate();
        pool = null;
      }
    },
  };
  leases.push(lease);
  return lease;
}

/** What this host lacks for GEMM threads, for the error of `acquireGemmThreads`. */
function threadsMissing(noSimd: boolean): string {
  const host = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (nodeBuiltin('node:worker_threads') === undefined && host.crossOriginIsolated !== true) {
    return (
      'a cross-origin isolated page (SharedArrayBuffer between workers): serve the page and its scripts with the headers ' +
      '`Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`, got crossOriginIsolated ' +
      `${String(host.crossOriginIsolated ?? 'undefined')}`
    );
  }
  if (noSimd) return 'WebAssembly SIMD, got an engine without it';
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer, got none';
  return `workers (Node worker_threads or Web Workers), got ${typeof host.Worker === 'function' ? 'a shared WebAssembly memory that failed' : 'none'}`;
}

let spinMicros = DEFAULT_SPIN_MICROS;

/**
 * How long (µs) the CPU backends' threads poll for work, and the calling
 * thread for their results, before sleeping in `Atomics.wait`: default
 * `DEFAULT_SPIN_MICROS` (500; why in thread-pool.ts), 0 to sleep at once
 * (a page that would rather save a laptop's battery than 2 ms a LeNet step).
 * Process-wide, like the workers: applies to the running pool and later ones.
 */
export function setThreadPolling(micros: number): void {
  checkSpinMicros('setThreadPolling', micros);
  spinMicros = micros;
  if (pool !== null) pool.spinMicros = micros;
}

/** The poll time `setThreadPolling` set (µs). */
export function threadPolling(): number {
  return spinMicros;
}

/** The GEMM's thread count now (the most recent live lease's, else 1). */
export function gemmThreads(): number {
  return leases.at(-1)?.threads ?? 1;
}

/**
 * Resolves true once the workers run (at once without a pool), false when
 * one failed to start or `ms` passed first; never blocks this thread.
 */
export function gemmWorkersReady(ms: number): Promise<boolean> {
  return pool === null ? Promise.resolve(true) : pool.whenReady(ms);
}

/** Why a GEMM worker did not start (the cause and the fix), or null while none failed. */
export function gemmWorkersFailure(): string | null {
  return pool?.startFailure ?? null;
}

/** Calls and tasks the shared workers have run, whichever lease is current (0 without workers). */
export function gemmWorkerCalls(): number {
  return pool?.workerCalls ?? 0;
}

/** The worker pool for `gemmThreads()` threads, or null when that is 1. */
export function gemmPool(): GemmThreadPool | null {
  return gemmThreads() > 1 ? pool : null;
}

/**
 * Makes `bytes` the process's GEMM module (null: the default one again), for
 * tests and benchmarks that compare micro-kernel tiles or the relaxed-SIMD FMA
 * kernel. Only between backends with more than one thread: the workers run
 * the module they started with, so this throws while a worker pool runs.
 * Returns the new instance, or null where it cannot run here (the TypeScript
 * GEMM then runs).
 */
export function useGemmModule(bytes: GemmModuleBytes | null): GemmInstance | null {
  if (pool !== null) throw new BackendError('gemm', 'module', 'no GEMM worker pool running (dispose the backends with threads > 1 first), got a running pool');
  return replaceGemmInstance(bytes);
}

/**
 * Turns relaxed-SIMD FMA in the GEMM's micro-kernel on or off, process-wide,
 * for float32 GEMMs and convolutions from the next call on. Off by default:
 * `f32x4.relaxed_madd` rounds once where the engine fuses (V8 on x64 with
 * FMA3, on arm64) and twice where it does not, so results may differ from
 * engine to engine (and from the plain path); with it off every engine gives
 * the same bits. Only where the engine has relaxed SIMD (`relaxedSimdAvailable`:
 * Chrome ≥ 114, Node ≥ 22; Node 20 with --experimental-wasm-relaxed-simd);
 * returns whether FMA is on afterwards. Throws, like `useGemmModule`, while a
 * worker pool runs.
 */
export function useRelaxedSimdFma(on: boolean): boolean {
  const want = on && relaxedSimdAvailable();
  if (gemmInstance()?.fma === want) return want;
  const inst = useGemmModule(want ? shippedGemmModule(true) : null);
  return inst?.fma === true;
}

/**
 * A backend's `fma` option: makes the process's micro-kernel fuse (where the
 * engine has relaxed SIMD) or not, as `useRelaxedSimdFma`; returns whether it
 * fuses afterwards. The module is process-wide, so the most recently created
 * backend's choice holds; where that means switching while another live
 * backend's worker pool runs (whose workers keep the module they started
 * with), this throws instead of leaving the threads on different kernels.
 */
export function selectFma(on: boolean): boolean {
  const want = on && relaxedSimdAvailable();
  if ((gemmInstance()?.fma === true) === want) return want;
  if (pool !== null) {
    throw new BackendError(
      'createCpuBackend',
      'fma',
      `fma ${on} needs the ${want ? 'FMA' : 'plain'} micro-kernel, expected no other live backend with threads > 1 running the ${want ? 'plain' : 'FMA'} one ` +
        '(give every backend the same fma, or dispose that backend first), got one running',
    );
  }
  return useRelaxedSimdFma(on);
}
