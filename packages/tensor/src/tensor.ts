import type { Backend } from './backend.js';
import type { DType, FloatArray } from './dtype.js';
import { BackendError, DisposedError } from './errors.js';
import { TENSOR_BRAND, VERSION } from './identity.js';
import { formatShape, resolveReshape, type Shape, sizeOf } from './shape.js';
import { trackInScope } from './scope.js';

/**
 * An n-dimensional array of numbers that lives on one backend.
 *
 * Feature maps are `[N, H, W, C]` (MatConvNet's H×W×C×N, stored channels
 * last); filters are `[Hf, Wf, C/groups, K]`. A tensor is created by its
 * backend (`backend.tensor(values, shape)`), its values are read back with
 * `await t.data()`, and its memory is released with `t.dispose()` (required
 * on WebGPU; the CPU backend may leave it to the garbage collector).
 */
export class Tensor {
  readonly shape: Shape;
  readonly size: number;
  readonly backend: Backend;
  /** The backend's own handle to the values (an ndarray on the CPU, a buffer on the GPU). */
  readonly storage: unknown;
  #disposed = false;

  constructor(backend: Backend, shape: Shape, storage: unknown) {
    this.backend = backend;
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    this.storage = storage;
    trackInScope(this);
  }

  /** The version of the @convnet-ts/tensor that made this tensor (see `isTensor`). */
  get [TENSOR_BRAND](): string {
    return VERSION;
  }

  get dtype(): DType {
    return this.backend.dtype;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** A row-major copy of the values. The only asynchronous step of a computation. */
  data(): Promise<FloatArray> {
    this.assertAlive('Tensor.data');
    return this.backend.read(this);
  }

  /** A row-major copy of the values, on backends that can read synchronously (the CPU). */
  dataSync(): FloatArray {
    this.assertAlive('Tensor.dataSync');
    if (!this.backend.readSync) {
      throw new BackendError(
        'Tensor.dataSync',
        undefined,
        `the ${this.backend.name} backend cannot read synchronously; use await tensor.data()`,
      );
    }
    return this.backend.readSync(this);
  }

  /**
   * The same values with another shape of the same size (a view when the
   * backend can). One size may be `-1`, inferred from the others; a shape of
   * another element count throws a `ShapeError` (see `resolveReshape`).
   */
  reshape(shape: Shape): Tensor {
    this.assertAlive('Tensor.reshape');
    return this.backend.run('Reshape', { x: this }, { shape: resolveReshape('Tensor.reshape', this.shape, shape) });
  }

  /** Releases the memory now. Using the tensor afterwards throws. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.backend.release(this);
  }

  /** Throws a clear error if the tensor was disposed. */
  assertAlive(block: string, argument?: string): void {
    if (this.#disposed) {
      throw new DisposedError(block, argument, `${argument ?? 'tensor'} ${formatShape(this.shape)} was disposed`);
    }
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}, ${this.dtype}, ${this.backend.name})`;
  }
}
