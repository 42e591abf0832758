export { type CpuBackendOptions, CpuBackend, type CpuStorage, createCpuBackend } from './cpu-backend.js';
export { setThreadPolling, threadPolling } from './gemm-threads.js';
export type { StridedView } from './strided-view.js';
export type { WinogradOption, WinogradTile } from './conv-winograd.js';
