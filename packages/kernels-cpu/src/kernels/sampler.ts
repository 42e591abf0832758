import type { CpuKernelTable } from '../kernel-table.js';

export const samplerKernels = {} satisfies Partial<CpuKernelTable>;
