import { BackendError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import type { ReliabilityTarget } from './target.js';

/**
 * A disposed backend refuses work with the same `BackendError` on every
 * backend, and `memory()` then reports nothing (issue 13, item 10). Each test
 * makes a backend of its own, since it disposes it.
 */
export function describeLifecycle(target: ReliabilityTarget): void {
  describe(`lifecycle: ${target.name}`, () => {
    it('a disposed backend throws on every use and reports no memory', async () => {
      const be = await target.create();
      const x = be.tensor([1, -2, 3, -4], [1, 1, 2, 2]);
      const y = be.run('Relu', { x }, { leak: 0 });
      be.dispose();
      const disposed = 'backend expected alive, got one that was disposed';
      expect(() => be.run('Relu', { x }, { leak: 0 })).toThrow(BackendError);
      expect(() => be.run('Relu', { x }, { leak: 0 })).toThrow(`Relu: ${disposed}`);
      expect(() => be.zeros([2])).toThrow(`zeros: ${disposed}`);
      expect(() => be.fill([2], 1)).toThrow(`fill: ${disposed}`);
      expect(() => be.tensor([1], [1])).toThrow(`tensor: ${disposed}`);
      expect(() => x.reshape([4])).toThrow(disposed);
      await expect(be.read(y)).rejects.toThrow(`read: ${disposed}`);
      expect(be.memory()).toEqual({ tensors: 0, bytes: 0 });
      x.dispose();
      y.dispose();
      expect(be.memory()).toEqual({ tensors: 0, bytes: 0 });
      be.dispose();
    });
  });
}
