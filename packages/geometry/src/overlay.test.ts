import { describe, expect, it } from 'vitest';
import { compose } from './compose.js';
import { identityField, NO_FIELD } from './field.js';
import { filterField } from './filter-field.js';
import { overlay } from './overlay.js';

describe('overlay (manual §5.6)', () => {
  it('encloses compatible fields: a = min(β − (Δ−1)/2), b = max(β + (Δ−1)/2), β = (a+b)/2, Δ = b − a + 1', () => {
    // [1−1, 1+1] = [0, 2] and [4−0, 4+0] = [4, 4] → a 0, b 4, β 2, Δ 5.
    expect(overlay({ size: 3, stride: 2, offset: 1 }, { size: 1, stride: 2, offset: 4 })).toEqual({
      size: [5, 5],
      stride: [2, 2],
      offset: [2, 2],
    });
  });

  it('joins a residual block: 3×3 conv (pad 1) twice, plus the skip connection', () => {
    const body = compose(filterField({ size: 3, pad: 1 }), filterField({ size: 3, pad: 1 }));
    expect(overlay(body, identityField())).toEqual({ size: [5, 5], stride: [1, 1], offset: [1, 1] });
  });

  it('is the field itself for one argument', () => {
    const f = filterField({ size: [3, 5], stride: 2 });
    expect(overlay(f)).toEqual(f);
  });

  it('gives NO_FIELD, not an error, when strides differ on either axis', () => {
    expect(overlay(filterField({ size: 2, stride: 2 }), identityField())).toBe(NO_FIELD);
    expect(overlay(filterField({ size: 2, stride: [1, 2] }), identityField())).toBe(NO_FIELD);
  });

  it('compares fractional strides with a tolerance', () => {
    const third = { size: 1, stride: 1 / 3, offset: 1 };
    const roundabout = { size: 1, stride: (1 / 9) * 3, offset: 2 };
    expect(overlay(third, roundabout)).not.toBe(NO_FIELD);
  });

  it('gives NO_FIELD when any argument is NO_FIELD', () => {
    expect(overlay(identityField(), NO_FIELD)).toBe(NO_FIELD);
  });

  it('needs at least one field', () => {
    expect(() => overlay()).toThrow('overlay: fields must hold at least one field, got none');
  });
});
