// The non-GEMM float32 kernels on LeNet- and AlexNet-sized tensors: the loops
// (JS), WebAssembly SIMD on 1 thread and on 2, interleaved in one process,
// medians in ms; then the LeNet SGD step (W3: batch 100) at 1 and 2 threads
// with the loops (before) and the WebAssembly paths (after).
// Run: node --import ./scripts/ts-hooks.mjs src/kernel-threads.bench.mjs [reps] [w3] (from packages/kernels-cpu;
// `w3` times only the SGD step).
import { conv, convBackward, pool, poolBackward, relu, reluBackward, softmaxloss, softmaxlossBackward } from '@convnet-ts/blocks';
import { Rng } from '@convnet-ts/tensor';
import { acquireGemmThreads } from './gemm-threads.ts';
import { createCpuBackend } from './index.ts';
import { setRowsTuning } from './rows-wasm.ts';

const reps = Number(process.argv[2] ?? 9);
const be = createCpuBackend({ threads: 2 });
await be.ready();
const rng = new Rng(5);
const randn = (shape, std = 1) => be.tensor(Float32Array.from(rng.randn(shape.reduce((a, b) => a * b, 1)), (v) => v * std), shape);
const median = (t) => [...t].sort((a, b) => a - b)[t.length >> 1];

/** Variants: the loops, WebAssembly on 1 thread, on 2. */
const VARIANTS = {
  js: () => setRowsTuning({ wasmMin: Number.POSITIVE_INFINITY }),
  'wasm 1T': () => setRowsTuning({ wasmMin: 0, perThread: Number.POSITIVE_INFINITY }),
  'wasm 2T': () => setRowsTuning({ wasmMin: 0, perThread: 1 }),
};

function bench(name, f) {
  const times = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
  for (let r = 0; r < reps + 1; r++) {
    for (const [k, set] of Object.entries(VARIANTS)) {
      set();
      const s = performance.now();
      f();
      const t = performance.now() - s;
      if (r > 0) times[k].push(t);
    }
  }
  setRowsTuning();
  console.log(`${name.padEnd(44)} ${Object.values(times).map((t) => median(t).toFixed(3).padStart(9)).join('')}`);
}

const sizes = {
  'LeNet relu [100,1,1,500]': [100, 1, 1, 500],
  'LeNet conv2 out [100,8,8,50]': [100, 8, 8, 50],
  'LeNet conv1 out [100,24,24,20]': [100, 24, 24, 20],
  'AlexNet conv2 out [32,27,27,256]': [32, 27, 27, 256],
};
const onlyW3 = process.argv[3] === 'w3';
if (!onlyW3) console.log(`${'kernel, tensor'.padEnd(44)}${Object.keys(VARIANTS).map((k) => k.padStart(9)).join('')}   (ms, medians of ${reps})`);
for (const [label, shape] of onlyW3 ? [] : Object.entries(sizes)) {
  const x = randn(shape);
  const dy = randn(shape);
  bench(`Relu ${label}`, () => be.run('Relu', { x }, { leak: 0 }));
  bench(`ReluBackward ${label}`, () => be.run('ReluBackward', { x, dy }, { leak: 0 }));
  bench(`Axpby ${label}`, () => be.run('Axpby', { x, y: dy }, { alpha: 1, beta: -0.001 }));
  bench(`ReduceSum (bias) ${label}`, () => be.run('ReduceSum', { x: dy }, { axes: [0, 1, 2] }));
  const c = shape[3];
  const g = randn([c]);
  const b = randn([c]);
  bench(`Bnorm ${label}`, () => be.run('Bnorm', { x, g, b, moments: null }, { epsilon: 1e-4 }));
  const pa = { method: 'max', poolSize: [2, 2], pad: [0, 0, 0, 0], stride: [2, 2] };
  const py = be.run('Pool', { x }, pa);
  const pdy = randn(py.shape);
  bench(`Pool max 2×2/2 ${label}`, () => be.run('Pool', { x }, pa));
  bench(`PoolBackward max 2×2/2 ${label}`, () => be.run('PoolBackward', { x, dy: pdy }, pa));
  bench(`Pool avg 2×2/2 ${label}`, () => be.run('Pool', { x }, { ...pa, method: 'avg' }));
  bench(`PoolBackward avg 2×2/2 ${label}`, () => be.run('PoolBackward', { x, dy: pdy }, { ...pa, method: 'avg' }));
  bench(`BnormBackward ${label}`, () => be.run('BnormBackward', { x, g, b, dy, moments: null }, { epsilon: 1e-4 }));
}
for (const [label, shape] of Object.entries(onlyW3 ? {} : { 'LeNet conv3 filters': [4, 4, 50, 500], 'AlexNet fc6 filters': [6, 6, 256, 4096] })) {
  const w = randn(shape);
  const g = randn(shape);
  bench(`Axpby ${label} [${shape}]`, () => be.run('Axpby', { x: w, y: g }, { alpha: 1, beta: -0.001 }));
}

// W3: one LeNet SGD step (packages/bench's, batch 100), 1 and 2 threads, before (the loops) and after.
const LENET = [
  { filter: [5, 5, 1, 20], after: 'pool' },
  { filter: [5, 5, 20, 50], after: 'pool' },
  { filter: [4, 4, 50, 500], after: 'relu' },
  { filter: [1, 1, 500, 10], after: null },
];
const POOL = { method: 'max', stride: 2 };
const lx = randn([100, 28, 28, 1]);
const labels = Array.from(rng.rand(100), (u) => 1 + Math.min(9, Math.floor(10 * u)));
const params = LENET.map(({ filter }) => ({ f: randn(filter, 0.01), b: randn([filter[3]], 0.05) }));
function sgdStep() {
  const inputs = [];
  const pre = [];
  let h = lx;
  for (const [i, layer] of LENET.entries()) {
    inputs.push(h);
    const y = conv(h, params[i].f, params[i].b);
    pre.push(y);
    h = layer.after === 'pool' ? pool(y, 2, POOL) : layer.after === 'relu' ? relu(y) : y;
  }
  const loss = softmaxloss(h, labels);
  let d = softmaxlossBackward(h, labels, 1);
  for (let i = LENET.length - 1; i >= 0; i--) {
    const layer = LENET[i];
    if (layer.after === 'pool') d = poolBackward(pre[i], 2, d, POOL);
    else if (layer.after === 'relu') d = reluBackward(pre[i], d);
    const g = convBackward(inputs[i], params[i].f, params[i].b, d, { noDerData: i === 0 });
    // The update is computed (as W3 does) but the parameters stay, so every repetition does the same work.
    be.run('Axpby', { x: params[i].f, y: g.dzdf }, { alpha: 1, beta: -0.001 });
    be.run('Axpby', { x: params[i].b, y: g.dzdb }, { alpha: 1, beta: -0.001 });
    if (g.dzdx) d = g.dzdx;
  }
  loss.dataSync();
}
const steps = { 'before 1T': [], 'after 1T': [], 'before 2T': [], 'after 2T': [] };
for (let r = 0; r < reps + 1; r++) {
  for (const name of Object.keys(steps)) {
    const lease = name.endsWith('1T') ? acquireGemmThreads(1) : null;
    // Before: max pooling in WebAssembly on every thread (as it was), the rest in the loops.
    if (name.startsWith('before')) {
      setRowsTuning({ wasmMin: Number.POSITIVE_INFINITY }, ['relu', 'leakyRelu', 'axpby', 'sums', 'stats', 'affine', 'avgPoolBackward']);
      setRowsTuning({ wasmMin: 0, perThread: 1 }, ['pool']);
    }
    else setRowsTuning();
    const s = performance.now();
    sgdStep();
    const t = performance.now() - s;
    lease?.release();
    if (r > 0) steps[name].push(t);
  }
}
setRowsTuning();
console.log(`W3 LeNet SGD step, batch 100 (ms, medians of ${reps}): ${Object.entries(steps).map(([k, t]) => `${k} ${median(t).toFixed(1)}`).join(', ')}`);
be.dispose();
