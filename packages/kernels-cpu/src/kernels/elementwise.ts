import type { CpuKernelTable } from '../kernel-table.js';

export const elementwiseKernels = {} satisfies Partial<CpuKernelTable>;
