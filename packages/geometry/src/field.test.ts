import { describe, expect, it } from 'vitest';
import { identityField, isReceptiveField, NO_FIELD, receptiveField, toField } from './field.js';

describe('receptiveField', () => {
  it('expands scalars to [h, w] pairs', () => {
    expect(receptiveField({ size: 3, stride: [1, 2], offset: 2 })).toEqual({
      size: [3, 3],
      stride: [1, 2],
      offset: [2, 2],
    });
  });

  it('accepts fractional sizes, strides and offsets (convolution transpose)', () => {
    expect(receptiveField({ size: 1.5, stride: 0.5, offset: -0.25 }).stride).toEqual([0.5, 0.5]);
  });

  it.each([
    [{ size: 0.5, stride: 1, offset: 1 }, 'receptiveField: field.size must be a number ≥ 1 or a pair [h, w] of them, got 0.5'],
    [{ size: 1, stride: -2, offset: 1 }, 'receptiveField: field.stride must be a positive number or a pair [h, w] of them, got -2'],
    [{ size: 1, stride: 1, offset: [1, Number.NaN] }, 'receptiveField: field.offset must be a finite number or a pair [h, w] of them, got [1, NaN]'],
    [{ size: [1, 2, 3], stride: 1, offset: 1 }, 'receptiveField: field.size must be a number ≥ 1 or a pair [h, w] of them, got [1, 2, 3]'],
  ])('rejects %o', (field, message) => {
    expect(() => receptiveField(field as never)).toThrow(message);
  });

  it('rejects something that is not a field', () => {
    expect(() => receptiveField(null as never)).toThrow('receptiveField: field must be { size, stride, offset } or NO_FIELD, got null');
  });
});

describe('NO_FIELD', () => {
  it('is a registered symbol, equal across copies of the package', () => {
    expect(NO_FIELD).toBe(Symbol.for('convnet-ts.geometry.no-field'));
  });

  it('is told apart from real fields', () => {
    expect(isReceptiveField(NO_FIELD)).toBe(false);
    expect(isReceptiveField(identityField())).toBe(true);
    expect(toField(NO_FIELD, 'f')).toBe(NO_FIELD);
  });
});

describe('identityField', () => {
  it('is a 1×1 filter: α = β = Δ = 1 (manual §5.2, ReLU)', () => {
    expect(identityField()).toEqual({ size: [1, 1], stride: [1, 1], offset: [1, 1] });
  });
});
