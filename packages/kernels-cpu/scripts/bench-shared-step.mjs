// AlexNet's SGD step (bench W5, batch 32) at T threads (default 2) with the shared-tensor route of the
// memory-bound kernels off and on (shared-tasks.ts), alternating step by step in one process; medians of R
// steps (default 3) of the step and of the time in those kernels.
// Run (from packages/kernels-cpu): T=2 R=3 node --import ./scripts/ts-hooks.mjs scripts/bench-shared-step.mjs
import { alexnetStep } from '../../bench/src/convnet-alexnet.ts';
import { makeAlexnetData } from '../../bench/src/workloads.ts';
import { createCpuBackend } from '../src/index.ts';
import { setRowsTuning } from '../src/rows-wasm.ts';

const threads = Number(process.env.T ?? 2);
const reps = Number(process.env.R ?? 3);
const be = createCpuBackend({ threads, dtype: 'float32' });
const KERNELS = ['Axpby', 'Relu', 'ReluBackward', 'PoolBackward', 'Pool'];
const SHARED = ['relu', 'leakyRelu', 'axpby', 'pool', 'avgPoolBackward'];
let times = new Map();
const run = be.run.bind(be);
be.run = (k, i, a) => {
  const t0 = performance.now();
  const r = run(k, i, a);
  if (KERNELS.includes(k)) times.set(k, (times.get(k) ?? 0) + performance.now() - t0);
  return r;
};
const s = alexnetStep(be, makeAlexnetData());
await s.step();
const variants = { off: () => setRowsTuning({ sharedPerThread: Number.POSITIVE_INFINITY }, SHARED), on: () => setRowsTuning() };
const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < reps; r++) {
  for (const [k, set] of Object.entries(variants)) {
    set();
    times = new Map();
    const t0 = performance.now();
    await s.step();
    results[k].push({ step: performance.now() - t0, ...Object.fromEntries(times) });
  }
}
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
for (const [k, rows] of Object.entries(results)) {
  const kernels = KERNELS.map((n) => `${n} ${median(rows.map((r) => r[n] ?? 0)).toFixed(0)}`).join('  ');
  console.log(`T=${threads} shared ${k.padEnd(4)} step ${median(rows.map((r) => r.step)).toFixed(0)} ms  ${kernels}`);
}
s.dispose();
be.dispose();
