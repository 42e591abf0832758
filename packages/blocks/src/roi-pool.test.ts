import { BackendError, OptionError, ShapeError, ValueError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type RoiPoolOptions, roiPool, roiPoolBackward } from './roi-pool.js';
import { cpu32, cpu64, distinct, expectClose, expectDerivative } from './test-helpers.js';

/** One-channel images with x[n, r, c] = 100·n + 10·r + c (0-based r, c): values name their pixel. */
function named(n: number, h: number, w: number) {
  const v: number[] = [];
  for (let b = 0; b < n; b++) for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) v.push(100 * b + 10 * r + c);
  return cpu64.tensor(v, [n, h, w, 1]);
}

const pool = (x = named(1, 4, 5), rois: number[][] = [[1, 1, 1, 1, 1]], opts: RoiPoolOptions = {}) =>
  Array.from(roiPool(x, rois, opts).dataSync());

describe('roiPool', () => {
  it('uses 1-based (t, u0, v0, u1, v1) with u horizontal: a ROI of one pixel reads that pixel', () => {
    expect(pool(undefined, [[1, 1, 1, 1, 1]])).toEqual([0]);
    expect(pool(undefined, [[1, 4, 2, 4, 2]])).toEqual([13]); // u = 4 → column 3, v = 2 → row 1
    expect(pool(named(2, 3, 3), [[2, 3, 3, 3, 3]])).toEqual([122]);
    const x = cpu64.tensor([1, -1, 2, -2, 3, -3], [1, 1, 3, 2]);
    expect(Array.from(roiPool(x, [[1, 2, 1, 2, 1]], { method: 'avg' }).dataSync())).toEqual([2, -2]);
  });

  it('pools max and avg over tiles with Caffe’s discretisation', () => {
    const x = named(1, 4, 5);
    // Whole image, one tile.
    expect(pool(x, [[1, 1, 1, 5, 4]])).toEqual([34]);
    expect(pool(x, [[1, 1, 1, 5, 4]], { method: 'avg' })).toEqual([17]);
    // 4×4 ROI in 2×2 tiles: block means and maxima; output [K, Sh, Sw, C].
    expect(pool(x, [[1, 2, 1, 5, 4]], { method: 'avg', subdivisions: 2 })).toEqual([6.5, 8.5, 26.5, 28.5]);
    expect(pool(x, [[1, 2, 1, 5, 4]], { subdivisions: [2, 2] })).toEqual([12, 14, 32, 34]);
    // Three rows in two tiles overlap: rows [0, 2) and [1, 3) (bin 1.5: ⌊1.5⌋ = 1, ⌈3⌉ = 3).
    expect(pool(x, [[1, 1, 1, 1, 3]], { method: 'avg', subdivisions: [2, 1] })).toEqual([5, 15]);
    // More tiles than pixels: every tile is the pixel.
    expect(pool(x, [[1, 3, 2, 3, 2]], { subdivisions: [3, 2] })).toEqual([12, 12, 12, 12, 12, 12]);
  });

  it('rounds corners half away from zero, clips tiles to the image and gives empty tiles 0', () => {
    const x = named(1, 4, 5);
    // Rows 3..6 (1-based) of a 4-row map: tile 2 (rows 5..6) is empty.
    expect(pool(x, [[1, 1, 3, 1, 6]], { subdivisions: [2, 1] })).toEqual([30, 0]);
    // u0 = 2.5 rounds to 3 (column 2); v 1.49 rounds to 1.
    expect(pool(x, [[1, 2.5, 1.49, 2.5, 1.49]])).toEqual([2]);
    // u0' = 0.5 − 3 = −2.5 rounds to −3 (C's round): columns −4..1 in 3 tiles of 2, the last one in the image.
    // (Math.round would give −2: columns −3..1 in tiles [−3, −1), [−2, 1), [0, 2) and output [0, 10, 11].)
    const shift: RoiPoolOptions = { transform: [[1, 0, -3], [0, 1, 0]], subdivisions: [1, 3] };
    expect(pool(x, [[1, 0.5, 2, 5, 2]], shift)).toEqual([0, 0, 11]);
  });

  it('maps corners by the transform: scalar, [Tu, Tv] and a 2×3 matrix on (u, v, 1)', () => {
    const x = named(1, 4, 5);
    // Scalar 0.5: u' = 0.5(u − 1) + 1: image (5, 3) → (3, 2) → row 1, column 2.
    expect(pool(x, [[1, 5, 3, 5, 3]], { transform: 0.5 })).toEqual([12]);
    // [Tu, Tv] = [0.5, 1]: (5, 3) → (3, 3) → row 2, column 2; [1, 0.5]: (5, 3) → (5, 2) → row 1, column 4.
    expect(pool(x, [[1, 5, 3, 5, 3]], { transform: [0.5, 1] })).toEqual([22]);
    expect(pool(x, [[1, 5, 3, 5, 3]], { transform: [1, 0.5] })).toEqual([14]);
    // Swap u and v: (u, v) = (2, 4) → (4, 2) → row 1, column 3.
    expect(pool(x, [[1, 2, 4, 2, 4]], { transform: [[0, 1, 0], [1, 0, 0]] })).toEqual([13]);
  });

  it('accepts the ROIs as a tensor, on float32 too', () => {
    const x = named(2, 4, 5);
    const rows = [
      [2, 1, 1, 5, 4],
      [1, 2, 2, 3, 3],
    ];
    const opts: RoiPoolOptions = { method: 'avg', subdivisions: [2, 1] };
    const asTensor = roiPool(x, cpu64.tensor(rows.flat(), [2, 5]), opts);
    expect(asTensor.shape).toEqual([2, 2, 1, 1]);
    expectClose(asTensor.dataSync(), roiPool(x, rows, opts).dataSync(), 0);
    const x32 = cpu32.tensor(x.dataSync(), x.shape);
    expectClose(roiPool(x32, cpu32.tensor(rows.flat(), [2, 5]), opts).dataSync(), asTensor.dataSync(), 1e-6);
  });

  it('has output [K, Sh, Sw, C] and a derivative of the shape of x', () => {
    const x = distinct(cpu64, [2, 6, 7, 3], 1);
    for (const subdivisions of [1, 3, [2, 5], [6, 1]] as const) {
      for (const rois of [[[1, 1, 1, 7, 6]], [[2, 2, 3, 4, 4], [1, 1, 1, 1, 1], [2, 7, 6, 9, 9]]]) {
        const [sh, sw] = typeof subdivisions === 'number' ? [subdivisions, subdivisions] : subdivisions;
        for (const method of ['max', 'avg'] as const) {
          const y = roiPool(x, rois, { method, subdivisions });
          expect(y.shape).toEqual([rois.length, sh, sw, 3]);
          expect(roiPoolBackward(x, rois, y, { method, subdivisions }).shape).toEqual(x.shape);
        }
      }
    }
  });

  it('routes max to the first maximum in column-major scan, avg by the tile’s pixel count', () => {
    // x = [[0, 7], [7, 0]]: scanning columns first meets (row 1, column 0) first.
    const x = cpu64.tensor([0, 7, 7, 0], [1, 2, 2, 1]);
    const dzdy = cpu64.tensor([5], [1, 1, 1, 1]);
    expect(Array.from(roiPoolBackward(x, [[1, 1, 1, 2, 2]], dzdy).dataSync())).toEqual([0, 0, 5, 0]);
    // Rows [0, 2) and [1, 3) of a 3×1 ROI: the middle pixel gets both halves.
    const col = cpu64.tensor([1, 2, 3], [1, 3, 1, 1]);
    const d = roiPoolBackward(col, [[1, 1, 1, 1, 3]], cpu64.tensor([2, 4], [1, 2, 1, 1]), {
      method: 'avg',
      subdivisions: [2, 1],
    });
    expect(Array.from(d.dataSync())).toEqual([1, 3, 2]);
  });

  it('has correct derivatives w.r.t. x for max and avg (float64)', async () => {
    const x = distinct(cpu64, [2, 5, 6, 2], 2);
    const rois = [
      [1, 1, 1, 6, 5],
      [2, 2, 2, 4, 5],
      [2, 5, 4, 8, 7],
      [1, 3.4, 1.6, 3.4, 2.5],
    ];
    for (const method of ['max', 'avg'] as const) {
      for (const subdivisions of [1, [2, 3]] as const) {
        const opts: RoiPoolOptions = { method, subdivisions };
        const [sh, sw] = typeof subdivisions === 'number' ? [1, 1] : subdivisions;
        await expectDerivative(
          `roiPool ${method} dzdx`,
          (xv) => roiPool(xv, rois, opts),
          x,
          (dzdy) => roiPoolBackward(x, rois, dzdy, opts),
          [rois.length, sh, sw, 2],
        );
      }
    }
  });

  it('rejects bad options, ROIs, dzdy and backends', () => {
    const x = named(2, 4, 4);
    const roi = [[1, 1, 1, 2, 2]];
    const err = (f: () => unknown, type: new (...a: never[]) => Error, message: string) => {
      expect(f).toThrow(type);
      expect(f).toThrow(message);
    };
    const bad = (rois: number[][], message: string) => err(() => roiPool(x, rois), ValueError, message);
    err(
      () => roiPool(x, roi, { pad: 1 } as never),
      OptionError,
      "roiPool: unknown option 'pad'; known options are method, subdivisions, transform",
    );
    err(() => roiPool(x, roi, { method: 'sum' as never }), OptionError, "roiPool: method must be one of 'max', 'avg', got 'sum'");
    err(() => roiPool(x, roi, { subdivisions: 0 }), OptionError, 'roiPool: subdivisions must be integers ≥ 1, got 0');
    err(
      () => roiPool(x, roi, { subdivisions: [2] as never }),
      OptionError,
      'roiPool: subdivisions must be one number or [vertical, horizontal], got [2]',
    );
    const transformMessage = 'roiPool: transform must be a finite number, [Tu, Tv] or [[T11, T12, T13], [T21, T22, T23]], got';
    err(() => roiPool(x, roi, { transform: Number.NaN }), OptionError, `${transformMessage} NaN`);
    err(() => roiPool(x, roi, { transform: [1, 2, 3] as never }), OptionError, `${transformMessage} [1, 2, 3]`);
    err(() => roiPool(x, roi, { transform: [[1, 0], [0, 1]] as never }), OptionError, `${transformMessage} [[1, 0], [0, 1]]`);
    err(
      () => roiPool(x, cpu64.zeros([2, 4])),
      ShapeError,
      'roiPool: rois must have shape [K, 5] with K ≥ 1, got [2, 4]',
    );
    err(() => roiPool(x, cpu64.zeros([0, 5])), ShapeError, 'roiPool: rois must have shape [K, 5] with K ≥ 1, got [0, 5]');
    err(
      () => roiPool(x, [[1, 1, 1, 2]]),
      ShapeError,
      'roiPool: rois must be K ≥ 1 rows of 5 numbers (t, u0, v0, u1, v1), got [[1, 1, 1, 2]]',
    );
    err(() => roiPool(x, []), ShapeError, 'roiPool: rois must be K ≥ 1 rows of 5 numbers (t, u0, v0, u1, v1), got []');
    bad([[1, 1, Number.NaN, 2, 2]], 'roiPool: rois[0] must hold finite numbers, got [1, 1, NaN, 2, 2]');
    bad([roi[0]!, [0, 1, 1, 2, 2]], 'roiPool: rois[1] image index must be an integer in 1..2, got 0');
    bad([[3, 1, 1, 2, 2]], 'roiPool: rois[0] image index must be an integer in 1..2, got 3');
    bad([[1.5, 1, 1, 2, 2]], 'roiPool: rois[0] image index must be an integer in 1..2, got 1.5');
    bad([[1, 3, 1, 2, 2]], 'roiPool: rois[0] corners must satisfy u0 ≤ u1 and v0 ≤ v1, got [1, 3, 1, 2, 2]');
    bad(
      [[1, 5, 1, 6, 2]],
      'roiPool: rois[0] must overlap the 4×4 feature map, got [1, 5, 1, 6, 2] (rows 1..2, columns 5..6)',
    );
    bad(
      [[2, -3, 1, 0.4, 1]],
      'roiPool: rois[0] must overlap the 4×4 feature map, got [2, -3, 1, 0.4, 1] (rows 1..1, columns -3..0)',
    );
    // The transform applies before the check: 16 image pixels → 4 feature-map pixels per axis.
    err(
      () => roiPool(x, [[1, 16, 16, 32, 32]], { transform: 0.25 }),
      ValueError,
      'roiPool: rois[0] must overlap the 4×4 feature map, got [1, 16, 16, 32, 32] (rows 5..9, columns 5..9)',
    );
    expect(pool(x, [[1, 13, 13, 16, 16]], { transform: 0.25 })).toEqual([33]);
    // Tensors are checked too (readSync).
    err(
      () => roiPool(x, cpu64.tensor([3, 1, 1, 2, 2], [1, 5])),
      ValueError,
      'roiPool: rois[0] image index must be an integer in 1..2, got 3',
    );
    err(
      () => roiPool(x, cpu32.tensor([1, 1, 1, 2, 2], [1, 5])),
      BackendError,
      'roiPool: rois lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first',
    );
    err(() => roiPool(cpu64.zeros([4, 4, 1]), roi), ShapeError, 'roiPool: x must have 4 dimensions [N, H, W, C], got shape [4, 4, 1]');
    err(
      () => roiPoolBackward(x, roi, cpu64.zeros([1, 2, 2, 1]), { subdivisions: [2, 1] }),
      ShapeError,
      'roiPoolBackward: dzdy must have shape [1, 2, 1, 1] (the output [K, Sh, Sw, C]), got [1, 2, 2, 1]',
    );
  });
});
