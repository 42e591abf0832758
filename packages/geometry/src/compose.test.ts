import { describe, expect, it } from 'vitest';
import { compose } from './compose.js';
import { convtField } from './convt-field.js';
import { identityField, NO_FIELD } from './field.js';
import { filterField } from './filter-field.js';

describe('compose (manual §5.5: α = α_f·α_g, β = α_f(β_g − 1) + β_f, Δ = α_f(Δ_g − 1) + Δ_f)', () => {
  it('takes fields in data-flow order: conv 5×5 then pool 2×2 stride 2', () => {
    expect(compose(filterField({ size: 5 }), filterField({ size: 2, stride: 2 }))).toEqual({
      size: [6, 6],
      stride: [2, 2],
      offset: [3.5, 3.5],
    });
  });

  it('is not commutative: pool then conv sees twice the conv', () => {
    // f = pool (α 2, β 1.5, Δ 2), g = conv 5: Δ = 2·4 + 2 = 10, β = 2·2 + 1.5 = 5.5.
    expect(compose(filterField({ size: 2, stride: 2 }), filterField({ size: 5 }))).toEqual({
      size: [10, 10],
      stride: [2, 2],
      offset: [5.5, 5.5],
    });
  });

  it('treats the two axes separately', () => {
    // h: (3, s1, p1) then (1×… stride 2): Δ = 1·0 + 3 = 3, β = 1·0 + 1 = 1, α = 2.
    // w: (1, s1) then (1, s2): identity then stride 2: Δ 1, β 1, α 2.
    expect(compose(filterField({ size: [3, 1], pad: [1, 0] }), filterField({ size: 1, stride: 2 }))).toEqual({
      size: [3, 1],
      stride: [2, 2],
      offset: [1, 1],
    });
  });

  it('undoes a stride-2 conv with a matching convolution transpose: stride back to 1', () => {
    const rf = compose(filterField({ size: 4, stride: 2, pad: 1 }), convtField({ size: 4, upsample: 2, crop: 1 }));
    // f: α 2, β 1.5, Δ 4; g: α 1/2, β 3/4, Δ 5/2 → α 1, β 2·(−1/4) + 1.5 = 1, Δ 2·(3/2) + 4 = 7.
    expect(rf).toEqual({ size: [7, 7], stride: [1, 1], offset: [1, 1] });
  });

  it('is the identity with no argument and accepts scalars', () => {
    expect(compose()).toEqual(identityField());
    expect(compose({ size: 3, stride: 1, offset: 2 })).toEqual({ size: [3, 3], stride: [1, 1], offset: [2, 2] });
  });

  it('propagates NO_FIELD from any position', () => {
    const conv = filterField({ size: 3 });
    expect(compose(NO_FIELD)).toBe(NO_FIELD);
    expect(compose(conv, NO_FIELD, conv)).toBe(NO_FIELD);
    expect(compose(NO_FIELD, conv)).toBe(NO_FIELD);
  });

  it('checks its arguments', () => {
    expect(() => compose({ size: 3, stride: 0, offset: 1 })).toThrow(
      'compose: field.stride must be a positive number or a pair [h, w] of them, got 0',
    );
  });
});
