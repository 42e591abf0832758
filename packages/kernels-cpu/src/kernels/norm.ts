import type { CpuKernelTable } from '../kernel-table.js';

export const normKernels = {} satisfies Partial<CpuKernelTable>;
