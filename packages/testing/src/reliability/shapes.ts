import { ShapeError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { lazyBackend, type ReliabilityTarget } from './target.js';

/**
 * Shapes are validated by `@convnet-ts/tensor` for every backend (issue 13,
 * item 2): non-negative integer sizes, reshapes keep the element count, one
 * `-1` is inferred. Nothing is padded, truncated or read from freed memory.
 */
export function describeShapeChecks(target: ReliabilityTarget): void {
  describe(`shapes: ${target.name}`, () => {
    const getBackend = lazyBackend(target);

    it('reshape keeps the element count and infers one -1', async () => {
      const be = await getBackend();
      const before = be.memory().tensors;
      const x = be.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
      expect(() => x.reshape([10])).toThrow(ShapeError);
      expect(() => x.reshape([10])).toThrow('Tensor.reshape: a shape of 6 elements (that of [2, 3]) expected, got [10] (10 elements)');
      expect(() => x.reshape([4])).toThrow(ShapeError);
      expect(() => x.reshape([-1, 4])).toThrow('sizes whose product divides 6');
      expect(() => x.reshape([-1, -1])).toThrow('at most one -1');
      expect(() => x.reshape([-2, 3])).toThrow(ShapeError);
      expect(() => x.reshape([1.5, 4])).toThrow(ShapeError);
      expect(() => x.reshape([Number.NaN])).toThrow(ShapeError);
      expect(() => x.reshape(null as unknown as number[])).toThrow(ShapeError);
      expect(() => be.run('Reshape', { x }, { shape: [10] })).toThrow('Reshape: a shape of 6 elements');
      const y = x.reshape([-1, 2]);
      expect(y.shape).toEqual([3, 2]);
      expect(Array.from(await y.data())).toEqual([1, 2, 3, 4, 5, 6]);
      const z = be.run('Reshape', { x }, { shape: [3, -1] });
      expect(z.shape).toEqual([3, 2]);
      for (const t of [x, y, z]) t.dispose();
      expect(be.memory().tensors).toBe(before);
    });

    it('an empty tensor reshapes only to sizes with a zero, and -1 cannot be inferred from one', async () => {
      const be = await getBackend();
      const e = be.zeros([0, 3]);
      const f = e.reshape([3, 0, 5]);
      expect(f.shape).toEqual([3, 0, 5]);
      expect(() => e.reshape([0, -1])).toThrow(ShapeError);
      expect(() => e.reshape([1])).toThrow(ShapeError);
      e.dispose();
      f.dispose();
    });

    it('tensor, zeros and fill take non-negative integer sizes only', async () => {
      const be = await getBackend();
      const before = be.memory().tensors;
      for (const shape of [[-1, 3], [2, 1.5], [Number.NaN], [Number.POSITIVE_INFINITY]]) {
        expect(() => be.zeros(shape)).toThrow(ShapeError);
        expect(() => be.fill(shape, 1)).toThrow(ShapeError);
        expect(() => be.tensor([1, 2, 3], shape)).toThrow(ShapeError);
      }
      expect(() => be.zeros(null as unknown as number[])).toThrow('zeros: a shape (array of non-negative integers) expected, got null');
      expect(() => be.tensor([1, 2], '2' as unknown as number[])).toThrow("got '2'");
      expect(be.memory().tensors).toBe(before);
    });
  });
}
