import { describe, expect, it } from 'vitest';
import { ArrayBatchSource } from './batch-source.js';
import { cpu32 } from './test-helpers.js';

describe('ArrayBatchSource', () => {
  it('copies only the requested images, in order, with their labels', () => {
    const images = Float32Array.from({ length: 3 * 2 }, (_, i) => i);
    const s = new ArrayBatchSource({ images, imageShape: [1, 2, 1], labels: [7, 8, 9] });
    const b = s.getBatch([2, 0], cpu32);
    expect(b.images.shape).toEqual([2, 1, 2, 1]);
    expect(Array.from(b.images.dataSync())).toEqual([4, 5, 0, 1]);
    expect(Array.from(b.labels as Float64Array)).toEqual([9, 7]);
    expect(() => s.getBatch([3], cpu32)).toThrow('ArrayBatchSource: indices must be integers in 0..2, got 3');
    expect(() => new ArrayBatchSource({ images, imageShape: [2, 2, 1], labels: [1, 2, 3] })).toThrow(
      'ArrayBatchSource: images must hold labels.length (3) images of 2×2×1 = 12 values, got 6',
    );
  });
});
