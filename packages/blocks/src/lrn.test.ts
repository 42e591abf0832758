import { readFileSync } from 'node:fs';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { BackendError, DisposedError, OptionError, type Shape, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type LrnOptions, lrn, lrnBackward } from './lrn.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';

interface Host {
  shape: number[];
  data: number[];
}
interface LrnCase {
  param: number[];
  x: Host;
  y: Host;
  dzdy: Host;
  dzdx: Host;
}
/** The 12 lrn cases of shared/fixtures/blocks.json, copied into the package. */
const CASES = (JSON.parse(readFileSync(new URL('./fixtures/lrn.json', import.meta.url), 'utf8')) as { cases: LrnCase[] }).cases;

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

/** Brute force from the definition, 1-based window Q(k) = [max(1, k − ⌊(n−1)/2⌋), min(C, k + ⌈(n−1)/2⌉)]. */
function reference(x: Tensor, [n, kappa, alpha, beta]: number[]): number[] {
  const v = values(x);
  const c = x.shape[3]!;
  return v.map((xk, i) => {
    const k = (i % c) + 1;
    const base = i - (k - 1);
    let s = 0;
    for (let q = Math.max(1, k - Math.floor((n! - 1) / 2)); q <= Math.min(c, k + Math.ceil((n! - 1) / 2)); q++) s += v[base + q - 1]! ** 2;
    return xk * (kappa! + alpha! * s) ** -beta!;
  });
}

describe('lrn: hand-computed values', () => {
  const x = cpu64.tensor([1, 2, 3], [1, 1, 1, 3]);

  it('odd window n = 3: channels k−1..k+1', () => {
    // L = 1 + [1+4, 1+4+9, 4+9] = [6, 15, 14].
    expectClose(values(lrn(x, [3, 1, 1, 1])), [1 / 6, 2 / 15, 3 / 14], 1e-12);
  });

  it('even window n = 2 reaches one channel up (MatConvNet’s window)', () => {
    // Q(k) = [k, k+1]: L = 1 + [1+4, 4+9, 9] = [6, 14, 10].
    expectClose(values(lrn(x, [2, 1, 1, 1])), [1 / 6, 2 / 14, 3 / 10], 1e-12);
  });

  it('n ≥ 2C with [n, 0, 1, 0.5] is L2 normalisation across channels', () => {
    expectClose(values(lrn(x, [6, 0, 1, 0.5])), [1, 2, 3].map((v) => v / Math.sqrt(14)), 1e-12);
  });

  it('n = 1 normalises each channel alone; derivative by hand', () => {
    // y = x / (1 + x²): dy/dx = (1 − x²)/(1 + x²)², 0 at x = 1 and −3/25 at x = 2.
    const x1 = cpu64.tensor([1, 2], [1, 1, 2, 1]);
    expectClose(values(lrn(x1, [1, 1, 1, 1])), [0.5, 0.4], 1e-12);
    expectClose(values(lrnBackward(x1, [1, 1, 1, 1], cpu64.tensor([1, 1], [1, 1, 2, 1]))), [0, -3 / 25], 1e-12);
  });

  it('cross-channel derivative by hand (n = 2)', () => {
    // dzdy = [1, 0, 0]: t_0 = 1 · L_0^−2 · x_0 = 1/36 reaches channels 0 and 1 (Q(0) = {0, 1}).
    const dx = lrnBackward(x, [2, 1, 1, 1], cpu64.tensor([1, 0, 0], [1, 1, 1, 3]));
    expectClose(values(dx), [1 / 6 - 2 / 36, -4 / 36, 0], 1e-12);
  });

  it('applies the same normalisation at every pixel, channels last', () => {
    const x2 = cpu64.tensor([1, 2, 3, 3, 2, 1], [2, 1, 1, 3]);
    expectClose(values(lrn(x2, [3, 1, 1, 1])), [1 / 6, 2 / 15, 3 / 14, 3 / 14, 2 / 15, 1 / 6], 1e-12);
  });

  it('Caffe’s alpha is MatConvNet’s alpha times n', () => {
    // Caffe: L = k + (alpha_caffe / n) Σ x²; AlexNet's local_size 5, alpha 1e-4 is [5, 1, 1e-4 / 5, 0.75] here.
    const xr = randn(cpu64, [1, 2, 2, 7], 3, 10);
    const caffe = values(xr).map((v, i, all) => {
      const k = i % 7;
      let s = 0;
      for (let q = Math.max(0, k - 2); q <= Math.min(6, k + 2); q++) s += all[i - k + q]! ** 2;
      return v * (1 + (1e-4 / 5) * s) ** -0.75;
    });
    expectClose(values(lrn(xr, [5, 1, 1e-4 / 5, 0.75])), caffe, 1e-12);
  });
});

describe('lrn: reference fixtures (shared/fixtures/blocks.json)', () => {
  it('has the 12 cases', () => expect(CASES).toHaveLength(12));

  CASES.forEach((c, i) => {
    it(`case ${i}: param ${JSON.stringify(c.param)}, x ${JSON.stringify(c.x.shape)}`, () => {
      const x = cpu64.tensor(c.x.data, c.x.shape);
      expectClose(values(lrn(x, c.param)), c.y.data, 1e-9);
      expectClose(values(lrnBackward(x, c.param, cpu64.tensor(c.dzdy.data, c.dzdy.shape))), c.dzdx.data, 1e-9);
    });
  });

  it('agrees on a float32 backend', () => {
    const c = CASES[5]!;
    const x = cpu32.tensor(c.x.data, c.x.shape);
    const y = lrn(x, c.param);
    expect(y.dtype).toBe('float32');
    expectClose(values(y), c.y.data, 1e-5);
    expectClose(values(lrnBackward(x, c.param, cpu32.tensor(c.dzdy.data, c.dzdy.shape))), c.dzdx.data, 1e-5);
  });
});

describe('lrn: output sizes and the window over many parameters', () => {
  const shapes: Shape[] = [
    [1, 1, 1, 1],
    [2, 3, 2, 4],
    [1, 2, 5, 7],
    [3, 1, 1, 10],
  ];
  for (const shape of shapes) {
    for (const n of [1, 2, 3, 4, 5, 8, 25]) {
      it(`x ${JSON.stringify(shape)}, n = ${n}`, () => {
        const x = randn(cpu64, shape, n);
        const param = [n, 0.5 + n / 10, 0.3, 0.6];
        const y = lrn(x, param);
        expect(y.shape).toEqual(shape);
        expectClose(values(y), reference(x, param), 1e-12);
        expect(lrnBackward(x, param, randn(cpu64, shape, 1)).shape).toEqual(shape);
      });
    }
  }
});

describe('lrn: numerical derivatives (float64)', () => {
  const params = [
    [5, 1, 1e-4 / 5, 0.75],
    [1, 2, 0.5, 0.75],
    [2, 1, 0.3, 1.5],
    [3, 0.5, 1, 0.5],
    [4, 1, 0.2, -0.5],
    [12, 0.1, 1, 0.5],
  ];
  for (const param of params) {
    it(`param ${JSON.stringify(param)}`, async () => {
      const shape = [2, 2, 1, 5];
      const x = randn(cpu64, shape, 7, 1.5);
      await expectDerivative('lrn dzdx', (xx) => lrn(xx, param), x, (d) => lrnBackward(x, param, d), shape);
    });
  }
});

describe('lrn: errors', () => {
  const x = randn(cpu64, [1, 2, 2, 3], 1);
  const dzdy = randn(cpu64, [1, 2, 2, 3], 2);

  it('rejects a param vector of the wrong length or type', () => {
    const msg = (s: string) => `lrn: param must be [n, kappa, alpha, beta] (4 finite numbers), got ${s}`;
    expectError(() => lrn(x, [5, 1, 1e-4]), OptionError, msg('[5, 1, 0.0001]'));
    expectError(() => lrn(x, [5, 1, 1e-4, 0.75, 1]), OptionError, msg('[5, 1, 0.0001, 0.75, 1]'));
    expectError(() => lrn(x, [5, 1, Number.NaN, 0.75]), OptionError, msg('[5, 1, NaN, 0.75]'));
    expectError(() => lrn(x, 5 as unknown as number[]), OptionError, msg('5'));
    expectError(() => lrnBackward(x, [5, 1], dzdy), OptionError, 'lrnBackward: param must be [n, kappa, alpha, beta] (4 finite numbers), got [5, 1]');
  });

  it('rejects bad values: n < 1 or fractional, kappa < 0, alpha < 0', () => {
    expectError(() => lrn(x, [0, 1, 1, 1]), OptionError, 'lrn: param n must be an integer ≥ 1, got 0');
    expectError(() => lrn(x, [2.5, 1, 1, 1]), OptionError, 'lrn: param n must be an integer ≥ 1, got 2.5');
    expectError(() => lrn(x, [3, -1, 1, 1]), OptionError, 'lrn: param kappa must be ≥ 0, got -1');
    expectError(() => lrnBackward(x, [3, 1, -0.1, 1], dzdy), OptionError, 'lrnBackward: param alpha must be ≥ 0, got -0.1');
  });

  it('rejects options', () => {
    expectError(
      () => lrn(x, [5, 1, 1, 1], { verbose: true } as unknown as LrnOptions),
      OptionError,
      "lrn: opts must be empty (lrn takes no options), got unknown option 'verbose'",
    );
    expectError(
      () => lrn(x, [5, 1, 1, 1], 3 as unknown as LrnOptions),
      OptionError,
      'lrn: expected an options object, got 3',
    );
  });

  it('rejects x of the wrong rank and a dzdy of another shape', () => {
    expectError(() => lrn(cpu64.zeros([4, 3]), [5, 1, 1, 1]), ShapeError, 'lrn: x must have 4 dimensions [N, H, W, C], got shape [4, 3]');
    expectError(
      () => lrnBackward(x, [5, 1, 1, 1], cpu64.zeros([1, 2, 2, 4])),
      ShapeError,
      'lrnBackward: dzdy must have shape [1, 2, 2, 3] (the shape of x), got [1, 2, 2, 4]',
    );
  });

  it('rejects tensors on two backends, and disposed tensors', () => {
    const other = createCpuBackend({ dtype: 'float64' });
    expectError(
      () => lrnBackward(x, [5, 1, 1, 1], other.zeros([1, 2, 2, 3])),
      BackendError,
      'lrnBackward: dzdy lives on another cpu float64 backend instance than x; move one of them first',
    );
    const gone = cpu64.zeros([1, 1, 1, 2]);
    gone.dispose();
    expectError(() => lrn(gone, [5, 1, 1, 1]), DisposedError, 'lrn: x [1, 1, 1, 2] was disposed');
  });
});
