import type { DType, FloatArray } from './dtype.js';
import type { KernelAttrs, KernelInputs, KernelName, KernelOutputs } from './kernels.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';

/** What a backend holds right now. */
export interface MemoryInfo {
  /** Live (not disposed) tensors made by this backend. */
  tensors: number;
  /** Bytes held by live tensors. */
  bytes: number;
}

/**
 * The contract every compute backend implements: storage (make, read and
 * release tensors) plus the kernels of `KernelSpecs`. Blocks never import a
 * backend; they take it from their inputs (`x.backend`).
 *
 * Compute is synchronous (on a GPU it only enqueues work); reading values back
 * is asynchronous (`read`), except on backends that offer `readSync`.
 */
export interface Backend {
  /** `'cpu'`, `'webgpu'`, … */
  readonly name: string;
  readonly dtype: DType;
  /**
   * The largest tensor the backend can hold, in bytes (the CPU's typed-array
   * and index limits, a GPU's buffer-binding limit). Blocks whose output size
   * comes from options (conv, convt, pool) check it with `checkAllocation`
   * before running a kernel; absent: no limit is known.
   */
  readonly maxTensorBytes?: number;

  /** A new tensor holding a copy of `values` (row-major) with `shape`. */
  tensor(values: ArrayLike<number>, shape: Shape): Tensor;
  /** A new tensor of zeros. */
  zeros(shape: Shape): Tensor;
  /** A new tensor with every element equal to `value`. */
  fill(shape: Shape, value: number): Tensor;

  /** A row-major copy of the values. */
  read(t: Tensor): Promise<FloatArray>;
  /** Synchronous read, on backends that can (the CPU). */
  readonly readSync?: (t: Tensor) => FloatArray;
  /** Frees a tensor's memory; called by `Tensor.dispose()`. */
  release(t: Tensor): void;

  /** Runs one kernel. Inputs must live on this backend. */
  run<K extends KernelName>(kernel: K, inputs: KernelInputs<K>, attrs: KernelAttrs<K>): KernelOutputs<K>;

  /** Live tensors and bytes. */
  memory(): MemoryInfo;
  /** Releases everything the backend holds (device, pools, workers). */
  dispose(): void;
}
