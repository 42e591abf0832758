// The memory-bound float32 kernels of a training step (ReLU, its derivative,
// Axpby, max pooling and its derivative) on LeNet- and AlexNet-sized tensors:
// the loops on the tensors' own arrays against the WebAssembly route (copies
// into the module's memory and back) on 1 and on 2 threads, interleaved in one
// process, medians in ms (the machine's other load shows in every column:
// run it when the cores are quiet).
// Run (from packages/kernels-cpu): node --import ./scripts/ts-hooks.mjs scripts/bench-memory-bound.mjs [reps] [maps|pool|all]
import { Rng } from '@convnet-ts/tensor';
import { createCpuBackend } from '../src/index.ts';
import { acquireGemmThreads } from '../src/gemm-threads.ts';
import { setRowsTuning } from '../src/rows-wasm.ts';

const reps = Number(process.argv[2] ?? 9);
const which = process.argv[3] ?? 'all';
const be = createCpuBackend({ threads: 2 });
await be.ready();
const rng = new Rng(5);
const randn = (shape) => be.tensor(Float32Array.from(rng.randn(shape.reduce((a, b) => a * b, 1))), shape);
const median = (t) => [...t].sort((a, b) => a - b)[t.length >> 1];
const KERNELS = ['relu', 'leakyRelu', 'axpby', 'pool'];

/** Variants: the loops, WebAssembly on 1 thread, on 2; and the shipped thresholds at 1 and 2 threads. */
const VARIANTS = {
  loops: [1, () => setRowsTuning({ wasmMin: Number.POSITIVE_INFINITY }, KERNELS)],
  'wasm 1T': [1, () => setRowsTuning({ wasmMin: 0, perThread: Number.POSITIVE_INFINITY }, KERNELS)],
  'wasm 2T': [2, () => setRowsTuning({ wasmMin: 0, perThread: 1 }, KERNELS)],
  'default 1T': [1, () => setRowsTuning()],
  'default 2T': [2, () => setRowsTuning()],
};

function bench(name, f) {
  const times = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
  for (let r = 0; r < reps + 1; r++) {
    for (const [k, [threads, set]] of Object.entries(VARIANTS)) {
      const lease = threads === 1 ? acquireGemmThreads(1) : null;
      set();
      const s = performance.now();
      f().dispose();
      const t = performance.now() - s;
      lease?.release();
      if (r > 0) times[k].push(t);
    }
  }
  setRowsTuning();
  console.log(`${name.padEnd(52)} ${Object.values(times).map((t) => median(t).toFixed(2).padStart(11)).join('')}`);
}

console.log(`${'kernel, tensor'.padEnd(52)}${Object.keys(VARIANTS).map((k) => k.padStart(11)).join('')}   (ms, medians of ${reps})`);
if (which !== 'pool') {
  const sizes = {
    'LeNet conv3 out [100,1,1,500]': [100, 1, 1, 500],
    'LeNet conv1 out [100,24,24,20]': [100, 24, 24, 20],
    'AlexNet conv5 out [32,13,13,256]': [32, 13, 13, 256],
    'AlexNet conv2 out [32,27,27,256]': [32, 27, 27, 256],
    'AlexNet conv1 out [32,55,55,96]': [32, 55, 55, 96],
  };
  for (const [label, shape] of Object.entries(sizes)) {
    const x = randn(shape);
    const dy = randn(shape);
    bench(`Relu ${label}`, () => be.run('Relu', { x }, { leak: 0 }));
    bench(`ReluBackward ${label}`, () => be.run('ReluBackward', { x, dy }, { leak: 0 }));
    bench(`Relu leak 0.1 ${label}`, () => be.run('Relu', { x }, { leak: 0.1 }));
    x.dispose();
    dy.dispose();
  }
  for (const [label, shape] of Object.entries({ 'LeNet conv2 f': [5, 5, 20, 50], 'AlexNet conv2 f': [5, 5, 48, 256], 'AlexNet fc8 f': [1, 1, 4096, 1000], 'AlexNet fc7 f': [1, 1, 4096, 4096], 'AlexNet fc6 f': [6, 6, 256, 4096] })) {
    const w = randn(shape);
    const g = randn(shape);
    bench(`Axpby ${label} [${shape}]`, () => be.run('Axpby', { x: w, y: g }, { alpha: 1, beta: -0.001 }));
    w.dispose();
    g.dispose();
  }
}
if (which !== 'maps') {
  const cases = {
    'LeNet pool1 2×2/2 [100,24,24,20]': [[100, 24, 24, 20], 2],
    'LeNet pool2 2×2/2 [100,8,8,50]': [[100, 8, 8, 50], 2],
    'AlexNet pool1 3×3/2 [32,55,55,96]': [[32, 55, 55, 96], 3],
    'AlexNet pool2 3×3/2 [32,27,27,256]': [[32, 27, 27, 256], 3],
    'AlexNet pool5 3×3/2 [32,13,13,256]': [[32, 13, 13, 256], 3],
  };
  for (const [label, [shape, p]] of Object.entries(cases)) {
    const a = { method: 'max', poolSize: [p, p], pad: [0, 0, 0, 0], stride: [2, 2] };
    const x = randn(shape);
    const y = be.run('Pool', { x }, a);
    const dy = randn(y.shape);
    bench(`Pool ${label}`, () => be.run('Pool', { x }, a));
    bench(`PoolBackward ${label}`, () => be.run('PoolBackward', { x, dy }, a));
    x.dispose();
    y.dispose();
    dy.dispose();
  }
}
be.dispose();
