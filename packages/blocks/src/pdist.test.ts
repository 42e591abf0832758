import type { Shape, Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type PdistOptions, pdist, pdistBackward } from './pdist.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';

const values = (t: Tensor) => Array.from(t.dataSync());

describe('pdist', () => {
  // Two pixels: d = x − x0 = [3, 4] and [0, 0] with x0 broadcast.
  const x = cpu64.tensor([4, 6, 1, 2], [1, 1, 2, 2]);
  const x0 = cpu64.tensor([1, 2], [1, 1, 1, 2]);

  it('computes (Σ|d|^p)^(1/p) per pixel for p = 1, 2, 3, 0.5 (hand-computed)', () => {
    expectClose(values(pdist(x, x0, 2)), [5, 0], 1e-14);
    expectClose(values(pdist(x, x0, 1)), [7, 0], 1e-14);
    expectClose(values(pdist(x, x0, 3)), [(27 + 64) ** (1 / 3), 0], 1e-14);
    expectClose(values(pdist(x, x0, 0.5)), [(Math.sqrt(3) + 2) ** 2, 0], 1e-14);
    expect(pdist(x, x0, 2).shape).toEqual([1, 1, 2, 1]);
  });

  it('instanceWeights of every bsxfun-compatible shape equal their explicit expansion (vl_nnpdist.m lines 75-76, 125-126)', () => {
    const x = randn(cpu64, [2, 2, 3, 4], 1);
    const x0 = randn(cpu64, [2, 1, 1, 4], 2);
    const dzdy = randn(cpu64, [2, 2, 3, 1], 3);
    const full = [1, 0.5, 2, 1.5, 0.25, 3, 1, 2, 0.75, 1.25, 4, 0];
    for (const [shape, pick] of [
      [[1, 2, 3, 1], (i: number) => i % 6],
      [[2, 1, 3, 1], (i: number) => Math.floor(i / 6) * 3 + (i % 3)],
      [[1, 1, 3, 1], (i: number) => i % 3],
      [[2, 2, 1, 1], (i: number) => Math.floor(i / 3)],
    ] as [number[], (i: number) => number][]) {
      const small = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => full[k]!);
      const o = { instanceWeights: cpu64.tensor(small, shape) };
      const e = { instanceWeights: cpu64.tensor(Array.from({ length: 12 }, (_, i) => small[pick(i)]!), [2, 2, 3, 1]) };
      expect(values(pdist(x, x0, 2, o))).toEqual(values(pdist(x, x0, 2, e)));
      expect(values(pdistBackward(x, x0, 3, dzdy, o).dzdx)).toEqual(values(pdistBackward(x, x0, 3, dzdy, e).dzdx));
    }
  });

  it('noRoot, instanceWeights and aggregate (hand-computed)', () => {
    expectClose(values(pdist(x, x0, 2, { noRoot: true })), [25, 0], 1e-14);
    expectClose(values(pdist(x, x0, 3, { noRoot: true })), [91, 0], 1e-14);
    const far = cpu64.tensor([4, 6, 7, 10], [1, 1, 2, 2]); // distances 5 and 10
    expectClose(values(pdist(far, x0, 2, { instanceWeights: 2 })), [10, 20], 1e-14);
    expectClose(values(pdist(far, x0, 2, { instanceWeights: cpu64.tensor([1, 0.5], [1, 1, 2, 1]) })), [5, 5], 1e-14);
    const total = pdist(far, x0, 2, { aggregate: true, instanceWeights: cpu64.tensor([3], [1, 1, 1, 1]) });
    expect(total.shape).toEqual([1]);
    expectClose(values(total), [45], 1e-14);
    expectClose(values(pdist(far, far, 2)), [0, 0], 0);
  });

  it('backward: dz/dx = dz/dy · d / y for p = 2, dz/dx0 summed back over pixels (hand-computed)', () => {
    const dzdy = cpu64.tensor([2, 7], [1, 1, 2, 1]);
    const r = pdistBackward(x, x0, 2, dzdy);
    // pixel 0: 2·[3, 4]/5; pixel 1: d = 0, so 0 (Σd² floored at epsilon).
    expectClose(values(r.dzdx), [1.2, 1.6, 0, 0], 1e-14);
    expect(r.dzdx0.shape).toEqual([1, 1, 1, 2]);
    expectClose(values(r.dzdx0), [-1.2, -1.6], 1e-14);
    const x0full = cpu64.tensor([1, 2, 1, 2], [1, 1, 2, 2]);
    expectClose(values(pdistBackward(x, x0full, 2, dzdy).dzdx0), [-1.2, -1.6, -0, -0], 1e-14);
    // noRoot p = 2: 2 dz/dy d; p = 1: dz/dy sign(d).
    expectClose(values(pdistBackward(x, x0, 2, dzdy, { noRoot: true }).dzdx), [12, 16, 0, 0], 1e-14);
    expectClose(values(pdistBackward(x, x0, 1, dzdy).dzdx), [2, 2, 0, 0], 1e-14);
    const agg = pdistBackward(x, x0, 2, cpu64.tensor([3], [1]), { aggregate: true, instanceWeights: 2 });
    expectClose(values(agg.dzdx), [3.6, 4.8, 0, 0], 1e-14);
  });

  it("bounds Σdᵖ by ε as MatConvNet (vl_nnpdist.m lines 92 and 98): p = 2, ε = 1e-6, x = [1e-4, 0], x0 = 0 gives 0.1", () => {
    const small = cpu64.tensor([1e-4, 0], [1, 1, 1, 2]);
    const zero = cpu64.tensor([0, 0], [1, 1, 1, 2]);
    const one = cpu64.tensor([1], [1, 1, 1, 1]);
    // max(Σd², ε)^(−1/2) · d = (1e-6)^(−1/2) · 1e-4 = 0.1 (bounding the distance instead would give 1).
    expectClose(values(pdistBackward(small, zero, 2, one, { epsilon: 1e-6 }).dzdx), [0.1, 0], 1e-12);
    // p = 3: max(Σ|d|³, ε)^(−2/3) · d², with Σ|d|³ = 1e-12 floored at 1e-6: 1e4 · 1e-8 = 1e-4.
    expectClose(values(pdistBackward(small, zero, 3, one, { epsilon: 1e-6 }).dzdx), [1e-4, 0], 1e-15);
    // p = 0.5: the sum is not bounded, |d| is: (Σ|d|^½)^1 · max(|d|, ε)^(−½) sign(d) = 1e-2 · 1e2 = 1 on the first channel.
    expectClose(values(pdistBackward(small, zero, 0.5, one, { epsilon: 1e-6 }).dzdx), [1, 0], 1e-12);
    // Away from ε the bound changes nothing: p = 3 on [1, 2]: (1 + 8)^(−2/3) · [1, 4].
    const big = cpu64.tensor([1, 2], [1, 1, 1, 2]);
    expectClose(values(pdistBackward(big, zero, 3, one).dzdx), [9 ** (-2 / 3), 4 * 9 ** (-2 / 3)], 1e-14);
  });

  it('output sizes: [N, H, W, 1], or [1] when aggregating', () => {
    for (const [n, h, w, c] of [[1, 1, 1, 1], [2, 3, 4, 5], [3, 1, 2, 7]] as const) {
      const xs = randn(cpu32, [n, h, w, c], 1);
      for (const x0s of [[n, h, w, c], [n, 1, 1, c]] as Shape[]) {
        const x0t = randn(cpu32, x0s, 2);
        for (const aggregate of [false, true]) {
          for (const p of [1, 2, 3]) {
            const y = pdist(xs, x0t, p, { aggregate });
            expect(y.shape).toEqual(aggregate ? [1] : [n, h, w, 1]);
            const r = pdistBackward(xs, x0t, p, y, { aggregate });
            expect(r.dzdx.shape).toEqual([n, h, w, c]);
            expect(r.dzdx0.shape).toEqual(x0s);
          }
        }
      }
    }
  });

  it('passes the float64 derivative check for both inputs', async () => {
    // Differences kept away from 0 (the kink of |d|, and |d|^(p−1) blows up there for p < 1).
    const away = (seed: number) => Array.from(randn(cpu64, [24], seed).dataSync(), (v) => Math.sign(v) * (0.3 + Math.abs(v)));
    const b0 = randn(cpu64, [2, 1, 1, 3], 7).dataSync();
    const xv = away(5).map((v, i) => b0[Math.floor(i / 12) * 3 + (i % 3)]! + v);
    const xr = cpu64.tensor(xv, [2, 2, 2, 3]);
    const bcast = cpu64.tensor(b0, [2, 1, 1, 3]);
    const full = cpu64.tensor(away(6).map((v, i) => xv[i]! - v), [2, 2, 2, 3]);
    const perPixel = cpu64.tensor([1, 0.5, 2, 1.5, 0.25, 3, 1, 2], [2, 2, 2, 1]);
    const perImage = cpu64.tensor([0.5, 2], [2, 1, 1, 1]);
    const cases: [number, PdistOptions][] = [];
    for (const p of [1, 2, 3, 1.5, 0.5]) for (const noRoot of [false, true]) cases.push([p, { noRoot }]);
    cases.push([2, { aggregate: true }], [3, { aggregate: true, instanceWeights: perPixel }], [1.5, { instanceWeights: perImage }]);
    cases.push([2, { instanceWeights: 0.5, noRoot: true }], [2, { aggregate: true, instanceWeights: perImage }]);
    // Broadcast weights (vl_nnpdist.m lines 75-76, 125-126: bsxfun): MATLAB's H×W and 1×W.
    const hw = cpu64.tensor([1, 0.5, 2, 1.5], [1, 2, 2, 1]);
    const perColumn = cpu64.tensor([0.5, 3], [1, 1, 2, 1]);
    cases.push([2, { instanceWeights: hw }], [3, { aggregate: true, instanceWeights: perColumn }]);
    for (const [p, o] of cases) {
      for (const ref of [full, bcast]) {
        const name = `pdist p ${p} ${JSON.stringify({ ...o, instanceWeights: typeof o.instanceWeights })} x0 ${ref.shape}`;
        const yShape = o.aggregate ? [1] : [2, 2, 2, 1];
        await expectDerivative(`${name} dzdx`, (t) => pdist(t, ref, p, o), xr, (d) => pdistBackward(xr, ref, p, d, o).dzdx, yShape);
        await expectDerivative(`${name} dzdx0`, (t) => pdist(xr, t, p, o), ref, (d) => pdistBackward(xr, ref, p, d, o).dzdx0, yShape);
      }
    }
  });

  it('rejects bad input with clear errors', () => {
    const dzdy = cpu64.zeros([1, 1, 2, 1]);
    for (const p of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => pdist(x, x0, p)).toThrow(`pdist: p must be a finite number > 0, got ${p}`);
    }
    expect(() => pdist(x, x0, '2' as unknown as number)).toThrow("pdist: p must be a finite number > 0, got '2'");
    expect(() => pdist(x, cpu64.zeros([1, 1, 2, 1]), 2)).toThrow("pdist: x0 must have x's shape [1, 1, 2, 2] or [1, 1, 1, 2], got [1, 1, 2, 1]");
    expect(() => pdist(x, cpu64.zeros([2]), 2)).toThrow("pdist: x0 must have x's shape [1, 1, 2, 2] or [1, 1, 1, 2], got [2]");
    expect(() => pdist(cpu64.zeros([2, 2]), cpu64.zeros([2, 2]), 2)).toThrow('pdist: x must have 4 dimensions [N, H, W, C], got shape [2, 2]');
    expect(() => pdist(x, x0, 2, { instanceWeights: cpu64.zeros([1, 1, 2, 2]) })).toThrow(
      "pdist: instanceWeights must be a number or broadcast to the distances' shape [1, 1, 2, 1] (shape [1, 1, 2 or 1, 1], as MatConvNet's bsxfun), got [1, 1, 2, 2]",
    );
    expect(() => pdist(x, x0, 2, { instanceWeights: cpu64.zeros([2]) })).toThrow('got [2]');
    expect(() => pdist(x, x0, 2, { instanceWeights: Number.NaN })).toThrow('pdist: instanceWeights must be a finite number or a tensor, got NaN');
    expect(() => pdist(x, x0, 2, { epsilon: 0 })).toThrow('pdist: epsilon must be > 0, got 0');
    expect(() => pdist(x, x0, 2, { noRoot: 'yes' as unknown as boolean })).toThrow("pdist: noRoot must be true or false, got 'yes'");
    expect(() => pdist(x, x0, 2, { p: 2 } as object)).toThrow(
      "pdist: unknown option 'p'; known options are noRoot, epsilon, aggregate, instanceWeights",
    );
    expect(() => pdist(x, cpu32.zeros([1, 1, 1, 2]), 2)).toThrow(
      'pdist: x0 lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first',
    );
    expect(() => pdist(x, x0, 2, { instanceWeights: cpu32.zeros([1, 1, 2, 1]) })).toThrow(
      'pdist: instanceWeights lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first',
    );
    expect(() => pdistBackward(x, x0, 2, cpu64.zeros([1, 1, 2, 2]))).toThrow(
      'pdistBackward: dzdy must have shape [1, 1, 2, 1] (one value per pixel), got [1, 1, 2, 2]',
    );
    expect(() => pdistBackward(x, x0, 2, dzdy, { aggregate: true })).toThrow(
      'pdistBackward: dzdy must have shape [1] (one value: aggregate is on), got [1, 1, 2, 1]',
    );
    expect(() => pdistBackward(x, x0, -2, dzdy)).toThrow('pdistBackward: p must be a finite number > 0, got -2');
    expect(() => pdistBackward(x, x0, 2, cpu32.zeros([1, 1, 2, 1]))).toThrow(
      'pdistBackward: dzdy lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first',
    );
  });
});
