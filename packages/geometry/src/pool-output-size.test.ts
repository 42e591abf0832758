import { describe, expect, it } from 'vitest';
import { poolOutputSize } from './pool-output-size.js';

describe('poolOutputSize (eq. 5.3, vl_nnpool)', () => {
  it('uses the filter formula', () => {
    expect(poolOutputSize(24, { size: 2, stride: 2 })).toEqual([12, 12]);
    expect(poolOutputSize(55, { size: 3, stride: 2 })).toEqual([27, 27]);
    expect(poolOutputSize(7, { size: 3, stride: 2, pad: [0, 1] })).toEqual([3, 4]);
  });

  it('requires every side of the padding to be smaller than the window', () => {
    expect(() => poolOutputSize(8, { size: 3, pad: 3 })).toThrow('poolOutputSize: pad 3 (top) must be smaller than size 3');
    expect(() => poolOutputSize(8, { size: [3, 2], pad: [0, 0, 1, 2] })).toThrow(
      'poolOutputSize: pad 2 (right) must be smaller than size 2',
    );
  });

  it('rejects an input smaller than the window', () => {
    expect(() => poolOutputSize(1, { size: 2, stride: 2 })).toThrow(
      'poolOutputSize: vertical input size 1 plus padding 0 + 0 is smaller than the filter extent 2; the output would be empty',
    );
  });
});
