import { BackendError } from '@convnet-ts/tensor';
import { type GemmInstance, gemmInstance } from './wasm-instance.js';

/**
 * Float32 arrays in the GEMM module's own memory, for tensors: the float32
 * kernels hand the module their addresses instead of copying operands in
 * and results out (LeNet's SGD step copied 45–58 MB a step that way, 18 % of
 * its time on one thread; AlexNet's 1.6 GB, 15 % of it at two threads, all
 * on the calling thread). Only on a shared memory (Node; a cross-origin
 * isolated page), whose views stay valid when it grows; an unshared memory
 * detaches them, so there tensors keep their own arrays.
 *
 * A block goes back to the module's heap when its array is released
 * (`freeModuleArray`: the backend does so once no tensor uses it and it
 * leaves the reuse pool), or when the garbage collector takes the array.
 * Live blocks are bounded (`MODULE_MAX_BYTES`); beyond, and where the
 * memory cannot grow (wasm32's 4 GiB), tensors get their own arrays.
 */

/** Bytes of live resident arrays at most, process-wide (1.5 GiB of the module memory's 2 GiB, `MODULE_MEMORY_MAX_BYTES`; the rest for the arena and scratch). */
export const MODULE_MAX_BYTES = 3 * 2 ** 29;
let maxBytes = MODULE_MAX_BYTES;
let liveBytes = 0;

interface Resident {
  inst: GemmInstance;
  at: number;
  bytes: number;
}

const residents = new WeakMap<Float32Array, Resident>();
const collected = new FinalizationRegistry<Resident>(release);

function release(r: Resident): void {
  r.inst.blocks.free(r.at);
  liveBytes -= r.bytes;
}

/** Sets the bound on live resident bytes (tests); without an argument, `MODULE_MAX_BYTES`. */
export function setModuleArrayBudget(bytes = MODULE_MAX_BYTES): void {
  maxBytes = bytes;
}

/** Bytes of live resident arrays, process-wide (tests). */
export function moduleArrayBytes(): number {
  return liveBytes;
}

/** True where arrays can live in the module's memory (a shared memory). */
export function moduleArraysAvailable(): boolean {
  return gemmInstance()?.shared === true;
}

/**
 * A Float32Array of `size` elements in the module's memory (not zeroed), or
 * null where the memory is not shared, `MODULE_MAX_BYTES` would be exceeded,
 * or the memory cannot grow.
 */
export function moduleFloat32(size: number): Float32Array | null {
  const inst = gemmInstance();
  if (inst === null || !inst.shared) return null;
  const bytes = size * 4;
  if (liveBytes + bytes > maxBytes) return null;
  let at: number;
  try {
    at = inst.blocks.alloc(bytes);
  } catch (e) {
    if (e instanceof BackendError) return null;
    throw e;
  }
  const a = new Float32Array(inst.memory.buffer, at, size);
  const r = { inst, at, bytes };
  liveBytes += bytes;
  residents.set(a, r);
  collected.register(a, r, a);
  return a;
}

/**
 * The element offset of `a` in `inst`'s memory when `a` is one of its
 * resident arrays (a whole one, not a subarray of it), else -1.
 */
export function residentOffset(inst: GemmInstance, a: Float32Array | Float64Array): number {
  if (!(a instanceof Float32Array)) return -1;
  const r = residents.get(a);
  return r !== undefined && r.inst === inst ? r.at / 4 : -1;
}

/** True when `a` is a resident array (of any instance). */
export function isModuleArray(a: Float32Array | Float64Array): boolean {
  return a instanceof Float32Array && residents.has(a);
}

/** Gives `a`'s block back now (nothing may use `a` afterwards); nothing for other arrays. */
export function freeModuleArray(a: Float32Array | Float64Array): void {
  if (!(a instanceof Float32Array)) return;
  const r = residents.get(a);
  if (r === undefined) return;
  residents.delete(a);
  collected.unregister(a);
  release(r);
}
