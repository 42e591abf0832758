import { readFileSync } from 'node:fs';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { BackendError, DisposedError, OptionError, type Shape, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { BNORM_EPSILON, type BnormBackwardOptions, type BnormOptions, bnorm, bnormBackward } from './bnorm.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';

interface Host {
  shape: number[];
  data: number[];
}
interface BnormCase {
  opts: { epsilon: number };
  x: Host;
  g: Host;
  b: Host;
  y: Host;
  moments: Host;
  dzdy: Host;
  dzdx: Host;
  dzdg: Host;
  dzdb: Host;
}
/** The 12 bnorm cases of shared/fixtures/blocks.json, copied into the package. */
const CASES = (JSON.parse(readFileSync(new URL('./fixtures/bnorm.json', import.meta.url), 'utf8')) as { cases: BnormCase[] }).cases;

const t64 = (h: Host): Tensor => cpu64.tensor(h.data, h.shape);
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

/** Moments computed in the test: per channel [mu, sqrt(biased var + eps)]. */
function referenceMoments(x: Tensor, eps: number): number[] {
  const v = values(x);
  const c = x.shape[3]!;
  const m = v.length / c;
  const out: number[] = [];
  for (let k = 0; k < c; k++) {
    let s = 0;
    for (let i = k; i < v.length; i += c) s += v[i]!;
    const mu = s / m;
    let q = 0;
    for (let i = k; i < v.length; i += c) q += (v[i]! - mu) ** 2;
    out.push(mu, Math.sqrt(q / m + eps));
  }
  return out;
}

describe('bnorm: hand-computed values', () => {
  // One channel, x = [1, 2, 6]: mu = 3, deviations [-2, -1, 3], var = 14/3; epsilon 0 so sigma = sqrt(14/3).
  const x = cpu64.tensor([1, 2, 6], [3, 1, 1, 1]);
  const g = cpu64.tensor([2], [1]);
  const b = cpu64.tensor([0.5], [1]);
  const sigma = Math.sqrt(14 / 3);

  it('normalises with the batch moments and returns them as [mu, sigma]', () => {
    const { y, moments } = bnorm(x, g, b, { epsilon: 0 });
    expectClose(values(y), [(2 * -2) / sigma + 0.5, (2 * -1) / sigma + 0.5, (2 * 3) / sigma + 0.5], 1e-12);
    expect(moments.shape).toEqual([1, 2]);
    expectClose(values(moments), [3, sigma], 1e-12);
  });

  it('puts epsilon inside sigma (default 1e-5, the wrappers’ value)', () => {
    expect(BNORM_EPSILON).toBe(1e-5);
    expectClose(values(bnorm(x, g, b).moments), [3, Math.sqrt(14 / 3 + 1e-5)], 1e-12);
    expectClose(values(bnorm(x, g, b, { epsilon: 1e-4 }).moments), [3, Math.sqrt(14 / 3 + 1e-4)], 1e-12);
  });

  it('computes the three derivatives (manual §6.6.2)', () => {
    const dzdy = cpu64.tensor([1, 0, 0], [3, 1, 1, 1]);
    const r = bnormBackward(x, g, b, dzdy, { epsilon: 0 });
    // dzdx = g/sigma (dy - db/3 - xhat dg/3) = (2/sigma) [8, -10, 2] / 21.
    expectClose(values(r.dzdx), [16 / 21 / sigma, -20 / 21 / sigma, 4 / 21 / sigma], 1e-12);
    expectClose(values(r.dzdg), [-2 / sigma], 1e-12);
    expectClose(values(r.dzdb), [1], 1e-12);
    expectClose(values(r.moments), [3, sigma], 1e-12);
  });

  it('uses given moments in test mode and ignores epsilon there', () => {
    const moments = cpu64.tensor([1, 4], [1, 2]);
    const { y, moments: used } = bnorm(x, g, b, { moments, epsilon: 0.5 });
    expectClose(values(y), [0.5, 1, 3], 1e-12);
    expectClose(values(used), [1, 4], 1e-12);
    expect(used).not.toBe(moments);
  });

  it('handles channels independently, channels last', () => {
    // x [2, 1, 1, 2]: channel 0 = [1, 3] (mu 2, sigma 1), channel 1 = [10, 14] (mu 12, sigma 2).
    const x2 = cpu64.tensor([1, 10, 3, 14], [2, 1, 1, 2]);
    const r = bnorm(x2, cpu64.tensor([2, -1], [2]), cpu64.tensor([0.5, 1], [2]), { epsilon: 0 });
    expectClose(values(r.y), [-1.5, 2, 2.5, 0], 1e-12);
    expectClose(values(r.moments), [2, 1, 12, 2], 1e-12);
  });
});

describe('bnorm: reference fixtures (shared/fixtures/blocks.json)', () => {
  it('has the 12 cases', () => expect(CASES).toHaveLength(12));

  CASES.forEach((c, i) => {
    it(`case ${i}: x ${JSON.stringify(c.x.shape)}, forward and derivatives`, () => {
      const [x, g, b, dzdy] = [t64(c.x), t64(c.g), t64(c.b), t64(c.dzdy)];
      const f = bnorm(x, g, b, c.opts);
      expectClose(values(f.y), c.y.data, 1e-9);
      expectClose(values(f.moments), c.moments.data, 1e-9);
      const r = bnormBackward(x, g, b, dzdy, c.opts);
      expectClose(values(r.dzdx), c.dzdx.data, 1e-9);
      expectClose(values(r.dzdg), c.dzdg.data, 1e-9);
      expectClose(values(r.dzdb), c.dzdb.data, 1e-9);
      // Test mode with the batch moments reproduces y; MatConvNet's backward with them reproduces dzdx.
      const moments = t64(c.moments);
      expectClose(values(bnorm(x, g, b, { moments }).y), c.y.data, 1e-9);
      expectClose(values(bnormBackward(x, g, b, dzdy, { moments }).dzdx), c.dzdx.data, 1e-9);
    });
  });

  it('agrees on a float32 backend', () => {
    const c = CASES[1]!;
    const t32 = (h: Host) => cpu32.tensor(h.data, h.shape);
    const [x, g, b] = [t32(c.x), t32(c.g), t32(c.b)];
    expectClose(values(bnorm(x, g, b, c.opts).y), c.y.data, 1e-4);
    const r = bnormBackward(x, g, b, t32(c.dzdy), c.opts);
    expect(r.dzdx.dtype).toBe('float32');
    expectClose(values(r.dzdx), c.dzdx.data, 1e-4);
    expectClose(values(r.dzdg), c.dzdg.data, 1e-4);
  });
});

describe('bnorm: output sizes', () => {
  const shapes: Shape[] = [
    [1, 1, 1, 1],
    [1, 1, 1, 5],
    [2, 3, 4, 1],
    [3, 1, 5, 2],
    [4, 2, 2, 7],
    [1, 6, 1, 3],
  ];
  for (const shape of shapes) {
    it(`x ${JSON.stringify(shape)}`, () => {
      const c = shape[3]!;
      const x = randn(cpu64, shape, 1);
      const g = randn(cpu64, [c], 2);
      const b = randn(cpu64, [c], 3);
      const f = bnorm(x, g, b);
      expect(f.y.shape).toEqual(shape);
      expect(f.moments.shape).toEqual([c, 2]);
      expectClose(values(f.moments), referenceMoments(x, 1e-5), 1e-12);
      for (const opts of [{}, { moments: f.moments }, { moments: f.moments, frozenMoments: true }]) {
        const r = bnormBackward(x, g, b, randn(cpu64, shape, 4), opts);
        expect([r.dzdx.shape, r.dzdg.shape, r.dzdb.shape, r.moments.shape]).toEqual([shape, [c], [c], [c, 2]]);
      }
    });
  }

  it('accepts an empty batch in test mode', () => {
    const moments = cpu64.tensor([0, 1, 0, 1], [2, 2]);
    const y = bnorm(cpu64.zeros([0, 2, 2, 2]), cpu64.tensor([1, 1], [2]), cpu64.zeros([2]), { moments }).y;
    expect(y.shape).toEqual([0, 2, 2, 2]);
  });
});

describe('bnorm: numerical derivatives (float64)', () => {
  const shape = [2, 2, 3, 3];
  const x = randn(cpu64, shape, 11, 2);
  const g = randn(cpu64, [3], 12);
  const b = randn(cpu64, [3], 13);
  const given = cpu64.tensor([0.3, 1.5, -0.2, 0.7, 1, 2.5], [3, 2]);

  const modes: Array<{ name: string; opts: BnormBackwardOptions }> = [
    { name: 'training (batch moments)', opts: { epsilon: 1e-3 } },
    { name: 'given moments, frozenMoments', opts: { moments: given, frozenMoments: true } },
  ];
  for (const { name, opts } of modes) {
    const fwd: BnormOptions = { epsilon: opts.epsilon, moments: opts.moments };
    it(`${name}: dzdx`, async () => {
      await expectDerivative('bnorm dzdx', (xx) => bnorm(xx, g, b, fwd).y, x, (d) => bnormBackward(x, g, b, d, opts).dzdx, shape);
    });
    it(`${name}: dzdg`, async () => {
      await expectDerivative('bnorm dzdg', (gg) => bnorm(x, gg, b, fwd).y, g, (d) => bnormBackward(x, g, b, d, opts).dzdg, shape);
    });
    it(`${name}: dzdb`, async () => {
      await expectDerivative('bnorm dzdb', (bb) => bnorm(x, g, bb, fwd).y, b, (d) => bnormBackward(x, g, b, d, opts).dzdb, shape);
    });
  }

  it('given moments (MatConvNet default): dzdg and dzdb are the test-mode derivatives', async () => {
    const opts = { moments: given };
    await expectDerivative('bnorm dzdg', (gg) => bnorm(x, gg, b, opts).y, g, (d) => bnormBackward(x, g, b, d, opts).dzdg, shape);
    await expectDerivative('bnorm dzdb', (bb) => bnorm(x, g, bb, opts).y, b, (d) => bnormBackward(x, g, b, d, opts).dzdb, shape);
  });

  it('given moments that are the batch moments: dzdx is the training derivative', async () => {
    const { moments } = bnorm(x, g, b);
    await expectDerivative('bnorm dzdx', (xx) => bnorm(xx, g, b).y, x, (d) => bnormBackward(x, g, b, d, { moments }).dzdx, shape);
  });
});

describe('bnorm: backward with given moments', () => {
  const shape = [3, 2, 2, 2];
  const x = randn(cpu64, shape, 21);
  const g = cpu64.tensor([1.5, -0.5], [2]);
  const b = cpu64.tensor([0.1, 0.2], [2]);
  const dzdy = randn(cpu64, shape, 22);

  it('agrees with the training-mode backward when the moments are the batch moments', () => {
    const train = bnormBackward(x, g, b, dzdy);
    const given = bnormBackward(x, g, b, dzdy, { moments: train.moments });
    for (const k of ['dzdx', 'dzdg', 'dzdb', 'moments'] as const) expectClose(values(given[k]), values(train[k]), 1e-12);
  });

  it('follows MatConvNet: the full batch-norm formula evaluated with the given mu and sigma', () => {
    const m = [0.5, 2, -1, 0.25];
    const r = bnormBackward(x, g, b, dzdy, { moments: cpu64.tensor(m, [2, 2]) });
    const xv = values(x);
    const dv = values(dzdy);
    const gv = [1.5, -0.5];
    const count = xv.length / 2;
    const expected = new Array<number>(xv.length).fill(0);
    for (let k = 0; k < 2; k++) {
      const [mu, sigma] = [m[2 * k]!, m[2 * k + 1]!];
      let db = 0;
      let dg = 0;
      for (let i = k; i < xv.length; i += 2) {
        db += dv[i]!;
        dg += (dv[i]! * (xv[i]! - mu)) / sigma;
      }
      for (let i = k; i < xv.length; i += 2) {
        expected[i] = (gv[k]! / sigma) * (dv[i]! - db / count - (((xv[i]! - mu) / sigma) * dg) / count);
      }
    }
    expectClose(values(r.dzdx), expected, 1e-12);
  });

  it('frozenMoments: dzdx = dzdy · g/sigma', () => {
    const m = [0.5, 2, -1, 0.25];
    const r = bnormBackward(x, g, b, dzdy, { moments: cpu64.tensor(m, [2, 2]), frozenMoments: true });
    expectClose(values(r.dzdx), values(dzdy).map((d, i) => (d * [0.75, -2][i % 2]!)), 1e-12);
    const matconvnet = bnormBackward(x, g, b, dzdy, { moments: cpu64.tensor(m, [2, 2]) });
    expectClose(values(r.dzdg), values(matconvnet.dzdg), 1e-12);
    expect(Math.max(...values(r.dzdx).map((v, i) => Math.abs(v - values(matconvnet.dzdx)[i]!)))).toBeGreaterThan(1e-3);
  });
});

describe('bnorm: errors', () => {
  const x = randn(cpu64, [2, 2, 2, 3], 1);
  const g = cpu64.tensor([1, 2, 3], [3]);
  const b = cpu64.tensor([0, 0, 0], [3]);
  const dzdy = randn(cpu64, [2, 2, 2, 3], 2);

  it('rejects unknown options', () => {
    expectError(() => bnorm(x, g, b, { eps: 1 } as BnormOptions), OptionError, "bnorm: unknown option 'eps'; known options are epsilon, moments");
    expectError(
      () => bnorm(x, g, b, { frozenMoments: true } as BnormOptions),
      OptionError,
      "bnorm: unknown option 'frozenMoments'; known options are epsilon, moments",
    );
    expectError(
      () => bnormBackward(x, g, b, dzdy, { Epsilon: 1 } as BnormOptions),
      OptionError,
      "bnormBackward: unknown option 'Epsilon'; known options are epsilon, moments, frozenMoments",
    );
  });

  it('rejects a bad epsilon or frozenMoments', () => {
    expectError(() => bnorm(x, g, b, { epsilon: -1 }), OptionError, 'bnorm: epsilon must be ≥ 0, got -1');
    expectError(() => bnorm(x, g, b, { epsilon: Number.NaN }), OptionError, 'bnorm: epsilon must be a finite number, got NaN');
    expectError(
      () => bnormBackward(x, g, b, dzdy, { frozenMoments: 1 as unknown as boolean }),
      OptionError,
      'bnormBackward: frozenMoments must be true or false, got 1',
    );
    expectError(
      () => bnormBackward(x, g, b, dzdy, { frozenMoments: true }),
      OptionError,
      'bnormBackward: frozenMoments needs the moments option (the given moments to hold constant), got no moments',
    );
  });

  it('rejects x of the wrong rank', () => {
    expectError(() => bnorm(cpu64.zeros([2, 2, 3]), g, b), ShapeError, 'bnorm: x must have 4 dimensions [N, H, W, C], got shape [2, 2, 3]');
  });

  it('rejects g and b with the wrong number of elements', () => {
    expectError(() => bnorm(x, cpu64.zeros([4]), b), ShapeError, 'bnorm: g must have shape [3] (one multiplier per channel of x), got [4]');
    expectError(() => bnorm(x, cpu64.zeros([1, 3]), b), ShapeError, 'bnorm: g must have shape [3] (one multiplier per channel of x), got [1, 3]');
    expectError(() => bnorm(x, g, cpu64.zeros([2])), ShapeError, 'bnorm: b must have shape [3] (one bias per channel of x), got [2]');
    expectError(
      () => bnormBackward(x, g, cpu64.zeros([2]), dzdy),
      ShapeError,
      'bnormBackward: b must have shape [3] (one bias per channel of x), got [2]',
    );
  });

  it('rejects moments of the wrong size', () => {
    const msg = (s: string) => `bnorm: moments must have shape [3, 2] (rows [mu, sigma], one per channel of x), got ${s}`;
    expectError(() => bnorm(x, g, b, { moments: cpu64.zeros([2, 3]) }), ShapeError, msg('[2, 3]'));
    expectError(() => bnorm(x, g, b, { moments: cpu64.zeros([3]) }), ShapeError, msg('[3]'));
    expectError(() => bnorm(x, g, b, { moments: cpu64.zeros([4, 2]) }), ShapeError, msg('[4, 2]'));
    expectError(
      () => bnorm(x, g, b, { moments: [0, 1] as unknown as Tensor }),
      ShapeError,
      'bnorm: moments must be a Tensor, got [0, 1]',
    );
  });

  it('rejects a dzdy of another shape', () => {
    expectError(
      () => bnormBackward(x, g, b, cpu64.zeros([2, 2, 2, 2])),
      ShapeError,
      'bnormBackward: dzdy must have shape [2, 2, 2, 3] (the shape of x), got [2, 2, 2, 2]',
    );
  });

  it('rejects batch moments of an empty batch', () => {
    expectError(
      () => bnorm(cpu64.zeros([0, 2, 2, 3]), g, b),
      ShapeError,
      'bnorm: x must have at least one value per channel to compute batch moments, got shape [0, 2, 2, 3]',
    );
  });

  it('rejects tensors on two backends, and disposed tensors', () => {
    const other = createCpuBackend({ dtype: 'float64' });
    expectError(
      () => bnorm(x, other.tensor([1, 2, 3], [3]), b),
      BackendError,
      'bnorm: g lives on another cpu float64 backend instance than x; move one of them first',
    );
    expectError(
      () => bnormBackward(x, g, b, dzdy, { moments: other.zeros([3, 2]) }),
      BackendError,
      'bnormBackward: moments lives on another cpu float64 backend instance than x; move one of them first',
    );
    const gone = cpu64.tensor([1, 2, 3], [3]);
    gone.dispose();
    expectError(() => bnorm(x, g, gone), DisposedError, 'bnorm: b [3] was disposed');
  });
});
