/// <reference types="@webgpu/types" />
import { BackendError, DeviceError } from '@convnet-ts/tensor';

/**
 * What can go wrong with a device, turned into errors at the next call.
 *
 * WebGPU reports failures asynchronously (error scopes, `device.lost`), while
 * kernels run synchronously. So every failure is recorded here when it
 * arrives and thrown by the next `check()` — every kernel, upload and read
 * calls it — and a read waits for every pending report before returning
 * values, so a read never returns numbers computed by a failed program. A lost
 * device makes every later call throw and rejects pending reads instead of
 * leaving them hanging.
 */
export class DeviceState {
  readonly #device: GPUDevice;
  readonly #liveBytes: () => number;
  #pending = new Set<Promise<DeviceError | null>>();
  #errors: DeviceError[] = [];
  #lost: DeviceError | null = null;
  readonly #lostPromise: Promise<DeviceError>;
  disposed = false;

  constructor(device: GPUDevice, liveBytes: () => number) {
    this.#device = device;
    this.#liveBytes = liveBytes;
    this.#watchDestroy(device);
    this.#lostPromise = device.lost.then((info) => {
      this.#lost ??= new DeviceError('webgpu', `device lost (${info.reason ?? 'unknown'}): ${info.message || 'no message'}`);
      return this.#lost;
    });
  }

  /**
   * `device.lost` resolves only after the current task, so kernels issued
   * right after `device.destroy()` would still return tensors (of garbage).
   * Wrapping the device's `destroy` marks it lost at once; the wrapper then
   * calls the original. Several backends on one device each wrap it in turn.
   */
  #watchDestroy(device: GPUDevice): void {
    const destroy = device.destroy;
    if (typeof destroy !== 'function') return;
    const state = this;
    device.destroy = function (this: GPUDevice): undefined {
      state.#lost ??= new DeviceError('webgpu', 'device lost (destroyed): device.destroy() was called; make a new backend');
      destroy.call(this);
    };
  }

  /** Records an asynchronous check; a non-null result is thrown by the next `check()`. */
  watch(check: Promise<DeviceError | null>): void {
    this.#pending.add(check);
    check.then(
      (error) => {
        this.#pending.delete(check);
        if (error) this.#errors.push(error);
      },
      (cause: unknown) => {
        this.#pending.delete(check);
        this.#errors.push(new DeviceError('webgpu', `error scope failed: ${String(cause)}`));
      },
    );
  }

  /** Whether `check()` would pass now (without consuming a waiting failure). */
  get healthy(): boolean {
    return !this.disposed && !this.#lost && this.#errors.length === 0;
  }

  /** Throws when the backend was disposed, the device lost, or a recorded failure is waiting. */
  check(block: string): void {
    if (this.disposed) throw new BackendError(block, undefined, 'backend expected alive, got one that was disposed');
    if (this.#lost) throw this.#lost;
    const error = this.#errors.shift();
    if (error) {
      this.#errors = [];
      throw error;
    }
  }

  /** Awaits `work` unless the device is lost first, then every pending check; throws what they found. */
  async settle<T>(block: string, work: Promise<T>): Promise<T> {
    const result = await Promise.race([work, this.#lostPromise.then((e) => Promise.reject(e))]);
    await Promise.all(this.#pending);
    this.check(block);
    return result;
  }

  /** Throws at once for a buffer larger than the device can bind. */
  checkSize(block: string, bytes: number): void {
    const limit = Math.min(this.#device.limits.maxStorageBufferBindingSize, this.#device.limits.maxBufferSize);
    if (bytes > limit) {
      throw new DeviceError(block, `tensor of at most ${limit} bytes expected (maxStorageBufferBindingSize), got ${bytes} bytes`);
    }
  }

  /** Runs `create` in an out-of-memory error scope; a failure names the request and the memory in use. */
  allocate(bytes: number, create: () => GPUBuffer, allocatedBytes: number): GPUBuffer {
    this.#device.pushErrorScope('out-of-memory');
    const buffer = create();
    const inUse = this.#liveBytes();
    this.watch(
      this.#device.popErrorScope().then((error) =>
        error
          ? new DeviceError(
              'webgpu',
              `out of memory allocating ${bytes} bytes, with ${inUse} bytes in use by live tensors (${allocatedBytes} bytes allocated in all); dispose tensors you no longer need`,
            )
          : null,
      ),
    );
    return buffer;
  }
}
