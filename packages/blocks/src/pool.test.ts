import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { BackendError, OptionError, type Pad4, type Pair, type Shape, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type PoolOptions, pool, poolBackward } from './pool.js';
import { POOL_CASES } from './test-pool-cases.js';
import { cpu32, cpu64, distinct, expectClose, expectDerivative, randn } from './test-helpers.js';

const values = (t: Tensor) => Array.from(t.dataSync());

/** The notes' example (notes-fc-relu-maxpool-backprop.md), as a [1, 4, 4, 1] NHWC tensor. */
const image = () => cpu64.tensor([3, 2, 3, 6, 4, 5, 4, 9, 2, 1, 2, 6, 3, 4, 3, 2], [1, 4, 4, 1]);

/**
 * Brute-force pooling straight from manual §4.3 (windows clipped to the image),
 * independent of the kernel's loops: y, and dz/dx for a projection dzdy, with
 * max ties broken by the first maximum in column-major window order.
 */
function reference(x: Tensor, size: Pair, pad: Pad4, stride: Pair, method: 'max' | 'avg', dzdy?: Tensor) {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const ho = Math.floor((h + pad[0] + pad[1] - size[0]) / stride[0]) + 1;
  const wo = Math.floor((w + pad[2] + pad[3] - size[1]) / stride[1]) + 1;
  const xv = x.dataSync();
  const dy = dzdy?.dataSync();
  const y: number[] = [];
  const dx = new Array<number>(x.size).fill(0);
  const at = (b: number, i: number, j: number, k: number) => ((b * h + i) * w + j) * c + k;
  for (let b = 0; b < n; b++)
    for (let oi = 0; oi < ho; oi++)
      for (let oj = 0; oj < wo; oj++)
        for (let k = 0; k < c; k++) {
          const cells: number[] = [];
          for (let j = oj * stride[1] - pad[2]; j < oj * stride[1] - pad[2] + size[1]; j++)
            for (let i = oi * stride[0] - pad[0]; i < oi * stride[0] - pad[0] + size[0]; i++)
              if (i >= 0 && i < h && j >= 0 && j < w) cells.push(at(b, i, j, k));
          const g = dy ? dy[((b * ho + oi) * wo + oj) * c + k]! : 0;
          if (method === 'avg') {
            y.push(cells.reduce((s, p) => s + xv[p]!, 0) / cells.length);
            for (const p of cells) dx[p]! += g / cells.length;
          } else {
            const best = cells.reduce((q, p) => (xv[p]! > xv[q]! ? p : q));
            y.push(xv[best]!);
            dx[best]! += g;
          }
        }
  return { shape: [n, ho, wo, c] as Shape, y, dx };
}

function expectError(fn: () => unknown, type: typeof ShapeError | typeof OptionError | typeof BackendError, message: string) {
  expect(fn).toThrow(type);
  expect(fn).toThrow(message);
}

describe('pool: hand-computed values', () => {
  it("max-pools the notes' 4×4 example 2×2 stride 2 to [[5, 9], [4, 6]]", () => {
    const y = pool(image(), 2, { stride: 2 });
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(values(y)).toEqual([5, 9, 4, 6]);
    // 'max' is the default method
    expect(values(pool(image(), [2, 2], { method: 'max', stride: [2, 2] }))).toEqual([5, 9, 4, 6]);
  });

  it("routes the notes' example's derivative to the maxima 5, 9, 4, 6 (the pooling matrix Pᵀ v)", () => {
    const dzdy = cpu64.tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    const dx = poolBackward(image(), 2, dzdy, { stride: 2 });
    expect(dx.shape).toEqual([1, 4, 4, 1]);
    // 5 at (1,1) ← v1, 9 at (1,3) ← v2, 4 at (3,1) ← v3, 6 at (2,3) ← v4
    expect(values(dx)).toEqual([0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 4, 0, 3, 0, 0]);
  });

  it("average-pools the notes' example", () => {
    expect(values(pool(image(), 2, { method: 'avg', stride: 2 }))).toEqual([3.5, 5.5, 2.5, 3.25]);
    const dx = poolBackward(image(), 2, cpu64.tensor([4, 8, 12, 16], [1, 2, 2, 1]), { method: 'avg', stride: 2 });
    expect(values(dx)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  // x = −[[1,2,3],[4,5,6],[7,8,9]], pool 2, pad 1, stride 2: windows {(0,0)}, {(0,1),(0,2)}, {(1,0),(2,0)}, {(1..2,1..2)}.
  const negative = () => cpu64.tensor([-1, -2, -3, -4, -5, -6, -7, -8, -9], [1, 3, 3, 1]);

  it('clips windows to the image: max ignores the padding (as −∞), not zeros', () => {
    expect(values(pool(negative(), 2, { pad: 1, stride: 2 }))).toEqual([-1, -2, -4, -5]);
    const dx = poolBackward(negative(), 2, cpu64.tensor([4, 2, 6, 8], [1, 2, 2, 1]), { pad: 1, stride: 2 });
    expect(values(dx)).toEqual([4, 2, 0, 6, 8, 0, 0, 0, 0]);
  });

  it('clips windows to the image: avg divides by the number of valid pixels', () => {
    expect(values(pool(negative(), 2, { method: 'avg', pad: 1, stride: 2 }))).toEqual([-1, -2.5, -5.5, -7]);
    const dx = poolBackward(negative(), 2, cpu64.tensor([4, 2, 6, 8], [1, 2, 2, 1]), { method: 'avg', pad: 1, stride: 2 });
    expect(values(dx)).toEqual([4, 1, 1, 3, 2, 2, 3, 2, 2]);
  });

  it('breaks max ties at the first maximum in column-major window order (MatConvNet), per channel', () => {
    // Channel 0: [[1, 2], [2, 0]] — row-major would pick (0,1); column-major picks (1,0).
    // Channel 1: all equal — the top-left element.
    const x = cpu64.tensor([1, 7, 2, 7, 2, 7, 0, 7], [1, 2, 2, 2]);
    expect(values(pool(x, 2))).toEqual([2, 7]);
    const dx = poolBackward(x, 2, cpu64.tensor([1, 5], [1, 1, 1, 2]));
    expect(values(dx)).toEqual([0, 5, 0, 0, 1, 0, 0, 0]);
  });

  it('accumulates the derivative of overlapping windows', () => {
    const x = cpu64.tensor([1, 2, 3, 4, 9, 5, 6, 7, 8], [1, 3, 3, 1]);
    const dzdy = cpu64.tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    expect(values(pool(x, 2))).toEqual([9, 9, 9, 9]);
    expect(values(poolBackward(x, 2, dzdy))).toEqual([0, 0, 0, 0, 10, 0, 0, 0, 0]);
    expect(values(poolBackward(x, 2, dzdy, { method: 'avg' }))).toEqual([0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1]);
  });

  it('pools non-contiguous views (slices) like their copies', () => {
    const big = distinct(cpu64, [2, 5, 6, 3], 4);
    const view = cpu64.run('Slice', { x: big }, { begin: [1, 1, 0, 1], size: [1, 4, 5, 2] });
    const copy = cpu64.tensor(view.dataSync(), view.shape);
    for (const method of ['max', 'avg'] as const) {
      const opts: PoolOptions = { method, pad: [1, 0, 0, 1], stride: [1, 2] };
      expect(values(pool(view, [2, 3], opts))).toEqual(values(pool(copy, [2, 3], opts)));
      const dzdy = randn(cpu64, [1, 4, 2, 2], 5);
      expect(values(poolBackward(view, [2, 3], dzdy, opts))).toEqual(values(poolBackward(copy, [2, 3], dzdy, opts)));
    }
  });
});

describe('pool: reference fixtures', () => {
  it('has the 24 pool cases (max and avg)', () => {
    expect(POOL_CASES.length).toBe(24);
    expect(POOL_CASES.filter((c) => c.opts.method === 'max').length).toBe(12);
  });

  for (const [i, c] of POOL_CASES.entries()) {
    const label = `case ${i}: ${c.opts.method} ${c.size.join('×')} pad [${c.opts.pad.join(', ')}] stride ${c.opts.stride}, x [${c.x.shape.join(', ')}]`;
    it(`${label} — forward and derivative, float64 and float32`, () => {
      for (const [backend, tol] of [
        [cpu64, 1e-12],
        [cpu32, 1e-5],
      ] as const) {
        const x = backend.tensor(c.x.data, c.x.shape);
        const y = pool(x, c.size, c.opts);
        expect(y.shape).toEqual(c.y.shape);
        expectClose(y.dataSync(), c.y.data, tol);
        const dx = poolBackward(x, c.size, backend.tensor(c.dzdy.data, c.dzdy.shape), c.opts);
        expect(dx.shape).toEqual(c.dzdx.shape);
        expectClose(dx.dataSync(), c.dzdx.data, tol);
      }
    });
    it(`${label} — numerical derivative`, async () => {
      const x = cpu64.tensor(c.x.data, c.x.shape);
      await expectDerivative(`pool ${label}`, (t) => pool(t, c.size, c.opts), x, (d) => poolBackward(x, c.size, d, c.opts), c.y.shape, 10 + i);
    });
  }
});

describe('pool: output sizes and values over many options', () => {
  it('matches floor((H + Pt + Pb − Ph)/Sy) + 1 and the brute-force windows', () => {
    let checked = 0;
    for (const [h, w] of [
      [1, 1],
      [3, 5],
      [4, 4],
      [7, 6],
    ] as const) {
      for (const size of [
        [1, 1],
        [2, 2],
        [3, 2],
        [1, 3],
      ] as const) {
        for (const pad of [
          [0, 0, 0, 0],
          [1, 0, 0, 1],
          [0, 2, 1, 0],
          [2, 2, 2, 2],
        ] as const) {
          if (pad[0] >= size[0] || pad[1] >= size[0] || pad[2] >= size[1] || pad[3] >= size[1]) continue;
          if (h + pad[0] + pad[1] < size[0] || w + pad[2] + pad[3] < size[1]) continue;
          for (const stride of [
            [1, 1],
            [2, 1],
            [3, 2],
          ] as const) {
            const x = distinct(cpu64, [2, h, w, 3], h * 7 + w);
            const ho = Math.floor((h + pad[0] + pad[1] - size[0]) / stride[0]) + 1;
            const wo = Math.floor((w + pad[2] + pad[3] - size[1]) / stride[1]) + 1;
            for (const method of ['max', 'avg'] as const) {
              const y = pool(x, size, { method, pad, stride });
              expect(y.shape).toEqual([2, ho, wo, 3]);
              const dzdy = randn(cpu64, [2, ho, wo, 3], checked);
              const ref = reference(x, size, pad, stride, method, dzdy);
              expect(ref.shape).toEqual(y.shape);
              expectClose(y.dataSync(), ref.y, 1e-12);
              expectClose(poolBackward(x, size, dzdy, { method, pad, stride }).dataSync(), ref.dx, 1e-12);
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('accepts one number for the pool size, the pad and the stride', () => {
    const x = distinct(cpu64, [1, 7, 9, 2], 3);
    expect(pool(x, 3, { pad: 1, stride: 2 }).shape).toEqual([1, 4, 5, 2]);
    expect(values(pool(x, 3, { pad: 1, stride: 2 }))).toEqual(values(pool(x, [3, 3], { pad: [1, 1, 1, 1], stride: [2, 2] })));
  });
});

describe('pool: numerical derivatives (float64)', () => {
  const configs: { size: number | [number, number]; opts: PoolOptions; shape: Shape }[] = [
    { size: 2, opts: { stride: 2 }, shape: [2, 4, 4, 2] },
    { size: [3, 2], opts: { pad: [1, 2, 0, 1], stride: [2, 1] }, shape: [1, 5, 4, 3] },
    { size: 3, opts: { pad: 2, stride: 1 }, shape: [1, 3, 4, 2] },
    { size: [2, 3], opts: { pad: [0, 1, 2, 0], stride: [1, 3] }, shape: [2, 4, 6, 1] },
  ];
  for (const [i, { size, opts, shape }] of configs.entries()) {
    for (const method of ['max', 'avg'] as const) {
      it(`${method} ${JSON.stringify(size)} ${JSON.stringify(opts)}`, async () => {
        const o = { ...opts, method };
        const x = distinct(cpu64, shape, 20 + i);
        const yShape = pool(x, size, o).shape;
        await expectDerivative(`pool ${method}`, (t) => pool(t, size, o), x, (d) => poolBackward(x, size, d, o), yShape, 30 + i);
      });
    }
  }
});

describe('pool: errors', () => {
  const x = cpu64.zeros([1, 4, 4, 1]);

  it('rejects x of the wrong rank', () => {
    expectError(() => pool(cpu64.zeros([4, 4, 1]), 2), ShapeError, 'pool: x must have 4 dimensions [N, H, W, C], got shape [4, 4, 1]');
    expectError(
      () => poolBackward(cpu64.zeros([1, 1, 4, 4, 1]), 2, x),
      ShapeError,
      'poolBackward: x must have 4 dimensions [N, H, W, C], got shape [1, 1, 4, 4, 1]',
    );
  });

  it('rejects a pad not strictly smaller than the pool size in its direction', () => {
    expectError(
      () => pool(x, 2, { pad: [2, 0, 0, 0] }),
      OptionError,
      'pool: pad must be strictly smaller than the pool size [2, 2] in its direction (top, bottom < 2; left, right < 2), got [2, 0, 0, 0]',
    );
    expectError(
      () => pool(x, [3, 1], { pad: [0, 0, 0, 1] }),
      OptionError,
      'pool: pad must be strictly smaller than the pool size [3, 1] in its direction (top, bottom < 3; left, right < 1), got [0, 0, 0, 1]',
    );
    expectError(() => poolBackward(x, 1, x, { pad: 1 }), OptionError, 'poolBackward: pad must be strictly smaller than the pool size [1, 1]');
  });

  it('rejects a pool window larger than the padded input, and an empty image', () => {
    expectError(
      () => pool(x, 5),
      ShapeError,
      'pool: x must be at least the pool size [5, 5] once padded (height, width), got [4, 4] from shape [1, 4, 4, 1] with pad [0, 0, 0, 0]',
    );
    expect(pool(x, 5, { pad: [1, 0, 2, 0] }).shape).toEqual([1, 1, 2, 1]);
    expectError(
      () => pool(x, [3, 6], { pad: [0, 0, 1, 0] }),
      ShapeError,
      'pool: x must be at least the pool size [3, 6] once padded (height, width), got [4, 5] from shape [1, 4, 4, 1] with pad [0, 0, 1, 0]',
    );
    expectError(() => pool(cpu64.zeros([1, 0, 3, 1]), 1), ShapeError, 'pool: x must have a height and width of at least 1, got shape [1, 0, 3, 1]');
  });

  it('rejects a bad method, stride, pool size or pad', () => {
    expectError(() => pool(x, 2, { method: 'sum' as 'max' }), OptionError, "pool: method must be one of 'max', 'avg', got 'sum'");
    expectError(() => pool(x, 2, { method: 'MAX' as 'max' }), OptionError, "pool: method must be one of 'max', 'avg', got 'MAX'");
    expectError(() => pool(x, 2, { stride: 0 }), OptionError, 'pool: stride must be integers ≥ 1, got 0');
    expectError(() => pool(x, 2, { stride: [1, 1.5] }), OptionError, 'pool: stride must be integers ≥ 1, got [1, 1.5]');
    expectError(() => pool(x, 2, { stride: [1, 2, 3] }), OptionError, 'pool: stride must be one number or [vertical, horizontal], got [1, 2, 3]');
    expectError(() => pool(x, 0), OptionError, 'pool: poolSize must be integers ≥ 1, got 0');
    expectError(() => pool(x, [2, 2, 2]), OptionError, 'pool: poolSize must be one number or [vertical, horizontal], got [2, 2, 2]');
    expectError(() => pool(x, undefined as unknown as number), OptionError, 'pool: poolSize must be one number or [height, width], got undefined');
    expectError(() => pool(x, 2, { pad: [1, 1] }), OptionError, 'pool: pad must be one number or [top, bottom, left, right], got [1, 1]');
    expectError(() => pool(x, 2, { pad: -1 }), OptionError, 'pool: pad must be integers ≥ 0, got -1');
  });

  it('rejects unknown options', () => {
    expectError(
      () => pool(x, 2, { padding: 1 } as PoolOptions),
      OptionError,
      "pool: unknown option 'padding'; known options are method, pad, stride",
    );
    expectError(
      () => poolBackward(x, 2, cpu64.zeros([1, 3, 3, 1]), { Method: 'avg' } as PoolOptions),
      OptionError,
      "poolBackward: unknown option 'Method'; known options are method, pad, stride",
    );
  });

  it('rejects a dzdy whose shape is not the output shape', () => {
    expectError(
      () => poolBackward(x, 2, cpu64.zeros([1, 4, 4, 1]), { stride: 2 }),
      ShapeError,
      'poolBackward: dzdy must have shape [1, 2, 2, 1] (the output shape of pool), got [1, 4, 4, 1]',
    );
    expectError(
      () => poolBackward(x, 2, cpu64.zeros([1, 3, 3, 2])),
      ShapeError,
      'poolBackward: dzdy must have shape [1, 3, 3, 1] (the output shape of pool), got [1, 3, 3, 2]',
    );
  });

  it('rejects tensors from two backends', () => {
    const other = createCpuBackend({ dtype: 'float64' });
    expectError(
      () => poolBackward(x, 2, other.zeros([1, 3, 3, 1])),
      BackendError,
      'poolBackward: dzdy lives on another cpu float64 backend instance than x; move one of them first',
    );
    expectError(
      () => poolBackward(x, 2, cpu32.zeros([1, 3, 3, 1])),
      BackendError,
      'poolBackward: dzdy lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first',
    );
  });
});
