import { describe, expect, it } from 'vitest';
import { testBackend } from '../test-device.js';
import { convFilterTiled } from './conv-filter-tiled.js';
import { CONV_TILES } from './conv-tiled.js';
import { type ConvCase, forEachProduct, outputSize, RAGGED_CASES, values } from './test-conv.js';

// Sizes that are not multiples of any tile. The first has 1,024 output pixels for one filter
// tile, so every tile splits the pixel sum (two dispatches); the second splits with the smallest tile.
const CASES: readonly ConvCase[] = [
  { x: [4, 16, 16, 3], f: [3, 3, 3, 8], geometry: { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 } },
  { x: [2, 9, 10, 5], f: [3, 3, 5, 70], geometry: { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 } },
  ...RAGGED_CASES,
];

describe('ConvBackwardFilter as a tiled implicit GEMM', () => {
  it('matches the float64 reference with every tile, split or not: ragged edges, groups, dilation, stride, 4-sided padding, batch 1, odd channels', async () => {
    const gpu = await testBackend();
    let worst = 0;
    for (const [index, { x: xs, f: fs, geometry: g }] of CASES.entries()) {
      const [n, h, w, c] = xs;
      const [hf, wf, cg, k] = fs;
      const { ho, wo } = outputSize(xs, fs, g);
      const xv = values(n * h * w * c, 41 + index);
      const dyv = values(n * ho * wo * k, 53 + index);
      const want = new Float64Array(hf * wf * cg * k);
      const scale = new Float64Array(want.length).fill(1e-30);
      forEachProduct(xs, fs, g, (xe, fe, ye) => {
        const t = xv[xe]! * dyv[ye]!;
        want[fe]! += t;
        scale[fe]! += Math.abs(t);
      });
      const x = gpu.tensor(xv, xs);
      const dy = gpu.tensor(dyv, [n, ho, wo, k]);
      // The bias derivative Σ dY over the pixels, from the row of ones.
      const dbWant = new Float64Array(k);
      const dbScale = new Float64Array(k).fill(1e-30);
      dyv.forEach((v, e) => {
        dbWant[e % k]! += v;
        dbScale[e % k]! += Math.abs(v);
      });
      for (const tile of CONV_TILES) {
        for (const bias of [false, true]) {
          const before = gpu.memory();
          gpu.resetStats();
          const out = convFilterTiled(gpu, x, dy, fs, g, tile, bias)!;
          if (index === 0) expect(gpu.stats().dispatches).toBe(2);
          expect(out.df.shape).toEqual(fs);
          const got = await out.df.data();
          for (let e = 0; e < want.length; e++) worst = Math.max(worst, Math.abs(got[e]! - want[e]!) / scale[e]!);
          out.df.dispose();
          expect(out.db === null).toBe(!bias);
          if (out.db) {
            expect(out.db.shape).toEqual([1, 1, 1, k]);
            const db = await out.db.data();
            for (let e = 0; e < k; e++) worst = Math.max(worst, Math.abs(db[e]! - dbWant[e]!) / dbScale[e]!);
            out.db.dispose();
          }
          // The split's partial sums are not left behind.
          expect(gpu.memory()).toEqual(before);
        }
      }
    }
    if (process.env.CONV_TILED_REPORT) console.log(`worst relative error ${worst}`);
    // Relative to Σ|x·dy| of each element: float32 accumulation of at most 128 terms per split (2⁻²⁴ each), then ≤ 8 partial sums.
    expect(worst).toBeLessThan(2 ** -24 * 200);
  });
});
