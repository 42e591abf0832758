import type { CpuKernelTable } from '../kernel-table.js';

export const dropoutKernels = {} satisfies Partial<CpuKernelTable>;
