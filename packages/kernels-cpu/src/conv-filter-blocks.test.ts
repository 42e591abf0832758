import { Rng, type Shape, sizeOf } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { FILTER_BLOCKS, filterBlocks } from './conv-wasm.js';
import { createCpuBackend } from './cpu-backend.js';
import { PARALLEL_MIN_FLOPS } from './parallel-sgemm.js';
import { relativeError } from './test-relative-error.js';

const geometry = { pad: [0, 0, 0, 0], stride: [1, 1], dilate: [1, 1], groups: 1 } as const;

/** ConvBackwardFilter of one seeded problem (`[n, h, w, c]` images, `[fh, fw, c, k]` filters) on a backend, and the calls its workers ran. */
function filterDerivative(
  options: { threads?: number; dtype?: 'float32' | 'float64' },
  xShape: Shape,
  fShape: Shape,
): { df: Float64Array; workerCalls: number } {
  const cpu = createCpuBackend({ ...options, winograd: false });
  try {
    const rng = new Rng(21);
    const [n, h, w] = xShape as [number, number, number];
    const [fh, fw, , k] = fShape as [number, number, number, number];
    const x = cpu.tensor(rng.randn(sizeOf(xShape)), xShape);
    const dyShape = [n, h - fh + 1, w - fw + 1, k];
    const dy = cpu.tensor(rng.randn(sizeOf(dyShape)), dyShape);
    const before = cpu.workerCalls;
    const df = cpu.run('ConvBackwardFilter', { x, dy }, { ...geometry, fShape });
    return { df: Float64Array.from(df.dataSync()), workerCalls: cpu.workerCalls - before };
  } finally {
    cpu.dispose();
  }
}

/** The sizes `filterBlocks` reads, of a pad-0 stride-1 convolution. */
function sizes(xShape: Shape, fShape: Shape) {
  const [n, h, w, c] = xShape as [number, number, number, number];
  const [fh, fw, , k] = fShape as [number, number, number, number];
  return { n, k, kg: k, rowLength: fh * fw * c, pixels: (h - fh + 1) * (w - fw + 1) };
}

/** The first index where `a` and `b` differ (as bit patterns), or -1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('the filter derivative in image blocks (products too small to split)', () => {
  // [images, filters, whether the batch takes several passes]: LeNet's first layer (5×5×1×20 on 28×28: 0.58 MFLOP
  // per image), fewer images than blocks, and 1 filter on 100×100×4 images, whose φ (0.92 M floats each) makes
  // passes of 4 images on 1 and 2 threads and 3 on 3, so blocks of 2 images straddle the passes.
  const cases: [string, Shape, Shape][] = [
    ['LeNet conv1, 40 images', [40, 28, 28, 1], [5, 5, 1, 20]],
    ['5 images (5 blocks of one)', [5, 28, 28, 1], [5, 5, 1, 20]],
    ['20 images in passes', [20, 100, 100, 4], [5, 5, 4, 1]],
  ];
  for (const [name, xShape, fShape] of cases) {
    it(`gives the same bits on 1, 2 and 3 threads, the workers summing blocks, near float64 (${name})`, () => {
      const p = sizes(xShape, fShape);
      expect(2 * p.rowLength * p.kg * p.pixels).toBeLessThan(PARALLEL_MIN_FLOPS);
      expect(filterBlocks({ ...p, groups: 1, cg: 1 } as never)).toBe(Math.min(FILTER_BLOCKS, p.n));
      const one = filterDerivative({ threads: 1 }, xShape, fShape);
      expect(one.workerCalls).toBe(0);
      for (const threads of [2, 3]) {
        const many = filterDerivative({ threads }, xShape, fShape);
        expect(many.workerCalls).toBeGreaterThan(0);
        expect(firstDifference(many.df, one.df)).toBe(-1);
      }
      const exact = filterDerivative({ dtype: 'float64' }, xShape, fShape);
      // Sums of n·pixels products of unit normals in float32: well within 1e-6 of max |df|.
      expect(relativeError(one.df, exact.df)).toBeLessThan(1e-6);
    }, 60_000);
  }

  it('sums in one block where the products are large enough to split (and for one image)', () => {
    expect(filterBlocks({ ...sizes([2, 15, 17, 16], [3, 3, 16, 40]), groups: 1, cg: 16 } as never)).toBe(1);
    expect(filterBlocks({ ...sizes([1, 28, 28, 1], [5, 5, 1, 20]), groups: 1, cg: 1 } as never)).toBe(1);
  });
});
