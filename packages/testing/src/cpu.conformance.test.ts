import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { describeConformance } from './conformance.js';

describeConformance({ name: 'cpu float32', create: () => createCpuBackend({ dtype: 'float32' }) });
describeConformance({ name: 'cpu float64', create: () => createCpuBackend({ dtype: 'float64' }) });
// The fast float32 paths on one thread (no worker), and on three whatever the cores (workers take image shares).
// Each suite makes its backend at its first test, so the newest backend — whose count the GEMM threads follow,
// process-wide — is the suite's own while it runs.
describeConformance({ name: 'cpu float32, 1 thread', create: () => createCpuBackend({ dtype: 'float32', threads: 1 }) });
describeConformance({ name: 'cpu float32, 3 threads', create: () => createCpuBackend({ dtype: 'float32', threads: 3 }) });
