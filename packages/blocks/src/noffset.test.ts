import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { noffset, noffsetBackward } from './noffset.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';

const values = (t: Tensor) => Array.from(t.dataSync());

describe('noffset', () => {
  it('subtracts kappa · (Σ_k x_k²)^beta per pixel (hand-computed)', () => {
    const x = cpu64.tensor([3, 4, 0, 1], [1, 1, 2, 2]);
    expectClose(values(noffset(x, [1, 0.5])), [3 - 5, 4 - 5, 0 - 1, 1 - 1], 1e-14);
    expectClose(values(noffset(x, [2, 1])), [3 - 50, 4 - 50, 0 - 2, 1 - 2], 1e-14);
  });

  it('floors the squared norm at 1e-8', () => {
    const x = cpu64.tensor([0, 0, 5e-5, 5e-5], [1, 2, 1, 2]);
    expectClose(values(noffset(x, [1, 0.5])), [-1e-4, -1e-4, 5e-5 - 1e-4, 5e-5 - 1e-4], 1e-12);
  });

  it('backward: dz/dy − 2 kappa beta L^(beta−1) x Σ dz/dy (hand-computed), and dz/dy under the floor', () => {
    const x = cpu64.tensor([3, 4, 5e-5, 5e-5], [1, 1, 2, 2]);
    const dzdy = cpu64.tensor([1, 2, 1, 2], [1, 1, 2, 2]);
    // pixel 0: L = 25, 2·1·0.5·25^(−0.5) = 0.2, Σ dz/dy = 3 → dz/dx = dzdy − 0.6 x.
    expectClose(values(noffsetBackward(x, [1, 0.5], dzdy)), [1 - 1.8, 2 - 2.4, 1, 2], 1e-14);
  });

  it('keeps x’s shape', () => {
    for (const shape of [[1, 1, 1, 1], [2, 3, 4, 5], [3, 1, 2, 7]]) {
      const x = randn(cpu32, shape, 1);
      expect(noffset(x, [1, 0.5]).shape).toEqual(shape);
      expect(noffsetBackward(x, [1, 0.5], x).shape).toEqual(shape);
    }
  });

  it('passes the float64 derivative check, including pixels under the floor', async () => {
    const x = randn(cpu64, [2, 2, 3, 3], 4);
    for (const param of [[1, 0.5], [0.3, 1.5], [2, -0.25]]) {
      await expectDerivative(`noffset ${param}`, (t) => noffset(t, param), x, (d) => noffsetBackward(x, param, d), x.shape);
    }
    const small = cpu64.tensor([3, 4, 5e-5, 5e-5, -1, 2], [1, 1, 3, 2]);
    await expectDerivative('noffset floor', (t) => noffset(t, [1, 0.5]), small, (d) => noffsetBackward(small, [1, 0.5], d), small.shape);
  });

  it('rejects bad input with clear errors', () => {
    const x = cpu64.zeros([1, 2, 2, 3]);
    const bad = 'param must be [kappa, beta], two finite numbers, got';
    expect(() => noffset(x, [1])).toThrow(`noffset: ${bad} [1]`);
    expect(() => noffset(x, [1, 0.5, 2])).toThrow(`noffset: ${bad} [1, 0.5, 2]`);
    expect(() => noffset(x, [1, Number.NaN])).toThrow(`noffset: ${bad} [1, NaN]`);
    expect(() => noffset(x, 1 as unknown as number[])).toThrow(`noffset: ${bad} 1`);
    expect(() => noffset(cpu64.zeros([2, 3]), [1, 0.5])).toThrow('noffset: x must have 4 dimensions [N, H, W, C], got shape [2, 3]');
    expect(() => noffsetBackward(x, [1, 0.5], cpu64.zeros([1, 2, 2, 1]))).toThrow(
      'noffsetBackward: dzdy must have shape [1, 2, 2, 3] (the shape of x), got [1, 2, 2, 1]',
    );
    expect(() => noffsetBackward(x, [1], x)).toThrow(`noffsetBackward: ${bad} [1]`);
    expect(() => noffsetBackward(x, [1, 0.5], cpu32.zeros([1, 2, 2, 3]))).toThrow(
      'noffsetBackward: dzdy lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first',
    );
  });
});
