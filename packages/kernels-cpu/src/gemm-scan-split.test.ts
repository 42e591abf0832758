import { Rng } from '@convnet-ts/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { SCAN_CHUNK_FLOATS, SPLIT_SCAN_FLOATS, setSplitScan, setUnderflowScaling } from './gemm-scaling.js';
import { acquireGemmThreads } from './gemm-threads.js';
import { gemmWasm } from './wasm-gemm.js';

// The scan for tiny elements split over the threads (gemm-scaling.ts's `splitScan`): the same decisions, so the
// same bits, as the scan on one thread, wherever in the operands (which unit of SCAN_CHUNK_FLOATS) the tiny
// elements are. A row of A (or of the stored Bᵀ) of subnormals makes its row (column) of C 0 unscaled (subnormal
// operands count as 0) and nonzero scaled, so a unit the split scan missed would show.
describe('gemmWasm with the tiny-element scan split over the threads', () => {
  const lease = acquireGemmThreads(3);
  afterAll(() => lease.release());
  const [m, n, k] = [40, 300, 1000];

  /** C = 1.5·A·Bᵀ (A m × k, B stored n × k) on `threads` threads; the scan split or not, the scaling on or off. */
  function product(a: Float32Array, b: Float32Array, threads: number, split = true, scaling = true): Float32Array {
    const use = acquireGemmThreads(threads);
    const wasSplit = setSplitScan(split);
    const wasScaling = setUnderflowScaling(scaling);
    try {
      const c = new Float32Array(m * n);
      expect(gemmWasm(false, true, m, n, k, 1.5, { data: a, offset: 0, ld: k }, { data: b, offset: 0, ld: k }, 0, { data: c, offset: 0, ld: n })).toBe(true);
      return c;
    } finally {
      setUnderflowScaling(wasScaling);
      setSplitScan(wasSplit);
      use.release();
    }
  }

  /** The same bits on 1, 2 and 3 threads, split or not at 3; returns the one-thread result. */
  function sameBits(a: Float32Array, b: Float32Array): Float32Array {
    const one = product(a, b, 1);
    const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer));
    for (const c of [product(a, b, 2), product(a, b, 3), product(a, b, 3, false)]) expect(bits(c)).toEqual(bits(one));
    return one;
  }

  const normal = (seed: number, count: number) => Float32Array.from(new Rng(seed).randn(count), (v) => v * 0.05);
  const subnormalRow = (x: Float32Array, row: number) => {
    for (let p = 0; p < k; p++) x[row * k + p] = (1 + (p % 7)) * 2 ** -140;
  };

  it('is long enough to split, over units that do not divide the operands', () => {
    expect(m * k + n * k).toBeGreaterThanOrEqual(SPLIT_SCAN_FLOATS);
    expect((m * k) % SCAN_CHUNK_FLOATS).not.toBe(0);
    expect((n * k) % SCAN_CHUNK_FLOATS).not.toBe(0);
  });

  // Rows in the first, a middle and the last (partial) unit of A (the smaller operand, scanned first).
  for (const row of [0, 20, m - 1]) {
    it(`finds tiny elements in row ${row} of A`, () => {
      const a = normal(70 + row, m * k);
      subnormalRow(a, row);
      const b = normal(71, n * k);
      const c = sameBits(a, b);
      expect(c.subarray(row * n, (row + 1) * n).some((v) => v !== 0)).toBe(true);
      expect(product(a, b, 3, true, false).subarray(row * n, (row + 1) * n).every((v) => v === 0)).toBe(true);
    });
  }

  // Rows of the stored B (columns of C) in the first, a middle and the last (partial) unit of B, scanned second.
  for (const j of [0, 150, n - 1]) {
    it(`finds tiny elements in row ${j} of the stored B`, () => {
      const a = normal(72, m * k);
      const b = normal(73 + j, n * k);
      subnormalRow(b, j);
      const c = sameBits(a, b);
      const column = (x: Float32Array) => Array.from({ length: m }, (_, i) => x[i * n + j]!);
      expect(column(c).some((v) => v !== 0)).toBe(true);
      expect(column(product(a, b, 3, true, false)).every((v) => v === 0)).toBe(true);
    });
  }

  it('keeps the bits with special values: NaN, ±∞, ±0, subnormals and 2^-64 itself', () => {
    const a = normal(74, m * k);
    const b = normal(75, n * k);
    subnormalRow(a, 7);
    a[9 * k + 3] = Number.NaN; // A not scaled (NaN): row 7 of C then 0, as unscaled
    b[5 * k + 1] = Number.POSITIVE_INFINITY;
    b[6 * k + 2] = Number.NEGATIVE_INFINITY;
    a[11 * k] = -0;
    b[8 * k + 4] = 2 ** -64;
    const c = sameBits(a, b);
    const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer));
    expect(bits(c)).toEqual(bits(product(a, b, 1, true, false)));
    a[9 * k + 3] = 1; // now A is scaled, unless B's ±∞ stops it (the sums' bound): unscaled bits again
    expect(bits(sameBits(a, b))).toEqual(bits(product(a, b, 1, true, false)));
    b[5 * k + 1] = 1;
    b[6 * k + 2] = 1; // finite: A is scaled, row 7 of C nonzero
    expect(sameBits(a, b).subarray(7 * n, 8 * n).some((v) => v !== 0)).toBe(true);
    // Only elements at 2^-64 (not below) and zeros: nothing scaled, in either operand.
    const edge = normal(76, m * k).map((v, i) => (i % 3 === 0 ? 2 ** -64 : i % 3 === 1 ? -0 : v));
    expect(bits(sameBits(edge, b))).toEqual(bits(product(edge, b, 1, true, false)));
  });
});
