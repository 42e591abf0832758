import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { BackendError, OptionError, ShapeError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type SoftmaxOptions, softmax, softmaxBackward } from './softmax.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';
import { SOFTMAX_CASES } from './test-softmax-cases.js';

function expectError(fn: () => unknown, type: typeof ShapeError | typeof OptionError | typeof BackendError, message: string) {
  expect(fn).toThrow(type);
  expect(fn).toThrow(message);
}

describe('softmax: values', () => {
  it('normalises e^x over the channels at every pixel', () => {
    // pixel 1: e^x ∝ [1, 2, 3]; pixel 2: all equal
    const x = cpu64.tensor([0, Math.log(2), Math.log(3), 5, 5, 5], [1, 1, 2, 3]);
    const y = softmax(x);
    expect(y.shape).toEqual([1, 1, 2, 3]);
    expectClose(y.dataSync(), [1 / 6, 2 / 6, 3 / 6, 1 / 3, 1 / 3, 1 / 3], 1e-15);
  });

  it('computes dzdx = y ⊙ (dzdy − Σ_k dzdy_k y_k)', () => {
    const x = cpu64.tensor([0, Math.log(2), Math.log(3), 1, 1, 1], [1, 2, 1, 3]);
    const dx = softmaxBackward(x, cpu64.tensor([1, 0, 0, 3, 0, -3], [1, 2, 1, 3]));
    // pixel 1: Σ = 1/6 → [1/6·5/6, 2/6·(−1/6), 3/6·(−1/6)]; pixel 2: Σ = 0 → y·dzdy
    expectClose(dx.dataSync(), [5 / 36, -2 / 36, -3 / 36, 1, 0, -1], 1e-14);
  });

  it('is numerically stable: inputs of ±1000 give no NaN, on float64 and float32', () => {
    const e = Math.exp(-1);
    for (const [backend, tol] of [
      [cpu64, 1e-15],
      [cpu32, 1e-7],
    ] as const) {
      const x = backend.tensor([1000, -1000, 999, -1000, -1000, -1000, 1000, 1000, 1000], [1, 3, 1, 3]);
      const y = softmax(x).dataSync();
      expect(Array.from(y).some(Number.isNaN)).toBe(false);
      expectClose(y, [1 / (1 + e), 0, e / (1 + e), 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3], tol);
      const dx = softmaxBackward(x, backend.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 1, 3])).dataSync();
      expect(Array.from(dx).some((v) => !Number.isFinite(v))).toBe(false);
      const p = 1 / (1 + e);
      const q = e / (1 + e);
      const s = p + 3 * q;
      expectClose(dx, [p * (1 - s), 0, q * (3 - s), -1 / 3, 0, 1 / 3, -1 / 3, 0, 1 / 3], 1e-6);
    }
  });

  it('sums to one over the channels of every pixel of a batch', () => {
    const x = randn(cpu64, [3, 2, 4, 7], 6, 10);
    const y = softmax(x).dataSync();
    for (let r = 0; r < y.length; r += 7) {
      expect(Math.abs(Array.from(y.subarray(r, r + 7)).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-14);
    }
  });
});

describe('softmax: reference fixtures', () => {
  it('has the 12 softmax cases', () => expect(SOFTMAX_CASES.length).toBe(12));

  for (const [i, c] of SOFTMAX_CASES.entries()) {
    it(`case ${i}: x [${c.x.shape.join(', ')}] — forward (float64, float32) and numerical derivative`, async () => {
      expectClose(softmax(cpu64.tensor(c.x.data, c.x.shape)).dataSync(), c.y.data, 1e-10);
      expectClose(softmax(cpu32.tensor(c.x.data, c.x.shape)).dataSync(), c.y.data, 1e-6);
      const x = cpu64.tensor(c.x.data, c.x.shape);
      await expectDerivative(`softmax case ${i}`, (t) => softmax(t), x, (d) => softmaxBackward(x, d), c.y.shape, 60 + i);
    });
  }
});

describe('softmax: numerical derivatives (float64)', () => {
  it('on a batch of scores with large spread', async () => {
    const x = randn(cpu64, [2, 3, 2, 4], 70, 3);
    await expectDerivative('softmax', (t) => softmax(t), x, (d) => softmaxBackward(x, d), x.shape, 71);
  });

  it('with a single channel (y = 1, dzdx = 0)', async () => {
    const x = randn(cpu64, [2, 2, 2, 1], 72);
    expect(Array.from(softmax(x).dataSync())).toEqual(new Array(8).fill(1));
    await expectDerivative('softmax C=1', (t) => softmax(t), x, (d) => softmaxBackward(x, d), x.shape, 73);
  });
});

describe('softmax: errors', () => {
  const x = cpu64.zeros([1, 2, 2, 3]);

  it('rejects x that is not [N, H, W, C]', () => {
    expectError(() => softmax(cpu64.zeros([2, 5])), ShapeError, 'softmax: x must have 4 dimensions [N, H, W, C], got shape [2, 5]');
    expectError(
      () => softmaxBackward(cpu64.zeros([1, 1, 1, 2, 5]), cpu64.zeros([1, 1, 1, 2, 5])),
      ShapeError,
      'softmaxBackward: x must have 4 dimensions [N, H, W, C], got shape [1, 1, 1, 2, 5]',
    );
  });

  it('rejects a dzdy whose shape is not the shape of x', () => {
    expectError(
      () => softmaxBackward(x, cpu64.zeros([1, 2, 2, 4])),
      ShapeError,
      'softmaxBackward: dzdy must have shape [1, 2, 2, 3] (the shape of x), got [1, 2, 2, 4]',
    );
  });

  it('rejects tensors from two backends', () => {
    const other = createCpuBackend({ dtype: 'float64' });
    expectError(
      () => softmaxBackward(x, other.zeros([1, 2, 2, 3])),
      BackendError,
      'softmaxBackward: dzdy lives on another cpu float64 backend instance than x; move one of them first',
    );
  });

  it('rejects any option', () => {
    expectError(() => softmax(x, { dim: 3 } as unknown as SoftmaxOptions), OptionError, "softmax: unknown option 'dim'; softmax takes no options");
    expectError(
      () => softmaxBackward(x, x, { axis: 1 } as unknown as SoftmaxOptions),
      OptionError,
      "softmaxBackward: unknown option 'axis'; softmaxBackward takes no options",
    );
  });
});
