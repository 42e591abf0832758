import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { crop, cropBackward } from './crop.js';
import { cpu32, cpu64, expectDerivative, randn } from './test-helpers.js';

const values = (t: Tensor) => Array.from(t.dataSync());

describe('crop', () => {
  // x is 1×4×4×1 holding 0..15 row-major.
  const x = cpu64.tensor(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);

  it('crops [top, bottom, left, right] (hand-computed)', () => {
    const y = crop(x, [1, 0, 2, 1]);
    expect(y.shape).toEqual([1, 3, 1, 1]);
    expect(values(y)).toEqual([6, 10, 14]);
    expect(values(crop(x, 1))).toEqual([5, 6, 9, 10]);
    expect(values(crop(x, [0, 0, 0, 0]))).toEqual(values(x));
  });

  it('crops every image and channel alike', () => {
    const x2 = cpu64.tensor(Array.from({ length: 2 * 3 * 3 * 2 }, (_, i) => i), [2, 3, 3, 2]);
    const y = crop(x2, [1, 1, 0, 2]);
    expect(y.shape).toEqual([2, 1, 1, 2]);
    expect(values(y)).toEqual([6, 7, 24, 25]);
  });

  it('is a view on the CPU: the backing array is shared', () => {
    const y = crop(x, [1, 1, 1, 1]);
    expect(cpu64.ndarray(y).data).toBe(cpu64.ndarray(x).data);
  });

  it('backward places dzdy inside zeros (hand-computed), from x or from its shape', () => {
    const dzdy = cpu64.tensor([1, 2, 3], [1, 3, 1, 1]);
    const expected = new Array(16).fill(0);
    expected[6] = 1;
    expected[10] = 2;
    expected[14] = 3;
    expect(values(cropBackward(x, [1, 0, 2, 1], dzdy))).toEqual(expected);
    expect(values(cropBackward([1, 4, 4, 1], [1, 0, 2, 1], dzdy))).toEqual(expected);
  });

  it('output sizes: [N, H − top − bottom, W − left − right, C] over many crops', () => {
    const xs = cpu32.zeros([2, 7, 6, 3]);
    for (let top = 0; top < 4; top++)
      for (let bottom = 0; bottom < 3; bottom++)
        for (let left = 0; left < 3; left++)
          for (let right = 0; right < 3; right++) {
            const c = [top, bottom, left, right];
            const y = crop(xs, c);
            expect(y.shape).toEqual([2, 7 - top - bottom, 6 - left - right, 3]);
            expect(cropBackward(xs, c, y).shape).toEqual([2, 7, 6, 3]);
          }
  });

  it('passes the float64 derivative check', async () => {
    const xr = randn(cpu64, [2, 5, 4, 3], 3);
    for (const c of [[1, 2, 0, 1], [0, 0, 0, 0], [2, 0, 1, 2]]) {
      const y = crop(xr, c);
      await expectDerivative(`crop ${c} dzdx`, (t) => crop(t, c), xr, (dzdy) => cropBackward(xr, c, dzdy), y.shape);
    }
  });

  it('rejects bad input with clear errors', () => {
    expect(() => crop(x, [2, 2, 0, 0])).toThrow(
      'crop: crop [2, 2, 0, 0] must leave at least one row and one column of x [1, 4, 4, 1], got 0 × 4',
    );
    expect(() => crop(x, [0, 0, 3, 3])).toThrow(
      'crop: crop [0, 0, 3, 3] must leave at least one row and one column of x [1, 4, 4, 1], got 4 × 0',
    );
    expect(() => crop(x, [1, 2])).toThrow('crop: crop must be one number or [top, bottom, left, right], got [1, 2]');
    expect(() => crop(x, [-1, 0, 0, 0])).toThrow('crop: crop must be integers ≥ 0, got [-1, 0, 0, 0]');
    expect(() => crop(x, [0.5, 0, 0, 0])).toThrow('crop: crop must be integers ≥ 0, got [0.5, 0, 0, 0]');
    expect(() => crop(cpu64.zeros([4, 4, 1]), 0)).toThrow('crop: x must have 4 dimensions [N, H, W, C], got shape [4, 4, 1]');
    const dzdy = cpu64.zeros([1, 2, 2, 1]);
    expect(() => cropBackward(x, [1, 1, 1, 0], dzdy)).toThrow(
      'cropBackward: dzdy must have shape [1, 2, 3, 1] (the cropped shape of x), got [1, 2, 2, 1]',
    );
    expect(() => cropBackward([4, 4, 1], 1, dzdy)).toThrow('cropBackward: x must be a tensor or a shape [N, H, W, C], got [4, 4, 1]');
    expect(() => cropBackward([1, 2, 2, 1], 1, dzdy)).toThrow(
      'cropBackward: crop [1, 1, 1, 1] must leave at least one row and one column of x [1, 2, 2, 1], got 0 × 0',
    );
    expect(() => cropBackward(cpu32.zeros([1, 4, 4, 1]), 1, dzdy)).toThrow(
      'cropBackward: x lives on the cpu float32 backend but dzdy lives on the cpu float64 backend; move one of them first',
    );
  });
});
