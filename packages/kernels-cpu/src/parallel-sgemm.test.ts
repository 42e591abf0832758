import { Rng } from '@convnet-ts/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { gemm, gemmPortable, type MatrixRef } from './gemm.js';
import { acquireGemmThreads, gemmThreads } from './gemm-threads.js';
import { PARALLEL_MIN_FLOPS, splitSgemm } from './parallel-sgemm.js';
import type { SgemmCall } from './thread-pool.js';

const base: SgemmCall = { m: 0, n: 0, k: 0, alpha: 1, a: 1000, lda: 0, ta: 0, b: 5000, ldb: 0, tb: 0, c: 9000, ldc: 0 };

describe('splitSgemm', () => {
  it('splits rows in multiples of 4 when m ≥ n, with the A and C offsets of each transpose', () => {
    const call = { ...base, m: 37, n: 20, k: 11, lda: 40, ldc: 24 };
    const parts = splitSgemm(call, 2, 4, 8);
    expect(parts.map((p) => p.m)).toEqual([20, 17]);
    expect(parts[1]).toMatchObject({ n: 20, k: 11, a: 1000 + 4 * 20 * 40, c: 9000 + 4 * 20 * 24, b: 5000 });
    expect(splitSgemm({ ...call, ta: 1 }, 2, 4, 8)[1]!.a).toBe(1000 + 4 * 20);
    // Packed A (ta = 2): MR-row panels (4 here) over the whole depth, so row i0 starts at i0·k.
    expect(splitSgemm({ ...call, ta: 2 }, 2, 4, 8)[1]!.a).toBe(1000 + 4 * 20 * 11);
    expect(splitSgemm({ ...call, m: 101 }, 3, 4, 8).map((p) => p.m)).toEqual([36, 36, 29]);
  });

  it('splits columns in multiples of 8 when n > m, with the B and C offsets of each transpose', () => {
    const call = { ...base, m: 9, n: 45, k: 7, ldb: 50, ldc: 48 };
    const parts = splitSgemm(call, 2, 4, 8);
    expect(parts.map((p) => p.n)).toEqual([24, 21]);
    expect(parts[1]).toMatchObject({ m: 9, a: 1000, b: 5000 + 4 * 24, c: 9000 + 4 * 24 });
    expect(splitSgemm({ ...call, tb: 1 }, 2, 4, 8)[1]!.b).toBe(5000 + 4 * 24 * 50);
  });

  it('takes the other dimension, or does not split, when one is too small for every thread', () => {
    expect(splitSgemm({ ...base, m: 64, n: 12 }, 2, 4, 8).map((p) => p.m)).toEqual([32, 32]);
    expect(splitSgemm({ ...base, m: 12, n: 10 }, 2, 4, 8).map((p) => p.n)).toEqual([10]);
    expect(splitSgemm({ ...base, m: 4, n: 64 }, 2, 4, 8).map((p) => p.n)).toEqual([32, 32]);
  });
});

function matrix(rng: Rng, rows: number, ld: number): MatrixRef & { data: Float32Array } {
  return { data: Float32Array.from(rng.randn(rows * ld + 3)), offset: 3, ld };
}

describe('gemm on 2 threads', () => {
  const lease = acquireGemmThreads(2);
  afterAll(() => lease.release());
  // Odd sizes above PARALLEL_MIN_FLOPS: split by rows, by columns, and by rows with n too narrow to split.
  const sizes: [number, number, number][] = [
    [131, 97, 89],
    [37, 301, 101],
    [301, 13, 271],
  ];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`gives the single-threaded result exactly for op(A)${transA ? 'ᵀ' : ''}·op(B)${transB ? 'ᵀ' : ''}`, () => {
        const rng = new Rng(transA ? (transB ? 14 : 13) : transB ? 12 : 11);
        for (const [m, n, k] of sizes) {
          expect(2 * m * n * k).toBeGreaterThanOrEqual(PARALLEL_MIN_FLOPS);
          const A = transA ? matrix(rng, k, m + 2) : matrix(rng, m, k + 1);
          const B = transB ? matrix(rng, n, k + 3) : matrix(rng, k, n + 5);
          const c0 = matrix(rng, m, n + 4);
          const out = (threads: number): Float32Array => {
            const one = acquireGemmThreads(threads);
            const C = { ...c0, data: c0.data.slice() };
            try {
              expect(gemmThreads()).toBe(threads);
              gemm(transA, transB, m, n, k, 0.5, A, B, 0.25, C);
            } finally {
              one.release();
            }
            return C.data;
          };
          const single = out(1);
          expect(out(2)).toEqual(single);
          const ref = { ...c0, data: c0.data.slice() };
          gemmPortable(transA, transB, m, n, k, 0.5, A, B, 0.25, ref);
          let worst = 0;
          for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(single[i]! - ref.data[i]!));
          expect(worst).toBeLessThan(1e-3);
        }
      });
    }
  }
});
