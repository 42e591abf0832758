import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { describeConformance } from './conformance.js';

describeConformance({ name: 'cpu float32', create: () => createCpuBackend({ dtype: 'float32' }) });
describeConformance({ name: 'cpu float64', create: () => createCpuBackend({ dtype: 'float64' }) });
