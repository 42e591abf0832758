import { gemmPool, gemmThreads } from './gemm-threads.js';
import type { SgemmCall } from './thread-pool.js';
import { type GemmInstance, scratchOf } from './wasm-instance.js';

/**
 * Below this many flops (2·m·n·k, about a 100³ product) a product's sums go
 * in a layout that does not depend on splitting it (conv-wasm.ts's
 * `filterBlocks`: the filter derivative's image blocks). A shape decision:
 * it fixes the bits, so it does not move with `SPLIT_MIN_FLOPS`.
 */
export const PARALLEL_MIN_FLOPS = 2 ** 21;

/**
 * Below this many flops (2·m·n·k, about a 64³ product) a GEMM runs on one
 * thread (`sgemmParallel`, `sgemmZeroedParallel`): a dispatch to the pool's
 * polling workers costs about 1 µs, one to a sleeping worker tens. The
 * split changes no bits. Measured here: LeNet's 500→10 products (1 M
 * flops, 44–47 µs of `sgemm` on one thread) 27–35 µs at 2 threads; in the
 * LeNet step at 2 threads (bench W3) they kept 0.25 ms on the calling
 * thread alone, split 0.10, and the step 0.98× (paired, interleaved, R=80;
 * the threshold was 2^21 while waking a worker took 37 µs).
 */
export const SPLIT_MIN_FLOPS = 2 ** 19;

let splitMinFlops = SPLIT_MIN_FLOPS;

/** Sets the split's threshold (`SPLIT_MIN_FLOPS` without an argument; for benchmarks); returns the previous one. */
export function setSplitMinFlops(flops = SPLIT_MIN_FLOPS): number {
  const was = splitMinFlops;
  splitMinFlops = flops;
  return was;
}

/** `call`'s parts for the pool's threads (`splitSgemm` by `splitShares`), or `call` alone without a pool or below the split's threshold (`SPLIT_MIN_FLOPS`). */
function threadParts(inst: GemmInstance, call: SgemmCall): SgemmCall[] {
  if (gemmPool() === null || 2 * call.m * call.n * call.k < splitMinFlops) return [call];
  return splitSgemm(call, gemmThreads(), inst.mr, inst.nr, splitShares());
}

/**
 * Runs one `sgemm` of gemm.wat on `gemmThreads()` threads: split by
 * `splitSgemm` and run by the worker pool, or on this thread alone when
 * there is no pool or the product is small.
 */
export function sgemmParallel(inst: GemmInstance, call: SgemmCall): void {
  const pool = gemmPool();
  const parts = threadParts(inst, call);
  if (parts.length > 1 && pool !== null) {
    pool.run(parts);
    return;
  }
  const s = scratchOf(inst, 0);
  const c = call;
  inst.exports.sgemm(c.m, c.n, c.k, c.alpha, c.a, c.lda, c.ta, c.b, c.ldb, c.tb, c.c, c.ldc, s.pa, s.pb, s.tile);
}

/** Bytes of one `sgemm_zeroed_task` block (gemm.wat): the call's 15 words, padded. */
export const ZEROED_TASK_BYTES = 64;

/**
 * `C ← alpha·op(A)·op(B)`, C's old values not read (beta 0), on
 * `gemmThreads()` threads: split as `sgemmParallel` splits, each part's
 * block of C zeroed by the thread that then computes it (gemm.wat's
 * `sgemm_zeroed_task`), so the zero-fill is split with the product instead
 * of running on this thread first, and C is in the computing core's cache.
 * The same sums as zeroing all of C and then `sgemmParallel`, so the same
 * bits. `blocks`: a byte address of `gemmThreads() · ZEROED_TASK_BYTES`
 * free bytes of the module's memory.
 */
export function sgemmZeroedParallel(inst: GemmInstance, call: SgemmCall, blocks: number): void {
  const pool = gemmPool();
  const parts = threadParts(inst, call);
  const at = parts.map((c, t) => {
    const block = blocks + t * ZEROED_TASK_BYTES;
    const s = scratchOf(inst, t);
    new Int32Array(inst.memory.buffer, block, 15).set([c.m, c.n, c.k, 0, c.a, c.lda, c.ta, c.b, c.ldb, c.tb, c.c, c.ldc, s.pa, s.pb, s.tile]);
    new Float32Array(inst.memory.buffer, block + 12, 1)[0] = c.alpha;
    return block;
  });
  if (at.length > 1 && pool !== null) pool.runTasks('sgemm_zeroed_task', at);
  else inst.exports.sgemm_zeroed_task(at[0]!);
}

/** How static splits size their parts (`setSplitShares`). */
let splitMode: 'equal' | 'measured' | readonly number[] = 'measured';

/**
 * How `sgemmParallel`, `sgemmZeroedParallel` and the convolutions' split
 * products size each thread's part: `'measured'` (the default) by the
 * pool's measured speeds (`GemmThreadPool.speedShares`), `'equal'` in equal
 * parts, or by the given shares (one per thread, for tests and benchmarks).
 * The bits are the same either way. Returns the previous setting.
 */
export function setSplitShares(mode: 'equal' | 'measured' | readonly number[]): 'equal' | 'measured' | readonly number[] {
  const was = splitMode;
  splitMode = mode;
  return was;
}

/**
 * The shares the split products give their threads (summing to 1), or null
 * for equal parts: under `'measured'` the pool's speed estimates, each at
 * least half an equal share, renormalised.
 */
export function splitShares(): readonly number[] | null {
  const pool = gemmPool();
  if (splitMode === 'equal' || pool === null) return null;
  const raw = splitMode === 'measured' ? pool.speedShares : splitMode;
  const floor = 0.5 / pool.threads;
  let sum = 0;
  for (const v of raw) sum += Math.max(v, floor);
  return raw.map((v) => Math.max(v, floor) / sum);
}

/**
 * Where `shares` (summing to 1) cut `total` rows or columns into parts of
 * whole `unit`s: the cumulative share of each part rounded to a multiple of
 * `unit`, the last part ending at `total`; equal parts of ⌈total/parts/unit⌉
 * units without shares. Returns each part's [start, end), empty parts left out.
 */
export function splitPoints(total: number, parts: number, unit: number, shares: readonly number[] | null): [number, number][] {
  const out: [number, number][] = [];
  if (shares === null || shares.length !== parts) {
    const step = Math.ceil(total / parts / unit) * unit;
    for (let i0 = 0; i0 < total; i0 += step) out.push([i0, Math.min(total, i0 + step)]);
    return out;
  }
  let start = 0;
  let cum = 0;
  for (let t = 0; t < parts; t++) {
    cum += shares[t]!;
    const end = t === parts - 1 ? total : Math.min(total, Math.max(start, Math.round((cum * total) / unit) * unit));
    if (end > start) out.push([start, end]);
    start = end;
  }
  return out;
}

/**
 * Splits `C ← alpha·op(A)·op(B) + C` into at most `threads` products on
 * disjoint blocks of C: by rows (ranges of M, multiples of the micro-kernel's
 * `mr` rows, each thread packing all of op(B)) when m ≥ n, else by columns
 * (ranges of N, multiples of its `nr` columns, each thread packing all of
 * op(A)); the other dimension when the first has too few rows or columns for
 * every thread. Part t (for thread t) is sized by `shares[t]` where given
 * (`splitShares`), else the parts are equal. The parts' results are those
 * of the whole product: each element of C is the same sum in the same
 * order, whoever computes it.
 */
export function splitSgemm(c: SgemmCall, threads: number, mr: number, nr: number, shares: readonly number[] | null = null): SgemmCall[] {
  const byRows = c.m >= c.n ? c.m >= 8 * threads : c.n < 16 * threads && c.m >= 8 * threads;
  if (byRows) {
    return splitPoints(c.m, threads, mr, shares).map(([i0, i1]) => {
      const rowOffset = c.ta === 2 ? i0 * c.k : c.ta === 1 ? i0 : i0 * c.lda;
      return { ...c, m: i1 - i0, a: c.a + 4 * rowOffset, c: c.c + 4 * i0 * c.ldc };
    });
  }
  if (c.n >= 16 * threads) {
    return splitPoints(c.n, threads, nr, shares).map(([j0, j1]) => {
      const colOffset = c.tb === 1 ? j0 * c.ldb : j0;
      return { ...c, n: j1 - j0, b: c.b + 4 * colOffset, c: c.c + 4 * j0 };
    });
  }
  return [c];
}
