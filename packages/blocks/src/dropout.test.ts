import { hashUniform, Rng, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { dropout, dropoutBackward, dropoutRng } from './dropout.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';

describe('dropout', () => {
  it('draws mask = 1/(1 − rate)·[hashUniform(seed, i) ≥ rate] and y = mask ⊙ x', () => {
    const x = randn(cpu64, [2, 3, 3, 4], 1);
    const { y, mask } = dropout(x, { rate: 0.3, seed: 42 });
    const expected = Array.from({ length: x.size }, (_, i) => (hashUniform(42, i) >= 0.3 ? 1 / 0.7 : 0));
    expect(mask).not.toBeNull();
    expect(mask!.shape).toEqual([2, 3, 3, 4]);
    expect(Array.from(mask!.dataSync())).toEqual(expected);
    const xs = x.dataSync();
    expectClose(y.dataSync(), Array.from(xs, (v, i) => v * expected[i]!), 1e-15);
  });

  it('hand-computed small case (rate 0.5 → kept elements doubled)', () => {
    const x = cpu64.tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const { y, mask } = dropout(x, { seed: 7 });
    const keep = [0, 1, 2, 3].map((i) => hashUniform(7, i) >= 0.5);
    expect(Array.from(mask!.dataSync())).toEqual(keep.map((k) => (k ? 2 : 0)));
    expect(Array.from(y.dataSync())).toEqual(keep.map((k, i) => (k ? 2 * (i + 1) : 0)));
  });

  it('gives the same mask for the same seed, on both dtypes, and different masks for different seeds', () => {
    const x64 = randn(cpu64, [1, 8, 8, 3], 2);
    const x32 = randn(cpu32, [1, 8, 8, 3], 2);
    const a = dropout(x64, { seed: 5 }).mask!.dataSync();
    const b = dropout(x64, { seed: 5 }).mask!.dataSync();
    const c = dropout(x32, { seed: 5 }).mask!.dataSync();
    const d = dropout(x64, { seed: 6 }).mask!.dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).toEqual(Array.from(c));
    expect(Array.from(a)).not.toEqual(Array.from(d));
  });

  it('has mask mean ≈ 1 and a fraction of zeros ≈ rate on a large tensor', () => {
    for (const rate of [0, 0.1, 0.5, 0.8]) {
      const x = cpu32.zeros([4, 32, 32, 16]);
      const m = dropout(x, { rate, seed: 1234 }).mask!.dataSync();
      let sum = 0;
      let zeros = 0;
      for (const v of m) {
        sum += v;
        if (v === 0) zeros++;
      }
      expect(Math.abs(sum / m.length - 1)).toBeLessThan(0.02);
      expect(Math.abs(zeros / m.length - rate)).toBeLessThan(0.01);
    }
  });

  it('rate 0 keeps everything unchanged', () => {
    const x = randn(cpu64, [1, 2, 2, 2], 3);
    const { y, mask } = dropout(x, { rate: 0, seed: 9 });
    expect(Array.from(mask!.dataSync())).toEqual(new Array(8).fill(1));
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
  });

  it('draws seeds from rng or dropoutRng when no seed is given', () => {
    const x = cpu64.zeros([1, 4, 4, 4]);
    const m1 = dropout(x, { rng: new Rng(3) }).mask!.dataSync();
    const m2 = dropout(x, { seed: new Rng(3).nextUint32() }).mask!.dataSync();
    expect(Array.from(m1)).toEqual(Array.from(m2));
    dropoutRng.setState(new Rng(11).getState());
    const first = dropout(x).mask!.dataSync();
    const second = dropout(x).mask!.dataSync();
    expect(Array.from(first)).not.toEqual(Array.from(second));
    dropoutRng.setState(new Rng(11).getState());
    expect(Array.from(dropout(x).mask!.dataSync())).toEqual(Array.from(first));
  });

  it('reuses a given mask (DagNN frozen) and is the identity in test mode', () => {
    const x = randn(cpu64, [1, 2, 2, 2], 4);
    const mask = cpu64.tensor([2, 0, 2, 0, 0, 2, 2, 2], [1, 2, 2, 2]);
    const r = dropout(x, { mask, rate: 0.9 });
    expect(r.mask).toBe(mask);
    const xs = x.dataSync();
    expect(Array.from(r.y.dataSync())).toEqual(Array.from(xs, (v, i) => v * [2, 0, 2, 0, 0, 2, 2, 2][i]!));
    const t = dropout(x, { mode: 'test', seed: 1 });
    expect(t.mask).toBeNull();
    expect(t.y).not.toBe(x);
    expect(t.y.shape).toEqual(x.shape);
    expect(Array.from(t.y.dataSync())).toEqual(Array.from(xs));
  });

  it('backward is mask ⊙ dzdy (and dzdy in test mode)', () => {
    const x = randn(cpu64, [1, 2, 2, 2], 5);
    const dzdy = randn(cpu64, [1, 2, 2, 2], 6);
    const { mask } = dropout(x, { seed: 3 });
    const d = dropoutBackward(x, dzdy, { mask });
    const ms = mask!.dataSync();
    expect(Array.from(d.dataSync())).toEqual(Array.from(dzdy.dataSync(), (v, i) => v * ms[i]!));
    expect(Array.from(dropoutBackward(x, dzdy, { mode: 'test' }).dataSync())).toEqual(Array.from(dzdy.dataSync()));
  });

  it('passes the float64 numerical derivative check', async () => {
    const x = randn(cpu64, [2, 3, 2, 3], 7);
    const f = (t: Tensor) => dropout(t, { rate: 0.4, seed: 77 }).y;
    const { mask } = dropout(x, { rate: 0.4, seed: 77 });
    await expectDerivative('dropout dzdx', f, x, (dzdy) => dropoutBackward(x, dzdy, { mask }), x.shape);
    const ft = (t: Tensor) => dropout(t, { mode: 'test' }).y;
    await expectDerivative('dropout test dzdx', ft, x, (dzdy) => dropoutBackward(x, dzdy, { mode: 'test' }), x.shape);
  });

  it('keeps the shape of x for any shape', () => {
    for (const shape of [[5], [2, 3], [1, 1, 1, 1], [3, 4, 5, 6], [2, 1, 7, 3]]) {
      const x = cpu32.zeros(shape);
      const { y, mask } = dropout(x, { seed: 1 });
      expect(y.shape).toEqual(shape);
      expect(mask!.shape).toEqual(shape);
    }
  });

  it('rejects bad input with clear errors', () => {
    const x = cpu64.zeros([1, 2, 2, 2]);
    const dzdy = cpu64.zeros([1, 2, 2, 2]);
    expect(() => dropout(x, { rate: 1 })).toThrow('dropout: rate must be < 1, got 1');
    expect(() => dropout(x, { rate: -0.1 })).toThrow('dropout: rate must be ≥ 0, got -0.1');
    expect(() => dropout(x, { rate: Number.NaN })).toThrow('dropout: rate must be a finite number, got NaN');
    expect(() => dropout(x, { seed: 1.5 })).toThrow('dropout: seed must be an integer, got 1.5');
    expect(() => dropout(x, { seed: -1 })).toThrow('dropout: seed must be ≥ 0, got -1');
    expect(() => dropout(x, { seed: 2 ** 32 })).toThrow('dropout: seed must be ≤ 4294967295, got 4294967296');
    expect(() => dropout(x, { seed: 1, rng: new Rng(1) })).toThrow(
      'dropout: seed and rng must not both be given (the seed is drawn from rng), got both',
    );
    expect(() => dropout(x, { rng: {} as Rng })).toThrow('dropout: rng must be an Rng, got Object');
    expect(() => dropout(x, { mode: 'train' as 'test' })).toThrow("dropout: mode must be one of 'normal', 'test', got 'train'");
    expect(() => dropout(x, { ratio: 0.5 } as object)).toThrow("dropout: unknown option 'ratio'; known options are rate, seed, rng, mode, mask");
    expect(() => dropout(x, { mask: cpu64.zeros([1, 2, 2, 3]) })).toThrow(
      'dropout: mask must have shape [1, 2, 2, 2] (the shape of x), got [1, 2, 2, 3]',
    );
    expect(() => dropout(x, { mask: cpu32.zeros([1, 2, 2, 2]) })).toThrow(
      'dropout: mask lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first',
    );
    const { mask } = dropout(x, { seed: 1 });
    expect(() => dropoutBackward(x, dzdy)).toThrow('dropoutBackward: mask must be the mask returned by dropout in normal mode, got undefined');
    expect(() => dropoutBackward(x, dzdy, { mask: cpu64.zeros([2, 2, 2, 1]) })).toThrow(
      'dropoutBackward: mask must have shape [1, 2, 2, 2] (the shape of x), got [2, 2, 2, 1]',
    );
    expect(() => dropoutBackward(x, cpu64.zeros([1, 2, 2, 1]), { mask })).toThrow(
      'dropoutBackward: dzdy must have shape [1, 2, 2, 2] (the shape of x), got [1, 2, 2, 1]',
    );
    expect(() => dropoutBackward(x, cpu32.zeros([1, 2, 2, 2]), { mask })).toThrow(
      'dropoutBackward: dzdy lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first',
    );
    expect(() => dropoutBackward(x, dzdy, { mask, rate: 0.5 } as object)).toThrow(
      "dropoutBackward: unknown option 'rate'; known options are mask, mode",
    );
  });
});
