// Whole training steps (the bench's W3 LeNet or W5 AlexNet SGD step, or any other bench row) at 1 and N threads,
// interleaved in one process (1T, NT, 1T, NT, …), with a per-kernel table (median ms per step at each count, ratio).
// Usage (from packages/kernels-cpu): node --import ./scripts/ts-hooks.mjs scripts/bench-steps.mjs [W3|W5|W1|…] [reps] [N]
// Env: FIRST=k compares k and N threads (default 1); PER_KERNEL_CPU=1 adds each kernel's main-thread and worker CPU ms;
// REUSE=0 turns the backends' reuse of released arrays off (reuseMaxBytes = 0), for an A/B in separate processes:
// in one process the variants would share the garbage collector and the address space's munmaps.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { CpuBackend } from '@convnet-ts/kernels-cpu';
import { gemmPool } from '../src/gemm-threads.ts';
import { GemmThreadPool } from '../src/thread-pool.ts';
import { wasmArena } from '../src/wasm-gemm.ts';
import { convnetEngine } from '../../bench/src/convnet-engine.ts';
import { makeAlexnetData, makeData } from '../../bench/src/workloads.ts';

const workload = process.argv[2] ?? 'W3';
const reps = Number(process.argv[3] ?? (workload === 'W5' ? 3 : 10));
const counts = [Number(process.env.FIRST ?? 1), Number(process.argv[4] ?? 2)];
const data = makeData();
if (workload === 'W5') data.alexnet = makeAlexnetData();
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** Per thread count: per kernel key, the ms of the step running now. */
const current = new Map(counts.map((t) => [t, new Map()]));
/** Per kernel key: the calls the workers ran at N threads, over all steps. */
const dispatches = new Map();
/** Per kernel key: ms inside the worker pool's dispatches (all threads busy, or waiting for a worker) at N threads, over all steps. */
const pooled = new Map();
let kernel = '';
let cpu = () => [0, 0, 0, 0];
for (const method of ['run', 'runTasks', 'runJsTasks']) {
  const dispatch = GemmThreadPool.prototype[method];
  GemmThreadPool.prototype[method] = function (...args) {
    const t0 = performance.now();
    try {
      return dispatch.apply(this, args);
    } finally {
      pooled.set(kernel, (pooled.get(kernel) ?? 0) + performance.now() - t0);
    }
  };
}
/** Per kernel key at N threads (PER_KERNEL_CPU=1): ms the main thread and the workers were on a CPU, over all steps. */
const perKernelCpu = process.env.PER_KERNEL_CPU === '1';
const kernelCpu = new Map();
/** Per thread count: ms in `alloc` (new arrays, or reused ones zeroed) over all steps. */
const allocMs = new Map();
const alloc = CpuBackend.prototype.alloc;
CpuBackend.prototype.alloc = function (...args) {
  const t0 = performance.now();
  const out = alloc.apply(this, args);
  allocMs.set(this.threads, (allocMs.get(this.threads) ?? 0) + performance.now() - t0);
  return out;
};
const run = CpuBackend.prototype.run;
CpuBackend.prototype.run = function (k, i, a) {
  const key = k.startsWith('Conv')
    ? `${k} ${(i.x ?? i.dy)?.shape?.join('x')} f=${i.f?.shape?.join('x')}${a?.stride > 1 ? ` s${a.stride}` : ''}${a?.groups > 1 ? ` g${a.groups}` : ''}`
    : k;
  const calls0 = this.workerCalls;
  const c0 = this.threads > 1 && perKernelCpu ? cpu() : null;
  kernel = key;
  const t0 = performance.now();
  if (process.env.REUSE === '0') this.reuseMaxBytes = 0;
  const out = run.call(this, k, i, a);
  const m = current.get(this.threads);
  m.set(key, (m.get(key) ?? 0) + performance.now() - t0);
  if (this.threads > 1) dispatches.set(key, (dispatches.get(key) ?? 0) + this.workerCalls - calls0);
  if (c0 !== null) {
    const c1 = cpu();
    const was = kernelCpu.get(key) ?? [0, 0];
    kernelCpu.set(key, [was[0] + c1[0] - c0[0], was[1] + c1[2] - c0[2]]);
  }
  return out;
};

/** Linux: a thread's ms on a CPU and ms runnable but waiting for one (other processes' load), from /proc/self/task/<tid>/schedstat. */
const tids = () => (process.platform === 'linux' ? readdirSync('/proc/self/task') : []);
const sched = (tid) => {
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
    return [run / 1e6, wait / 1e6];
  } catch {
    return [0, 0];
  }
};
const before = new Set(tids());
const runs = counts.map((threads) => ({ threads, engine: convnetEngine(data, threads), steps: [], kernels: new Map() }));
for (const r of runs) r.task = r.engine.task(workload);
/** The threads started with the engines: the GEMM workers (and nothing else that runs during the steps). */
const workers = tids().filter((t) => !before.has(t));
cpu = () => {
  const main = sched(String(process.pid));
  const w = workers.map(sched).reduce((a, b) => [a[0] + b[0], a[1] + b[1]], [0, 0]);
  return [...main, ...w];
};
for (const r of runs) r.cpu = [0, 0, 0, 0];
/**
 * How many cores the pool's threads get now: a 384³ SGEMM alone on this thread, then one on every thread at once
 * (own C each), best of 8; threads × alone / together (N on an idle machine, less where other processes take cores).
 */
function coresAvailable() {
  const pool = gemmPool();
  const n = 384;

  const { heap, at } = wasmArena(2 * n * n + pool.threads * n * n);
  heap.fill(1, at, at + 2 * n * n);
  const call = (t) => ({ m: n, n, k: n, alpha: 1, a: 4 * at, lda: n, ta: 0, b: 4 * (at + n * n), ldb: n, tb: 0, c: 4 * (at + (2 + t) * n * n), ldc: n });
  const best = (calls) => {
    let ms = Infinity;
    for (let r = 0; r < 8; r++) {
      const t0 = performance.now();
      pool.run(calls);
      ms = Math.min(ms, performance.now() - t0);
    }
    return ms;
  };
  const alone = best([call(0)]);
  const together = best(Array.from({ length: pool.threads }, (_, t) => call(t)));
  return (pool.threads * alone) / together;
}
/** The probe, run right after a step of the N-thread engine (whose lease is then the current one). */
const probe = () => (gemmPool() === null ? 'n/a' : coresAvailable().toFixed(2));
const warm = workload === 'W5' ? 1 : 3;
(await runs[1].task.run())();
const coresBefore = probe();
for (let rep = 0; rep < warm + reps; rep++) {
  for (const r of runs) {
    current.get(r.threads).clear();
    const c0 = cpu();
    const t0 = performance.now();
    (await r.task.run())();
    const ms = performance.now() - t0;
    const c1 = cpu();
    if (rep < warm) continue;
    for (let i = 0; i < 4; i++) r.cpu[i] += c1[i] - c0[i];
    r.steps.push(ms);
    for (const [k, v] of current.get(r.threads)) r.kernels.set(k, [...(r.kernels.get(k) ?? []), v]);
  }
}
const coresAfter = probe();
const [a, b] = runs;
console.log(`${workload}: step ${counts[0]}T ${median(a.steps).toFixed(1)} ms, ${counts[1]}T ${median(b.steps).toFixed(1)} ms, ${(median(a.steps) / median(b.steps)).toFixed(2)}x (medians of ${reps}, interleaved)`);
console.log(`  cores the ${counts[1]} threads got (SGEMM probe, ${counts[1]} = all): ${coresBefore} before, ${coresAfter} after; load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
console.log(`  ${counts[0]}T steps: ${a.steps.map((v) => v.toFixed(0)).join(' ')}`);
console.log(`  ${counts[1]}T steps: ${b.steps.map((v) => v.toFixed(0)).join(' ')}`);
for (const r of runs) {
  const [mr, mw, wr, ww] = r.cpu.map((v) => (v / reps).toFixed(1));
  const inAlloc = ((allocMs.get(r.threads) ?? 0) / (warm + reps)).toFixed(1);
  console.log(`  ${r.threads}T per step: main thread ${mr} ms on a CPU, ${mw} ms waiting for one; workers ${wr} ms on a CPU, ${ww} ms waiting for one; ${inAlloc} ms in alloc`);
}
const rows = [...a.kernels.keys()].map((k) => [k, median(a.kernels.get(k)), median(b.kernels.get(k) ?? [0])]).sort((x, y) => y[1] - x[1]);
const steps = warm + reps;
console.log(`  ${`${counts[0]}T ms`.padStart(8)} ${`${counts[1]}T ms`.padStart(8)}  ratio  worker calls/step  ${counts[1]}T in pool${perKernelCpu ? '  main CPU worker CPU' : ''}  kernel`);
for (const [k, t1, t2] of rows) {
  const calls = ((dispatches.get(k) ?? 0) / steps).toFixed(0);
  const inPool = ((pooled.get(k) ?? 0) / steps).toFixed(1);
  const [mc, wc] = (kernelCpu.get(k) ?? [0, 0]).map((v) => (v / steps).toFixed(1).padStart(6));
  const cpuCols = perKernelCpu ? `  ${mc} ${wc}` : '';
  console.log(`  ${t1.toFixed(1).padStart(8)} ${t2.toFixed(1).padStart(8)}  ${(t1 / t2).toFixed(2).padStart(5)}  ${calls.padStart(17)}  ${inPool.padStart(10)}${cpuCols}  ${k}`);
}
console.log(`  ${rows.reduce((s, r) => s + r[1], 0).toFixed(1).padStart(8)} ${rows.reduce((s, r) => s + r[2], 0).toFixed(1).padStart(8)}         sum of kernels`);
for (const r of runs) await r.engine.dispose();
