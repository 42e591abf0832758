import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { describeReliability } from './reliability/index.js';

describeReliability({ name: 'cpu float64', create: () => createCpuBackend({ dtype: 'float64', threads: 1 }) });
describeReliability({ name: 'cpu float32', create: () => createCpuBackend({ dtype: 'float32', threads: 1 }) });
