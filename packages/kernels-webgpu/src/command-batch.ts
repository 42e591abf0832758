/// <reference types="@webgpu/types" />
import { DeviceError } from '@convnet-ts/tensor';
import { BufferUsage } from './usage.js';

/**
 * Batched submission: dispatches and copies are encoded into one command
 * encoder and submitted together by `flush()` — before a read, before an
 * upload (`queue.writeBuffer` runs ahead of unsubmitted commands, and the
 * buffer it writes may be a recycled one those commands still use), or when
 * the batch grows long.
 *
 * Uniform buffers are recycled by size, but only after the batch that used
 * them was submitted: a later `writeBuffer` is then ordered after its readers.
 */
export class CommandBatch {
  readonly #device: GPUDevice;
  readonly #report: (check: Promise<DeviceError | null>) => void;
  #encoder: GPUCommandEncoder | null = null;
  #kernels: string[] = [];
  readonly #uniformFree = new Map<number, GPUBuffer[]>();
  #uniformInFlight: GPUBuffer[] = [];
  /** Submits on its own once this many dispatches are waiting. */
  readonly maxPending = 256;
  /** Command buffers submitted since creation or the last `resetCounts()`. */
  submissions = 0;
  /** Compute dispatches encoded since creation or the last `resetCounts()`. */
  dispatches = 0;

  constructor(device: GPUDevice, report: (check: Promise<DeviceError | null>) => void) {
    this.#device = device;
    this.#report = report;
  }

  get encoder(): GPUCommandEncoder {
    this.#encoder ??= this.#device.createCommandEncoder({ label: 'convnet-ts batch' });
    return this.#encoder;
  }

  /** Dispatches waiting for `flush()`. */
  get pending(): number {
    return this.#kernels.length;
  }

  /** A uniform buffer holding `data`, valid until the batch is submitted. */
  uniforms(data: ArrayBuffer): GPUBuffer {
    const size = data.byteLength;
    const buffer =
      this.#uniformFree.get(size)?.pop() ??
      this.#device.createBuffer({ label: 'uniforms', size, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
    this.#device.queue.writeBuffer(buffer, 0, data);
    this.#uniformInFlight.push(buffer);
    return buffer;
  }

  /** Encodes one compute dispatch. */
  dispatch(kernel: string, pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, counts: readonly [number, number, number]): void {
    const pass = this.encoder.beginComputePass({ label: kernel });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(counts[0], counts[1], counts[2]);
    pass.end();
    this.dispatches++;
    this.#kernels.push(kernel);
    if (this.#kernels.length >= this.maxPending) this.flush();
  }

  /** Submits everything encoded so far (validation errors name the kernels of the batch). */
  flush(): void {
    const encoder = this.#encoder;
    if (!encoder) return;
    const kernels = this.#kernels;
    this.#encoder = null;
    this.#kernels = [];
    const device = this.#device;
    device.pushErrorScope('validation');
    device.queue.submit([encoder.finish()]);
    this.submissions++;
    this.#report(
      device.popErrorScope().then((error) => {
        if (!error) return null;
        const names = [...new Set(kernels)].join(', ') || 'copies';
        return new DeviceError('webgpu', `submitting kernels [${names}] failed: ${error.message}`);
      }),
    );
    for (const b of this.#uniformInFlight) {
      let list = this.#uniformFree.get(b.size);
      if (!list) {
        list = [];
        this.#uniformFree.set(b.size, list);
      }
      list.push(b);
    }
    this.#uniformInFlight = [];
  }

  /** Zeroes `submissions` and `dispatches` (work already encoded is still submitted). */
  resetCounts(): void {
    this.submissions = 0;
    this.dispatches = 0;
  }

  /** Destroys the uniform buffers. */
  destroy(): void {
    for (const list of this.#uniformFree.values()) for (const b of list) b.destroy();
    for (const b of this.#uniformInFlight) b.destroy();
    this.#uniformFree.clear();
    this.#uniformInFlight = [];
    this.#encoder = null;
    this.#kernels = [];
  }
}
