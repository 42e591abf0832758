// The LeNet step (bench W3) at 1 and 2 threads in one process, steps interleaved (1T, 2T, 1T, 2T, …, and each
// variant of the memory-bound kernels' thresholds in turn), medians of R steps in ms: the step, each kernel, the
// part of each kernel the calling thread spends outside the worker pool's dispatches (set-up, copies, work it
// keeps to itself), and the time outside the kernels (the blocks' JavaScript between them). Paired ratios (each
// 1T step over the 2T step next to it) say more than the medians on a loaded machine: say the load (`uptime`).
// The cells (variant × threads) run in order on even repetitions and in reverse on odd ones.
// VARIANTS='name=kernel:field:value,…;…' (rows-wasm.ts's `setRowsTuning`; `now` is the defaults), e.g.
//   VARIANTS='one-thread sums=sums:sharedPerThread:Infinity;now'
// Run (from packages/kernels-cpu): [R=20] [TS=1,2] [VARIANTS=…] node --import ./scripts/ts-hooks.mjs scripts/bench-w3-threads.mjs
import { convnetEngine } from '../../bench/src/convnet-engine.ts';
import { makeData } from '../../bench/src/workloads.ts';
import { CpuBackend } from '../src/cpu-backend.ts';
import { setRowsTuning } from '../src/rows-wasm.ts';
import { GemmThreadPool } from '../src/thread-pool.ts';

const R = Number(process.env.R ?? 20);
const TS = (process.env.TS ?? '1,2').split(',').map(Number);
const variants = (process.env.VARIANTS ?? 'now').split(';').map((v) => {
  const [name, spec] = v.includes('=') ? [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)] : [v, ''];
  const sets = spec === '' ? [] : spec.split(',').map((s) => s.split(':'));
  return {
    name,
    apply: () => {
      setRowsTuning();
      for (const [kernel, field, value] of sets) setRowsTuning({ [field]: Number(value) }, [kernel]);
    },
  };
});

// Each kernel call's wall time, and the time its dispatches of the worker pool took (both on the calling thread).
let current = null;
let kernels = new Map();
const run = CpuBackend.prototype.run;
CpuBackend.prototype.run = function (kernel, inputs, attrs) {
  const shape = kernel.startsWith('Conv') ? ` ${(inputs.f ?? inputs.x)?.shape?.join('x')}` : '';
  const outer = current;
  current = kernels.get(kernel + shape) ?? { ms: 0, pool: 0 };
  kernels.set(kernel + shape, current);
  const t0 = performance.now();
  try {
    return run.call(this, kernel, inputs, attrs);
  } finally {
    current.ms += performance.now() - t0;
    current = outer;
  }
};
for (const m of ['run', 'runLists', 'runTasks', 'runClaimed', 'runShared', 'runJsTasks']) {
  const dispatch = GemmThreadPool.prototype[m];
  GemmThreadPool.prototype[m] = function (...args) {
    const t0 = performance.now();
    try {
      return dispatch.apply(this, args);
    } finally {
      if (current !== null) current.pool += performance.now() - t0;
    }
  };
}

const data = makeData();
const engines = TS.map((t) => convnetEngine(data, t));
const steps = engines.map((e) => e.task('W3'));
const cells = variants.flatMap((v) => engines.map((_e, j) => ({ v, j, steps: [], gaps: [], kernels: new Map() })));
for (let r = 0; r < 3; r++) for (const c of cells) {
  c.v.apply();
  (await steps[c.j].run())();
}
for (let r = 0; r < R; r++) {
  // Forward on even repetitions, backward on odd ones (A B B A …): the VM's speed drifts over seconds.
  for (const c of r % 2 === 0 ? cells : [...cells].reverse()) {
    c.v.apply();
    kernels = new Map();
    const t0 = performance.now();
    (await steps[c.j].run())();
    const ms = performance.now() - t0;
    c.steps.push(ms);
    let inKernels = 0;
    for (const [k, { ms: t, pool }] of kernels) {
      inKernels += t;
      if (!c.kernels.has(k)) c.kernels.set(k, { ms: [], serial: [] });
      c.kernels.get(k).ms.push(t);
      c.kernels.get(k).serial.push(t - pool);
    }
    c.gaps.push(ms - inKernels);
  }
}
setRowsTuning();
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const name = (c) => `${TS[c.j]}T ${c.v.name}`;
const first = cells[0];
const names = [...first.kernels.keys()].sort((a, b) => median(first.kernels.get(b).ms) - median(first.kernels.get(a).ms));
console.log(`R=${R} steps each; ms, medians; "calling" = outside the pool's dispatches`);
console.log('kernel'.padEnd(32) + cells.map((c) => `${name(c)} (calling)`.padStart(26)).join(''));
for (const k of names) {
  console.log(k.padEnd(32) + cells.map((c) => { const e = c.kernels.get(k); return e ? `${median(e.ms).toFixed(2)} (${median(e.serial).toFixed(2)})`.padStart(26) : ''.padStart(26); }).join(''));
}
const serialSum = (c) => median(c.steps.map((_, i) => [...c.kernels.values()].reduce((s, e) => s + e.serial[i], 0) + c.gaps[i]));
console.log('outside the kernels'.padEnd(32) + cells.map((c) => median(c.gaps).toFixed(2).padStart(26)).join(''));
console.log('calling thread alone (all)'.padEnd(32) + cells.map((c) => serialSum(c).toFixed(2).padStart(26)).join(''));
console.log('step'.padEnd(32) + cells.map((c) => median(c.steps).toFixed(2).padStart(26)).join(''));
for (const v of variants) {
  const [one, two] = [cells.find((c) => c.v === v && TS[c.j] === 1), cells.find((c) => c.v === v && TS[c.j] !== 1)];
  if (one && two) console.log(`${v.name}: 1T/${TS[two.j]}T paired ratio median ${median(one.steps.map((t, i) => t / two.steps[i])).toFixed(3)}, of medians ${(median(one.steps) / median(two.steps)).toFixed(3)}`);
}
for (const j of TS.keys()) {
  const own = cells.filter((c) => c.j === j);
  for (const c of own.slice(1)) console.log(`${TS[j]}T ${c.v.name} / ${own[0].v.name}: paired step ratio median ${median(c.steps.map((t, i) => t / own[0].steps[i])).toFixed(3)}`);
}
for (const e of engines) e.dispose();
