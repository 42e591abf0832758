import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { concat, concatBackward } from './concat.js';
import { cpu32, cpu64, expectDerivative, randn } from './test-helpers.js';

const values = (t: Tensor) => Array.from(t.dataSync());

describe('concat', () => {
  it('concatenates channels by default (MatConvNet dim 3)', () => {
    const a = cpu64.tensor([1, 2, 3, 4], [1, 2, 1, 2]);
    const b = cpu64.tensor([5, 6], [1, 2, 1, 1]);
    const y = concat([a, b]);
    expect(y.shape).toEqual([1, 2, 1, 3]);
    expect(values(y)).toEqual([1, 2, 5, 3, 4, 6]);
    expect(values(concat([a, b], { dim: 3 }))).toEqual([1, 2, 5, 3, 4, 6]);
    expect(values(concat([a, b], { axis: 3 }))).toEqual([1, 2, 5, 3, 4, 6]);
  });

  it('maps MatConvNet dims 1, 2, 4 (H, W, N) onto axes 1, 2, 0', () => {
    const a = cpu64.tensor([1, 2], [1, 1, 1, 2]);
    const b = cpu64.tensor([3, 4], [1, 1, 1, 2]);
    expect(concat([a, b], { dim: 1 }).shape).toEqual([1, 2, 1, 2]);
    expect(concat([a, b], { dim: 2 }).shape).toEqual([1, 1, 2, 2]);
    expect(concat([a, b], { dim: 4 }).shape).toEqual([2, 1, 1, 2]);
    for (const dim of [1, 2, 4]) expect(values(concat([a, b], { dim }))).toEqual([1, 2, 3, 4]);
    const h = concat([cpu64.tensor([1, 2, 3, 4], [1, 2, 2, 1]), cpu64.tensor([5, 6], [1, 1, 2, 1])], { dim: 1 });
    expect(values(h)).toEqual([1, 2, 3, 4, 5, 6]);
    const w = concat([cpu64.tensor([1, 2, 3, 4], [1, 2, 2, 1]), cpu64.tensor([5, 6], [1, 2, 1, 1])], { dim: 2 });
    expect(values(w)).toEqual([1, 2, 5, 3, 4, 6]);
  });

  it('concatenates along any axis of any rank, and a single input', () => {
    const a = cpu64.tensor([1, 2, 3], [3]);
    const b = cpu64.tensor([4], [1]);
    expect(values(concat([a, b], { axis: 0 }))).toEqual([1, 2, 3, 4]);
    const m = concat([cpu64.tensor([1, 2, 3, 4], [2, 2]), cpu64.tensor([5, 6], [2, 1])], { axis: 1 });
    expect(values(m)).toEqual([1, 2, 5, 3, 4, 6]);
    expect(values(concat([a], { axis: 0 }))).toEqual([1, 2, 3]);
  });

  it('output sizes: the axis sums the inputs, every other axis is kept', () => {
    for (const dim of [1, 2, 3, 4] as const) {
      for (const sizes of [[1], [2, 3], [1, 4, 2], [3, 3, 3, 1]]) {
        const axis = { 1: 1, 2: 2, 3: 3, 4: 0 }[dim];
        const base = [2, 3, 4, 5];
        const xs = sizes.map((s) => cpu32.zeros(base.map((d, i) => (i === axis ? s : d))));
        const y = concat(xs, { dim });
        expect(y.shape).toEqual(base.map((d, i) => (i === axis ? sizes.reduce((p, q) => p + q, 0) : d)));
        const parts = concatBackward(xs, y, { dim });
        expect(parts.map((p) => p.shape)).toEqual(xs.map((x) => x.shape));
      }
    }
  });

  it('backward slices dzdy, from the inputs or from their shapes (inputSizes)', () => {
    const dzdy = cpu64.tensor([1, 2, 5, 3, 4, 6], [1, 2, 1, 3]);
    const a = cpu64.zeros([1, 2, 1, 2]);
    const [da, db] = concatBackward([a, [1, 2, 1, 1]], dzdy);
    expect(values(da!)).toEqual([1, 2, 3, 4]);
    expect(values(db!)).toEqual([5, 6]);
    const [dn0, dn1] = concatBackward([[1, 1, 1, 2], [1, 1, 1, 2]], cpu64.tensor([1, 2, 3, 4], [2, 1, 1, 2]), { dim: 4 });
    expect(values(dn0!)).toEqual([1, 2]);
    expect(values(dn1!)).toEqual([3, 4]);
  });

  it('passes the float64 derivative check for every input', async () => {
    for (const dim of [1, 2, 3, 4] as const) {
      const axis = { 1: 1, 2: 2, 3: 3, 4: 0 }[dim];
      const shapes = [1, 3, 2].map((s) => [2, 2, 3, 2].map((d, i) => (i === axis ? s : d)));
      const xs = shapes.map((s, i) => randn(cpu64, s, 10 + i));
      const y = concat(xs, { dim });
      for (let i = 0; i < xs.length; i++) {
        const f = (t: Tensor) => concat(xs.map((x, j) => (j === i ? t : x)), { dim });
        await expectDerivative(`concat dim ${dim} dzdx${i}`, f, xs[i]!, (dzdy) => concatBackward(xs, dzdy, { dim })[i]!, y.shape);
      }
    }
  });

  it('rejects bad input with clear errors', () => {
    const a = cpu64.zeros([1, 2, 2, 3]);
    const b = cpu64.zeros([1, 2, 3, 1]);
    expect(() => concat([])).toThrow('concat: xs must be a non-empty list of tensors, got []');
    expect(() => concat([a, b])).toThrow('concat: xs[1] must match xs[0] outside axis 3 ([1, 2, 2, *]), got [1, 2, 3, 1]');
    expect(() => concat([a, cpu64.zeros([1, 2, 2])], { axis: 2 })).toThrow(
      'concat: xs[1] must match xs[0] outside axis 2 ([1, 2, *, 3]), got [1, 2, 2]',
    );
    expect(() => concat([a, cpu32.zeros([1, 2, 2, 3])])).toThrow(
      'concat: xs[1] lives on the cpu float32 backend but xs[0] lives on the cpu float64 backend; move one of them first',
    );
    expect(() => concat([a], { dim: 5 })).toThrow('concat: dim must be 1 (H), 2 (W), 3 (C) or 4 (N), got 5');
    expect(() => concat([a], { dim: 0 })).toThrow('concat: dim must be 1 (H), 2 (W), 3 (C) or 4 (N), got 0');
    expect(() => concat([a], { axis: 4 })).toThrow('concat: axis must be an integer in [0, 3] for inputs of rank 4, got 4');
    expect(() => concat([a], { axis: -1 })).toThrow('concat: axis must be an integer in [0, 3] for inputs of rank 4, got -1');
    expect(() => concat([a], { axis: 1, dim: 1 })).toThrow(
      'concat: dim (1-based, MatConvNet) and axis (0-based) must not both be given, got both',
    );
    expect(() => concat([a], { dims: 3 } as object)).toThrow("concat: unknown option 'dims'; known options are dim, axis");
    expect(() => concat([cpu64.zeros([2, 3])])).toThrow(
      'concat: xs must have 4 dimensions [N, H, W, C] with dim (use axis for other ranks), got rank 2',
    );
    const dzdy = cpu64.zeros([1, 2, 2, 4]);
    expect(() => concatBackward([a, [1, 2, 2, 2]], dzdy)).toThrow(
      "concatBackward: dzdy must have size 5 along axis 3 (the inputs' sizes summed), got shape [1, 2, 2, 4]",
    );
    expect(() => concatBackward([a, [1, 3, 2, 1]], dzdy)).toThrow(
      'concatBackward: xs[1] must match dzdy [1, 2, 2, 4] outside axis 3 ([1, 2, 2, *]), got [1, 3, 2, 1]',
    );
    expect(() => concatBackward([[1, 2, 2, -1], [1, 2, 2, 5]], dzdy)).toThrow(
      'concatBackward: xs[0] must match dzdy [1, 2, 2, 4] outside axis 3 ([1, 2, 2, *]), got [1, 2, 2, -1]',
    );
    expect(() => concatBackward([], dzdy)).toThrow('concatBackward: xs must be a non-empty list of tensors, got []');
    expect(() => concatBackward([cpu32.zeros([1, 2, 2, 4])], dzdy)).toThrow(
      'concatBackward: xs[0] lives on the cpu float32 backend but dzdy lives on the cpu float64 backend; move one of them first',
    );
    expect(() => concatBackward([a], dzdy, { axis: 9 })).toThrow(
      'concatBackward: axis must be an integer in [0, 3] for inputs of rank 4, got 9',
    );
  });
});
