import { Rng, type Shape, sizeOf } from '@convnet-ts/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { setClaimedTasks } from './conv-tasks.js';
import { createCpuBackend } from './cpu-backend.js';
import { gemm, type MatrixRef } from './gemm.js';
import { acquireGemmThreads, gemmPool } from './gemm-threads.js';
import { PARALLEL_MIN_FLOPS, setSplitShares, splitPoints, splitShares, splitSgemm } from './parallel-sgemm.js';
import type { SgemmCall } from './thread-pool.js';

const base: SgemmCall = { m: 0, n: 0, k: 0, alpha: 1, a: 1000, lda: 0, ta: 0, b: 5000, ldb: 0, tb: 0, c: 9000, ldc: 0 };

afterEach(() => {
  setSplitShares('measured');
});

describe('splitPoints', () => {
  it('cuts at the cumulative shares in whole units, the last part ending at the total', () => {
    expect(splitPoints(100, 2, 4, [0.3, 0.7])).toEqual([
      [0, 32],
      [32, 100],
    ]);
    expect(splitPoints(500, 3, 8, [0.2, 0.3, 0.5])).toEqual([
      [0, 104],
      [104, 248],
      [248, 500],
    ]);
  });

  it('drops parts that round to nothing and gives equal parts without shares (or with the wrong count)', () => {
    expect(splitPoints(16, 2, 8, [0.1, 0.9])).toEqual([[0, 16]]);
    expect(splitPoints(37, 2, 4, null)).toEqual([
      [0, 20],
      [20, 37],
    ]);
    expect(splitPoints(37, 2, 4, [0.5, 0.25, 0.25])).toEqual(splitPoints(37, 2, 4, null));
  });
});

describe('splitSgemm with shares', () => {
  it('sizes row and column parts by the shares, with the offsets of each transpose', () => {
    const rows = splitSgemm({ ...base, m: 100, n: 20, k: 11, lda: 40, ldc: 24 }, 2, 4, 8, [0.25, 0.75]);
    expect(rows.map((p) => p.m)).toEqual([24, 76]);
    expect(rows[1]).toMatchObject({ a: 1000 + 4 * 24 * 40, c: 9000 + 4 * 24 * 24 });
    const cols = splitSgemm({ ...base, m: 9, n: 200, k: 7, ldb: 210, ldc: 208, tb: 1 }, 2, 4, 8, [0.6, 0.4]);
    expect(cols.map((p) => p.n)).toEqual([120, 80]);
    expect(cols[1]).toMatchObject({ b: 5000 + 4 * 120 * 210, c: 9000 + 4 * 120 });
  });
});

function matrix(rng: Rng, rows: number, ld: number): MatrixRef & { data: Float32Array } {
  return { data: Float32Array.from(rng.randn(rows * ld + 3)), offset: 3, ld };
}

describe('gemm on 2 threads with uneven parts', () => {
  it('gives the single-threaded bits whatever the shares, for beta 0 and 1 and every transpose', () => {
    const rng = new Rng(21);
    const [m, n, k] = [101, 203, 97];
    expect(2 * m * n * k).toBeGreaterThanOrEqual(PARALLEL_MIN_FLOPS);
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const A = transA ? matrix(rng, k, m + 2) : matrix(rng, m, k + 1);
        const B = transB ? matrix(rng, n, k + 3) : matrix(rng, k, n + 5);
        const c0 = matrix(rng, m, n + 4);
        for (const beta of [0, 1]) {
          const out = (threads: number, shares: 'equal' | 'measured' | readonly number[]): Float32Array => {
            const lease = acquireGemmThreads(threads);
            setSplitShares(shares);
            const C = { ...c0, data: c0.data.slice() };
            try {
              gemm(transA, transB, m, n, k, 0.5, A, B, beta, C);
            } finally {
              lease.release();
            }
            return C.data;
          };
          const one = out(1, 'equal');
          for (const shares of ['equal', 'measured', [0.1, 0.9], [0.85, 0.15]] as const) {
            expect(out(2, shares), `${transA} ${transB} beta ${beta} ${JSON.stringify(shares)}`).toEqual(one);
          }
        }
      }
    }
  });
});

describe('GemmThreadPool.speedShares', () => {
  it('starts equal, and learns from claimed dispatches that a slowed thread does less', () => {
    const cpu = createCpuBackend({ threads: 2, winograd: false });
    const was = setClaimedTasks(true);
    try {
      const pool = gemmPool()!;
      expect(pool.speedShares).toEqual([0.5, 0.5]);
      // LeNet's conv1 on 64 images, claimed image by image; the worker spins 3 ms before each claim.
      pool.slowClaims(1, 3000);
      const rng = new Rng(5);
      const shape: Shape = [64, 28, 28, 1];
      const x = cpu.tensor(rng.randn(sizeOf(shape)), shape);
      const f = cpu.tensor(rng.randn(25 * 20), [5, 5, 1, 20]);
      for (let i = 0; i < 4; i++) cpu.run('Conv', { x, f, b: null }, { pad: [0, 0, 0, 0], stride: [1, 1], dilate: [1, 1], groups: 1 }).dispose();
      const [here, worker] = pool.speedShares;
      expect(here! + worker!).toBeCloseTo(1, 12);
      expect(here!).toBeGreaterThan(0.55);
      // The split products follow, each estimate raised to at least half an equal share (0.25), then
      // renormalised: the slowed thread's part is at least 0.25 / 1.25 = 0.2.
      const shares = splitShares()!;
      const raised = [here!, worker!].map((v) => Math.max(v, 0.25));
      expect(shares).toEqual(raised.map((v) => v / (raised[0]! + raised[1]!)));
      expect(shares[0]).toBeGreaterThan(0.55);
      expect(shares[1]).toBeGreaterThanOrEqual(0.2);
      setSplitShares('equal');
      expect(splitShares()).toBeNull();
    } finally {
      gemmPool()?.slowClaims();
      setClaimedTasks(was);
      cpu.dispose();
    }
  });
});
