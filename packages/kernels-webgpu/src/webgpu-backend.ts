/// <reference types="@webgpu/types" />
import {
  type Backend,
  BackendError,
  checkNumber,
  checkShape,
  checkValues,
  type DeviceError,
  forgetHostValues,
  formatShape,
  isTensor,
  type KernelAttrs,
  type KernelInputs,
  type KernelName,
  type KernelOutputs,
  type MemoryInfo,
  rememberHostValues,
  type Shape,
  sizeOf,
  Tensor,
} from '@convnet-ts/tensor';
import { BufferPool } from './buffer-pool.js';
import { CommandBatch } from './command-batch.js';
import { DeviceState } from './device-state.js';
import { webgpuKernels } from './kernel-table.js';
import { packUniforms, type Program, uniformFields, workgroupCounts } from './program.js';
import { PipelineCache } from './pipeline-cache.js';
import { type GpuStorage, type SharedBuffer, storageOf } from './storage.js';
import { BufferUsage, MapMode } from './usage.js';

/** Pool and cache statistics, beside `memory()`. */
export interface WebGPUStats {
  /** Compiled pipelines (one per `kernel:variant`). */
  pipelines: number;
  allocatedBytes: number;
  pooledBytes: number;
  /** Queue submissions since the backend was made or `resetStats()` was called. */
  submissions: number;
  /** Compute dispatches encoded since the backend was made or `resetStats()` was called. */
  dispatches: number;
}

/**
 * A dispatch held back until the next kernel call, so that call may fuse
 * into it (a peephole over the command stream): the conv → ReLU epilogue,
 * element-wise chains of the trainer's update. Any other call, read, upload
 * or flush encodes it first, so the order of work never changes.
 */
export interface Deferred {
  /** The program to encode (asked once, when the deferred dispatch is encoded). */
  program(): Program | undefined;
  /**
   * The next kernel call, offered before it runs: its outputs when it was
   * absorbed into this dispatch (which then encodes the fused program),
   * undefined to let it run on its own.
   */
  fuse(kernel: KernelName, inputs: Readonly<Record<string, unknown>>, attrs: Readonly<Record<string, unknown>>): KernelOutputs<KernelName> | undefined;
}

/**
 * `Backend` on WebGPU, float32. A tensor's storage is a pooled GPU buffer plus
 * an element offset; reshapes and contiguous slices are views that share (and
 * reference-count) their parent's buffer. Kernels only encode work; it is
 * submitted in batches, and `read` is the one asynchronous step (one staging
 * copy, `mapAsync`). Device failures (compilation, out of memory, submission,
 * a lost device) are thrown as `DeviceError` by the next call or read.
 */
export class WebGPUBackend implements Backend {
  readonly name = 'webgpu';
  readonly dtype = 'float32' as const;
  readonly device: GPUDevice;
  /** The device's `min(maxStorageBufferBindingSize, maxBufferSize)`: every tensor is one bound buffer. */
  readonly maxTensorBytes: number;
  readonly #ownsDevice: boolean;
  readonly #state: DeviceState;
  readonly #pool: BufferPool;
  readonly #batch: CommandBatch;
  readonly #pipelines: PipelineCache;
  readonly #live = new Set<SharedBuffer>();
  #liveTensors = 0;
  #liveBytes = 0;
  #pending: Deferred | null = null;
  /** Buffers released while a dispatch was deferred (it may read them), pooled once it is encoded. */
  #heldBack: GPUBuffer[] = [];

  constructor(device: GPUDevice, ownsDevice: boolean) {
    this.device = device;
    this.#ownsDevice = ownsDevice;
    this.maxTensorBytes = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    this.#state = new DeviceState(device, () => this.#liveBytes);
    const report = (check: Promise<DeviceError | null>) => this.#state.watch(check);
    this.#pool = new BufferPool(device);
    this.#batch = new CommandBatch(device, report);
    this.#pipelines = new PipelineCache(device, report);
  }

  /** A new tensor whose values the caller's program will write (uninitialised). */
  empty(shape: Shape): Tensor {
    this.#state.check('webgpu');
    const elements = sizeOf(shape);
    const bytes = Math.max(elements * 4, 4);
    this.#state.checkSize('webgpu', bytes);
    const buffer = this.#state.allocate(bytes, () => this.#pool.acquire(bytes, formatShape(shape)), this.#pool.allocatedBytes);
    const shared: SharedBuffer = { buffer, elements, refs: 0 };
    this.#live.add(shared);
    this.#liveBytes += elements * 4;
    return this.view(shared, 0, shape);
  }

  /** A tensor over `shared` from element `offset` (a view: shares and reference-counts the buffer). */
  view(shared: SharedBuffer, offset: number, shape: Shape): Tensor {
    shared.refs++;
    this.#liveTensors++;
    const storage: GpuStorage = { shared, offset };
    return new Tensor(this, shape, storage);
  }

  tensor(values: ArrayLike<number>, shape: Shape): Tensor {
    this.#state.check('tensor');
    checkShape('tensor', 'shape', shape);
    checkValues('tensor', values, shape);
    const t = this.empty(shape);
    if (t.size > 0) {
      this.flush();
      const data = Float32Array.from(values);
      this.device.queue.writeBuffer(storageOf(t).shared.buffer, 0, data);
      // Labels, ROIs and instance weights are checked on this copy (blocks' hostValues).
      rememberHostValues(t, data);
    }
    return t;
  }

  zeros(shape: Shape): Tensor {
    this.#state.check('zeros');
    checkShape('zeros', 'shape', shape);
    const t = this.empty(shape);
    if (t.size > 0) this.#encoder().clearBuffer(storageOf(t).shared.buffer, 0, t.size * 4);
    return t;
  }

  fill(shape: Shape, value: number): Tensor {
    this.#state.check('fill');
    checkShape('fill', 'shape', shape);
    checkNumber('fill', 'value', value);
    if (value === 0 && !Object.is(value, -0)) return this.zeros(shape);
    const t = this.empty(shape);
    this.dispatch({ kernel: 'fill', variant: '', inputs: {}, outputs: { y: t }, f32: { value }, threads: t.size, body: '  y[i] = u.value;' });
    return t;
  }

  async read(t: Tensor): Promise<Float32Array> {
    this.#own('read', 'tensor', t);
    this.#state.check('read');
    if (t.size === 0) return new Float32Array(0);
    const { shared, offset } = storageOf(t);
    const bytes = t.size * 4;
    const staging = this.device.createBuffer({ label: 'read', size: bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    this.#encoder().copyBufferToBuffer(shared.buffer, offset * 4, staging, 0, bytes);
    this.#batch.flush();
    try {
      await this.#state.settle('read', staging.mapAsync(MapMode.READ));
      return new Float32Array(staging.getMappedRange().slice(0));
    } finally {
      staging.destroy();
    }
  }

  release(t: Tensor): void {
    // After dispose() every buffer is destroyed and nothing is counted.
    if (this.#state.disposed) return;
    forgetHostValues(t);
    const { shared } = storageOf(t);
    this.#liveTensors--;
    if (--shared.refs > 0) return;
    this.#live.delete(shared);
    this.#liveBytes -= shared.elements * 4;
    // A deferred program may still read this buffer: it goes back to the pool only once that program is encoded.
    if (this.#pending) this.#heldBack.push(shared.buffer);
    else this.#pool.release(shared.buffer);
  }

  run<K extends KernelName>(kernel: K, inputs: KernelInputs<K>, attrs: KernelAttrs<K>): KernelOutputs<K> {
    for (const [name, value] of Object.entries(inputs)) {
      if (isTensor(value)) this.#own(kernel, name, value);
      else if (Array.isArray(value)) for (const v of value) if (isTensor(v)) this.#own(kernel, name, v);
    }
    this.#state.check(kernel);
    const fused = this.#pending?.fuse(kernel, inputs as Readonly<Record<string, unknown>>, attrs as Readonly<Record<string, unknown>>);
    if (fused !== undefined) return fused as KernelOutputs<K>;
    const impl = webgpuKernels[kernel] as ((gpu: WebGPUBackend, i: KernelInputs<K>, a: KernelAttrs<K>) => KernelOutputs<K>) | undefined;
    if (typeof impl !== 'function') throw new BackendError(kernel, undefined, `unknown kernel '${String(kernel)}'`);
    return impl(this, inputs, attrs);
  }

  /** Compiles (once per `kernel:variant`), binds and encodes one program (after any deferred one). */
  dispatch(p: Program): void {
    this.#settle();
    this.#encode(p);
  }

  /**
   * Holds `d` back until the next kernel call (which `d.fuse` may absorb) or
   * anything else that encodes work; a dispatch deferred before is encoded now.
   */
  defer(d: Deferred): void {
    this.#settle();
    this.#pending = d;
  }

  /** Whether `t` is bound to the same GPU buffer as any of `others` (two bindings of one buffer may not both be written). */
  sharesBuffer(t: Tensor, others: Iterable<Tensor>): boolean {
    const buffer = storageOf(t).shared.buffer;
    for (const o of others) if (storageOf(o).shared.buffer === buffer) return true;
    return false;
  }

  /** Whether `a` is `b`'s elements: the same buffer, offset and size (a reshape of it, or it). */
  sameElements(a: Tensor, b: Tensor): boolean {
    const sa = storageOf(a);
    const sb = storageOf(b);
    return sa.shared === sb.shared && sa.offset === sb.offset && a.size === b.size;
  }

  /** Whether `t`'s buffer is still held by a live tensor (a deferred program need not write a dead output). */
  isLive(t: Tensor): boolean {
    return storageOf(t).shared.refs > 0;
  }

  #settle(): void {
    const d = this.#pending;
    if (!d) return;
    this.#pending = null;
    const p = d.program();
    try {
      if (p) this.#encode(p);
    } finally {
      for (const b of this.#heldBack) this.#pool.release(b);
      this.#heldBack = [];
    }
  }

  /** The batch's encoder, after any deferred dispatch. */
  #encoder(): GPUCommandEncoder {
    this.#settle();
    return this.#batch.encoder;
  }

  #encode(p: Program): void {
    this.#state.check(p.kernel);
    if (p.threads === 0) return;
    const fields = uniformFields(p);
    const { pipeline, layout } = this.#pipelines.get(p, fields);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.#batch.uniforms(packUniforms(fields)) } }];
    const temporaries: GPUBuffer[] = [];
    for (const t of [...Object.values(p.inputs), ...Object.values(p.outputs)]) {
      entries.push({ binding: entries.length, resource: this.#binding(t, temporaries) });
    }
    const bindGroup = this.device.createBindGroup({ label: p.kernel, layout, entries });
    const counts = p.workgroups ?? [...workgroupCounts(p.threads, this.device.limits.maxComputeWorkgroupsPerDimension), 1] as const;
    this.#batch.dispatch(p.kernel, pipeline, bindGroup, counts);
    // Safe to recycle at once: later users are encoded after this dispatch, and uploads flush first.
    for (const b of temporaries) this.#pool.release(b);
  }

  /** A binding of the tensor's elements; a view at an offset the device cannot bind is copied first. */
  #binding(t: Tensor, temporaries: GPUBuffer[]): GPUBufferBinding {
    const { shared, offset } = storageOf(t);
    const bytes = Math.max(t.size * 4, 4);
    if ((offset * 4) % this.device.limits.minStorageBufferOffsetAlignment === 0) {
      return { buffer: shared.buffer, offset: offset * 4, size: bytes };
    }
    const copy = this.#pool.acquire(bytes, 'unaligned view');
    this.#encoder().copyBufferToBuffer(shared.buffer, offset * 4, copy, 0, t.size * 4);
    temporaries.push(copy);
    return { buffer: copy, offset: 0, size: bytes };
  }

  /** Submits the encoded work now (reads and uploads do this themselves). */
  flush(): void {
    this.#settle();
    this.#batch.flush();
  }

  /** Live tensors and bytes; none after `dispose()` (every buffer is destroyed). */
  memory(): MemoryInfo {
    if (this.#state.disposed) return { tensors: 0, bytes: 0 };
    // A deferred dispatch may still hold a tensor it drops when encoded (a failure waits for the next call).
    if (this.#state.healthy) this.#settle();
    return { tensors: this.#liveTensors, bytes: this.#liveBytes };
  }

  stats(): WebGPUStats {
    this.#settle();
    return {
      pipelines: this.#pipelines.size,
      allocatedBytes: this.#pool.allocatedBytes,
      pooledBytes: this.#pool.pooledBytes,
      submissions: this.#batch.submissions,
      dispatches: this.#batch.dispatches,
    };
  }

  /** Zeroes the `submissions` and `dispatches` counts of `stats()`, e.g. before one training step. */
  resetStats(): void {
    this.#batch.resetCounts();
  }

  /** Destroys every buffer (live tensors become unusable) and, when owned, the device. */
  dispose(): void {
    if (this.#state.disposed) return;
    // A deferred dispatch's outputs die with every other buffer: it need not run.
    this.#pending = null;
    for (const b of this.#heldBack) this.#pool.release(b);
    this.#heldBack = [];
    this.#batch.flush();
    this.#state.disposed = true;
    this.#pool.clear();
    for (const s of this.#live) s.buffer.destroy();
    this.#live.clear();
    this.#liveTensors = 0;
    this.#liveBytes = 0;
    this.#batch.destroy();
    if (this.#ownsDevice) this.device.destroy();
  }

  #own(block: string, argument: string, t: Tensor): void {
    if (t.backend !== this) {
      throw new BackendError(block, argument, `${argument} lives on another backend (${t.backend.name} ${t.backend.dtype}) than this one (webgpu float32)`);
    }
    t.assertAlive(block, argument);
  }
}
