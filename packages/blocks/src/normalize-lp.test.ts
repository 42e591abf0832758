import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type NormalizeLpOptions, normalizeLp, normalizeLpBackward } from './normalize-lp.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';

const values = (t: Tensor) => Array.from(t.dataSync());

describe('normalizeLp', () => {
  it('divides by the L2 norm over channels by default (hand-computed)', () => {
    const x = cpu64.tensor([3, 4, 0, -5], [1, 1, 2, 2]);
    expectClose(values(normalizeLp(x, { epsilon: 0 })), [0.6, 0.8, 0, -1], 1e-14);
    const n1 = Math.sqrt(25.01);
    expectClose(values(normalizeLp(x)), [3 / n1, 4 / n1, 0, -5 / n1], 1e-14);
  });

  it('uses |x|^p for p = 1, 3 and 1.5 (hand-computed)', () => {
    const x = cpu64.tensor([-3, 4], [1, 1, 1, 2]);
    expectClose(values(normalizeLp(x, { p: 1, epsilon: 0 })), [-3 / 7, 4 / 7], 1e-14);
    const n3 = (27 + 64) ** (1 / 3);
    expectClose(values(normalizeLp(x, { p: 3, epsilon: 0 })), [-3 / n3, 4 / n3], 1e-14);
    expectClose(values(normalizeLp(x, { exponent: 3, epsilon: 0 })), [-3 / n3, 4 / n3], 1e-14);
    const n15 = (3 ** 1.5 + 4 ** 1.5 + 0.5) ** (1 / 1.5);
    expectClose(values(normalizeLp(x, { p: 1.5, epsilon: 0.5 })), [-3 / n15, 4 / n15], 1e-14);
  });

  it('sums over the chosen dimensions: spatial, dimensions, axes', () => {
    // x: N=1, H=2, W=1, C=2 holding [[3, 1], [4, 1]] per row.
    const x = cpu64.tensor([3, 1, 4, 1], [1, 2, 1, 2]);
    const r2 = Math.sqrt(2);
    const spatial = [3 / 5, 1 / r2, 4 / 5, 1 / r2];
    expectClose(values(normalizeLp(x, { spatial: true, epsilon: 0 })), spatial, 1e-14);
    expectClose(values(normalizeLp(x, { dimensions: [1, 2], epsilon: 0 })), spatial, 1e-14);
    expectClose(values(normalizeLp(x, { dimensions: [1], epsilon: 0 })), spatial, 1e-14);
    expectClose(values(normalizeLp(x, { axes: [1], epsilon: 0 })), spatial, 1e-14);
    const all = Math.sqrt(27);
    expectClose(values(normalizeLp(x, { dimensions: [1, 2, 3, 4], epsilon: 0 })), [3, 1, 4, 1].map((v) => v / all), 1e-14);
    const m = cpu64.tensor([3, 4, 6, 8], [2, 2]);
    expectClose(values(normalizeLp(m, { axes: [0], epsilon: 0 })), [3 / Math.sqrt(45), 4 / Math.sqrt(80), 6 / Math.sqrt(45), 8 / Math.sqrt(80)], 1e-14);
  });

  it('keeps x’s shape over many option combinations', () => {
    const x = randn(cpu32, [2, 3, 4, 5], 1);
    const optionSets: NormalizeLpOptions[] = [{}, { spatial: true }, { dimensions: [4] }, { dimensions: [1, 3] }, { axes: [0, 1, 2, 3] }];
    for (const o of optionSets) {
      for (const p of [1, 2, 3]) {
        expect(normalizeLp(x, { ...o, p }).shape).toEqual([2, 3, 4, 5]);
        expect(normalizeLpBackward(x, x, { ...o, p }).shape).toEqual([2, 3, 4, 5]);
      }
    }
  });

  it('passes the float64 derivative check', async () => {
    const x = randn(cpu64, [2, 2, 3, 3], 2);
    const optionSets: NormalizeLpOptions[] = [
      {},
      { p: 1 },
      { p: 3, epsilon: 0.1 },
      { p: 1.5 },
      { spatial: true },
      { dimensions: [3, 4], p: 2.5 },
      { axes: [0, 1, 2, 3], epsilon: 0 },
    ];
    for (const o of optionSets) {
      await expectDerivative(`normalizeLp ${JSON.stringify(o)}`, (t) => normalizeLp(t, o), x, (d) => normalizeLpBackward(x, d, o), x.shape);
    }
    const m = randn(cpu64, [3, 4], 3);
    await expectDerivative('normalizeLp rank 2', (t) => normalizeLp(t, { axes: [1] }), m, (d) => normalizeLpBackward(m, d, { axes: [1] }), m.shape);
  });

  it('rejects bad input with clear errors', () => {
    const x = cpu64.zeros([1, 2, 2, 3]);
    expect(() => normalizeLp(x, { p: 0.5 })).toThrow('normalizeLp: p must be ≥ 1, got 0.5');
    expect(() => normalizeLp(x, { p: Number.POSITIVE_INFINITY })).toThrow('normalizeLp: p must be a finite number, got Infinity');
    expect(() => normalizeLp(x, { exponent: 0 })).toThrow('normalizeLp: p must be ≥ 1, got 0');
    expect(() => normalizeLp(x, { p: 2, exponent: 2 })).toThrow('normalizeLp: exponent is an alias of p; give one of them, got both');
    expect(() => normalizeLp(x, { epsilon: -1 })).toThrow('normalizeLp: epsilon must be ≥ 0, got -1');
    expect(() => normalizeLp(x, { spatial: 1 as unknown as boolean })).toThrow('normalizeLp: spatial must be true or false, got 1');
    expect(() => normalizeLp(x, { dimensions: [5] })).toThrow(
      'normalizeLp: dimensions must be a non-empty list of distinct integers, each a dimension 1..4 (H, W, C, N), got [5]',
    );
    expect(() => normalizeLp(x, { dimensions: [] })).toThrow(
      'normalizeLp: dimensions must be a non-empty list of distinct integers, each a dimension 1..4 (H, W, C, N), got []',
    );
    expect(() => normalizeLp(x, { dimensions: [3, 3] })).toThrow(
      'normalizeLp: dimensions must be a non-empty list of distinct integers, each a dimension 1..4 (H, W, C, N), got [3, 3]',
    );
    expect(() => normalizeLp(x, { axes: [4] })).toThrow(
      'normalizeLp: axes must be a non-empty list of distinct integers, each an axis of x (rank 4), got [4]',
    );
    expect(() => normalizeLp(x, { spatial: true, dimensions: [3] })).toThrow(
      'normalizeLp: dimensions, spatial and axes choose the summed axes; give at most one, got dimensions and spatial',
    );
    expect(() => normalizeLp(x, { norms: x } as object)).toThrow(
      "normalizeLp: unknown option 'norms'; known options are p, exponent, epsilon, dimensions, spatial, axes",
    );
    expect(() => normalizeLp(cpu64.zeros([2, 3]))).toThrow('normalizeLp: x must have 4 dimensions [N, H, W, C], got shape [2, 3]');
    expect(() => normalizeLpBackward(x, cpu64.zeros([1, 2, 2, 1]))).toThrow(
      'normalizeLpBackward: dzdy must have shape [1, 2, 2, 3] (the shape of x), got [1, 2, 2, 1]',
    );
    expect(() => normalizeLpBackward(x, cpu32.zeros([1, 2, 2, 3]))).toThrow(
      'normalizeLpBackward: dzdy lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first',
    );
  });
});
