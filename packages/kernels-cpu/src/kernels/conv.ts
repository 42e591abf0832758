import type { CpuKernelTable } from '../kernel-table.js';

export const convKernels = {} satisfies Partial<CpuKernelTable>;
