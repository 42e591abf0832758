import { BackendError, checkAllocation } from '@convnet-ts/tensor';
import { gemmWasmBase64, gemmWasmSharedBase64 } from './wasm/gemm-binary.js';

/** The exports of wasm/gemm.wat. */
export interface GemmExports {
  sgemm(
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    lda: number,
    ta: number,
    b: number,
    ldb: number,
    tb: number,
    c: number,
    ldc: number,
    pa: number,
    pb: number,
    tile: number,
  ): void;
  pack_rows4(dst: number, s0: number, s1: number, s2: number, s3: number, len: number): void;
  /** φ of one image, row-major (task block `d` gives the geometry; see gemm.wat's conv section). */
  im2row(d: number, x: number, c0: number, cg: number, out: number): void;
  /** φ of one image in sgemm's packed-A layout (`ta = 2`). */
  im2row_packed(d: number, x: number, c0: number, cg: number, out: number): void;
  /** y_i ← φ(x_i)·F + y_i for the task block's images. */
  conv_images(d: number): void;
  /** φ of the task block's images, row-major, one after another. */
  im2row_images(d: number): void;
  /** dx += φ*(rows) of one image (row2im). */
  row2im(d: number, rows: number, c0: number, cg: number, dx: number): void;
  /** dx_i += φ*(dy_i·Fᵀ) for the task block's images. */
  conv_backward_data_images(d: number): void;
  /** Max pooling of the pool task block's images. */
  pool_max_images(d: number): void;
  /** dx_i += the max-pooling derivative of dy_i, for the pool task block's images. */
  pool_max_backward_images(d: number): void;
  MC: WebAssembly.Global;
  KC: WebAssembly.Global;
  NC: WebAssembly.Global;
}

/**
 * The GEMM module instantiated on its memory. The memory starts with one
 * scratch area per thread that may run `sgemm` at once (a 4 × 8 tile, packed
 * A and packed B: `scratchBytes` each, thread t's at `t · scratchBytes`); the
 * operands of a call go from `heap` on. `heap` moves up when more threads are
 * reserved (`reserveThreads`), between calls only.
 */
export interface GemmInstance {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** True when `memory` is shared, so that workers can run on it. */
  shared: boolean;
  exports: GemmExports;
  scratchBytes: number;
  /** Bytes of the packed A buffer (MC·KC·4). */
  paBytes: number;
  threads: number;
  heap: number;
}

/** Byte addresses of thread t's scratch: `tile` (128 bytes), `pa` (MC·KC·4), `pb` (KC·NC·4). */
export interface Scratch {
  tile: number;
  pa: number;
  pb: number;
}

const PAGE = 65536;
/** Shared memories need a maximum: the whole 32-bit address space (engines reserve it virtually). */
const MAX_PAGES = 65536;
let instance: GemmInstance | null | undefined;

/**
 * The SIMD GEMM module, instantiated on first use (synchronously: the module is
 * 2 kB, under every engine's limit for synchronous compilation) on a shared
 * memory where SharedArrayBuffer exists, else on a plain one; `null` where
 * WebAssembly or its SIMD extension is missing.
 */
export function gemmInstance(): GemmInstance | null {
  if (instance !== undefined) return instance;
  instance = instantiate(true) ?? instantiate(false);
  return instance;
}

function instantiate(shared: boolean): GemmInstance | null {
  if (shared && typeof SharedArrayBuffer === 'undefined') return null;
  try {
    const module = new WebAssembly.Module(decodeBase64(shared ? gemmWasmSharedBase64 : gemmWasmBase64));
    const memory = shared ? new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true }) : new WebAssembly.Memory({ initial: 64 });
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmExports;
    const mc = exports.MC.value as number;
    const kc = exports.KC.value as number;
    const nc = exports.NC.value as number;
    const scratchBytes = 1024 + mc * kc * 4 + kc * nc * 4;
    return { module, memory, shared, exports, scratchBytes, paBytes: mc * kc * 4, threads: 1, heap: scratchBytes };
  } catch {
    return null;
  }
}

/** Thread t's scratch area (t < `inst.threads`). */
export function scratchOf(inst: GemmInstance, t: number): Scratch {
  const tile = t * inst.scratchBytes;
  const pa = tile + 1024;
  return { tile, pa, pb: pa + inst.paBytes };
}

/** Makes room for `threads` scratch areas (moving `heap` up); never shrinks. */
export function reserveThreads(inst: GemmInstance, threads: number): void {
  if (threads <= inst.threads) return;
  inst.threads = threads;
  inst.heap = threads * inst.scratchBytes;
  growTo(inst, inst.heap);
}

/**
 * Grows the memory to at least `bytes`; a `BackendError` (not WebAssembly's
 * untyped `RangeError`) when that is beyond wasm32's 4 GiB address space or
 * the engine refuses to grow it.
 */
export function growTo(inst: GemmInstance, bytes: number): void {
  const have = inst.memory.buffer.byteLength;
  if (bytes <= have) return;
  const what = 'WebAssembly memory';
  checkAllocation('cpu', what, bytes, 1, MAX_PAGES * PAGE, "wasm32's address space; use smaller batches or the float64 backend, which does not use WebAssembly");
  try {
    inst.memory.grow(Math.ceil((bytes - have) / PAGE));
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new BackendError('cpu', what, `${what} of ${bytes} bytes could not be allocated (${e.message}, with ${have} bytes in use); use smaller batches`);
  }
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
