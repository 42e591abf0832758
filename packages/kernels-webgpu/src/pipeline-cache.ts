/// <reference types="@webgpu/types" />
import { BackendError, DeviceError } from '@convnet-ts/tensor';
import { type Program, programSource, type UniformField } from './program.js';
import { ShaderStage } from './usage.js';

interface CachedPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  source: string;
}

/**
 * Compute pipelines keyed by `kernel:variant` — never by sizes, which are
 * uniforms — so a network compiles each kernel variant once, whatever its
 * shapes. Compilation errors are caught with an error scope and reported
 * (asynchronously, through `report`) as a `DeviceError` naming the kernel.
 */
export class PipelineCache {
  readonly #device: GPUDevice;
  readonly #report: (check: Promise<DeviceError | null>) => void;
  readonly #cache = new Map<string, CachedPipeline>();

  constructor(device: GPUDevice, report: (check: Promise<DeviceError | null>) => void) {
    this.#device = device;
    this.#report = report;
  }

  /** Number of compiled pipelines. */
  get size(): number {
    return this.#cache.size;
  }

  get(p: Program, fields: readonly UniformField[]): CachedPipeline {
    const key = `${p.kernel}:${p.variant}`;
    const source = programSource(p, fields);
    const hit = this.#cache.get(key);
    if (hit) {
      if (hit.source !== source) {
        throw new BackendError(p.kernel, 'variant', `variant '${p.variant}' must name one WGSL program (sizes belong in uniforms), got two different sources`);
      }
      return hit;
    }
    const device = this.#device;
    const bindings = 1 + Object.keys(p.inputs).length + Object.keys(p.outputs).length;
    const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: ShaderStage.COMPUTE, buffer: { type: 'uniform' } }];
    for (let b = 1; b < bindings; b++) {
      const type = b <= Object.keys(p.inputs).length ? 'read-only-storage' : 'storage';
      entries.push({ binding: b, visibility: ShaderStage.COMPUTE, buffer: { type } });
    }
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label: key, code: source });
    const layout = device.createBindGroupLayout({ label: key, entries });
    const pipeline = device.createComputePipeline({
      label: key,
      layout: device.createPipelineLayout({ label: key, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    });
    this.#report(
      device.popErrorScope().then((error) =>
        error ? new DeviceError(p.kernel, `WGSL program '${key}' failed to compile: ${error.message}`) : null,
      ),
    );
    const entry = { pipeline, layout, source };
    this.#cache.set(key, entry);
    return entry;
  }
}
