/// <reference types="@webgpu/types" preserve="true" />
/**
 * The Node entry point (`@convnet-ts/kernels-webgpu/node`): a device from
 * the `webgpu` npm package (Dawn). Kept out of the main entry so browser
 * bundles never include the native module.
 */
import { DeviceError } from '@convnet-ts/tensor';
import { create } from 'webgpu';
import { createWebGPUBackend } from './create-webgpu-backend.js';
import type { WebGPUBackend } from './webgpu-backend.js';

export interface NodeDeviceOptions {
  /** Dawn toggles passed to `create` (e.g. `['enable-dawn-features=…']`). */
  dawnOptions?: string[];
  /** Passed to `requestAdapter`. */
  powerPreference?: GPUPowerPreference;
}

/**
 * One Dawn `GPU` instance per set of Dawn options, made on first use and kept
 * for the life of the process. Every device is requested from it: Dawn aborts
 * the process ("std::system_error: Invalid argument") if the garbage collector
 * takes an instance while its device is in use, and several instances (each
 * with its own event loop hook) were seen to deadlock in
 * `InstanceBase::ProcessEvents` when tests made and destroyed many devices.
 */
const instances = new Map<string, GPU>();

function dawnInstance(dawnOptions: readonly string[]): GPU {
  const key = dawnOptions.join('\n');
  let gpu = instances.get(key);
  if (!gpu) {
    gpu = create([...dawnOptions]);
    instances.set(key, gpu);
  }
  return gpu;
}

/**
 * Requests a `GPUDevice` from Dawn. Throws a `DeviceError` that says how to
 * get one when no adapter is found — without a GPU, Dawn needs a Vulkan
 * driver: Debian's `chromium` and `libvulkan1` packages provide SwiftShader,
 * selected with `VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json`.
 */
export async function requestNodeDevice(options: NodeDeviceOptions = {}): Promise<GPUDevice> {
  const gpu = dawnInstance(options.dawnOptions ?? []);
  const adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
  if (!adapter) {
    const icd = process.env.VK_ICD_FILENAMES;
    throw new DeviceError(
      'requestNodeDevice',
      `adapter expected from Dawn, got null (VK_ICD_FILENAMES=${icd ?? 'unset'}); without a GPU run \`apt-get install -y chromium libvulkan1\` and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json`,
    );
  }
  return adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
}

/** A WebGPU backend on a new Dawn device, which `dispose()` destroys. */
export async function createNodeWebGPUBackend(options: NodeDeviceOptions = {}): Promise<WebGPUBackend> {
  return createWebGPUBackend({ device: await requestNodeDevice(options), ownsDevice: true });
}

export { createWebGPUBackend } from './create-webgpu-backend.js';
export { WebGPUBackend } from './webgpu-backend.js';
