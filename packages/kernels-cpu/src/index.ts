export { type CpuBackendOptions, CpuBackend, type CpuStorage, createCpuBackend } from './cpu-backend.js';
export type { StridedView } from './strided-view.js';
export type { WinogradOption, WinogradTile } from './conv-winograd.js';
