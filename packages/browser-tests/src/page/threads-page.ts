/**
 * The browser side of the CPU-threads test (bundled by esbuild, loaded by
 * headless Chromium): reports whether the page is cross-origin isolated and
 * the CPU backend's default thread count; on an isolated page, runs the
 * smoke chain (conv → relu → pool → loss, forward and backward) on one
 * thread and on `PAGE_THREADS` (Web Workers sharing the GEMM's memory, the
 * page's thread spinning while they run) and compares every value exactly.
 * Leaves a `ThreadsReport` in `window.__result`.
 */
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { type ChainValues, chainCase, runChain } from '../smoke-chain.js';
import { PAGE_THREADS, type ThreadsReport } from '../threads-report.js';

/** Where the test reads the report (smoke-page.ts declares `window.__result` as its own report type). */
const page = window as unknown as { __result?: ThreadsReport };

/** Large enough that each of the chain's three GEMMs per image is split over the threads (above PARALLEL_MIN_FLOPS). */
const CASE = chainCase(11, 4, { size: 32, channels: 16, filters: 32 });

async function timedChain(threads: number): Promise<{ values: ChainValues; ms: number; workerCalls: number }> {
  const cpu = createCpuBackend({ threads });
  try {
    await cpu.ready();
    const before = cpu.workerCalls;
    const t0 = performance.now();
    const values = await runChain(cpu, CASE);
    const ms = performance.now() - t0;
    return { values, ms, workerCalls: cpu.workerCalls - before };
  } finally {
    cpu.dispose();
  }
}

async function threadsReport(): Promise<ThreadsReport> {
  const plain = createCpuBackend();
  const defaultThreads = plain.threads;
  plain.dispose();
  let threadsError: string | null = null;
  try {
    createCpuBackend({ threads: PAGE_THREADS }).dispose();
  } catch (err) {
    threadsError = err instanceof Error ? err.message : String(err);
  }
  const base = { ok: true as const, isolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency, defaultThreads, threadsError };
  if (!self.crossOriginIsolated) return { ...base, threaded: null };
  const one = await timedChain(1);
  const many = await timedChain(PAGE_THREADS);
  const fields = Object.keys(one.values) as (keyof ChainValues)[];
  const differing = fields.filter((k) => one.values[k].length !== many.values[k].length || one.values[k].some((v, i) => !Object.is(v, many.values[k][i])));
  const values = fields.reduce((n, k) => n + one.values[k].length, 0);
  return { ...base, threaded: { threads: PAGE_THREADS, workerCalls: many.workerCalls, differing, values, ms: { one: one.ms, threaded: many.ms } } };
}

threadsReport().then(
  (report) => {
    page.__result = report;
  },
  (err: unknown) => {
    page.__result = { ok: false, error: `threads page: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` };
  },
);
