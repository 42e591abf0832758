import { describe, expect, it } from 'vitest';
import { convOutputSize } from './conv-output-size.js';

describe('convOutputSize (eq. 5.3: H″ = ⌊(H − H′ₑ + P⁻ + P⁺)/S⌋ + 1)', () => {
  it('gives the valid part of a convolution', () => {
    expect(convOutputSize(28, { size: 5 })).toEqual([24, 24]);
    expect(convOutputSize([227, 227], { size: 11, stride: 4 })).toEqual([55, 55]);
  });

  it('floors when the stride does not divide the span', () => {
    // (8 − 3 + 0)/2 = 2.5 → 2 + 1.
    expect(convOutputSize(8, { size: 3, stride: 2 })).toEqual([3, 3]);
  });

  it('adds top/bottom padding to the height and left/right padding to the width', () => {
    // h: (10 − 3 + 1 + 2)/1 + 1 = 11; w: (10 − 3 + 0 + 4)/2 + 1 = 6 (5.5 floored).
    expect(convOutputSize(10, { size: 3, stride: [1, 2], pad: [1, 2, 0, 4] })).toEqual([11, 6]);
  });

  it('uses the dilated extent (H′ − 1)·D + 1', () => {
    // extent (3 − 1)·2 + 1 = 5: 7 + 2 + 2 − 5 + 1 = 7.
    expect(convOutputSize(7, { size: 3, dilate: 2, pad: 2 })).toEqual([7, 7]);
  });

  it('allows padding larger than the filter, as vl_nnconv does', () => {
    expect(convOutputSize(1, { size: 1, pad: 2 })).toEqual([5, 5]);
  });

  it('allows a filter exactly as large as the padded input (fully connected)', () => {
    expect(convOutputSize([4, 4], { size: 4 })).toEqual([1, 1]);
  });

  it.each([
    [
      2,
      { size: 3 },
      'convOutputSize: vertical input size 2 plus padding 0 + 0 is smaller than the filter extent 3; the output would be empty',
    ],
    [
      [9, 4],
      { size: 3, dilate: [1, 2] },
      'convOutputSize: horizontal input size 4 plus padding 0 + 0 is smaller than the filter extent 5 (size 3 dilated by 2); the output would be empty',
    ],
    [0, { size: 3 }, 'convOutputSize: inputSize must be a positive integer or a pair [h, w] of them, got 0'],
    [[4.5, 3], { size: 3 }, 'convOutputSize: inputSize must be a positive integer or a pair [h, w] of them, got [4.5, 3]'],
    [8, { size: -3 }, 'convOutputSize: size must be a positive integer or a pair [h, w] of them, got -3'],
    [8, { size: 3, stride: 0 }, 'convOutputSize: stride must be a positive integer or a pair [h, w] of them, got 0'],
  ])('rejects input %o with %o', (input, options, message) => {
    expect(() => convOutputSize(input as never, options as never)).toThrow(message);
  });
});
