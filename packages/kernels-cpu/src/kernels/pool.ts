import type { CpuKernelTable } from '../kernel-table.js';

export const poolKernels = {} satisfies Partial<CpuKernelTable>;
