// ReLU, its derivative, Axpby and max pooling on AlexNet-sized tensors: a one-thread
// backend (plain arrays, the calling thread's module route) against a
// two-thread backend (tensors on SharedArrayBuffers) with the shared route
// off (the calling thread's route, as before) and on (each thread copying
// its own range through the module: shared-tasks.ts),
// interleaved in one process, medians in ms (outputs into reused arrays, as
// in a training step).
// Run (from packages/kernels-cpu): node --import ./scripts/ts-hooks.mjs scripts/bench-shared-maps.mjs [reps]
import { Rng } from '@convnet-ts/tensor';
import { createCpuBackend } from '../src/index.ts';
import { setRowsTuning } from '../src/rows-wasm.ts';

const reps = Number(process.argv[2] ?? 9);
const one = createCpuBackend({ threads: 1 });
const two = createCpuBackend({ threads: 2 });
await two.ready();
const rng = new Rng(5);
const median = (t) => [...t].sort((a, b) => a - b)[t.length >> 1];
const MAPS = ['relu', 'leakyRelu', 'axpby', 'pool', 'avgPoolBackward'];
let calls = two.workerCalls;

const VARIANTS = {
  'plain 1T': [one, () => setRowsTuning()],
  'calling 2T': [two, () => setRowsTuning({ sharedPerThread: Number.POSITIVE_INFINITY }, MAPS)],
  'shared 2T': [two, () => setRowsTuning()],
};

function bench(name, shape, run) {
  const values = Float32Array.from(rng.randn(shape.reduce((a, b) => a * b, 1)));
  const dyValues = Float32Array.from(rng.randn(values.length));
  const inputs = new Map(Object.entries(VARIANTS).map(([k, [be]]) => [k, [be.tensor(values, shape), be.tensor(dyValues, shape)]]));
  const times = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
  for (let r = 0; r < reps + 1; r++) {
    for (const [k, [be, set]] of Object.entries(VARIANTS)) {
      set();
      const [x, y] = inputs.get(k);
      const s = performance.now();
      run(be, x, y).dispose();
      const t = performance.now() - s;
      if (r > 0) times[k].push(t);
    }
  }
  setRowsTuning();
  for (const [x, y] of inputs.values()) {
    x.dispose();
    y.dispose();
  }
  console.log(`${name.padEnd(44)} ${Object.values(times).map((t) => median(t).toFixed(2).padStart(11)).join('')}   worker calls ${two.workerCalls - calls}`);
  calls = two.workerCalls;
}

console.log(`${'kernel, tensor'.padEnd(44)}${Object.keys(VARIANTS).map((k) => k.padStart(11)).join('')}   (ms, medians of ${reps})`);
const conv1 = [32, 55, 55, 96];
const conv2 = [32, 27, 27, 256];
bench('ReluBackward AlexNet conv1 out 32×55×55×96', conv1, (be, x, dy) => be.run('ReluBackward', { x, dy }, { leak: 0 }));
bench('ReluBackward AlexNet conv2 out 32×27×27×256', conv2, (be, x, dy) => be.run('ReluBackward', { x, dy }, { leak: 0 }));
bench('Relu AlexNet conv1 out', conv1, (be, x) => be.run('Relu', { x }, { leak: 0 }));
bench('Relu leaky 0.1 AlexNet conv2 out', conv2, (be, x) => be.run('Relu', { x }, { leak: 0.1 }));
bench('Axpby AlexNet fc8 filters 4096×1000', [4096, 1000], (be, x, y) => be.run('Axpby', { x, y }, { alpha: 0.9, beta: -0.01 }));
const pool3 = { method: 'max', poolSize: [3, 3], stride: [2, 2], pad: [0, 0, 0, 0] };
bench('Pool max 3×3/2 AlexNet conv1 out', conv1, (be, x) => be.run('Pool', { x }, pool3));
bench('PoolBackward max 3×3/2 AlexNet conv1 out', conv1, (be, x) => {
  const y = be.run('Pool', { x }, pool3);
  const dx = be.run('PoolBackward', { x, dy: y }, pool3);
  y.dispose();
  return dx;
});
bench('Axpby AlexNet fc6 filters 26.2 M', [5, 5, 256, 4096], (be, x, y) => be.run('Axpby', { x, y }, { alpha: 0.9, beta: -0.01 }));
one.dispose();
two.dispose();
