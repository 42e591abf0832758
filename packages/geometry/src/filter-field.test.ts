import { describe, expect, it } from 'vitest';
import { filterField } from './filter-field.js';

describe('filterField (manual §5.2: α = S, β = (H′ + 1)/2 − P⁻, Δ = H′)', () => {
  it('defaults to stride 1, pad 0, dilate 1', () => {
    expect(filterField({ size: 5 })).toEqual({ size: [5, 5], stride: [1, 1], offset: [3, 3] });
  });

  it('a ReLU is a 1×1 filter with α = β = Δ = 1', () => {
    expect(filterField({ size: 1 })).toEqual({ size: [1, 1], stride: [1, 1], offset: [1, 1] });
  });

  it('moves the offset by the top and left padding only', () => {
    expect(filterField({ size: [3, 5], stride: [2, 1], pad: [1, 7, 2, 9] })).toEqual({
      size: [3, 5],
      stride: [2, 1],
      offset: [1, 1],
    });
  });

  it('reads pad [vertical, horizontal] as [top = bottom, left = right]', () => {
    expect(filterField({ size: 3, pad: [1, 0] }).offset).toEqual([1, 2]);
  });

  it('uses the dilated extent (H′ − 1)·D + 1, as dagnn.Filter does', () => {
    expect(filterField({ size: 3, dilate: [2, 3], pad: 2 })).toEqual({
      size: [5, 7],
      stride: [1, 1],
      offset: [1, 2],
    });
  });

  it('gives a pooling window of even size a half-integer offset', () => {
    expect(filterField({ size: 2, stride: 2 })).toEqual({ size: [2, 2], stride: [2, 2], offset: [1.5, 1.5] });
  });

  it.each([
    [{ size: 0 }, 'filterField: size must be a positive integer or a pair [h, w] of them, got 0'],
    [{ size: 2.5 }, 'filterField: size must be a positive integer or a pair [h, w] of them, got 2.5'],
    [{ size: 3, stride: 0 }, 'filterField: stride must be a positive integer or a pair [h, w] of them, got 0'],
    [{ size: 3, dilate: [1, 0] }, 'filterField: dilate must be a positive integer or a pair [h, w] of them, got [1, 0]'],
    [
      { size: 3, pad: -1 },
      'filterField: pad must be a non-negative integer, [vertical, horizontal] or [top, bottom, left, right] of them, got -1',
    ],
    [
      { size: 3, pad: [1, 2, 3] },
      'filterField: pad must be a non-negative integer, [vertical, horizontal] or [top, bottom, left, right] of them, got [1, 2, 3]',
    ],
    [undefined, 'filterField: options must be an object, got undefined'],
  ])('rejects %o', (options, message) => {
    expect(() => filterField(options as never)).toThrow(message);
  });
});
