import type { CpuKernelTable } from '../kernel-table.js';

export const roiPoolKernels = {} satisfies Partial<CpuKernelTable>;
