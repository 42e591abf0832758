import { OptionError, ShapeError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { contributions } from './contributions.js';
import { imresize, type Plane, resampleBoth } from './imresize.js';
import type { Interpolation } from './kernels.js';
import { REFERENCE as ref } from './test-helpers.js';

const plane = (height: number, width: number, channels: number, values: ArrayLike<number>): Plane => ({ height, width, channels, data: Float64Array.from(values) });

describe('imresize against the independent Octave references (fixtures/imresize-reference.json)', () => {
  for (const c of ref.cases) {
    const name = `${c.height}×${c.width}×${c.channels} → ${c.size.join('×')} ${c.method}${c.antialiasing ? '' : ' (no antialiasing)'}${c.crop ? ' crop' : ''}`;
    it(name, () => {
      const image = plane(c.height, c.width, c.channels, c.input);
      const out = c.crop
        ? resampleBoth(image, c.size, c.method, c.antialiasing, [
            { scale: c.crop[0][0], offset: c.crop[0][1] },
            { scale: c.crop[1][0], offset: c.crop[1][1] },
          ], c.boundary)
        : imresize(image, c.size, { method: c.method, antialiasing: c.antialiasing });
      expect([out.height, out.width, out.channels]).toEqual([...c.size, c.channels]);
      expect(out.data.length).toBe(c.output.length);
      out.data.forEach((v, i) => {
        expect(v).toBeCloseTo(c.output[i]!, 9);
      });
    });
  }
});

describe('imresize on hand-computed cases', () => {
  it('doubles [0 4] bilinearly to [0 1 3 4] (u = x/2 + 0.25: samples at −0.25, 0.25, 0.75, 1.25 with the edge mirrored)', () => {
    const out = imresize(plane(1, 2, 1, [0, 4]), [1, 4], { method: 'bilinear' });
    expect(Array.from(out.data)).toEqual([0, 1, 3, 4]);
  });

  it('halves [0 4 8 12] with antialiased bilinear: each output averages with weights 1/8, 3/8, 3/8, 1/8 (edge mirrored)', () => {
    // u = 2x + 0.5 (1-based), taps at distance 0.5 and 1.5 weigh 0.75/2 and 0.25/2.
    const out = imresize(plane(1, 4, 1, [0, 4, 8, 12]), [1, 2], { method: 'bilinear' });
    expect(out.data[0]).toBeCloseTo((1 * 0 + 3 * 0 + 3 * 4 + 1 * 8) / 8, 12);
    expect(out.data[1]).toBeCloseTo((1 * 4 + 3 * 8 + 3 * 12 + 1 * 12) / 8, 12);
  });

  it('keeps an image of the requested size unchanged with every method', () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];
    for (const method of ['nearest', 'box', 'bilinear', 'bicubic', 'lanczos2', 'lanczos3'] as const) {
      const out = imresize(plane(3, 4, 1, values), [3, 4], { method });
      out.data.forEach((v, i) => {
        expect(v).toBeCloseTo(values[i]!, 12);
      });
    }
  });

  it('preserves a constant image (weights sum to 1) and resizes channels independently', () => {
    const rgb = Array.from({ length: 5 * 6 }, () => [10, 20, 30]).flat();
    const out = imresize(plane(5, 6, 3, rgb), [7, 2]);
    for (let i = 0; i < out.data.length; i++) expect(out.data[i]).toBeCloseTo([10, 20, 30][i % 3]!, 12);
  });

  it('nearest picks input samples: 4 → 2 reads samples 2 and 4 (1-based), as MATLAB', () => {
    const out = imresize(plane(4, 1, 1, [10, 20, 30, 40]), [2, 1], { method: 'nearest' });
    expect(Array.from(out.data)).toEqual([20, 40]);
  });

  it('folds taps with the edge repeated (symmetric) or clamped (replicate)', () => {
    const sym = contributions({ inLength: 3, outLength: 1, scale: 1, offset: -2, method: 'nearest', antialiasing: false });
    expect(Array.from(sym.indices)).toEqual([1]);
    const rep = contributions({ inLength: 3, outLength: 1, scale: 1, offset: -2, method: 'nearest', antialiasing: false, boundary: 'replicate' });
    expect(Array.from(rep.indices)).toEqual([0]);
  });

  it('rejects bad sizes, data and methods with errors naming the argument', () => {
    const p = plane(2, 2, 1, [1, 2, 3, 4]);
    expect(() => imresize(p, [0, 2])).toThrow(ShapeError);
    expect(() => imresize(p, [2, 2.5])).toThrow(/size\[1\] must be a positive integer, got 2.5/);
    expect(() => imresize(plane(2, 2, 1, [1, 2, 3]), [1, 1])).toThrow(/must hold height·width·channels = 4 values, got 3/);
    expect(() => imresize(p, [1, 1], { method: 'cubic' as Interpolation })).toThrow(OptionError);
  });
});
