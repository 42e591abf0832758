import { hashUniform, sizeOf } from '@convnet-ts/tensor';
import type { CpuKernelTable } from '../kernel-table.js';

/**
 * Inverted-dropout masks: element i (row-major) is `1/(1 − rate)` when
 * `hashUniform(seed, i) ≥ rate`, else 0. The uniform draw is a pure function
 * of (seed, index), so every backend (and every dtype) keeps the same elements.
 */
export const dropoutKernels = {
  DropoutMask: (cpu, _inputs, { shape, rate, seed }) => {
    const n = sizeOf(shape);
    const out = cpu.alloc(n);
    const keep = 1 / (1 - rate);
    for (let i = 0; i < n; i++) out[i] = hashUniform(seed, i) >= rate ? keep : 0;
    return cpu.wrap(out, shape);
  },
} satisfies Partial<CpuKernelTable>;
