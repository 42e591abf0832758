import type { Shape, Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { scale, scaleBackward } from './scale.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';

const values = (t: Tensor) => Array.from(t.dataSync());

describe('scale', () => {
  const x = cpu64.tensor([1, 2, 3, 4], [1, 1, 2, 2]);

  it('computes x ⊙ w + b with per-channel w, b (hand-computed)', () => {
    const w = cpu64.tensor([10, 100], [2]);
    const b = cpu64.tensor([1, -1], [2]);
    expect(values(scale(x, w, b))).toEqual([11, 199, 31, 399]);
    expect(values(scale(x, w))).toEqual([10, 200, 30, 400]);
    const w4 = cpu64.tensor([10, 100], [1, 1, 1, 2]);
    expect(values(scale(x, w4, b))).toEqual([11, 199, 31, 399]);
  });

  it('broadcasts over any size-1 axis (per column, per element, scalar)', () => {
    expect(values(scale(x, cpu64.tensor([2, 3], [1, 1, 2, 1])))).toEqual([2, 4, 9, 12]);
    expect(values(scale(x, cpu64.tensor([1, 2, 3, 4], [1, 1, 2, 2]), cpu64.tensor([5], [1])))).toEqual([6, 9, 14, 21]);
    expect(values(scale(x, cpu64.tensor([3], [1])))).toEqual([3, 6, 9, 12]);
  });

  it('backward reduces dzdw and dzdb over the broadcast axes (hand-computed)', () => {
    const w = cpu64.tensor([10, 100], [2]);
    const b = cpu64.tensor([1, -1], [2]);
    const dzdy = cpu64.tensor([1, 1, 2, -1], [1, 1, 2, 2]);
    const r = scaleBackward(x, w, b, dzdy);
    expect(values(r.dzdx)).toEqual([10, 100, 20, -100]);
    expect(values(r.dzdw)).toEqual([1 * 1 + 3 * 2, 2 * 1 + 4 * -1]);
    expect(r.dzdw.shape).toEqual([2]);
    expect(values(r.dzdb!)).toEqual([3, 0]);
    expect(scaleBackward(x, w, null, dzdy).dzdb).toBeNull();
  });

  it('output and derivative sizes over many parameter shapes', () => {
    const xs = cpu32.zeros([2, 3, 4, 5]);
    const shapes: Shape[] = [[5], [1], [4, 5], [1, 1, 1, 5], [1, 3, 4, 1], [2, 1, 1, 1], [2, 3, 4, 5], [3, 1, 5], [1, 1, 1, 1]];
    for (const ws of shapes) {
      for (const bs of [null, ...shapes]) {
        const w = cpu32.zeros(ws);
        const b = bs ? cpu32.zeros(bs) : null;
        expect(scale(xs, w, b).shape).toEqual([2, 3, 4, 5]);
        const r = scaleBackward(xs, w, b, xs);
        expect(r.dzdx.shape).toEqual([2, 3, 4, 5]);
        expect(r.dzdw.shape).toEqual(ws);
        expect(r.dzdb?.shape ?? null).toEqual(bs);
      }
    }
  });

  it('passes the float64 derivative check for x, w and b', async () => {
    const xr = randn(cpu64, [2, 3, 2, 3], 1);
    const cases: [Shape, Shape | null][] = [
      [[3], [3]],
      [[1, 1, 1, 3], null],
      [[1, 3, 2, 1], [2, 1, 1, 1]],
      [[2, 3, 2, 3], [1]],
      [[1], [3, 2, 3]],
    ];
    for (const [ws, bs] of cases) {
      const w = randn(cpu64, ws, 2);
      const b = bs ? randn(cpu64, bs, 3) : null;
      const name = `scale w ${ws} b ${bs}`;
      await expectDerivative(`${name} dzdx`, (t) => scale(t, w, b), xr, (d) => scaleBackward(xr, w, b, d).dzdx, xr.shape);
      await expectDerivative(`${name} dzdw`, (t) => scale(xr, t, b), w, (d) => scaleBackward(xr, w, b, d).dzdw, xr.shape);
      if (b) await expectDerivative(`${name} dzdb`, (t) => scale(xr, w, t), b, (d) => scaleBackward(xr, w, b, d).dzdb!, xr.shape);
    }
  });

  it('float32 agrees with float64', () => {
    const x32 = randn(cpu32, [1, 2, 2, 3], 4);
    const x64 = randn(cpu64, [1, 2, 2, 3], 4);
    const w32 = randn(cpu32, [3], 5);
    const w64 = randn(cpu64, [3], 5);
    expectClose(values(scale(x32, w32)), values(scale(x64, w64)), 1e-6);
  });

  it('rejects bad input with clear errors', () => {
    const w = cpu64.zeros([2]);
    const msg = (name: string, got: string) =>
      `scale: ${name} must broadcast to x [1, 1, 2, 2] (rank ≤ 4, each size 1 or x's, aligned to x's last axes), got ${got}`;
    expect(() => scale(x, cpu64.zeros([3]))).toThrow(msg('w', '[3]'));
    expect(() => scale(x, cpu64.zeros([3, 1]))).toThrow(msg('w', '[3, 1]'));
    expect(values(scale(x, cpu64.tensor([2, 3], [2, 1])))).toEqual([2, 4, 9, 12]); // [W, 1] aligns to x's last axes
    expect(() => scale(x, cpu64.zeros([1, 1, 1, 2, 2]))).toThrow(msg('w', '[1, 1, 1, 2, 2]'));
    expect(() => scale(x, cpu64.zeros([2, 1, 2, 2]))).toThrow(msg('w', '[2, 1, 2, 2]'));
    expect(() => scale(x, w, cpu64.zeros([4]))).toThrow(msg('b', '[4]'));
    expect(() => scale(x, cpu32.zeros([2]))).toThrow('scale: w lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first');
    expect(() => scaleBackward(x, w, null, cpu64.zeros([1, 2, 2, 1]))).toThrow(
      'scaleBackward: dzdy must have shape [1, 1, 2, 2] (the shape of x), got [1, 2, 2, 1]',
    );
    expect(() => scaleBackward(x, cpu64.zeros([5]), null, x)).toThrow(
      "scaleBackward: w must broadcast to x [1, 1, 2, 2] (rank ≤ 4, each size 1 or x's, aligned to x's last axes), got [5]",
    );
    expect(() => scaleBackward(x, w, cpu32.zeros([2]), x)).toThrow(
      'scaleBackward: b lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first',
    );
  });
});
