import { Rng, type Shape, sizeOf } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type ConvSizes, convBackwardFilterWasm, FILTER_BLOCKS, filterBlocks } from './conv-wasm.js';
import { createCpuBackend } from './cpu-backend.js';
import { PARALLEL_MIN_FLOPS } from './parallel-sgemm.js';
import { relativeError } from './test-relative-error.js';

const geometry = { pad: [0, 0, 0, 0], stride: [1, 1], dilate: [1, 1], groups: 1 } as const;

/** The sizes of a pad-0 stride-1 convolution of `[n, h, w, c]` images with `[fh, fw, c, k]` filters. */
function sizes(xShape: Shape, fShape: Shape): ConvSizes {
  const [n, h, w, c] = xShape as [number, number, number, number];
  const [fh, fw, , k] = fShape as [number, number, number, number];
  const [ho, wo] = [h - fh + 1, w - fw + 1];
  const patch = { height: h, width: w, channels: c, filterHeight: fh, filterWidth: fw, outHeight: ho, outWidth: wo };
  return {
    patch: { ...patch, strideY: 1, strideX: 1, padTop: 0, padLeft: 0, dilateY: 1, dilateX: 1 },
    n,
    c,
    k,
    groups: 1,
    cg: c,
    kg: k,
    imageSize: h * w * c,
    pixels: ho * wo,
    rowLength: fh * fw * c,
  };
}

/** Seeded x and dy of the problem. */
function problem(xShape: Shape, fShape: Shape): { x: Float32Array; dy: Float32Array; dyShape: Shape } {
  const p = sizes(xShape, fShape);
  const rng = new Rng(21);
  const x = Float32Array.from(rng.randn(sizeOf(xShape)));
  const dy = Float32Array.from(rng.randn(p.n * p.pixels * p.k));
  return { x, dy, dyShape: [p.n, p.patch.outHeight, p.patch.outWidth, p.k] };
}

/** ConvBackwardFilter of the problem on a backend, and the calls its workers ran. */
function filterDerivative(options: { threads?: number; dtype?: 'float32' | 'float64' }, xShape: Shape, fShape: Shape): { df: Float64Array; workerCalls: number } {
  const cpu = createCpuBackend({ ...options, winograd: false });
  try {
    const { x, dy, dyShape } = problem(xShape, fShape);
    const before = cpu.workerCalls;
    const df = cpu.run('ConvBackwardFilter', { x: cpu.tensor(x, xShape), dy: cpu.tensor(dy, dyShape) }, { ...geometry, fShape });
    return { df: Float64Array.from(df.dataSync()), workerCalls: cpu.workerCalls - before };
  } finally {
    cpu.dispose();
  }
}

/** The first index where `a` and `b` differ (as bit patterns), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('the filter derivative in image blocks (products too small to split)', () => {
  // 6 channels: neither the few-channel direct path (C ≤ 4) nor Winograd (4×4 filters) takes these. 40 images of
  // 28×28 (0.48 MFLOP per image's product), fewer images than blocks, and 1 filter on 100×100 images, whose φ
  // (0.9 M floats each) makes passes of 4 images on 1 and 2 threads and 3 on 3, so blocks of 2 images straddle them.
  const cases: [string, Shape, Shape][] = [
    ['40 images', [40, 28, 28, 6], [4, 4, 6, 4]],
    ['5 images (5 blocks of one)', [5, 28, 28, 6], [4, 4, 6, 4]],
    ['20 images in passes', [20, 100, 100, 6], [4, 4, 6, 1]],
  ];
  for (const [name, xShape, fShape] of cases) {
    it(`gives the same bits on 1, 2 and 3 threads, the workers summing blocks, near float64 (${name})`, () => {
      const p = sizes(xShape, fShape);
      expect(2 * p.rowLength * p.kg * p.pixels).toBeLessThan(PARALLEL_MIN_FLOPS);
      expect(filterBlocks(p)).toBe(Math.min(FILTER_BLOCKS, p.n));
      const one = filterDerivative({ threads: 1 }, xShape, fShape);
      expect(one.workerCalls).toBe(0);
      // What the kernel computed is this path's sum.
      const { x, dy } = problem(xShape, fShape);
      const direct = new Float32Array(p.rowLength * p.k);
      expect(convBackwardFilterWasm(p, x, dy, direct)).toBe(true);
      expect(firstDifference(one.df, direct)).toBe(-1);
      for (const threads of [2, 3]) {
        const many = filterDerivative({ threads }, xShape, fShape);
        expect(many.workerCalls).toBeGreaterThan(0);
        expect(firstDifference(many.df, one.df)).toBe(-1);
      }
      const exact = filterDerivative({ dtype: 'float64' }, xShape, fShape);
      // Sums of n·pixels products of unit normals in float32.
      expect(relativeError(one.df, exact.df)).toBeLessThan(1e-5);
    }, 60_000);
  }

  it('sums in one block where the products are large enough to split (and for one image)', () => {
    expect(filterBlocks(sizes([2, 15, 17, 16], [3, 3, 16, 40]))).toBe(1);
    expect(filterBlocks(sizes([1, 28, 28, 6], [4, 4, 6, 4]))).toBe(1);
  });
});
