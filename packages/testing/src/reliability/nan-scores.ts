import { loss } from '@convnet-ts/blocks';
import { describe, expect, it } from 'vitest';
import { lazyBackend, type ReliabilityTarget } from './target.js';

const NAN = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

/**
 * NaN scores give the same, visible answers on every backend (issue 13,
 * item 1): they are classification errors and NaN hinge losses, so a
 * diverged network never reports 0 % error.
 */
export function describeNaNScores(target: ReliabilityTarget): void {
  describe(`NaN scores: ${target.name}`, () => {
    const getBackend = lazyBackend(target);

    /** loss over x `[n, 1, 1, c]` given row by row, labels 1..c. */
    async function lossOf(rows: number[][], labels: number[], type: 'classerror' | 'topkerror' | 'mhinge' | 'mshinge', topK?: number) {
      const be = await getBackend();
      const x = be.tensor(rows.flat(), [rows.length, 1, 1, rows[0]!.length]);
      const y = loss(x, labels, { loss: type, normalise: false, ...(topK ? { topK } : {}) });
      const v = (await y.data())[0]!;
      x.dispose();
      y.dispose();
      return v;
    }

    it('classerror and topkerror count a pixel with a NaN score as an error', async () => {
      // Row 1: NaN everywhere; row 2: NaN beside a winning label; row 3: correct and finite.
      const rows = [[NAN, NAN, NAN], [3, NAN, 1], [0, 5, 1]];
      expect(await lossOf(rows, [1, 1, 2], 'classerror')).toBe(2);
      expect(await lossOf(rows, [1, 1, 2], 'topkerror', 2)).toBe(2);
      // Infinite scores are ordinary numbers: +∞ wins, −∞ loses.
      expect(await lossOf([[INF, 0, -INF], [-INF, 1, 2]], [1, 1], 'classerror')).toBe(1);
    });

    it('mhinge and mshinge of NaN scores are NaN', async () => {
      expect(await lossOf([[NAN, 0, 0]], [1], 'mhinge')).toBeNaN();
      expect(await lossOf([[NAN, 0, 0]], [1], 'mshinge')).toBeNaN();
      // A NaN competitor, wherever it is, makes mshinge NaN.
      expect(await lossOf([[1, 3, NAN]], [1], 'mshinge')).toBeNaN();
      expect(await lossOf([[1, NAN, 3]], [1], 'mshinge')).toBeNaN();
      expect(await lossOf([[2, 0, 0]], [1], 'mhinge')).toBe(0);
    });
  });
}
