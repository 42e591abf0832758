import { describe, expect, it } from 'vitest';
import { BackendError } from './errors.js';
import { checkAllocation, MAX_TENSOR_ELEMENTS } from './values.js';

describe('checkAllocation', () => {
  it('passes sizes up to the limit and names the block, the tensor and the bytes beyond it', () => {
    expect(() => checkAllocation('zeros', 'tensor of shape [4]', 4, 8, 32, 'a limit')).not.toThrow();
    expect(() => checkAllocation('zeros', 'tensor of shape [5]', 5, 8, 32, 'a limit')).toThrow(BackendError);
    expect(() => checkAllocation('conv', 'y [1, 5]', 5, 8, 32, 'the cpu float64 backend\'s largest tensor')).toThrow(
      "conv: y [1, 5] of at most 32 bytes expected (the cpu float64 backend's largest tensor), got 40 bytes (5 elements × 8)",
    );
  });

  it('rejects sizes that are not numbers of elements at all', () => {
    expect(() => checkAllocation('zeros', 't', Number.NaN, 4, 1e9, 'a limit')).toThrow(BackendError);
    expect(() => checkAllocation('zeros', 't', Number.POSITIVE_INFINITY, 4, 1e9, 'a limit')).toThrow(BackendError);
  });

  it('MAX_TENSOR_ELEMENTS is the int32 range', () => {
    expect(MAX_TENSOR_ELEMENTS).toBe(2147483647);
  });
});
