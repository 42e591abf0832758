import { bnorm, bnormBackward, loss, lrn, relu, reluBackward, sigmoid, softmax } from '@convnet-ts/blocks';
import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { lazyBackend, type ReliabilityTarget } from './target.js';

const NAN = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

/** Values with NaN written as the string 'NaN', so `toEqual` tells NaN from a number. */
const shown = (v: ArrayLike<number>) => Array.from(v, (x) => (Number.isNaN(x) ? 'NaN' : x));

/**
 * Special values give the CPU's float64 answers on every backend (issue 13,
 * item 4), checked here by hand; `special-cases.ts` holds every kernel to
 * the reference on the same kind of inputs. The rules:
 * - NaN propagates through sigmoid, softmax, softmaxlog and LRN (only to the
 *   channels whose window holds it); a softmax row whose maximum is not
 *   finite (a NaN, a +∞, all −∞) is NaN everywhere, as the max-subtracted formula gives;
 * - relu with leak 0 is MatConvNet's max(x, 0): relu(NaN) = 0 (MATLAB's max
 *   ignores NaN) with derivative 0, a positive subnormal passes unchanged;
 * - −log 0 = ∞ for the `log` and `binarylog` losses (not float32's 88.03);
 * - bnorm of ±1e20 is ±1 with sigma 1e20 (no overflow of the squares in float32).
 */
export function describeSpecialValues(target: ReliabilityTarget): void {
  describe(`special values (NaN, ±∞, ±1e30, subnormals): ${target.name}`, () => {
    const getBackend = lazyBackend(target);

    async function read(make: () => Tensor, ...inputs: Tensor[]): Promise<number[]> {
      const t = make();
      const v = Array.from(await t.data());
      t.dispose();
      for (const x of inputs) x.dispose();
      return v;
    }

    it('sigmoid(NaN) is NaN; relu(NaN) is 0 with derivative 0; a positive subnormal passes relu', async () => {
      const be = await getBackend();
      const x = be.tensor([NAN, 1e-40, -1e-40, INF, -INF], [1, 1, 1, 5]);
      expect(shown(await read(() => sigmoid(x)))).toEqual(['NaN', 0.5, 0.5, 1, 0]);
      const r = await read(() => relu(x));
      expect(r[0]).toBe(0);
      expect(r[1]).toBe(be.dtype === 'float64' ? 1e-40 : Math.fround(1e-40));
      expect(r.slice(2)).toEqual([0, INF, 0]);
      const ones = be.fill([1, 1, 1, 5], 1);
      expect(await read(() => reluBackward(x, ones), x, ones)).toEqual([0, 1, 0, 1, 0]);
    });

    it('softmax of a row with a NaN or a +∞ is NaN everywhere; −∞ is probability 0', async () => {
      const be = await getBackend();
      const x = be.tensor([1, NAN, 3, 1, INF, 3, 1, -INF, 1], [3, 1, 1, 3]);
      expect(shown(await read(() => softmax(x), x))).toEqual(['NaN', 'NaN', 'NaN', 'NaN', 'NaN', 'NaN', 0.5, 0, 0.5]);
    });

    it('softmaxlog with a NaN logit is NaN, not ∞; a −∞ label score costs ∞', async () => {
      const be = await getBackend();
      const nan = be.tensor([1, NAN, 3], [1, 1, 1, 3]);
      expect(shown(await read(() => loss(nan, [1]), nan))).toEqual(['NaN']);
      const low = be.tensor([-INF, 0, 0], [1, 1, 1, 3]);
      expect(await read(() => loss(low, [1]), low)).toEqual([INF]);
    });

    it('LRN: a NaN reaches only the windows that hold it, and 1e30 does not swamp the windows beyond it', async () => {
      const be = await getBackend();
      // n = 3, kappa 0, alpha 1, beta 1/2: y_k = x_k / sqrt(x_{k−1}² + x_k² + x_{k+1}²).
      const x = be.tensor([NAN, 1, 1, 1, 1, 1e30, 1, 1, 1, 1], [2, 1, 1, 5]);
      const y = await read(() => lrn(x, [3, 0, 1, 0.5]), x);
      expect(shown(y.slice(0, 2))).toEqual(['NaN', 'NaN']);
      const third = 1 / Math.sqrt(3);
      const half = 1 / Math.SQRT2;
      const close = (actual: number[], expected: number[]) => {
        for (const [i, e] of expected.entries()) expect(actual[i]).toBeCloseTo(e, 5);
      };
      close(y.slice(2, 5), [third, third, half]);
      // Pixel 2: y_1 = 1e30/sqrt(1e60 + 1) = 1, y_2 = 1/1e30, then 1/√3, 1/√3, 1/√2.
      close(y.slice(5), [1, 0, third, third, half]);
    });

    it('the log loss at probability 0 and binarylog at 0 and 1 are ∞', async () => {
      const be = await getBackend();
      const p = be.tensor([0, 0.5, 0.5], [1, 1, 1, 3]);
      expect(await read(() => loss(p, [1], { loss: 'log' }), p)).toEqual([INF]);
      for (const [v, c] of [
        [0, 1],
        [1, -1],
      ] as const) {
        const x = be.tensor([v], [1, 1, 1, 1]);
        expect(await read(() => loss(x, [c], { loss: 'binarylog' }), x)).toEqual([INF]);
      }
    });

    it('bnorm of ±1e20 is ±1 with sigma 1e20, and its derivative is finite', async () => {
      const be = await getBackend();
      const x = be.tensor([1e20, -1e20, 1e20, -1e20], [4, 1, 1, 1]);
      const g = be.tensor([2], [1]);
      const b = be.tensor([0.5], [1]);
      const { y, moments } = bnorm(x, g, b);
      expect(Array.from(await y.data()).map((v) => Number(v.toFixed(5)))).toEqual([2.5, -1.5, 2.5, -1.5]);
      const [mu, sigma] = Array.from(await moments.data());
      expect(mu).toBe(0);
      expect(Math.abs(sigma! / 1e20 - 1)).toBeLessThan(1e-6);
      const dy = be.tensor([1, 2, 3, 5], [4, 1, 1, 1]);
      const d = bnormBackward(x, g, b, dy);
      // dz/dx = g/sigma (dy − mean(dy) − x̂ mean(dy x̂)), x̂ = [1, −1, 1, −1], mean(dy) = 2.75,
      // mean(dy x̂) = −0.75: g/sigma · [−1, −1.5, 1, 1.5].
      const dx = Array.from(await d.dzdx.data()).map((v) => Number(((v * 1e20) / 2).toFixed(4)));
      expect(dx).toEqual([-1, -1.5, 1, 1.5]);
      for (const t of [x, g, b, y, moments, dy, d.dzdx, d.dzdg, d.dzdb, d.moments]) t.dispose();
    });
  });
}
