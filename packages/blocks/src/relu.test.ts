import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { BackendError, OptionError, type Shape, ShapeError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type ReluOptions, relu, reluBackward } from './relu.js';
import { cpu32, cpu64, distinct, expectClose, expectDerivative } from './test-helpers.js';

function expectError(fn: () => unknown, type: typeof ShapeError | typeof OptionError | typeof BackendError, message: string) {
  expect(fn).toThrow(type);
  expect(fn).toThrow(message);
}

describe('relu: values', () => {
  const xs = [-2, -0.5, 0, 0.5, 3];
  const dzdy = [1, 2, 3, 4, 5];

  it('computes max(0, x) and its derivative, 0 at x = 0', () => {
    const x = cpu64.tensor(xs, [5]);
    expect(Array.from(relu(x).dataSync())).toEqual([0, 0, 0, 0.5, 3]);
    expect(Array.from(reluBackward(x, cpu64.tensor(dzdy, [5])).dataSync())).toEqual([0, 0, 0, 4, 5]);
  });

  it('computes the leaky ReLU x·(leak + (1 − leak)[x > 0]); the derivative at 0 is leak', () => {
    const x = cpu64.tensor(xs, [5]);
    expectClose(relu(x, { leak: 0.1 }).dataSync(), [-0.2, -0.05, 0, 0.5, 3], 1e-15);
    expectClose(reluBackward(x, cpu64.tensor(dzdy, [5]), { leak: 0.1 }).dataSync(), [0.1, 0.2, 0.3, 4, 5], 1e-15);
    // any finite leak, as in MatConvNet
    expectClose(relu(x, { leak: -1 }).dataSync(), [2, 0.5, 0, 0.5, 3], 1e-15);
    expectClose(reluBackward(x, cpu64.tensor(dzdy, [5]), { leak: 2 }).dataSync(), [2, 4, 6, 4, 5], 1e-15);
  });

  it("gives +0 for x ≤ 0 and 0 for NaN with leak 0 (MATLAB's max(x, 0)); a leak keeps NaN", () => {
    const x = cpu64.tensor([-3, -0, Number.NaN, 2], [4]);
    expect(Array.from(relu(x).dataSync())).toEqual([0, 0, 0, 2]);
    expect(Array.from(relu(x, { leak: 0.5 }).dataSync())).toEqual([-1.5, -0, Number.NaN, 2]);
  });

  it('accepts tensors of any shape and keeps it', () => {
    for (const shape of [[], [6], [2, 3], [1, 2, 3, 1], [2, 1, 2, 1, 2]] as Shape[]) {
      const x = distinct(cpu64, shape, 3);
      const y = relu(x, { leak: 0.25 });
      expect(y.shape).toEqual(shape);
      expectClose(y.dataSync(), Array.from(x.dataSync(), (v) => (v > 0 ? v : 0.25 * v)), 1e-15);
      expect(reluBackward(x, x).shape).toEqual(shape);
    }
  });

  it('works on float32 and on non-contiguous views', () => {
    const x = cpu32.tensor([-1.5, 2.25, -0.125, 4], [2, 2]);
    expect(Array.from(relu(x, { leak: 0.5 }).dataSync())).toEqual([-0.75, 2.25, -0.0625, 4]);
    const view = cpu64.run('Slice', { x: cpu64.tensor([1, -2, 3, -4, 5, -6], [2, 3]) }, { begin: [0, 1], size: [2, 2] });
    expect(Array.from(relu(view).dataSync())).toEqual([0, 3, 5, 0]);
  });

  it('gives the same derivative from y as from x when leak ≥ 0 (MatConvNet memory saving)', () => {
    const x = distinct(cpu64, [2, 3, 2, 2], 8);
    const dzdy = distinct(cpu64, [2, 3, 2, 2], 9);
    for (const leak of [0, 0.2]) {
      expect(Array.from(reluBackward(relu(x, { leak }), dzdy, { leak }).dataSync())).toEqual(
        Array.from(reluBackward(x, dzdy, { leak }).dataSync()),
      );
    }
  });
});

describe('relu: numerical derivatives (float64)', () => {
  for (const leak of [0, 0.1, 0.5, -0.3]) {
    it(`leak ${leak}`, async () => {
      const x = distinct(cpu64, [2, 3, 2, 2], 11); // an even count: no value lands on the kink at 0
      const opts: ReluOptions = { leak };
      await expectDerivative(`relu leak ${leak}`, (t) => relu(t, opts), x, (d) => reluBackward(x, d, opts), x.shape, 12);
    });
  }
});

describe('relu: errors', () => {
  const x = cpu64.zeros([2, 3]);

  it('rejects a leak that is not a finite number', () => {
    expectError(() => relu(x, { leak: Number.NaN }), OptionError, 'relu: leak must be a finite number, got NaN');
    expectError(() => relu(x, { leak: Number.POSITIVE_INFINITY }), OptionError, 'relu: leak must be a finite number, got Infinity');
    expectError(() => reluBackward(x, x, { leak: '0.1' as unknown as number }), OptionError, "reluBackward: leak must be a finite number, got '0.1'");
  });

  it('rejects unknown options', () => {
    expectError(() => relu(x, { Leak: 0.1 } as ReluOptions), OptionError, "relu: unknown option 'Leak'; known options are leak");
    expectError(() => reluBackward(x, x, { slope: 1 } as ReluOptions), OptionError, "reluBackward: unknown option 'slope'; known options are leak");
  });

  it('rejects a dzdy whose shape is not the shape of x', () => {
    expectError(() => reluBackward(x, cpu64.zeros([3, 2])), ShapeError, 'reluBackward: dzdy must have shape [2, 3] (the shape of x), got [3, 2]');
    expectError(() => reluBackward(x, cpu64.zeros([2, 3, 1])), ShapeError, 'reluBackward: dzdy must have shape [2, 3] (the shape of x), got [2, 3, 1]');
  });

  it('rejects tensors from two backends and non-tensors', () => {
    const other = createCpuBackend({ dtype: 'float64' });
    expectError(
      () => reluBackward(x, other.zeros([2, 3])),
      BackendError,
      'reluBackward: dzdy lives on another cpu float64 backend instance than x; move one of them first',
    );
    expectError(() => relu([1, 2] as never), ShapeError, 'relu: x must be a Tensor, got [1, 2]');
  });
});
