import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { BackendError, OptionError, type Shape, ShapeError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type SigmoidOptions, sigmoid, sigmoidBackward } from './sigmoid.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';

function expectError(fn: () => unknown, type: typeof ShapeError | typeof OptionError | typeof BackendError, message: string) {
  expect(fn).toThrow(type);
  expect(fn).toThrow(message);
}

describe('sigmoid: values', () => {
  it('computes 1/(1 + e^−x) and dzdy·y·(1 − y)', () => {
    const x = cpu64.tensor([0, Math.log(3), -Math.log(3), Math.log(9)], [2, 2]);
    expectClose(sigmoid(x).dataSync(), [0.5, 0.75, 0.25, 0.9], 1e-15);
    const dx = sigmoidBackward(x, cpu64.tensor([1, 2, -4, 10], [2, 2]));
    expectClose(dx.dataSync(), [0.25, 2 * 0.1875, -4 * 0.1875, 10 * 0.09], 1e-14);
  });

  it('saturates to 0 and 1 without NaN for huge inputs', () => {
    for (const backend of [cpu64, cpu32]) {
      const x = backend.tensor([-1000, 1000, -800, 800], [4]);
      expect(Array.from(sigmoid(x).dataSync())).toEqual([0, 1, 0, 1]);
      expect(Array.from(sigmoidBackward(x, backend.tensor([1, 1, 1, 1], [4])).dataSync())).toEqual([0, 0, 0, 0]);
    }
  });

  it('accepts tensors of any shape and keeps it', () => {
    for (const shape of [[], [3], [2, 1, 3], [1, 2, 2, 3], [2, 1, 1, 2, 2]] as Shape[]) {
      const x = randn(cpu64, shape, 4);
      const y = sigmoid(x);
      expect(y.shape).toEqual(shape);
      expectClose(y.dataSync(), Array.from(x.dataSync(), (v) => 1 / (1 + Math.exp(-v))), 1e-15);
      expect(sigmoidBackward(x, x).shape).toEqual(shape);
    }
  });

  it('works on float32', () => {
    const x = cpu32.tensor([0, 2, -2], [3]);
    expectClose(sigmoid(x).dataSync(), [0.5, 0.8807970779778823, 0.11920292202211755], 1e-7);
  });
});

describe('sigmoid: numerical derivatives (float64)', () => {
  for (const [i, shape] of ([[2, 3, 2, 2], [7], [3, 1, 2]] as Shape[]).entries()) {
    it(`shape [${shape.join(', ')}]`, async () => {
      const x = randn(cpu64, shape, 40 + i, 2);
      await expectDerivative('sigmoid', (t) => sigmoid(t), x, (d) => sigmoidBackward(x, d), shape, 50 + i);
    });
  }
});

describe('sigmoid: errors', () => {
  const x = cpu64.zeros([2, 3]);

  it('rejects any option', () => {
    expectError(() => sigmoid(x, { leak: 0.1 } as unknown as SigmoidOptions), OptionError, "sigmoid: unknown option 'leak'; sigmoid takes no options");
    expectError(
      () => sigmoidBackward(x, x, { scale: 2 } as unknown as SigmoidOptions),
      OptionError,
      "sigmoidBackward: unknown option 'scale'; sigmoidBackward takes no options",
    );
    expectError(() => sigmoid(x, 3 as unknown as SigmoidOptions), OptionError, 'sigmoid: expected an options object, got 3');
  });

  it('rejects a dzdy whose shape is not the shape of x', () => {
    expectError(() => sigmoidBackward(x, cpu64.zeros([6])), ShapeError, 'sigmoidBackward: dzdy must have shape [2, 3] (the shape of x), got [6]');
  });

  it('rejects tensors from two backends', () => {
    expectError(
      () => sigmoidBackward(cpu32.zeros([2, 3]), x),
      BackendError,
      'sigmoidBackward: dzdy lives on the cpu float64 backend but x lives on the cpu float32 backend; move one of them first',
    );
    expectError(
      () => sigmoidBackward(x, createCpuBackend({ dtype: 'float64' }).zeros([2, 3])),
      BackendError,
      'sigmoidBackward: dzdy lives on another cpu float64 backend instance than x; move one of them first',
    );
  });
});
