import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { BackendError, DisposedError, OptionError, type Shape, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type SpnormOptions, samePadding, spnorm, spnormBackward } from './spnorm.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';

const values = (t: Tensor): number[] => Array.from(t.dataSync());

function expectError(fn: () => unknown, type: new (...args: never[]) => Error, message: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(type);
  expect((caught as Error).message).toBe(message);
}

/**
 * Brute force from manual §4.6.3: n² = mean of x² over the window
 * [i − ⌊(ph−1)/2⌋, i − ⌊(ph−1)/2⌋ + ph − 1] × (same across) clipped to the image.
 */
function reference(x: Tensor, [ph, pw, alpha, beta]: number[]): number[] {
  const v = values(x);
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const top = Math.floor((ph! - 1) / 2);
  const left = Math.floor((pw! - 1) / 2);
  const out = new Array<number>(v.length);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < H; i++)
      for (let j = 0; j < W; j++)
        for (let c = 0; c < C; c++) {
          let s = 0;
          let count = 0;
          for (let a = i - top; a < i - top + ph!; a++)
            for (let b = j - left; b < j - left + pw!; b++) {
              if (a < 0 || a >= H || b < 0 || b >= W) continue;
              s += v[((n * H + a) * W + b) * C + c]! ** 2;
              count++;
            }
          const at = ((n * H + i) * W + j) * C + c;
          out[at] = v[at]! * (1 + (alpha! * s) / count) ** -beta!;
        }
  return out;
}

describe('spnorm: hand-computed values', () => {
  const x = cpu64.tensor([1, 2, 3], [1, 1, 3, 1]);

  it('odd window 1×3: the mean of squares over the clipped window', () => {
    // n² = [(1+4)/2, (1+4+9)/3, (4+9)/2] = [2.5, 14/3, 6.5]; alpha = beta = 1.
    expectClose(values(spnorm(x, [1, 3, 1, 1])), [1 / 3.5, 2 / (1 + 14 / 3), 3 / 7.5], 1e-12);
  });

  it('even window 1×2: padding [0, 1] on the right, so the window looks ahead', () => {
    // n² = [(1+4)/2, (4+9)/2, 9].
    expectClose(values(spnorm(x, [1, 2, 1, 1])), [1 / 3.5, 2 / 7.5, 3 / 10], 1e-12);
  });

  it('1×1 window: y = x (1 + alpha x²)^(−beta), derivative by hand', () => {
    // y = x / (1 + x²): dy/dx = (1 − x²)/(1 + x²)², i.e. 0, −3/25, −8/100.
    expectClose(values(spnorm(x, [1, 1, 1, 1])), [0.5, 0.4, 0.3], 1e-12);
    expectClose(values(spnormBackward(x, [1, 1, 1, 1], cpu64.tensor([1, 1, 1], [1, 1, 3, 1]))), [0, -3 / 25, -8 / 100], 1e-12);
  });

  it('vertical windows and channels stay separate', () => {
    // x [1, 2, 1, 2]: column of two pixels, channel 0 = [1, 3], channel 1 = [2, 0]; 2×1 window, padding [0, 1].
    const x2 = cpu64.tensor([1, 2, 3, 0], [1, 2, 1, 2]);
    // n² channel 0 = [(1+9)/2, 9], channel 1 = [(4+0)/2, 0]; alpha 0.5, beta 2.
    const expected = [1 / (1 + 2.5) ** 2, 2 / (1 + 1) ** 2, 3 / (1 + 4.5) ** 2, 0];
    expectClose(values(spnorm(x2, [2, 1, 0.5, 2])), expected, 1e-12);
  });

  it('derivative through the window by hand (1×2, alpha = beta = 1)', () => {
    // x = [1, 2], window [j, j+1]: f = 1 + [2.5, 4]; dzdy = [1, 0] so only y_0 = x_0 / (1 + (x_0² + x_1²)/2) matters:
    // dy_0/dx_0 = 1/f_0 − x_0² / f_0² = 1/3.5 − 1/12.25, dy_0/dx_1 = −x_0 x_1 / f_0² = −2/12.25.
    const x1 = cpu64.tensor([1, 2], [1, 1, 2, 1]);
    const dx = spnormBackward(x1, [1, 2, 1, 1], cpu64.tensor([1, 0], [1, 1, 2, 1]));
    expectClose(values(dx), [1 / 3.5 - 1 / 12.25, -2 / 12.25], 1e-12);
  });

  it('"same" padding splits the window as ⌊(p−1)/2⌋ before, the rest after', () => {
    expect([1, 2, 3, 4, 5].map(samePadding)).toEqual([
      [0, 0],
      [0, 1],
      [1, 1],
      [1, 2],
      [2, 2],
    ]);
  });
});

describe('spnorm: output sizes and values over many windows', () => {
  const shapes: Shape[] = [
    [1, 1, 1, 1],
    [2, 3, 4, 2],
    [1, 5, 2, 3],
  ];
  const windows = [
    [1, 1],
    [2, 2],
    [3, 1],
    [1, 4],
    [3, 3],
    [4, 5],
    [7, 6],
  ];
  for (const shape of shapes) {
    for (const [ph, pw] of windows) {
      it(`x ${JSON.stringify(shape)}, window ${ph}×${pw}`, () => {
        const x = randn(cpu64, shape, ph! * 10 + pw!);
        const param = [ph!, pw!, 0.7, 0.8];
        const y = spnorm(x, param);
        expect(y.shape).toEqual(shape);
        expectClose(values(y), reference(x, param), 1e-12);
        expect(spnormBackward(x, param, randn(cpu64, shape, 1)).shape).toEqual(shape);
      });
    }
  }

  it('agrees on a float32 backend', () => {
    const x = randn(cpu32, [2, 3, 3, 2], 5);
    const param = [2, 2, 10, 2];
    const y = spnorm(x, param);
    expect(y.dtype).toBe('float32');
    expectClose(values(y), reference(x, param), 1e-5);
  });

  it('releases its temporaries', () => {
    const own = createCpuBackend({ dtype: 'float64' });
    const x = randn(own, [1, 3, 3, 2], 6);
    const dzdy = randn(own, [1, 3, 3, 2], 7);
    expect(own.memory().tensors).toBe(2);
    const y = spnorm(x, [3, 3, 1, 0.5]);
    const dx = spnormBackward(x, [3, 3, 1, 0.5], dzdy);
    expect(own.memory().tensors).toBe(4);
    y.dispose();
    dx.dispose();
  });
});

describe('spnorm: numerical derivatives (float64)', () => {
  const params = [
    [2, 2, 10, 2],
    [1, 1, 0.5, 0.75],
    [3, 3, 1, 0.5],
    [2, 3, 0.4, 1.5],
    [4, 1, 2, -0.5],
    [5, 5, 0.3, 1],
  ];
  for (const param of params) {
    it(`param ${JSON.stringify(param)}`, async () => {
      const shape = [2, 3, 3, 2];
      const x = randn(cpu64, shape, 8);
      await expectDerivative('spnorm dzdx', (xx) => spnorm(xx, param), x, (d) => spnormBackward(x, param, d), shape);
    });
  }
});

describe('spnorm: errors', () => {
  const x = randn(cpu64, [1, 3, 3, 2], 1);
  const dzdy = randn(cpu64, [1, 3, 3, 2], 2);

  it('rejects a param vector of the wrong length or type', () => {
    const msg = (s: string) => `spnorm: param must be [ph, pw, alpha, beta] (4 finite numbers), got ${s}`;
    expectError(() => spnorm(x, [2, 2, 10]), OptionError, msg('[2, 2, 10]'));
    expectError(() => spnorm(x, [2, 2, 10, 2, 0]), OptionError, msg('[2, 2, 10, 2, 0]'));
    expectError(() => spnorm(x, [2, 2, Number.POSITIVE_INFINITY, 2]), OptionError, msg('[2, 2, Infinity, 2]'));
    expectError(() => spnorm(x, 'same' as unknown as number[]), OptionError, msg("'same'"));
    expectError(
      () => spnormBackward(x, [2], dzdy),
      OptionError,
      'spnormBackward: param must be [ph, pw, alpha, beta] (4 finite numbers), got [2]',
    );
  });

  it('rejects bad values: windows < 1 or fractional, alpha < 0', () => {
    expectError(() => spnorm(x, [0, 2, 1, 1]), OptionError, 'spnorm: param ph and pw must be integers ≥ 1, got 0 and 2');
    expectError(() => spnorm(x, [2, 1.5, 1, 1]), OptionError, 'spnorm: param ph and pw must be integers ≥ 1, got 2 and 1.5');
    expectError(() => spnormBackward(x, [2, 2, -1, 1], dzdy), OptionError, 'spnormBackward: param alpha must be ≥ 0, got -1');
  });

  it('rejects options', () => {
    expectError(
      () => spnorm(x, [2, 2, 1, 1], { pad: 1 } as unknown as SpnormOptions),
      OptionError,
      "spnorm: opts must be empty (spnorm takes no options), got unknown option 'pad'",
    );
  });

  it('rejects x of the wrong rank and a dzdy of another shape', () => {
    expectError(() => spnorm(cpu64.zeros([3, 3, 2]), [2, 2, 1, 1]), ShapeError, 'spnorm: x must have 4 dimensions [N, H, W, C], got shape [3, 3, 2]');
    expectError(
      () => spnormBackward(x, [2, 2, 1, 1], cpu64.zeros([1, 3, 2, 2])),
      ShapeError,
      'spnormBackward: dzdy must have shape [1, 3, 3, 2] (the shape of x), got [1, 3, 2, 2]',
    );
  });

  it('rejects tensors on two backends, and disposed tensors', () => {
    const other = createCpuBackend({ dtype: 'float64' });
    expectError(
      () => spnormBackward(x, [2, 2, 1, 1], other.zeros([1, 3, 3, 2])),
      BackendError,
      'spnormBackward: dzdy lives on another cpu float64 backend instance than x; move one of them first',
    );
    const gone = cpu64.zeros([1, 1, 1, 2]);
    gone.dispose();
    expectError(() => spnorm(gone, [2, 2, 1, 1]), DisposedError, 'spnorm: x [1, 1, 1, 2] was disposed');
  });
});
