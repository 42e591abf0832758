import { describe, expect, it } from 'vitest';
import { checkShape, formatShape, shapesEqual, sizeOf, stridesOf } from './shape.js';

describe('shape helpers', () => {
  it('compute sizes, strides and equality', () => {
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([])).toBe(1);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(shapesEqual([1, 2], [1, 2])).toBe(true);
    expect(shapesEqual([1, 2], [2, 1])).toBe(false);
    expect(shapesEqual([1, 2], [1, 2, 1])).toBe(false);
    expect(formatShape([2, 3])).toBe('[2, 3]');
  });

  it('reject negative and fractional sizes', () => {
    expect(() => checkShape('zeros', 'shape', [2, -1])).toThrow('zeros: sizes must be non-negative integers, got [2, -1]');
    expect(() => checkShape('zeros', 'shape', [1.5])).toThrow('got [1.5]');
  });
});
