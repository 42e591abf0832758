import { describe, expect, it } from 'vitest';
import { NO_FIELD } from './field.js';
import { filterField } from './filter-field.js';
import { transpose } from './transpose.js';

describe('transpose (manual §5.4: α̂ = 1/α, β̂ = (1 + α − β)/α, Δ̂ = (Δ + α − 1)/α)', () => {
  it('transposes a stride-2 3×3 convolution with pad 1', () => {
    // α 2, β 1, Δ 3 → α̂ 1/2, β̂ (1 + 2 − 1)/2 = 1, Δ̂ (3 + 1)/2 = 2.
    expect(transpose(filterField({ size: 3, stride: 2, pad: 1 }))).toEqual({
      size: [2, 2],
      stride: [0.5, 0.5],
      offset: [1, 1],
    });
  });

  it('leaves stride-1 fields with their size, mirroring the offset', () => {
    // conv 5, pad 0: β = 3 → β̂ = 1 + 1 − 3 = −1 (a full convolution).
    expect(transpose(filterField({ size: 5 }))).toEqual({ size: [5, 5], stride: [1, 1], offset: [-1, -1] });
  });

  it('keeps NO_FIELD', () => {
    expect(transpose(NO_FIELD)).toBe(NO_FIELD);
  });

  it('checks its argument', () => {
    expect(() => transpose({ size: -1, stride: 1, offset: 1 })).toThrow('transpose: field.size must be a number ≥ 1');
  });
});
