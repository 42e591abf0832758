import {
  allocFloatArray,
  type Backend,
  BackendError,
  checkAllocation,
  checkNumber,
  checkShape,
  checkValues,
  describeValue,
  type DType,
  type FloatArray,
  formatShape,
  isTensor,
  type KernelAttrs,
  type KernelInputs,
  type KernelName,
  type KernelOutputs,
  MAX_TENSOR_ELEMENTS,
  type MemoryInfo,
  OptionError,
  type Shape,
  ShapeError,
  sizeOf,
  Tensor,
} from '@convnet-ts/tensor';
import ndarray, { type NdArray } from 'ndarray';
import type { WinogradOption } from './conv-winograd.js';
import { sharedTasksAvailable } from './gemm-worker.js';
import { acquireGemmThreads, defaultThreads, type GemmThreadsLease, gemmWorkerCalls, gemmWorkersFailure, gemmWorkersReady, selectFma } from './gemm-threads.js';
import { cpuKernels } from './kernel-table.js';
import { freeModuleArray, moduleArraysAvailable, moduleFloat32 } from './module-arrays.js';
import { copyToContiguous, isContiguous, rowMajorView, type StridedView } from './strided-view.js';
import { gemmInstance } from './wasm-instance.js';

export interface CpuBackendOptions {
  /** Element type of every tensor this backend makes (default float32). */
  dtype?: DType;
  /**
   * Worker threads for the float32 GEMM (convolution and fully connected
   * layers), the convolutions' images and the row kernels (pooling, ReLU,
   * sums, batch normalisation, softmax, sigmoid, LRN, softmaxlog): default the cores
   * (`os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in
   * a cross-origin isolated page), 1 where workers cannot share memory (no
   * SharedArrayBuffer). `1` starts no worker. Asking for more than 1 where
   * workers cannot share memory throws. Results do not depend on the count.
   * The count is per backend: each kernel call runs on its backend's count
   * (the workers are shared, grown to the largest count; see gemm-threads.ts).
   * With more than one thread in Node, float32 tensors of 2^16 elements or
   * more live on SharedArrayBuffers (`sharedTensors`), so that the
   * memory-bound kernels' copies split over the threads too.
   */
  threads?: number;
  /**
   * Winograd for float32 stride-1, undilated 3×3 and 5×5 convolutions with
   * at least 8 channels and 4 filters per group and at least 64 (3×3) or 36
   * (5×5) outputs per image, where it takes at most 0.6 of the direct
   * method's multiplies; any groups, pads, channel and filter counts (forward
   * and both derivatives; conv-winograd.ts). `true` (the default) takes
   * F(4×4, r×r) where the output is at least 8 × 8 and F(2×2, r×r) below;
   * `4` or `2` forces one; `false` takes the direct im2row + GEMM path.
   * The sums differ from the direct path's by rounding. Against float64
   * (max |error| / max |y| per √(r²C)): direct ≈ 2–4·10⁻⁸, F(2×2, 3×3)
   * ≈ 2·10⁻⁸, F(4×4, 3×3) ≈ 2–4·10⁻⁷ (about 10⁻⁵ at C = 64),
   * F(2×2, 5×5) ≈ 1–2·10⁻⁷, F(4×4, 5×5) ≈ 1.3–2.5·10⁻⁷ (README). A NaN
   * input reaches under F(2×2, 3×3) exactly the outputs whose window holds
   * it; under the other tiles possibly the rest of those outputs' tiles. A
   * ±Inf input can give NaN where the direct sum gives ±Inf (the transforms
   * form Inf − Inf). This backend's choice, not process-wide.
   */
  winograd?: WinogradOption;
  /**
   * Relaxed-SIMD FMA (`f32x4.relaxed_madd`) in the float32 GEMM's
   * micro-kernel (GEMMs, fully connected and 1×1 layers, im2row
   * convolutions; not Winograd's products or the direct kernels), where the engine has relaxed SIMD (Chrome ≥ 114, Node ≥ 22;
   * elsewhere `true` quietly keeps the plain kernel: see `fma` on the
   * backend). Default `false`. Numerical consequences: the engine decides
   * whether the multiply-add rounds once (V8 on x64 with FMA3, on arm64) or
   * twice, so results may differ from engine to engine and from the plain
   * kernel's; off, every engine gives the same bits. Within an engine, the
   * thread count still does not change them. Process-wide (one GEMM module):
   * the most recently created backend's choice holds, and asking for the
   * other one while another live backend's GEMM workers run throws a
   * `BackendError`.
   */
  fma?: boolean;
}

/**
 * Arrays of at least this many elements that the backend allocated for
 * tensors are kept for reuse once every tensor over them is disposed
 * (`CpuBackend.alloc`); smaller ones cost V8 little to allocate.
 */
const REUSE_MIN_ELEMENTS = 2 ** 14;

/**
 * Float32 tensors of at least this many elements live on a SharedArrayBuffer
 * when the backend has more than one thread and its workers take shared
 * tasks (Node): the memory-bound maps then split them over the threads, each
 * thread copying its own range (shared-tasks.ts). 2^16 elements (256 KiB);
 * below, the maps stay on the calling thread anyway.
 */
export const SHARED_MIN_ELEMENTS = 2 ** 16;

/**
 * Bytes of SharedArrayBuffers the backends keep allocated at most,
 * process-wide, counted from allocation until the garbage collector takes
 * the buffer (2 GiB); beyond, tensors get plain arrays (the calling
 * thread's copies). V8 collects unreachable SharedArrayBuffers far later
 * than ArrayBuffers (fresh 16 MB tensors never disposed nor reused reached
 * 3 GB of RSS, against 0.35 GB as ArrayBuffers), so without this bound a
 * program that leaves tensors to the garbage collector would grow.
 */
export const SHARED_MAX_BYTES = 2 ** 31;
let sharedMaxBytes = SHARED_MAX_BYTES;
let sharedBytes = 0;

/** Sets the process-wide bound on shared tensor bytes (tests); without an argument, `SHARED_MAX_BYTES`. */
export function setSharedTensorBudget(bytes = SHARED_MAX_BYTES): void {
  sharedMaxBytes = bytes;
}
const sharedCollected = new FinalizationRegistry<number>((bytes) => {
  sharedBytes -= bytes;
});

/** A Float32Array of `size` elements on a new SharedArrayBuffer, or null when `SHARED_MAX_BYTES` would be exceeded. */
function sharedFloat32(size: number): Float32Array | null {
  const bytes = size * 4;
  if (sharedBytes + bytes > sharedMaxBytes) return null;
  const buffer = new SharedArrayBuffer(bytes);
  sharedBytes += bytes;
  sharedCollected.register(buffer, bytes);
  return new Float32Array(buffer);
}

/** Bytes of SharedArrayBuffers allocated for tensors that the garbage collector has not taken yet (process-wide; tests). */
export function sharedTensorBytes(): number {
  return sharedBytes;
}

/** Bytes of released arrays a backend keeps for reuse at most (256 MiB; the oldest are dropped beyond). */
export const REUSE_MAX_BYTES = 2 ** 28;

/**
 * `REUSE_MAX_BYTES` of a backend with `sharedTensors` (1 GiB): a shared
 * array dropped from the reuse pool stays in memory until V8 collects it,
 * which it does late (`SHARED_MAX_BYTES`), so keeping it for reuse costs no
 * memory and spares new ones (AlexNet's step allocated about 500 MB of new
 * shared arrays a step with 256 MiB).
 */
export const REUSE_MAX_BYTES_SHARED = 2 ** 30;

/** The options `createCpuBackend` knows. */
const OPTIONS = ['dtype', 'threads', 'winograd', 'fma'] as const;

/** The CPU backend's storage: a strided view over a typed array (views share it). */
export type CpuStorage = StridedView;

/**
 * `Backend` on the CPU. Tensors are strided views over typed arrays, so
 * reshapes, slices and crops are views; kernels make inputs contiguous only
 * when they must. Nothing here compiles code at run time (no `new Function`),
 * so the backend runs under a CSP without `'unsafe-eval'`; only the interop
 * `ndarray(t)` builds a scijs ndarray, which does.
 */
export class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly dtype: DType;
  /** `MAX_TENSOR_ELEMENTS` (2^31 − 1) elements of the dtype: larger tensors throw a `BackendError` before allocating. */
  readonly maxTensorBytes: number;
  /** The GEMM threads this backend asked for (`CpuBackendOptions.threads`). */
  readonly threads: number;
  /** This backend's Winograd choice (`CpuBackendOptions.winograd`): the float32 convolutions read it. */
  readonly winograd: WinogradOption;
  #threadsLease: GemmThreadsLease | null;
  #disposed = false;
  #liveTensors = 0;
  #liveElements = 0;
  #bytesPerElement: number;
  /** Counts tensors the garbage collector took without a dispose(); holds no reference to them. */
  #collected = new FinalizationRegistry<number>((size) => this.#forget(size));
  /**
   * Arrays `alloc` made that nothing outside the backend holds (not handed out
   * by `readSync` or `ndarray`), with their live tensors: the only arrays
   * `release` may keep for reuse, once the last of those tensors is disposed.
   */
  #owned = new WeakMap<FloatArray, number>();
  /** Released arrays by length, for `alloc` to reuse (most recent last), oldest first in `#reuseOrder`. */
  #reusable = new Map<number, FloatArray[]>();
  #reuseOrder: FloatArray[] = [];
  #reusableBytes = 0;
  /**
   * The bytes of released arrays kept for reuse at most (`REUSE_MAX_BYTES`,
   * or `REUSE_MAX_BYTES_SHARED` with `sharedTensors`; 0 keeps none).
   */
  reuseMaxBytes: number;
  /** Whether `alloc` puts float32 tensors of `SHARED_MIN_ELEMENTS` or more on a SharedArrayBuffer (threads > 1, Node's workers). */
  readonly sharedTensors: boolean;
  /**
   * Whether `alloc` puts float32 tensors of `REUSE_MIN_ELEMENTS` or more in
   * the GEMM module's memory (module-arrays.ts: where it is shared), so
   * that the kernels read and write them there without copies.
   */
  readonly moduleTensors: boolean;

  constructor(options: CpuBackendOptions = {}) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new OptionError('createCpuBackend', 'options', `expected an options object, got ${describeValue(options)}`);
    }
    const unknown = Object.keys(options).filter((k) => !(OPTIONS as readonly string[]).includes(k));
    if (unknown.length > 0) {
      throw new OptionError('createCpuBackend', unknown[0]!, `unknown option '${unknown[0]}' (known: ${OPTIONS.map((k) => `'${k}'`).join(', ')})`);
    }
    const winograd = options.winograd === undefined ? true : options.winograd;
    if (winograd !== true && winograd !== false && winograd !== 2 && winograd !== 4) {
      throw new OptionError('createCpuBackend', 'winograd', `expected true, false, 2 or 4, got ${describeValue(winograd)}`);
    }
    const fma = options.fma === undefined ? false : options.fma;
    if (typeof fma !== 'boolean') throw new OptionError('createCpuBackend', 'fma', `expected true or false, got ${describeValue(fma)}`);
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new BackendError('createCpuBackend', 'dtype', `expected 'float32' or 'float64', got ${describeValue(dtype)}`);
    }
    this.dtype = dtype;
    this.#bytesPerElement = dtype === 'float64' ? 8 : 4;
    this.maxTensorBytes = MAX_TENSOR_ELEMENTS * this.#bytesPerElement;
    this.winograd = winograd;
    // Before the threads: a pool this backend starts runs the module chosen here.
    selectFma(fma);
    this.#threadsLease = acquireGemmThreads(options.threads ?? defaultThreads());
    this.threads = this.#threadsLease.threads;
    this.sharedTensors = this.threads > 1 && dtype === 'float32' && sharedTasksAvailable();
    this.moduleTensors = dtype === 'float32' && moduleArraysAvailable();
    this.reuseMaxBytes = this.sharedTensors ? REUSE_MAX_BYTES_SHARED : REUSE_MAX_BYTES;
  }

  /**
   * A zeroed typed array of this backend's dtype for `what` (named in errors
   * with `block`): new, or the array of a disposed tensor of that length
   * (reuse: see `release`). With `sharedTensors`, arrays of at least
   * `SHARED_MIN_ELEMENTS` are views of a SharedArrayBuffer (still
   * `instanceof Float32Array`) while `SHARED_MAX_BYTES` allows. A `BackendError` before allocating when it
   * needs more than `maxTensorBytes`, or when the engine cannot allocate it.
   */
  alloc(size: number, block = 'cpu', what = 'a tensor'): FloatArray {
    return this.#alloc(size, block, what, true);
  }

  /**
   * As `alloc`, for a caller that writes every element before reading any: a
   * reused array keeps the values of the tensor it last held (not zeroed,
   * which costs the calling thread about 0.1 ms per MB).
   */
  allocOverwritten(size: number, block = 'cpu', what = 'a tensor'): FloatArray {
    return this.#alloc(size, block, what, false);
  }

  /**
   * `alloc`; `mayShare` false: a plain array (not reused from arrays that may
   * be shared or in the module's memory). Order of preference: a released
   * array, the module's memory, a SharedArrayBuffer, a plain array.
   */
  #alloc(size: number, block: string, what: string, zeroed: boolean, mayShare = true): FloatArray {
    checkAllocation(block, what, size, this.#bytesPerElement, this.maxTensorBytes, `the cpu ${this.dtype} backend's largest tensor, 2^31 − 1 elements`);
    const shared = this.sharedTensors && size >= SHARED_MIN_ELEMENTS;
    const resident = this.moduleTensors && size >= REUSE_MIN_ELEMENTS;
    const reused = (shared || resident) && !mayShare ? null : this.#reuse(size);
    if (reused !== null) return zeroed ? reused.fill(0) : reused;
    const inModule = resident && mayShare ? moduleFloat32(size) : null;
    if (inModule !== null) {
      this.#owned.set(inModule, 0);
      // The block may have held another array's values.
      return zeroed ? inModule.fill(0) : inModule;
    }
    let a: FloatArray;
    try {
      a = (shared && mayShare ? sharedFloat32(size) : null) ?? allocFloatArray(this.dtype, size);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new BackendError(block, what, `${what} of ${size * this.#bytesPerElement} bytes could not be allocated (${e.message}); dispose tensors you no longer need`);
    }
    if (size >= REUSE_MIN_ELEMENTS) this.#owned.set(a, 0);
    return a;
  }

  /**
   * A released array of `size` elements (not zeroed), or null. Reusing one
   * spares V8 the external-memory garbage collections that fresh large arrays
   * trigger on the calling thread (on the LeNet step, W3: 3–4.5 ms per step
   * at 2 threads without reuse, 0.03–0.4 ms with it; `--trace-gc`).
   */
  #reuse(size: number): FloatArray | null {
    const a = this.#reusable.get(size)?.pop();
    if (a === undefined) return null;
    this.#reuseOrder.splice(this.#reuseOrder.lastIndexOf(a), 1);
    this.#reusableBytes -= a.byteLength;
    this.#owned.set(a, 0);
    return a;
  }

  /** Keeps `a` (no tensor over it is live, nothing outside holds it) for `alloc`, dropping the oldest beyond `reuseMaxBytes`. */
  #keep(a: FloatArray): void {
    this.#owned.delete(a);
    if (a.byteLength > this.reuseMaxBytes) {
      freeModuleArray(a);
      return;
    }
    let list = this.#reusable.get(a.length);
    if (list === undefined) {
      list = [];
      this.#reusable.set(a.length, list);
    }
    list.push(a);
    this.#reuseOrder.push(a);
    this.#reusableBytes += a.byteLength;
    while (this.#reusableBytes > this.reuseMaxBytes) {
      const old = this.#reuseOrder.shift()!;
      const same = this.#reusable.get(old.length)!;
      same.splice(same.indexOf(old), 1);
      this.#reusableBytes -= old.byteLength;
      freeModuleArray(old);
    }
  }

  /** Marks `a` as held outside the backend (by a caller of `readSync` or `ndarray`): never reused. */
  #handOut(a: FloatArray): FloatArray {
    this.#owned.delete(a);
    return a;
  }

  /** Wraps `values` (not copied) as a contiguous tensor. */
  wrap(values: FloatArray, shape: Shape): Tensor {
    if (values.length !== sizeOf(shape)) {
      throw new ShapeError('cpu', 'values', `${values.length} values cannot have shape ${formatShape(shape)}`);
    }
    return this.fromView(rowMajorView(values, shape));
  }

  /**
   * Wraps a scijs ndarray, or any view with its `data`, `shape`, `stride` and
   * `offset`, as a tensor sharing `data`, which must be this backend's typed
   * array (Float32Array or Float64Array).
   */
  fromNdarray(array: StridedView): Tensor {
    const want = this.dtype === 'float64' ? Float64Array : Float32Array;
    if (!(array.data instanceof want)) {
      throw new BackendError('fromNdarray', 'array', `data of a ${want.name} expected (cpu ${this.dtype}), got ${describeValue(array.data)}`);
    }
    return this.fromView({ data: array.data, shape: [...array.shape], stride: [...array.stride], offset: array.offset });
  }

  /** Wraps a view this backend made (not copied, not checked) as a tensor: for kernels. */
  fromView(view: StridedView): Tensor {
    const t = new Tensor(this, view.shape, view);
    const users = this.#owned.get(view.data);
    if (users !== undefined) this.#owned.set(view.data, users + 1);
    this.#liveTensors++;
    this.#liveElements += t.size;
    this.#collected.register(t, t.size, t);
    return t;
  }

  /** The strided view behind a tensor of this backend (do not write into it, nor keep its array once the tensor is disposed): for kernels. */
  view(t: Tensor): StridedView {
    return t.storage as StridedView;
  }

  /**
   * A scijs ndarray over the tensor's values (shared, not copied), for
   * interop with the scijs ecosystem. ndarray compiles a class per dtype and
   * rank with `new Function` the first time it meets them, so this one call
   * needs a CSP with `'unsafe-eval'`; kernels use `view(t)`.
   */
  ndarray(t: Tensor): NdArray<FloatArray> {
    const v = this.view(t);
    return ndarray(this.#handOut(v.data), [...v.shape], [...v.stride], v.offset);
  }

  /**
   * The values in row-major order: the backing array itself when the tensor is
   * contiguous and covers it whole (do not write to it, nor keep it once the
   * tensor is disposed: the backend may reuse it), else a copy.
   */
  contiguous(t: Tensor): FloatArray {
    const a = this.view(t);
    if (isContiguous(a) && a.offset === 0 && a.data.length === t.size) return a.data;
    // A temporary nothing releases: a plain array, which the garbage collector sees (a block of the module's memory it would not).
    return copyToContiguous(a, this.#alloc(t.size, 'cpu', 'a contiguous copy', false, false));
  }

  tensor(values: ArrayLike<number>, shape: Shape): Tensor {
    this.#alive('tensor');
    checkShape('tensor', 'shape', shape);
    checkValues('tensor', values, shape);
    const data = this.allocOverwritten(values.length, 'tensor', `tensor of shape ${formatShape(shape)}`);
    data.set(values as ArrayLike<number>);
    return this.wrap(data, shape);
  }

  zeros(shape: Shape): Tensor {
    this.#alive('zeros');
    checkShape('zeros', 'shape', shape);
    return this.wrap(this.alloc(sizeOf(shape), 'zeros', `tensor of shape ${formatShape(shape)}`), shape);
  }

  fill(shape: Shape, value: number): Tensor {
    this.#alive('fill');
    checkShape('fill', 'shape', shape);
    checkNumber('fill', 'value', value);
    const data = this.allocOverwritten(sizeOf(shape), 'fill', `tensor of shape ${formatShape(shape)}`);
    data.fill(value);
    return this.wrap(data, shape);
  }

  /** `readSync` as a promise; its errors reject the promise. */
  read(t: Tensor): Promise<FloatArray> {
    try {
      return Promise.resolve(this.readSync(t));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  readonly readSync = (t: Tensor): FloatArray => {
    this.#alive('read');
    this.own('read', 'tensor', t);
    // A plain array, never a SharedArrayBuffer's view: callers may transfer its buffer (postMessage) or keep it.
    return this.#handOut(copyToContiguous(this.view(t), this.#alloc(t.size, 'read', 'the values read', false, false)));
  };

  /**
   * Forgets a disposed tensor; once no live tensor is over an array this
   * backend allocated (and handed out to no caller), keeps the array for
   * `alloc` to reuse (up to `reuseMaxBytes`). A view the garbage collector
   * took without `dispose()` keeps its array from reuse.
   */
  release(t: Tensor): void {
    if (!this.#collected.unregister(t)) return;
    this.#forget(t.size);
    const data = this.view(t).data;
    const users = this.#owned.get(data);
    if (users === undefined) return;
    if (users > 1) this.#owned.set(data, users - 1);
    else if (!this.#disposed) this.#keep(data);
    else {
      this.#owned.delete(data);
      freeModuleArray(data);
    }
  }

  #forget(size: number): void {
    this.#liveTensors--;
    this.#liveElements -= size;
  }

  run<K extends KernelName>(kernel: K, inputs: KernelInputs<K>, attrs: KernelAttrs<K>): KernelOutputs<K> {
    this.#alive(kernel);
    // This backend's thread count applies to this call, whatever another backend asked for.
    this.#threadsLease?.use();
    for (const [name, value] of Object.entries(inputs)) {
      if (isTensor(value)) this.own(kernel, name, value);
      else if (Array.isArray(value)) for (const v of value) if (isTensor(v)) this.own(kernel, name, v);
    }
    const impl = cpuKernels[kernel] as (cpu: CpuBackend, inputs: KernelInputs<K>, attrs: KernelAttrs<K>) => KernelOutputs<K>;
    if (typeof impl !== 'function') throw new BackendError(kernel, undefined, `unknown kernel '${String(kernel)}'`);
    return impl(this, inputs, attrs);
  }

  /** Live tensors and their bytes (views such as slices count as their own size); none after `dispose()`. */
  memory(): MemoryInfo {
    if (this.#disposed) return { tensors: 0, bytes: 0 };
    return { tensors: this.#liveTensors, bytes: this.#liveElements * this.#bytesPerElement };
  }

  /**
   * Whether the float32 GEMM's micro-kernel fuses its multiply-adds now
   * (relaxed-SIMD FMA): process-wide, set by the most recently created
   * backend's `fma` where the engine has relaxed SIMD.
   */
  get fma(): boolean {
    return gemmInstance()?.fma === true;
  }

  /**
   * Calls the worker threads have run so far (parts of a GEMM, or a share of
   * a convolution's or pooling's images), process-wide (the workers are shared by every backend). A
   * page can check that its workers do run.
   */
  get workerCalls(): number {
    return gemmWorkerCalls();
  }

  /**
   * Resolves once this backend's GEMM workers run (at once with one thread).
   * A browser page's workers start only after the page returns to its event
   * loop; GEMMs before then run on the calling thread (same results, slower),
   * so a page awaits this before heavy work or timing. Node's workers are
   * started by the constructor. Rejects when the backend is disposed, when a
   * worker has not started within `timeoutMs`, and at once when one cannot
   * start — a page whose Content-Security-Policy refuses `blob:` workers,
   * say: the error (also a console warning) gives the cause and the fix.
   * Either way the backend keeps working, the missing workers' share of each
   * GEMM on the calling thread (the same results, slower).
   */
  async ready(timeoutMs = 10_000): Promise<void> {
    if (this.threads === 1) return;
    if (this.#threadsLease === null) throw new BackendError('cpu', 'ready', `a live backend expected, got one disposed`);
    if (!(await gemmWorkersReady(timeoutMs))) {
      const failure = gemmWorkersFailure();
      const got = failure ?? `one that failed or has not started within ${timeoutMs} ms`;
      throw new BackendError('cpu', 'ready', `${this.threads - 1} GEMM workers running expected, got ${got}`);
    }
  }

  /**
   * Releases this backend's GEMM threads (the workers stop once no live
   * backend asks for more than one thread); typed arrays belong to the
   * garbage collector. Afterwards every kernel, upload and read throws a
   * `BackendError`, as on WebGPU, and `memory()` reports nothing. Idempotent.
   */
  dispose(): void {
    this.#disposed = true;
    for (const a of this.#reuseOrder) freeModuleArray(a);
    this.#reusable.clear();
    this.#reuseOrder = [];
    this.#reusableBytes = 0;
    this.#threadsLease?.release();
    this.#threadsLease = null;
  }

  /** Throws once the backend is disposed (the same error as WebGPU's). */
  #alive(block: string): void {
    if (this.#disposed) throw new BackendError(block, undefined, 'backend expected alive, got one that was disposed');
  }

  private own(block: string, argument: string, t: Tensor): void {
    if (t.backend !== this) {
      throw new BackendError(block, argument, `${argument} lives on another backend (${t.backend.name} ${t.backend.dtype}) than this one (cpu ${this.dtype})`);
    }
    t.assertAlive(block, argument);
  }
}

/** Creates the CPU backend. */
export function createCpuBackend(options: CpuBackendOptions = {}): CpuBackend {
  return new CpuBackend(options);
}
