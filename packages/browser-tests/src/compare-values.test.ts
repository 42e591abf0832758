import { describe, expect, it } from 'vitest';
import { compareValues, describeFailures } from './compare-values.js';
import type { ChainValues } from './smoke-chain.js';

const want: ChainValues = { y: [1, -4, 2], loss: [3], dzdx: [1e-6, -2e-6], dzdf: [0.5], dzdb: [2] };

describe('compareValues', () => {
  it('measures each field against its own largest magnitude', () => {
    const got: ChainValues = { ...want, y: [1, -4.002, 2], dzdx: [1.1e-6, -2e-6] };
    const errors = compareValues(got, want);
    expect(errors.map((e) => e.field)).toEqual(['y', 'loss', 'dzdx', 'dzdf', 'dzdb']);
    expect(errors[0]?.error).toBeCloseTo(0.002 / 4, 12);
    expect(errors[1]?.error).toBe(0);
    // 1e-7 off on values of size 2e-6: 5%, though tiny in absolute terms.
    expect(errors[2]?.error).toBeCloseTo(0.05, 9);
    expect(describeFailures(errors, 1e-4)).toBe('y 5.00e-4 > 0.0001, dzdx 5.00e-2 > 0.0001');
    expect(describeFailures(errors, 0.1)).toBe('');
  });

  it('treats NaN, a wrong length or an empty field as an infinite error', () => {
    const errors = compareValues({ ...want, y: [1, Number.NaN, 2], loss: [], dzdf: [0.5, 0] }, { ...want, dzdb: [] });
    expect(errors.map((e) => e.error)).toEqual([
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      0,
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
    expect(describeFailures(errors, 1e-4)).toBe('y Infinity > 0.0001, loss Infinity > 0.0001, dzdf Infinity > 0.0001, dzdb Infinity > 0.0001');
  });
});
