// Kernels on module-resident tensors (read and written in place) against the same kernels on tensors outside the
// module's memory (setModuleArrayBudget(0): plain arrays, or SharedArrayBuffers at 2 threads, copied through the
// arena), interleaved in one process (one backend per variant and thread count, each with its own reuse pool),
// outputs disposed after each call as in a training step; medians in ms.
// Usage (from packages/kernels-cpu): node --import ./scripts/ts-hooks.mjs scripts/bench-resident.mjs [reps] [filter]
//   [T=1,2]   filter: a substring of the case names (e.g. "LeNet", "fc6", "Pool")
import { Rng, randnTensor } from '@convnet-ts/tensor';
import { createCpuBackend } from '../src/index.ts';
import { isModuleArray, setModuleArrayBudget } from '../src/module-arrays.ts';

const reps = Number(process.argv[2] ?? 9);
const filter = process.argv[3] ?? '';
const threadCounts = (process.env.T ?? '1,2').split(',').map(Number);
const geometry = (pad, groups = 1, stride = 1) => ({ stride: [stride, stride], pad: [pad, pad, pad, pad], dilate: [1, 1], groups });

/** A convolution's three products: [name, x shape, f shape, geometry]. */
const CONVS = [
  ['LeNet conv1', [100, 28, 28, 1], [5, 5, 1, 20], geometry(0)],
  ['LeNet conv2', [100, 12, 12, 20], [5, 5, 20, 50], geometry(0)],
  ['LeNet conv3 (FC)', [100, 4, 4, 50], [4, 4, 50, 500], geometry(0)],
  ['AlexNet conv1', [32, 224, 224, 3], [11, 11, 3, 96], geometry(0, 1, 4)],
  ['AlexNet conv2', [32, 27, 27, 96], [5, 5, 48, 256], geometry(2, 2)],
  ['AlexNet conv3', [32, 13, 13, 256], [3, 3, 256, 384], geometry(1)],
  ['AlexNet fc6', [32, 5, 5, 256], [5, 5, 256, 4096], geometry(0)],
  ['AlexNet fc7', [32, 1, 1, 4096], [1, 1, 4096, 4096], geometry(0)],
];
/** Memory-bound kernels: [name, x shape, kernel]. */
const MAPS = [
  ['Pool 2×2/2 LeNet', [100, 24, 24, 20], 'Pool'],
  ['PoolBackward 2×2/2 LeNet', [100, 24, 24, 20], 'PoolBackward'],
  ['Pool 3×3/2 AlexNet', [32, 55, 55, 96], 'Pool'],
  ['Relu AlexNet conv1', [32, 55, 55, 96], 'Relu'],
  ['ReluBackward AlexNet conv1', [32, 55, 55, 96], 'ReluBackward'],
  ['Axpby AlexNet fc6', [6400, 4096], 'Axpby'],
];

/** The calls of every case on backend `be`, each a function that runs once and disposes its output. */
function calls(be) {
  const rng = new Rng(3);
  const out = [];
  for (const [name, xs, fs, g] of CONVS) {
    const x = randnTensor(be, xs, rng);
    const f = randnTensor(be, fs, rng, 0.05);
    const y = be.run('Conv', { x, f, b: null }, g);
    const dy = randnTensor(be, y.shape, rng);
    y.dispose();
    out.push([`${name} forward`, () => be.run('Conv', { x, f, b: null }, g), x]);
    out.push([`${name} dzdx`, () => be.run('ConvBackwardData', { dy, f }, { ...g, xShape: xs }), dy]);
    out.push([`${name} dzdf`, () => be.run('ConvBackwardFilter', { x, dy }, { ...g, fShape: fs }), x]);
  }
  for (const [name, xs, kernel] of MAPS) {
    const x = randnTensor(be, xs, rng);
    const pool = kernel.startsWith('Pool') ? (name.includes('3×3') ? { method: 'max', poolSize: [3, 3], stride: [2, 2], pad: [0, 0, 0, 0] } : { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }) : null;
    const dy = kernel === 'PoolBackward' ? randnTensor(be, be.run('Pool', { x }, pool).shape, rng) : randnTensor(be, xs, rng);
    const run = {
      Pool: () => be.run('Pool', { x }, pool),
      PoolBackward: () => be.run('PoolBackward', { x, dy }, pool),
      Relu: () => be.run('Relu', { x }, {}),
      ReluBackward: () => be.run('ReluBackward', { x, dy }, {}),
      Axpby: () => be.run('Axpby', { x, y: dy }, { alpha: 1, beta: -0.01 }),
    }[kernel];
    out.push([name, run, x]);
  }
  return out.filter(([name]) => name.includes(filter));
}

const variants = [];
for (const threads of threadCounts) {
  for (const [label, budget] of [['resident', undefined], ['copied', 0]]) {
    setModuleArrayBudget(budget);
    const be = createCpuBackend({ threads });
    variants.push({ label: `${label} ${threads}T`, budget, be, calls: calls(be) });
    setModuleArrayBudget();
  }
}
for (const v of variants) {
  const resident = v.calls.every(([, , t]) => isModuleArray(v.be.view(t).data));
  if (resident !== (v.budget === undefined)) throw new Error(`${v.label}: inputs ${resident ? '' : 'not '}resident`);
}
const times = variants.map((v) => v.calls.map(() => []));
for (let r = -2; r < reps; r++) {
  for (const [j, v] of variants.entries()) {
    setModuleArrayBudget(v.budget);
    for (const [i, [, run]] of v.calls.entries()) {
      const t0 = performance.now();
      const y = run();
      const dt = performance.now() - t0;
      y.dispose();
      if (r >= 0) times[j][i].push(dt);
    }
    setModuleArrayBudget();
  }
}
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const loads = (await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`medians of ${reps}, ms; load ${loads}`);
console.log(`${'call'.padEnd(32)}${variants.map((v) => v.label.padStart(13)).join('')}`);
for (const [i, [name]] of variants[0].calls.entries()) {
  console.log(`${name.padEnd(32)}${variants.map((_, j) => median(times[j][i]).toFixed(2).padStart(13)).join('')}`);
}
for (const v of variants) v.be.dispose();
