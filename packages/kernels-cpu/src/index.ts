export { type CpuBackendOptions, CpuBackend, type CpuStorage, createCpuBackend } from './cpu-backend.js';
