import type { KernelAttrs, KernelInputs, KernelName, KernelOutputs } from '@convnet-ts/tensor';
import { activationKernels } from './kernels/activation.js';
import { convKernels } from './kernels/conv.js';
import { dropoutKernels } from './kernels/dropout.js';
import { elementwiseKernels } from './kernels/elementwise.js';
import { lossKernels } from './kernels/loss.js';
import { normKernels } from './kernels/norm.js';
import { poolKernels } from './kernels/pool.js';
import { roiPoolKernels } from './kernels/roi-pool.js';
import { samplerKernels } from './kernels/sampler.js';
import { shapeKernels } from './kernels/shape.js';
import type { WebGPUBackend } from './webgpu-backend.js';

/** One kernel on WebGPU: validate → program → run; it encodes work and returns its output tensors. */
export type WebGPUKernel<K extends KernelName> = (
  gpu: WebGPUBackend,
  inputs: KernelInputs<K>,
  attrs: KernelAttrs<K>,
) => KernelOutputs<K>;

export type WebGPUKernelTable = { [K in KernelName]: WebGPUKernel<K> };

/** Every kernel of the contract on WebGPU, one fragment per group; a missing one fails to compile. */
export const webgpuKernels: WebGPUKernelTable = {
  ...shapeKernels,
  ...elementwiseKernels,
  ...activationKernels,
  ...poolKernels,
  ...convKernels,
  ...lossKernels,
  ...dropoutKernels,
  ...normKernels,
  ...samplerKernels,
  ...roiPoolKernels,
};
