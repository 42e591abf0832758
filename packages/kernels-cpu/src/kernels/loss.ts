import type { CpuKernelTable } from '../kernel-table.js';

export const lossKernels = {} satisfies Partial<CpuKernelTable>;
