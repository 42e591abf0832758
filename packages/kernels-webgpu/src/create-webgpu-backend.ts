/// <reference types="@webgpu/types" />
import { DeviceError } from '@convnet-ts/tensor';
import { WebGPUBackend } from './webgpu-backend.js';

export interface WebGPUBackendOptions {
  /** The device to compute on; default: one from `navigator.gpu` (browsers). In Node use `@convnet-ts/kernels-webgpu/node`. */
  device?: GPUDevice;
  /** Destroy the device in `dispose()` (default: true only when this backend requested it). */
  ownsDevice?: boolean;
}

/**
 * Creates the WebGPU backend on `options.device`, or on a device requested
 * from `navigator.gpu` (browsers). Throws a `DeviceError` when there is none.
 */
export async function createWebGPUBackend(options: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
  if (options.device) return new WebGPUBackend(options.device, options.ownsDevice ?? false);
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) {
    throw new DeviceError('createWebGPUBackend', 'device expected (or navigator.gpu in a browser), got neither; in Node pass one from @convnet-ts/kernels-webgpu/node');
  }
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new DeviceError('createWebGPUBackend', 'adapter expected from navigator.gpu.requestAdapter(), got null');
  const device = await adapter.requestDevice();
  return new WebGPUBackend(device, options.ownsDevice ?? true);
}
