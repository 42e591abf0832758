import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { sum, sumBackward } from './sum.js';
import { cpu32, cpu64, expectDerivative, randn } from './test-helpers.js';

const values = (t: Tensor) => Array.from(t.dataSync());

describe('sum', () => {
  it('adds its inputs element-wise (hand-computed)', () => {
    const a = cpu64.tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const b = cpu64.tensor([10, 20, 30, 40], [1, 1, 2, 2]);
    const c = cpu64.tensor([-1, -1, -1, -1], [1, 1, 2, 2]);
    expect(values(sum([a, b]))).toEqual([11, 22, 33, 44]);
    expect(values(sum([a, b, c]))).toEqual([10, 21, 32, 43]);
    const single = sum([a]);
    expect(single).not.toBe(a);
    expect(values(single)).toEqual([1, 2, 3, 4]);
  });

  it('keeps the inputs’ shape, for any rank and number of inputs', () => {
    for (const shape of [[3], [2, 5], [2, 3, 4, 5], [1, 1, 1, 1]]) {
      for (const m of [1, 2, 3, 5]) {
        const xs = Array.from({ length: m }, (_, i) => randn(cpu32, shape, i));
        expect(sum(xs).shape).toEqual(shape);
        const ds = sumBackward(xs, cpu32.zeros(shape));
        expect(ds.length).toBe(m);
        for (const d of ds) expect(d.shape).toEqual(shape);
      }
    }
  });

  it('backward hands dzdy to every input, each as its own tensor', () => {
    const dzdy = cpu64.tensor([1, 2, 3], [3]);
    const ds = sumBackward(3, dzdy);
    expect(ds.map(values)).toEqual([[1, 2, 3], [1, 2, 3], [1, 2, 3]]);
    ds[0]!.dispose();
    expect(values(ds[1]!)).toEqual([1, 2, 3]);
    expect(values(dzdy)).toEqual([1, 2, 3]);
  });

  it('passes the float64 derivative check for every input', async () => {
    const xs = [0, 1, 2].map((i) => randn(cpu64, [2, 3, 2, 2], 20 + i));
    for (let i = 0; i < xs.length; i++) {
      const f = (t: Tensor) => sum(xs.map((x, j) => (j === i ? t : x)));
      await expectDerivative(`sum dzdx${i}`, f, xs[i]!, (dzdy) => sumBackward(xs, dzdy)[i]!, [2, 3, 2, 2]);
    }
  });

  it('rejects bad input with clear errors', () => {
    const a = cpu64.zeros([1, 2, 2, 3]);
    expect(() => sum([])).toThrow('sum: xs must be a non-empty list of tensors, got []');
    expect(() => sum([a, cpu64.zeros([1, 2, 2, 1])])).toThrow('sum: xs[1] must have the shape of xs[0] [1, 2, 2, 3], got [1, 2, 2, 1]');
    expect(() => sum([a, cpu64.zeros([2, 2, 3])])).toThrow('sum: xs[1] must have the shape of xs[0] [1, 2, 2, 3], got [2, 2, 3]');
    expect(() => sum([a, cpu32.zeros([1, 2, 2, 3])])).toThrow(
      'sum: xs[1] lives on the cpu float32 backend but xs[0] lives on the cpu float64 backend; move one of them first',
    );
    expect(() => sumBackward([a, a], cpu64.zeros([1, 2, 2, 2]))).toThrow(
      'sumBackward: dzdy must have shape [1, 2, 2, 3] (the shape of the inputs), got [1, 2, 2, 2]',
    );
    expect(() => sumBackward(0, a)).toThrow('sumBackward: xs must be a count ≥ 1 or the list of inputs, got 0');
    expect(() => sumBackward(1.5, a)).toThrow('sumBackward: xs must be a count ≥ 1 or the list of inputs, got 1.5');
    expect(() => sumBackward([a], cpu32.zeros([1, 2, 2, 3]))).toThrow(
      'sumBackward: dzdy lives on the cpu float32 backend but xs[0] lives on the cpu float64 backend; move one of them first',
    );
  });
});
