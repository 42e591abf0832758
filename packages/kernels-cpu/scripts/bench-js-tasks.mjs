// Softmax, sigmoid, LRN, their derivatives, the softmaxlog loss and its derivative: the loops against the
// JavaScript tasks on 2 threads (rows-js.ts), interleaved in one process,
// medians in ms, over sizes around the break-even.
// Run (from packages/kernels-cpu): node --import ./scripts/ts-hooks.mjs scripts/bench-js-tasks.mjs [reps] [threads]
import { Rng } from '@convnet-ts/tensor';
import { createCpuBackend } from '../src/index.ts';
import { setRowsTuning } from '../src/rows-wasm.ts';

const reps = Number(process.argv[2] ?? 21);
const threads = Number(process.argv[3] ?? 2);
const be = createCpuBackend({ threads });
await be.ready();
const rng = new Rng(5);
const median = (t) => [...t].sort((a, b) => a - b)[t.length >> 1];
const lrn = { n: 5, kappa: 2, alpha: 1e-4, beta: 0.75 };
const only = process.argv[4]?.split(',');
const kernels = ['softmax', 'softmaxlog', 'sigmoid', 'lrn'];
const VARIANTS = {
  loops: () => setRowsTuning({ wasmMin: Number.POSITIVE_INFINITY }, kernels),
  [`tasks ${threads}T`]: () => setRowsTuning({ wasmMin: 0, perThread: 1 }, kernels),
};
console.log(`${'kernel, [rows, C] (elements)'.padEnd(44)}${Object.keys(VARIANTS).map((k) => k.padStart(10)).join('')}   (ms, medians of ${reps})`);
for (const [r, c] of [
  [32, 10],
  [100, 10],
  [32, 1000],
  [1024, 10],
  [100, 100],
  [4096, 10],
  [64, 1000],
  [256, 256],
  [16384, 10],
  [1024, 1000],
]) {
  const x = be.tensor(Float32Array.from(rng.randn(r * c)), [r, 1, 1, c]);
  const labels = be.tensor(Array.from({ length: r }, (_, i) => 1 + (i % c)), [r, 1, 1, 1]);
  const dzdy = be.tensor([1], [1]);
  const attrs = { loss: 'softmaxlog', topK: 1, threshold: 0, normalise: true };
  const dy = be.tensor(Float32Array.from(rng.randn(r * c)), [r, 1, 1, c]);
  const work = {
    Softmax: () => be.run('Softmax', { x }, {}),
    SoftmaxBackward: () => be.run('SoftmaxBackward', { x, dy }, {}),
    Sigmoid: () => be.run('Sigmoid', { x }, {}),
    SigmoidBackward: () => be.run('SigmoidBackward', { x, dy }, {}),
    Lrn: () => be.run('Lrn', { x }, lrn),
    LrnBackward: () => be.run('LrnBackward', { x, dy }, lrn),
    'Loss softmaxlog': () => be.run('Loss', { x, labels, weights: null }, attrs),
    'LossBackward softmaxlog': () => be.run('LossBackward', { x, labels, weights: null, dzdy }, attrs),
  };
  for (const [name, f] of Object.entries(work)) {
    if (only && !only.includes(name)) continue;
    const times = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
    for (let i = 0; i < reps + 1; i++) {
      for (const [k, set] of Object.entries(VARIANTS)) {
        set();
        const s = performance.now();
        f();
        const t = performance.now() - s;
        if (i > 0) times[k].push(t);
      }
    }
    setRowsTuning();
    console.log(`${`${name} [${r}, ${c}] (${r * c})`.padEnd(44)}${Object.values(times).map((t) => median(t).toFixed(3).padStart(10)).join('')}`);
  }
}
be.dispose();
