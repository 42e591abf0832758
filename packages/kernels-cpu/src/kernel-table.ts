import type { KernelAttrs, KernelInputs, KernelName, KernelOutputs } from '@convnet-ts/tensor';
import type { CpuBackend } from './cpu-backend.js';
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

/** One kernel on the CPU: the backend (to allocate outputs), the inputs and the attributes. */
export type CpuKernel<K extends KernelName> = (
  cpu: CpuBackend,
  inputs: KernelInputs<K>,
  attrs: KernelAttrs<K>,
) => KernelOutputs<K>;

export type CpuKernelTable = { [K in KernelName]: CpuKernel<K> };

/** Every kernel of the contract on the CPU; a missing one fails to compile. */
export const cpuKernels: CpuKernelTable = {
  ...shapeKernels,
  ...elementwiseKernels,
  ...convKernels,
  ...poolKernels,
  ...activationKernels,
  ...lossKernels,
  ...dropoutKernels,
  ...normKernels,
  ...samplerKernels,
  ...roiPoolKernels,
};
