import { describe, expect, it } from 'vitest';
import { convtField } from './convt-field.js';
import { filterField } from './filter-field.js';
import { expectFieldClose } from './test-util.js';
import { transpose } from './transpose.js';

describe('convtField (manual §5.3)', () => {
  it('gives α = 1/U, β = (2C⁻ − H′ + 1)/(2U) + 1, Δ = (H′ − 1)/U + 1', () => {
    // U = 2, H′ = 4, C⁻ = 1: α = 1/2, β = (2 − 4 + 1)/4 + 1 = 3/4, Δ = 3/2 + 1 = 5/2.
    expect(convtField({ size: 4, upsample: 2, crop: 1 })).toEqual({
      size: [2.5, 2.5],
      stride: [0.5, 0.5],
      offset: [0.75, 0.75],
    });
  });

  it('uses the top and left crops for the offset', () => {
    // Axis h: U = 1, H′ = 3, C⁻ = 2 → β = (4 − 3 + 1)/2 + 1 = 2. Axis w: U = 4, H′ = 8, C⁻ = 0 → β = −7/8 + 1.
    expect(convtField({ size: [3, 8], upsample: [1, 4], crop: [2, 9, 0, 9] })).toEqual({
      size: [3, 11 / 4],
      stride: [1, 1 / 4],
      offset: [2, 1 / 8],
    });
  });

  it('with U = 1 and no crop is a full convolution: β = 1 − (H′ − 1)/2', () => {
    expect(convtField({ size: 5 })).toEqual({ size: [5, 5], stride: [1, 1], offset: [-1, -1] });
  });

  it('is the transpose of the convolution with stride U and pad C (§5.4, Example 1)', () => {
    for (const size of [1, 2, 3, 4, 7, 16, 64])
      for (const upsample of [1, 2, 3, 8, 32])
        for (const crop of [0, 1, 2, 16]) {
          expectFieldClose(
            transpose(filterField({ size, stride: upsample, pad: crop })),
            convtField({ size, upsample, crop }),
          );
        }
  });

  it.each([
    [{ size: 0 }, 'convtField: size must be a positive integer'],
    [{ size: 3, upsample: 0.5 }, 'convtField: upsample must be a positive integer'],
    [{ size: 3, crop: [1, -1] }, 'convtField: crop must be a non-negative integer'],
    [null, 'convtField: options must be an object, got null'],
  ])('rejects %o', (options, message) => {
    expect(() => convtField(options as never)).toThrow(message);
  });
});
