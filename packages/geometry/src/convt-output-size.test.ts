import { describe, expect, it } from 'vitest';
import { convtOutputSize } from './convt-output-size.js';

describe('convtOutputSize (§5.3: H″ = U(H − 1) + H′ − C⁻ − C⁺)', () => {
  it('gives the tight output size', () => {
    expect(convtOutputSize(16, { size: 4, upsample: 2, crop: 1 })).toEqual([32, 32]);
    // FCN-32s: 64×64 bilinear filter, upsample 32, crop 16 → 32·(H − 1) + 64 − 32 = 32H.
    expect(convtOutputSize([7, 10], { size: 64, upsample: 32, crop: 16 })).toEqual([224, 320]);
  });

  it('with U = 1 and no crop is a full convolution: H + H′ − 1', () => {
    expect(convtOutputSize(5, { size: 3 })).toEqual([7, 7]);
  });

  it('crops each side from its own axis', () => {
    // h: 2·3 + 4 − 1 − 2 = 7; w: 3·3 + 4 − 0 − 5 = 8.
    expect(convtOutputSize(4, { size: 4, upsample: [2, 3], crop: [1, 2, 0, 5] })).toEqual([7, 8]);
  });

  it.each([
    [
      1,
      { size: 3, crop: [2, 1] },
      'convtOutputSize: vertical crop 2 + 2 must be smaller than the uncropped output size 3 (input 1, upsample 1, size 3); the output would be empty',
    ],
    [0, { size: 3 }, 'convtOutputSize: inputSize must be a positive integer or a pair [h, w] of them, got 0'],
    [4, { size: 3, upsample: 0 }, 'convtOutputSize: upsample must be a positive integer or a pair [h, w] of them, got 0'],
  ])('rejects input %o with %o', (input, options, message) => {
    expect(() => convtOutputSize(input, options as never)).toThrow(message);
  });
});
