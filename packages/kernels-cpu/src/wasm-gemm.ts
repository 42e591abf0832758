import type { MatrixRef } from './gemm.js';
import { sgemmParallel } from './parallel-sgemm.js';
import { gemmInstance, growTo } from './wasm-instance.js';

/** True when the WebAssembly SIMD GEMM can run here. */
export function wasmGemmAvailable(): boolean {
  return gemmInstance() !== null;
}

/**
 * `C ← alpha·op(A)·op(B) + beta·C` on float32 data with the WebAssembly SIMD
 * kernel (same contract as `gemm`). The operands are copied into the module's
 * memory (row by row, with `TypedArray.set`), the kernel packs and multiplies
 * them there, and C is copied back. Returns false, doing nothing, where the
 * module cannot run; the caller then takes the TypeScript path.
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
  const aAt = inst.heap;
  const bAt = aAt + ar * ac * 4;
  const cAt = bAt + br * bc * 4;
  growTo(inst, cAt + m * n * 4);
  const heap = new Float32Array(inst.memory.buffer);
  copyIn(A, ar, ac, heap, aAt >> 2);
  copyIn(B, br, bc, heap, bAt >> 2);
  const c0 = cAt >> 2;
  if (beta === 0) heap.fill(0, c0, c0 + m * n);
  else {
    copyIn(C, m, n, heap, c0);
    if (beta !== 1) for (let i = c0; i < c0 + m * n; i++) heap[i]! *= beta;
  }
  if (alpha !== 0 && k > 0) {
    sgemmParallel(inst, { m, n, k, alpha, a: aAt, lda: ac, ta: transA ? 1 : 0, b: bAt, ldb: bc, tb: transB ? 1 : 0, c: cAt, ldc: n });
  }
  const c = C.data;
  for (let i = 0; i < m; i++) c.set(heap.subarray(c0 + i * n, c0 + (i + 1) * n), C.offset + i * C.ld);
  return true;
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
  growTo(inst, inst.heap + floats * 4);
  return { heap: new Float32Array(inst.memory.buffer), at: inst.heap >> 2 };
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
