import { BackendError, OptionError, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { affineGrid, affineGridBackward } from './affine-grid.js';
import { bilinearSampler, bilinearSamplerBackward } from './bilinear-sampler.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';

const identity = [1, 0, 0, 0, 1, 0];

/** x[n, i, j, c] ↦ x[n, j, i, c] for a square image. */
function transpose(x: Tensor): number[] {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const v = x.dataSync();
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < w; i++) for (let j = 0; j < h; j++) for (let k = 0; k < c; k++) out.push(v[((b * h + j) * w + i) * c + k]!);
  return out;
}

describe('affineGrid', () => {
  it('computes A · (y_i, x_j, 1) over linspace(−1, 1) with y (vertical) first', () => {
    const theta = cpu64.tensor([1, 2, 3, 4, 5, 6], [1, 2, 3]);
    // (y, x) = (−1, −1), (−1, 1), (1, −1), (1, 1):
    // (1y + 2x + 3, 4y + 5x + 6) = (0, −3), (4, 7), (2, 5), (6, 15).
    const grid = affineGrid(theta, [2, 2]);
    expect(grid.shape).toEqual([1, 2, 2, 2]);
    expectClose(grid.dataSync(), [0, -3, 4, 7, 2, 5, 6, 15], 1e-12);
    // Three columns: x = −1, 0, 1.
    expectClose(affineGrid(cpu64.tensor(identity, [1, 2, 3]), [1, 3]).dataSync(), [0, -1, 0, 0, 0, 1], 1e-12);
  });

  it('feeds bilinearSampler: identity reproduces, a swap transposes, a translation shifts by one pixel', () => {
    const x = randn(cpu64, [2, 4, 4, 3], 1);
    const same = bilinearSampler(x, affineGrid(cpu64.tensor([...identity, ...identity], [2, 2, 3]), [4, 4]));
    expectClose(same.dataSync(), x.dataSync(), 1e-12);

    const swap = [0, 1, 0, 1, 0, 0];
    const swapped = bilinearSampler(x, affineGrid(cpu64.tensor([...swap, ...swap], [2, 2, 3]), 4));
    expectClose(swapped.dataSync(), transpose(x), 1e-12);

    // x' = x + 2/(W − 1): one pixel to the right; the last column falls off the image.
    const v = cpu64.tensor([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    const shift = cpu64.tensor([1, 0, 0, 0, 1, 1], [1, 2, 3]);
    expectClose(bilinearSampler(v, affineGrid(shift, [2, 3])).dataSync(), [2, 3, 0, 5, 6, 0], 1e-12);
  });

  it('puts a single row or column at the centre (0)', () => {
    const theta = cpu64.tensor(identity, [1, 2, 3]);
    expectClose(affineGrid(theta, [1, 1]).dataSync(), [0, 0], 0);
    expectClose(affineGrid(theta, [3, 1]).dataSync(), [-1, 0, 0, 0, 1, 0], 1e-12);
  });

  it('has shape [N, Ho, Wo, 2]; its derivative has the shape of theta', () => {
    for (const n of [1, 3]) {
      for (const size of [1, 4, [2, 5], [7, 1]] as const) {
        const [ho, wo] = typeof size === 'number' ? [size, size] : size;
        const theta = randn(cpu64, [n, 2, 3], 2);
        const grid = affineGrid(theta, size);
        expect(grid.shape).toEqual([n, ho, wo, 2]);
        expect(affineGridBackward(theta, size, grid).shape).toEqual([n, 2, 3]);
      }
    }
  });

  it('works on float32', () => {
    const grid = affineGrid(cpu32.tensor([2, 0, 0.5, 0, -1, 0], [1, 2, 3]), [2, 1]);
    expectClose(grid.dataSync(), [-1.5, 0, 2.5, 0], 1e-6);
  });

  it('has correct derivatives w.r.t. theta, alone and through the sampler (float64)', async () => {
    const theta = randn(cpu64, [3, 2, 3], 3);
    await expectDerivative(
      'affineGrid dtheta',
      (t) => affineGrid(t, [4, 5]),
      theta,
      (dzdy) => affineGridBackward(theta, [4, 5], dzdy),
      [3, 4, 5, 2],
    );
    // Near-identity maps keep the sample points off pixel boundaries.
    const near = cpu64.tensor(
      randn(cpu64, [2, 2, 3], 4, 0.1)
        .dataSync()
        .map((v, i) => v + identity[i % 6]!),
      [2, 2, 3],
    );
    const x = randn(cpu64, [2, 4, 4, 2], 5);
    await expectDerivative(
      'affineGrid + bilinearSampler dtheta',
      (t) => bilinearSampler(x, affineGrid(t, [3, 3])),
      near,
      (dzdy) => affineGridBackward(near, [3, 3], bilinearSamplerBackward(x, affineGrid(near, [3, 3]), dzdy).dzdgrid),
      [2, 3, 3, 2],
    );
  });

  it('rejects bad theta, sizes, dzdgrid and backends', () => {
    const theta = cpu64.zeros([2, 2, 3]);
    const err = (f: () => unknown, type: new (...a: never[]) => Error, message: string) => {
      expect(f).toThrow(type);
      expect(f).toThrow(message);
    };
    err(() => affineGrid(cpu64.zeros([2, 6]), [3, 3]), ShapeError, 'affineGrid: theta must have 3 dimensions [N, 2, 3], got shape [2, 6]');
    err(() => affineGrid(cpu64.zeros([2, 3, 2]), [3, 3]), ShapeError, 'affineGrid: theta must have shape [N, 2, 3], got [2, 3, 2]');
    err(() => affineGrid(theta, 0), OptionError, 'affineGrid: outSize must be integers ≥ 1, got 0');
    err(() => affineGrid(theta, [2.5, 3]), OptionError, 'affineGrid: outSize must be integers ≥ 1, got [2.5, 3]');
    err(
      () => affineGrid(theta, [3] as never),
      OptionError,
      'affineGrid: outSize must be one number or [vertical, horizontal], got [3]',
    );
    err(() => affineGrid(theta, undefined as never), OptionError, 'affineGrid: outSize must be [Ho, Wo], got undefined');
    err(
      () => affineGridBackward(theta, [3, 4], cpu64.zeros([2, 4, 3, 2])),
      ShapeError,
      'affineGridBackward: dzdgrid must have shape [2, 3, 4, 2] (the grid [N, Ho, Wo, 2]), got [2, 4, 3, 2]',
    );
    err(
      () => affineGridBackward(theta, [3, 4], cpu32.zeros([2, 3, 4, 2])),
      BackendError,
      'affineGridBackward: dzdgrid lives on the cpu float32 backend but theta lives on the cpu float64 backend; move one of them first',
    );
  });
});
