/// <reference types="@webgpu/types" preserve="true" />
export { BufferPool } from './buffer-pool.js';
export { type WebGPUKernel, type WebGPUKernelTable, webgpuKernels } from './kernel-table.js';
export { type Program, WORKGROUP_SIZE } from './program.js';
export type { GpuStorage, SharedBuffer } from './storage.js';
export { createWebGPUBackend, type WebGPUBackendOptions } from './create-webgpu-backend.js';
export { type Deferred, WebGPUBackend, type WebGPUStats } from './webgpu-backend.js';
