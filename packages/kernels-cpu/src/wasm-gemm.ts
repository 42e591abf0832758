import type { MatrixRef } from './gemm.js';
import { type Operand, scaleOperand, underflowScale } from './gemm-scaling.js';
import { sgemmParallel, sgemmZeroedParallel, ZEROED_TASK_BYTES } from './parallel-sgemm.js';
import { gemmThreads } from './gemm-threads.js';
import { residentOffset } from './module-arrays.js';
import { arena, gemmInstance } from './wasm-instance.js';

/** True when the WebAssembly SIMD GEMM can run here. */
export function wasmGemmAvailable(): boolean {
  return gemmInstance() !== null;
}

/**
 * `C ← alpha·op(A)·op(B) + beta·C` on float32 data with the WebAssembly SIMD
 * kernel (same contract as `gemm`). An operand that lives in the module's
 * memory (a resident tensor's whole array, module-arrays.ts) is used where
 * it is: A and B are read in place, C is zeroed (beta 0), scaled (beta ≠ 0,
 * 1) and accumulated into in place, with their offsets and leading
 * dimensions as given. Other operands are copied into the arena (row by
 * row, with `TypedArray.set`) and C back out; C is copied too where its
 * array is also A's or B's. Where the depth is one KC block and C is large
 * (`gemmChunkRows`: the fully connected layers' filter derivatives, 4096 ×
 * 4096 × 32), C is done `rows` rows at a time (through the arena, or in
 * place), so the block stays in cache from its zeroing through the product
 * (to its copy back) instead of streaming 64 MB through memory three times.
 * With beta 0 the threads zero their own parts of C (`sgemmZeroedParallel`)
 * instead of this thread zeroing it all before the product; every element
 * is the same sum either way, so the bits depend neither on the blocks nor
 * on where the operands live. Where an operand holds tiny elements, it is
 * scaled by an exact power of two first so that products do not underflow
 * (gemm-scaling.ts): in the arena, a resident one copied there first (an
 * input is never written). Returns false, doing nothing, where the module
 * cannot run; the caller then takes the TypeScript path.
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
  const product = alpha !== 0 && k > 0;
  const [ar, ac] = transA ? [k, m] : [m, k];
  const [br, bc] = transB ? [n, k] : [k, n];
  const rows = gemmChunkRows(m, n, k, inst.mr, inst.exports.KC.value as number);
  // Element offsets of the resident operands' arrays (-1: copied; A and B not needed without a product).
  const aRes = product ? residentOffset(inst, A.data) : -1;
  const bRes = product ? residentOffset(inst, B.data) : -1;
  const cRes = C.data === A.data || C.data === B.data ? -1 : residentOffset(inst, C.data);
  // The arena: copies of the operands that are not resident, a block of C's rows, the zeroed-task blocks.
  const aFloats = product && aRes < 0 ? ar * ac : 0;
  const bFloats = product && bRes < 0 ? br * bc : 0;
  const cFloats = cRes < 0 ? rows * n : 0;
  const bytes = (aFloats + bFloats + cFloats) * 4 + gemmThreads() * ZEROED_TASK_BYTES;
  let base = arena(inst, bytes) >> 2;
  let heap = new Float32Array(inst.memory.buffer);
  // sgemm packs op(A) and op(B) from the stored matrices (k × m where transposed), `ld` apart in either orientation.
  const a: Operand = aRes >= 0 ? { at: aRes + A.offset, rows: ar, cols: ac, ld: A.ld } : { at: base, rows: ar, cols: ac, ld: ac };
  const b: Operand = bRes >= 0 ? { at: bRes + B.offset, rows: br, cols: bc, ld: B.ld } : { at: base + aFloats, rows: br, cols: bc, ld: bc };
  if (aFloats > 0) copyIn(A, ar, ac, heap, a.at);
  if (bFloats > 0) copyIn(B, br, bc, heap, b.at);
  let factor = 1;
  const scale = product ? underflowScale(inst, heap, a, b, k, alpha) : null;
  if (scale !== null) {
    const op = scale.operand;
    if ((op === a ? aRes : bRes) >= 0) {
      // A resident input: scale a copy of it, after the arena's other parts (the arena may move: they move along).
      const moved = (arena(inst, bytes + op.rows * op.cols * 4) >> 2) - base;
      base += moved;
      heap = new Float32Array(inst.memory.buffer);
      for (const copied of [aFloats > 0 ? a : null, bFloats > 0 ? b : null]) if (copied !== null) copied.at += moved;
      const at = base + bytes / 4;
      for (let i = 0; i < op.rows; i++) heap.copyWithin(at + i * op.cols, op.at + i * op.ld, op.at + i * op.ld + op.cols);
      op.at = at;
      op.ld = op.cols;
    }
    scaleOperand(heap, op, scale.factor);
    factor = scale.factor;
  }
  const scaledAlpha = alpha / factor;
  const blockAt = base + aFloats + bFloats;
  const blocksAt = 4 * (blockAt + cFloats);
  const ldc = cRes >= 0 ? C.ld : n;
  for (let i0 = 0; i0 < m; i0 += rows) {
    const mi = Math.min(rows, m - i0);
    const c0 = cRes >= 0 ? cRes + C.offset + i0 * C.ld : blockAt;
    const ai = a.at + (transA ? i0 : i0 * a.ld);
    const call = { m: mi, n, k, alpha: scaledAlpha, a: 4 * ai, lda: a.ld, ta: transA ? 1 : 0, b: 4 * b.at, ldb: b.ld, tb: transB ? 1 : 0, c: 4 * c0, ldc };
    if (beta === 0 && product) sgemmZeroedParallel(inst, call, blocksAt);
    else if (beta === 0) forRows(mi, n, ldc, c0, (from, to) => heap.fill(0, from, to));
    else {
      if (cRes < 0) copyIn({ data: C.data, offset: C.offset + i0 * C.ld, ld: C.ld }, mi, n, heap, c0);
      if (beta !== 1) {
        forRows(mi, n, ldc, c0, (from, to) => {
          for (let i = from; i < to; i++) heap[i]! *= beta;
        });
      }
      if (product) sgemmParallel(inst, call);
    }
    if (cRes < 0) copyOut(heap, c0, mi, n, C, i0);
  }
  return true;
}

/** Calls `each(from, to)` for the element ranges of `rows` rows of `n` elements, `ld` apart, from element `at` (one range where they are contiguous). */
function forRows(rows: number, n: number, ld: number, at: number, each: (from: number, to: number) => void): void {
  if (ld === n) {
    each(at, at + rows * n);
    return;
  }
  for (let i = 0; i < rows; i++) each(at + i * ld, at + i * ld + n);
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
