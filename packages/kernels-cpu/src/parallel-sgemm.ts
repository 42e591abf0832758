import { gemmPool, gemmThreads } from './gemm-threads.js';
import type { SgemmCall } from './thread-pool.js';
import { type GemmInstance, scratchOf } from './wasm-instance.js';

/**
 * Below this many flops (2·m·n·k, about a 100³ product) a GEMM runs on one
 * thread: waking a worker and waiting for it costs tens of microseconds,
 * about what a thread would save on a smaller product.
 */
export const PARALLEL_MIN_FLOPS = 2 ** 21;

/**
 * Runs one `sgemm` of gemm.wat on `gemmThreads()` threads: split by
 * `splitSgemm` and run by the worker pool, or on this thread alone when
 * there is no pool or the product is small.
 */
export function sgemmParallel(inst: GemmInstance, call: SgemmCall): void {
  const pool = gemmPool();
  const parts = pool === null || 2 * call.m * call.n * call.k < PARALLEL_MIN_FLOPS ? [call] : splitSgemm(call, gemmThreads(), inst.mr, inst.nr);
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
  const parts = pool === null || 2 * call.m * call.n * call.k < PARALLEL_MIN_FLOPS ? [call] : splitSgemm(call, gemmThreads(), inst.mr, inst.nr);
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

/**
 * Splits `C ← alpha·op(A)·op(B) + C` into at most `threads` products on
 * disjoint blocks of C: by rows (ranges of M, multiples of the micro-kernel's
 * `mr` rows, each thread packing all of op(B)) when m ≥ n, else by columns
 * (ranges of N, multiples of its `nr` columns, each thread packing all of
 * op(A)); the other dimension when the first has too few rows or columns for
 * every thread. The parts' results are those of the whole product: each
 * element of C is the same sum in the same order, whoever computes it.
 */
export function splitSgemm(c: SgemmCall, threads: number, mr: number, nr: number): SgemmCall[] {
  const byRows = c.m >= c.n ? c.m >= 8 * threads : c.n < 16 * threads && c.m >= 8 * threads;
  if (byRows) {
    const step = Math.ceil(c.m / threads / mr) * mr;
    const parts: SgemmCall[] = [];
    for (let i0 = 0; i0 < c.m; i0 += step) {
      const rowOffset = c.ta === 2 ? i0 * c.k : c.ta === 1 ? i0 : i0 * c.lda;
      parts.push({ ...c, m: Math.min(step, c.m - i0), a: c.a + 4 * rowOffset, c: c.c + 4 * i0 * c.ldc });
    }
    return parts;
  }
  if (c.n >= 16 * threads) {
    const step = Math.ceil(c.n / threads / nr) * nr;
    const parts: SgemmCall[] = [];
    for (let j0 = 0; j0 < c.n; j0 += step) {
      const colOffset = c.tb === 1 ? j0 * c.ldb : j0;
      parts.push({ ...c, n: Math.min(step, c.n - j0), b: c.b + 4 * colOffset, c: c.c + 4 * j0 });
    }
    return parts;
  }
  return [c];
}
