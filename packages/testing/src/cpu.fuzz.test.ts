import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { describeBlocksFuzz } from './fuzz/blocks-fuzz.js';
import { describeModelFileFuzz } from './fuzz/model-files-fuzz.js';

describeBlocksFuzz({ name: 'cpu float32', create: () => createCpuBackend({ dtype: 'float32', threads: 1 }), tolerance: 1e-4 });
describeBlocksFuzz({ name: 'cpu float64', create: () => createCpuBackend({ dtype: 'float64', threads: 2 }), tolerance: 1e-12 });
describeModelFileFuzz({ name: 'cpu float32', create: () => createCpuBackend({ dtype: 'float32', threads: 1 }) });
describeModelFileFuzz({ name: 'cpu float64', create: () => createCpuBackend({ dtype: 'float64', threads: 1 }) });
