import { Rng } from '@convnet-ts/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { gemm, gemmPortable } from './gemm.js';
import { acquireGemmThreads } from './gemm-threads.js';
import { PARALLEL_MIN_FLOPS, SPLIT_MIN_FLOPS, setSplitMinFlops } from './parallel-sgemm.js';

// Products from SPLIT_MIN_FLOPS to PARALLEL_MIN_FLOPS (LeNet's 500→10 layer: forward, data and filter
// derivative) split over the threads: the bits of one thread, and of the unsplit product, at 1, 2 and 3 threads.
describe('gemm between SPLIT_MIN_FLOPS and PARALLEL_MIN_FLOPS', () => {
  const lease = acquireGemmThreads(3);
  afterAll(() => lease.release());
  const cases: [boolean, boolean, number, number, number][] = [
    [false, false, 100, 10, 500],
    [false, true, 100, 500, 10],
    [true, false, 500, 10, 100],
    [false, false, 70, 61, 63],
  ];
  const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer));

  for (const [transA, transB, m, n, k] of cases) {
    it(`gives one thread's bits for op(A)${transA ? 'ᵀ' : ''}·op(B)${transB ? 'ᵀ' : ''}, ${m} × ${n} × ${k}, beta 0 and 0.5, with NaN, ±∞, ±0 and subnormals`, () => {
      expect(2 * m * n * k).toBeGreaterThanOrEqual(SPLIT_MIN_FLOPS);
      expect(2 * m * n * k).toBeLessThan(PARALLEL_MIN_FLOPS);
      const rng = new Rng(80 + m + n);
      const a = Float32Array.from(rng.randn(m * k));
      const b = Float32Array.from(rng.randn(k * n));
      const c0 = Float32Array.from(rng.randn(m * n));
      a[3] = Number.NaN;
      a[m * k - 2] = Number.POSITIVE_INFINITY;
      b[5] = Number.NEGATIVE_INFINITY;
      b[k * n - 1] = -0;
      a[1003] = 2 ** -140; // at a depth p that meets no ±∞ of B (the module counts it as +0: 0·∞ would be NaN)
      c0[m * n - 3] = Number.NaN; // read at beta 0.5, overwritten at beta 0
      for (const beta of [0, 0.5]) {
        const run = (threads: number, split = true): Float32Array => {
          const use = acquireGemmThreads(threads);
          const was = setSplitMinFlops(split ? undefined : PARALLEL_MIN_FLOPS);
          try {
            const c = c0.slice();
            gemm(transA, transB, m, n, k, 1.5, { data: a, offset: 0, ld: transA ? m : k }, { data: b, offset: 0, ld: transB ? k : n }, beta, { data: c, offset: 0, ld: n });
            return c;
          } finally {
            setSplitMinFlops(was);
            use.release();
          }
        };
        const one = run(1);
        for (const c of [run(2), run(3), run(3, false)]) expect(bits(c)).toEqual(bits(one));
        // And near the reference where finite (NaN and ±∞ where IEEE puts them).
        const ref = c0.slice();
        gemmPortable(transA, transB, m, n, k, 1.5, { data: a, offset: 0, ld: transA ? m : k }, { data: b, offset: 0, ld: transB ? k : n }, beta, { data: ref, offset: 0, ld: n });
        for (let i = 0; i < ref.length; i++) {
          if (Number.isFinite(ref[i]!)) expect(Math.abs(one[i]! - ref[i]!)).toBeLessThan(1e-3 * (1 + Math.abs(ref[i]!)));
          else expect([i, beta, one[i]]).toEqual([i, beta, ref[i]]);
        }
      }
    });
  }
});
