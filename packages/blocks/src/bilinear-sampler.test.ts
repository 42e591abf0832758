import { BackendError, OptionError, Rng, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { bilinearSampler, bilinearSamplerBackward } from './bilinear-sampler.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';

/** The grid that samples every pixel centre of an H×W image: (y, x) = (−1 + 2i/(H−1), −1 + 2j/(W−1)). */
function identityGrid(no: number, h: number, w: number): number[] {
  const g: number[] = [];
  for (let o = 0; o < no; o++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) g.push(h === 1 ? 0 : -1 + (2 * i) / (h - 1), w === 1 ? 0 : -1 + (2 * j) / (w - 1));
    }
  }
  return g;
}

/** Grid coordinate of the 0-based pixel position p in an axis of `size` pixels. */
const coord = (p: number, size: number) => (2 * p) / (size - 1) - 1;

/**
 * A grid whose sample positions lie in (−1, H) × (−1, W) pixels, with fractional
 * parts in [0.15, 0.85]: away from the kinks at integer positions, and with some
 * taps outside the image.
 */
function smoothGrid(shape: [number, number, number, number], h: number, w: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const values: number[] = [];
  const [no, ho, wo] = shape;
  for (let i = 0; i < no * ho * wo; i++) {
    const py = rng.int(h + 1) - 1 + 0.15 + 0.7 * rng.uniform();
    const px = rng.int(w + 1) - 1 + 0.15 + 0.7 * rng.uniform();
    values.push(coord(py, h), coord(px, w));
  }
  return cpu64.tensor(values, shape);
}

describe('bilinearSampler', () => {
  it('reproduces the image on the identity grid', () => {
    const x = randn(cpu64, [2, 3, 4, 3], 1);
    const grid = cpu64.tensor(identityGrid(2, 3, 4), [2, 3, 4, 2]);
    const y = bilinearSampler(x, grid);
    expect(y.shape).toEqual([2, 3, 4, 3]);
    expectClose(y.dataSync(), x.dataSync(), 1e-12);
  });

  it('averages neighbours half a pixel apart and puts y (vertical) first', () => {
    // x = [[1, 2, 4], [8, 16, 32]] (H = 2, W = 3, one channel).
    const x = cpu64.tensor([1, 2, 4, 8, 16, 32], [1, 2, 3, 1]);
    const samples = [
      [0, 0.5], // row 0, between columns 0 and 1 → 1.5
      [0, 1.5], // row 0, between columns 1 and 2 → 3
      [0.5, 0], // between rows, column 0 → 4.5
      [0.5, 0.5], // centre of the four pixels 1, 2, 8, 16 → 6.75
      [1, 2], // last pixel exactly → 32
      [0.25, 2], // a quarter down column 2 → 0.75·4 + 0.25·32 = 11
    ];
    const grid = cpu64.tensor(
      samples.flatMap(([py, px]) => [coord(py!, 2), coord(px!, 3)]),
      [1, 1, samples.length, 2],
    );
    expectClose(bilinearSampler(x, grid).dataSync(), [1.5, 3, 4.5, 6.75, 32, 11], 1e-12);
  });

  it('gives out-of-image taps zero weight', () => {
    const x = cpu64.tensor([1, 2, 4], [1, 1, 3, 1]);
    // positions 2.5 (half of the last pixel), −0.5 (half of the first), 3.2 and −1 (nothing), 4 (nothing)
    const grid = cpu64.tensor([2.5, -0.5, 3.2, -1, 4].flatMap((px) => [0, coord(px, 3)]), [1, 1, 5, 2]);
    expectClose(bilinearSampler(x, grid).dataSync(), [2, 0.5, 0, 0, 0], 1e-12);
  });

  it('applies transforms 1..No/N to image 1, the next ones to image 2, for every channel', () => {
    const x = cpu64.tensor([...new Array(8).fill(1), ...new Array(8).fill(2)].map((v, i) => v * (1 + (i % 2))), [2, 2, 2, 2]);
    const grid = cpu64.tensor(new Array(6 * 2).fill(0), [6, 1, 1, 2]);
    // Images of 2 channels: image 1 channels (1, 2), image 2 channels (2, 4); the centre averages equal values.
    expectClose(bilinearSampler(x, grid).dataSync(), [1, 2, 1, 2, 1, 2, 2, 4, 2, 4, 2, 4], 1e-12);
  });

  it('works on float32', () => {
    const x = cpu32.tensor([1, 2, 4, 8], [1, 2, 2, 1]);
    const grid = cpu32.tensor([0, 0, -1, 1], [1, 1, 2, 2]);
    expectClose(bilinearSampler(x, grid).dataSync(), [3.75, 2], 1e-6);
  });

  it('has output [No, Ho, Wo, C] and derivatives of the inputs’ shapes', () => {
    for (const [n, h, w, c] of [
      [1, 1, 1, 1],
      [1, 4, 3, 2],
      [2, 5, 1, 3],
      [3, 2, 6, 1],
    ] as const) {
      for (const group of [1, 2, 3]) {
        for (const [ho, wo] of [
          [1, 1],
          [3, 2],
          [7, 5],
        ] as const) {
          const x = randn(cpu64, [n, h, w, c], 3);
          const grid = randn(cpu64, [n * group, ho, wo, 2], 4);
          const y = bilinearSampler(x, grid);
          expect(y.shape).toEqual([n * group, ho, wo, c]);
          const { dzdx, dzdgrid } = bilinearSamplerBackward(x, grid, y);
          expect(dzdx.shape).toEqual(x.shape);
          expect(dzdgrid.shape).toEqual(grid.shape);
        }
      }
    }
  });

  it('computes the grid derivative by hand on one sample', () => {
    // x = [[1, 2], [3, 5]], sample at (py, px) = (0.25, 0.5): y = 0.75·1.5 + 0.25·4 = 2.125.
    // dy/dpy = 4 − 1.5 = 2.5 → dy/dgy = 2.5·(H−1)/2 = 1.25; dy/dpx = 0.75·1 + 0.25·2 = 1.25 → dy/dgx = 0.625;
    // with dzdy = 2 both double, and dzdx = 2 × the tap weights (0.375, 0.375, 0.125, 0.125).
    const x = cpu64.tensor([1, 2, 3, 5], [1, 2, 2, 1]);
    const grid = cpu64.tensor([coord(0.25, 2), coord(0.5, 2)], [1, 1, 1, 2]);
    expectClose(bilinearSampler(x, grid).dataSync(), [2.125], 1e-12);
    const { dzdx, dzdgrid } = bilinearSamplerBackward(x, grid, cpu64.tensor([2], [1, 1, 1, 1]));
    expectClose(dzdgrid.dataSync(), [2.5, 1.25], 1e-12);
    expectClose(dzdx.dataSync(), [0.75, 0.75, 0.25, 0.25], 1e-12);
  });

  it('has correct derivatives w.r.t. x and grid (float64, with taps off the image)', async () => {
    const [h, w] = [4, 5];
    const x = randn(cpu64, [2, h, w, 3], 5);
    const grid = smoothGrid([4, 3, 3, 2], h, w, 6);
    const yShape = [4, 3, 3, 3];
    await expectDerivative(
      'bilinearSampler dzdx',
      (xv) => bilinearSampler(xv, grid),
      x,
      (dzdy) => bilinearSamplerBackward(x, grid, dzdy).dzdx,
      yShape,
    );
    await expectDerivative(
      'bilinearSampler dzdgrid',
      (g) => bilinearSampler(x, g),
      grid,
      (dzdy) => bilinearSamplerBackward(x, grid, dzdy).dzdgrid,
      yShape,
    );
  });

  it('skips the derivatives it is told not to compute', () => {
    const x = randn(cpu64, [1, 3, 3, 2], 7);
    const grid = smoothGrid([1, 2, 2, 2], 3, 3, 8);
    const dzdy = randn(cpu64, [1, 2, 2, 2], 9);
    const both = bilinearSamplerBackward(x, grid, dzdy);
    const onlyX = bilinearSamplerBackward(x, grid, dzdy, { noDerGrid: true });
    const onlyGrid = bilinearSamplerBackward(x, grid, dzdy, { noDerData: true });
    expect(onlyX.dzdgrid).toBeNull();
    expect(onlyGrid.dzdx).toBeNull();
    expectClose(onlyX.dzdx?.dataSync() ?? [], both.dzdx.dataSync(), 0);
    expectClose(onlyGrid.dzdgrid?.dataSync() ?? [], both.dzdgrid.dataSync(), 0);
  });

  it('rejects bad grids, dzdy, backends and options', () => {
    const x = randn(cpu64, [2, 3, 3, 2], 1);
    const grid = cpu64.zeros([4, 2, 2, 2]);
    const err = (f: () => unknown, type: new (...a: never[]) => Error, message: string) => {
      expect(f).toThrow(type);
      expect(f).toThrow(message);
    };
    err(
      () => bilinearSampler(x, cpu64.zeros([4, 2, 2])),
      ShapeError,
      'bilinearSampler: grid must have 4 dimensions [No, Ho, Wo, 2], got shape [4, 2, 2]',
    );
    err(
      () => bilinearSampler(x, cpu64.zeros([2, 2, 2, 3])),
      ShapeError,
      'bilinearSampler: grid must have a last axis of size 2 (y, x), got shape [2, 2, 2, 3]',
    );
    err(
      () => bilinearSampler(x, cpu64.zeros([3, 2, 2, 2])),
      ShapeError,
      'bilinearSampler: grid batch size No must be a multiple of the 2 images of x, got No = 3',
    );
    err(
      () => bilinearSampler(cpu64.zeros([3, 3, 2]), grid),
      ShapeError,
      'bilinearSampler: x must have 4 dimensions [N, H, W, C], got shape [3, 3, 2]',
    );
    err(
      () => bilinearSampler(x, cpu32.zeros([4, 2, 2, 2])),
      BackendError,
      'bilinearSampler: grid lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first',
    );
    err(
      () => bilinearSamplerBackward(x, grid, cpu64.zeros([4, 2, 2, 3])),
      ShapeError,
      'bilinearSamplerBackward: dzdy must have shape [4, 2, 2, 2] (the output [No, Ho, Wo, C]), got [4, 2, 2, 3]',
    );
    err(
      () => bilinearSamplerBackward(x, grid, cpu64.zeros([4, 2, 2, 2]), { noDerX: true } as never),
      OptionError,
      "bilinearSamplerBackward: unknown option 'noDerX'; known options are noDerData, noDerGrid",
    );
    err(
      () => bilinearSamplerBackward(x, grid, cpu64.zeros([4, 2, 2, 2]), { noDerGrid: 1 } as never),
      OptionError,
      'bilinearSamplerBackward: noDerGrid must be true or false, got 1',
    );
    const gone = cpu64.zeros([4, 2, 2, 2]);
    gone.dispose();
    expect(() => bilinearSampler(x, gone)).toThrow('bilinearSampler');
  });
});
