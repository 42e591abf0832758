import type { FloatArray } from '@convnet-ts/tensor';
import { gemmWasm } from './wasm-gemm.js';

/**
 * One operand of `gemm`: a row-major matrix inside a typed array, starting at
 * `offset`, with `ld` elements between the starts of two consecutive rows
 * (the BLAS leading dimension, row-major). Offsets and leading dimensions let
 * the convolution kernels multiply sub-blocks (one filter group) in place.
 */
export interface MatrixRef {
  data: FloatArray;
  offset: number;
  ld: number;
}

/**
 * General matrix product, row-major, as BLAS `gemm`:
 *
 *     C ← alpha · op(A) · op(B) + beta · C
 *
 * with `op(A)` of size `m × k`, `op(B)` of size `k × n`, `C` of size `m × n`;
 * `op(A) = Aᵀ` when `transA` (then `A` is stored `k × m`), likewise for `B`.
 * `beta = 0` overwrites `C` without reading it (so NaNs already in `C` do not
 * survive), as BLAS does. As in BLAS, `C` must not overlap `A` or `B`, except
 * by being the same array (then it is copied).
 *
 * Float32 operands of at least `WASM_MIN_FLOPS / 2` multiply-adds go to the
 * WebAssembly SIMD kernel (`gemmWasm`, wasm/gemm.wat), which uses operands
 * living in its memory (resident tensors) in place and copies the others;
 * everything else —
 * float64 backends, tiny products where copying into the module's memory
 * costs more than it saves, engines without WebAssembly SIMD — takes the
 * TypeScript path `gemmPortable`, which is also the reference in tests.
 *
 * Special values: NaN and ±∞ propagate as IEEE arithmetic says on both
 * paths. Tiny values: a multiply whose operand or product is subnormal takes
 * a microcode assist on x86, about 100× a normal one, and the softmax
 * derivative of a saturated class is full of them (AlexNet's fc8
 * derivatives ran at 0.4–1 GFLOP/s). So the WebAssembly path scales an
 * operand holding elements below 2^-64 by an exact power of two (alpha by its
 * inverse) where that keeps the sums far from overflow (gemm-scaling.ts):
 * the same bits wherever no product underflows, more precise than IEEE where
 * one does. Subnormal elements of operands not so scaled count as +0
 * (denormals-are-zero, as it packs them): the difference to IEEE is below
 * 2^-126·|b| per product. The TypeScript path keeps IEEE subnormals.
 */
export function gemm(
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
): void {
  if (
    2 * m * n * k >= WASM_MIN_FLOPS &&
    A.data instanceof Float32Array &&
    B.data instanceof Float32Array &&
    C.data instanceof Float32Array &&
    gemmWasm(transA, transB, m, n, k, alpha, A, B, beta, C)
  ) {
    return;
  }
  gemmPortable(transA, transB, m, n, k, alpha, A, B, beta, C);
}

/**
 * Below this many flops (2·m·n·k, a 16³ product) `gemm` stays in TypeScript:
 * copying the operands into the module's memory then costs about as much as
 * the product. A round number, not a tuned break-even.
 */
export const WASM_MIN_FLOPS = 2 * 16 * 16 * 16;

/**
 * `gemm` in plain TypeScript, for any float array. Correct and cache-friendly:
 * the loop orders keep the innermost loop on contiguous rows (i-p-j for
 * `op(A)·B`, dot products of rows for `op(A)·Bᵀ`), unrolled by four, and
 * nothing is allocated.
 */
export function gemmPortable(
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
): void {
  const a = A.data;
  const b = B.data;
  const c = C.data;
  const lda = A.ld;
  const ldb = B.ld;
  const ldc = C.ld;
  const a0 = A.offset;
  const b0 = B.offset;
  const c0 = C.offset;

  // C ← beta·C first; the products below then accumulate.
  for (let i = 0; i < m; i++) {
    const ci = c0 + i * ldc;
    if (beta === 0) c.fill(0, ci, ci + n);
    else if (beta !== 1) for (let j = 0; j < n; j++) c[ci + j]! *= beta;
  }
  if (alpha === 0 || k === 0) return;

  // Every loop below is unrolled by four along one index so that each load or
  // store of C (a float32 round trip on float32 backends) serves four products.
  if (!transB) {
    // C[i, :] += Σ_{q<4} (alpha · op(A)[i, p+q]) · B[p+q, :]: the inner loop runs along rows of B and C.
    // op(A)[i, p] is A[i·lda + p], or A[p·lda + i] when transposed.
    const ai = transA ? 1 : lda;
    const ap = transA ? lda : 1;
    const k4 = k - (k % 4);
    for (let i = 0; i < m; i++) {
      const ci = c0 + i * ldc;
      const aRow = a0 + i * ai;
      for (let p = 0; p < k4; p += 4) {
        const s0 = alpha * a[aRow + p * ap]!;
        const s1 = alpha * a[aRow + (p + 1) * ap]!;
        const s2 = alpha * a[aRow + (p + 2) * ap]!;
        const s3 = alpha * a[aRow + (p + 3) * ap]!;
        const b0p = b0 + p * ldb;
        const b1p = b0p + ldb;
        const b2p = b1p + ldb;
        const b3p = b2p + ldb;
        for (let j = 0; j < n; j++) {
          c[ci + j]! += s0 * b[b0p + j]! + s1 * b[b1p + j]! + s2 * b[b2p + j]! + s3 * b[b3p + j]!;
        }
      }
      for (let p = k4; p < k; p++) {
        const s = alpha * a[aRow + p * ap]!;
        const bp = b0 + p * ldb;
        for (let j = 0; j < n; j++) c[ci + j]! += s * b[bp + j]!;
      }
    }
    return;
  }

  // op(B) = Bᵀ: C[i, j..j+3] += alpha · <op(A)[i, :], B[j..j+3, :]>, four dot products sharing
  // each element of A; B's rows are contiguous, A is read along a row (or down a column if transposed).
  const ai = transA ? 1 : lda;
  const ap = transA ? lda : 1;
  const n4 = n - (n % 4);
  for (let i = 0; i < m; i++) {
    const ci = c0 + i * ldc;
    const aRow = a0 + i * ai;
    for (let j = 0; j < n4; j += 4) {
      const bj0 = b0 + j * ldb;
      const bj1 = bj0 + ldb;
      const bj2 = bj1 + ldb;
      const bj3 = bj2 + ldb;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < k; p++) {
        const av = a[aRow + p * ap]!;
        s0 += av * b[bj0 + p]!;
        s1 += av * b[bj1 + p]!;
        s2 += av * b[bj2 + p]!;
        s3 += av * b[bj3 + p]!;
      }
      c[ci + j]! += alpha * s0;
      c[ci + j + 1]! += alpha * s1;
      c[ci + j + 2]! += alpha * s2;
      c[ci + j + 3]! += alpha * s3;
    }
    for (let j = n4; j < n; j++) {
      const bj = b0 + j * ldb;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aRow + p * ap]! * b[bj + p]!;
      c[ci + j]! += alpha * s;
    }
  }
}
