import type { MatrixRef } from './gemm.js';
import { underflowScale } from './gemm-scaling.js';
import { sgemmParallel, sgemmZeroedParallel, ZEROED_TASK_BYTES } from './parallel-sgemm.js';
import { gemmThreads } from './gemm-threads.js';
import { arena, gemmInstance } from './wasm-instance.js';

/** True when the WebAssembly SIMD GEMM can run here. */
export function wasmGemmAvailable(): boolean {
  return gemmInstance() !== null;
}

/**
 * `C ← alpha·op(A)·op(B) + beta·C` on float32 data with the WebAssembly SIMD
 * kernel (same contract as `gemm`). The operands are copied into the module's
 * memory (row by row, with `TypedArray.set`), the kernel packs and multiplies
 * them there, and C is copied back. Where the depth is one KC block and C is
 * large (`gemmChunkRows`: the fully connected layers' filter derivatives,
 * 4096 × 4096 × 32), C goes through the module's memory `rows` rows at a
 * time, so the block stays in cache from its zeroing through the product to
 * its copy back instead of streaming 64 MB through memory three times. With
 * beta 0 the threads zero their own parts of C (`sgemmZeroedParallel`)
 * instead of this thread zeroing it all before the product; every
 * element is the same sum either way, so the bits do not depend on the
 * blocks. Where the smaller operand holds tiny elements, it is scaled by an
 * exact power of two first so that products do not underflow
 * (gemm-scaling.ts). Returns false, doing nothing, where the module cannot
 * run; the caller then takes the TypeScript path.
 */
export function gemmWasm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: MatrixRef,
  B: MatrixRef,
  beta: number,
  C: MatrixRef,
): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const [ar, ac] = transA ? [k, m] : [m, k];
  const [br, bc] = transB ? [n, k] : [k, n];
  const rows = gemmChunkRows(m, n, k, inst.mr, inst.exports.KC.value as number);
  const bytes = (ar * ac + br * bc + rows * n) * 4 + gemmThreads() * ZEROED_TASK_BYTES;
  const aAt = arena(inst, bytes);
  const bAt = aAt + ar * ac * 4;
  const cAt = bAt + br * bc * 4;
  const blocksAt = cAt + rows * n * 4;
  const heap = new Float32Array(inst.memory.buffer);
  copyIn(A, ar, ac, heap, aAt >> 2);
  copyIn(B, br, bc, heap, bAt >> 2);
  const a = { at: aAt >> 2, count: ar * ac };
  const b = { at: bAt >> 2, count: br * bc };
  const factor = underflowScale(inst, heap, a, b, k, alpha);
  const scaledAlpha = alpha / factor;
  const c0 = cAt >> 2;
  for (let i0 = 0; i0 < m; i0 += rows) {
    const mi = Math.min(rows, m - i0);
    const ai = aAt + 4 * (transA ? i0 : i0 * ac);
    const call = { m: mi, n, k, alpha: scaledAlpha, a: ai, lda: ac, ta: transA ? 1 : 0, b: bAt, ldb: bc, tb: transB ? 1 : 0, c: cAt, ldc: n };
    const product = alpha !== 0 && k > 0;
    if (beta === 0 && product) sgemmZeroedParallel(inst, call, blocksAt);
    else if (beta === 0) heap.fill(0, c0, c0 + mi * n);
    else {
      copyIn({ data: C.data, offset: C.offset + i0 * C.ld, ld: C.ld }, mi, n, heap, c0);
      if (beta !== 1) for (let i = c0; i < c0 + mi * n; i++) heap[i]! *= beta;
      if (product) sgemmParallel(inst, call);
    }
    copyOut(heap, c0, mi, n, C, i0);
  }
  return true;
}

/** Above this many elements of C (1 MB), a one-block-deep product goes through the module's memory in blocks of rows. */
export const GEMM_CHUNK_FLOATS = 2 ** 18;

/**
 * The rows of C that `gemmWasm` keeps in the module's memory at once: all m,
 * unless the depth k is at most `kc` (the module's KC, 256: C is touched once, so streaming it
 * is all memory traffic) and C has more than `GEMM_CHUNK_FLOATS` elements;
 * then about `GEMM_CHUNK_FLOATS / n` rows, a multiple of the micro-kernel's
 * `mr`, at least 64 (each block packs all of op(B) again: 64 rows keep that
 * to a few per cent).
 */
export function gemmChunkRows(m: number, n: number, k: number, mr: number, kc: number): number {
  if (k > kc || m * n <= GEMM_CHUNK_FLOATS) return m;
  return Math.min(m, Math.max(64, Math.floor(GEMM_CHUNK_FLOATS / n / mr) * mr));
}

/** Copies `rows` packed rows of `n` floats from `heap` at element `at` into rows `i0…` of C. */
function copyOut(heap: Float32Array, at: number, rows: number, n: number, C: MatrixRef, i0: number): void {
  const c = C.data;
  if (C.ld === n) {
    c.set(heap.subarray(at, at + rows * n), C.offset + i0 * n);
    return;
  }
  for (let i = 0; i < rows; i++) c.set(heap.subarray(at + i * n, at + (i + 1) * n), C.offset + (i0 + i) * C.ld);
}

/** A view of the module's memory with at least `floats` free elements from element `at` on (valid until the next call that may grow it). */
export interface WasmArena {
  heap: Float32Array;
  at: number;
}

/** Reserves `floats` elements of the module's memory for a caller's operands, or null where the module cannot run. */
export function wasmArena(floats: number): WasmArena | null {
  const inst = gemmInstance();
  if (inst === null) return null;
  const at = arena(inst, floats * 4);
  return { heap: new Float32Array(inst.memory.buffer), at: at >> 2 };
}

/**
 * `C ← alpha·op(A)·op(B) + C` on operands already in the module's memory
 * (element offsets into `wasmArena`'s heap, leading dimensions in elements);
 * only call after `wasmArena` returned non-null.
 */
export function sgemmInArena(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  c: number,
  ldc: number,
): void {
  const inst = gemmInstance()!;
  if (m === 0 || n === 0 || k === 0) return;
  sgemmParallel(inst, { m, n, k, alpha, a: a * 4, lda, ta: transA ? 1 : 0, b: b * 4, ldb, tb: transB ? 1 : 0, c: c * 4, ldc });
}

/**
 * `C ← alpha·A·B + C` with A already packed in MR-row panels over the whole
 * depth (`ta = 2` in gemm.wat; see its `im2row_packed`),
 * element offsets into `wasmArena`'s heap; only call after `wasmArena` returned non-null.
 */
export function sgemmPackedA(m: number, n: number, k: number, alpha: number, a: number, b: number, ldb: number, c: number, ldc: number): void {
  const inst = gemmInstance()!;
  if (m === 0 || n === 0 || k === 0) return;
  sgemmParallel(inst, { m, n, k, alpha, a: a * 4, lda: 0, ta: 2, b: b * 4, ldb, tb: 0, c: c * 4, ldc });
}

/** Copies the `rows × cols` matrix `src` into `heap` at element `at`, rows packed. */
function copyIn(src: MatrixRef, rows: number, cols: number, heap: Float32Array, at: number): void {
  if (rows === 0 || cols === 0) return;
  const d = src.data;
  if (src.ld === cols) {
    heap.set(d.subarray(src.offset, src.offset + rows * cols), at);
    return;
  }
  for (let i = 0; i < rows; i++) {
    const s = src.offset + i * src.ld;
    heap.set(d.subarray(s, s + cols), at + i * cols);
  }
}
