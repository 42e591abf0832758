import { pool, poolBackward } from '@convnet-ts/blocks';
import { describe, expect, it } from 'vitest';
import { lazyBackend, type ReliabilityTarget } from './target.js';

const NAN = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

/**
 * Max pooling of special values, the same on every backend (issue 13,
 * item 5): a window with a NaN pools to NaN, and the derivative goes to the
 * window's first NaN in MatConvNet's column-major order; a window of −∞ only
 * pools to −∞ with its derivative at its first element.
 */
export function describePoolingSpecialValues(target: ReliabilityTarget): void {
  describe(`max pooling of NaN and −∞: ${target.name}`, () => {
    const getBackend = lazyBackend(target);

    /** pool of x `[1, h, w, 1]` with a 2×2 window (stride 2) and its derivative for dzdy = 1, 2, 3, …. */
    async function pooled(values: number[], h: number, w: number) {
      const be = await getBackend();
      const x = be.tensor(values, [1, h, w, 1]);
      const y = pool(x, 2, { stride: 2 });
      const dzdy = be.tensor(Array.from({ length: y.size }, (_, i) => i + 1), y.shape);
      const dzdx = poolBackward(x, 2, dzdy, { stride: 2 });
      const result = { y: Array.from(await y.data()), dzdx: Array.from(await dzdx.data()) };
      for (const t of [x, y, dzdy, dzdx]) t.dispose();
      return result;
    }

    it('max pooling propagates NaN; the derivative goes to the first NaN in column-major order', async () => {
      // Windows (2×2, row-major here): [1, NaN; 3, 4] and [5, 6; NaN, NaN].
      const r = await pooled([1, NAN, 5, 6, 3, 4, NAN, NAN], 2, 4);
      expect(r.y[0]).toBeNaN();
      expect(r.y[1]).toBeNaN();
      // Window 2 scanned down its first column: (1, 0)… its first NaN is at row 1, column 2.
      expect(r.dzdx).toEqual([0, 1, 0, 0, 0, 0, 2, 0]);
    });

    it('max pooling of an all −∞ window is −∞ and sends its derivative to the window\'s first element', async () => {
      const r = await pooled([-INF, -INF, 1, -INF, -INF, -INF, 0, 2], 2, 4);
      expect(r.y).toEqual([-INF, 2]);
      expect(r.dzdx).toEqual([1, 0, 0, 0, 0, 0, 0, 2]);
    });

    it('max pooling on the WebAssembly SIMD path (4 channels and a remainder) follows the same rules', async () => {
      const be = await getBackend();
      // [1, 2, 2, 5]: channel k of pixel p is values[p·5 + k]; one 2×2 window.
      const px = [
        [1, -INF, 2, NAN, -INF],
        [NAN, -INF, 7, 1, -INF],
        [2, -INF, NAN, 0, -INF],
        [3, -INF, 1, NAN, -INF],
      ];
      const x = be.tensor(px.flat(), [1, 2, 2, 5]);
      const y = pool(x, 2);
      const dzdx = poolBackward(x, 2, be.fill(y.shape, 1));
      const yv = Array.from(await y.data());
      expect(yv.map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(['NaN', -INF, 'NaN', 'NaN', -INF]);
      // Column-major: (0,0), (1,0), (0,1), (1,1) are pixels 0, 2, 1, 3.
      const d = Array.from(await dzdx.data());
      const at = (p: number, k: number) => d[p * 5 + k];
      expect([at(1, 0), at(0, 1), at(2, 2), at(0, 3), at(0, 4)]).toEqual([1, 1, 1, 1, 1]);
      expect(d.reduce((s, v) => s + v, 0)).toBe(5);
      for (const t of [x, y, dzdx]) t.dispose();
    });
  });
}
