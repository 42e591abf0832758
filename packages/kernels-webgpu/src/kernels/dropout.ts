import { sizeOf } from '@convnet-ts/tensor';
import type { WebGPUKernelTable } from '../kernel-table.js';
import { PCG } from './wgsl.js';

/**
 * Inverted-dropout masks, the same as every backend's: element i is
 * `1/(1 − rate)` when `hashUniform(seed, i) ≥ rate`, else 0. The draw is
 * `bits/2^24` with 24 hash bits, so the test is done exactly on integers:
 * bits ≥ ⌈rate·2^24⌉ (comparing with a float32 rate could flip elements whose
 * draw lies between rate and its float32 rounding).
 */
export const dropoutKernels = {
  DropoutMask: (gpu, _inputs, { shape, rate, seed }) => {
    const y = gpu.empty(shape);
    const threshold = Math.min(Math.ceil(rate * 16777216), 16777216);
    gpu.dispatch({
      kernel: 'DropoutMask',
      variant: '',
      inputs: {},
      outputs: { y },
      u32: { seed: seed >>> 0, threshold },
      f32: { keep: 1 / (1 - rate) },
      threads: sizeOf(shape),
      helpers: PCG,
      body: '  y[i] = select(0.0, u.keep, hash_bits24(u.seed, i) >= u.threshold);',
    });
    return y;
  },
} satisfies Partial<WebGPUKernelTable>;
