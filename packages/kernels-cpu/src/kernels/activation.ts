import type { CpuKernelTable } from '../kernel-table.js';

export const activationKernels = {} satisfies Partial<CpuKernelTable>;
