import { describe, expect, it } from 'vitest';
import { ShapeError } from './errors.js';
import { checkShape, formatShape, resolveReshape, shapesEqual, sizeOf, stridesOf } from './shape.js';

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

  it('reject what is not an array of sizes', () => {
    expect(() => checkShape('zeros', 'shape', null as unknown as number[])).toThrow('zeros: a shape (array of non-negative integers) expected, got null');
    expect(() => checkShape('fill', 'shape', 3 as unknown as number[])).toThrow('got 3');
  });

  it('resolve reshapes: the element count is kept and one -1 is inferred', () => {
    expect(resolveReshape('r', [2, 3], [3, 2])).toEqual([3, 2]);
    expect(resolveReshape('r', [2, 3], [-1])).toEqual([6]);
    expect(resolveReshape('r', [2, 3, 4], [2, -1, 3])).toEqual([2, 4, 3]);
    expect(resolveReshape('r', [0, 3], [3, 0])).toEqual([3, 0]);
    expect(resolveReshape('r', [], [1, 1])).toEqual([1, 1]);
    expect(() => resolveReshape('r', [2, 3], [10])).toThrow('r: a shape of 6 elements (that of [2, 3]) expected, got [10] (10 elements)');
    expect(() => resolveReshape('r', [2, 3], [-1, 3, -1])).toThrow('r: sizes must be at most one -1, got [-1, 3, -1]');
    expect(() => resolveReshape('r', [2, 3], [-1, 4])).toThrow('r: sizes whose product divides 6 (the elements of [2, 3]) to infer the -1, got [-1, 4]');
    expect(() => resolveReshape('r', [0, 3], [0, -1])).toThrow(ShapeError);
    expect(() => resolveReshape('r', [2, 3], [2, -3])).toThrow('non-negative integers or one -1');
    expect(() => resolveReshape('r', [2, 3], [6.0000001])).toThrow(ShapeError);
  });
});
