import { describe, expect, it } from 'vitest';
import { testBackend } from '../test-device.js';
import { convDataTiled } from './conv-data-tiled.js';
import { CONV_TILES } from './conv-tiled.js';
import { type ConvCase, forEachProduct, outputSize, RAGGED_CASES, values } from './test-conv.js';

// Sizes that are not multiples of any tile (pixels, channels and the tap × channel reduction).
const CASES: readonly ConvCase[] = [
  { x: [2, 9, 10, 70], f: [3, 3, 70, 5], geometry: { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 } },
  ...RAGGED_CASES,
];

describe('ConvBackwardData as a tiled implicit GEMM', () => {
  it('matches the float64 reference with every tile: ragged edges, groups, dilation, stride, 4-sided padding, batch 1, odd channels', async () => {
    const gpu = await testBackend();
    let worst = 0;
    for (const [index, { x: xs, f: fs, geometry: g }] of CASES.entries()) {
      const [n, h, w, c] = xs;
      const [hf, wf, cg, k] = fs;
      const { ho, wo } = outputSize(xs, fs, g);
      const fv = values(hf * wf * cg * k, 61 + index);
      const dyv = values(n * ho * wo * k, 71 + index);
      // dx is the scatter of dy through f: the reference walks the forward pass.
      const want = new Float64Array(n * h * w * c);
      const scale = new Float64Array(want.length).fill(1e-30);
      forEachProduct(xs, fs, g, (xe, fe, ye) => {
        const t = dyv[ye]! * fv[fe]!;
        want[xe]! += t;
        scale[xe]! += Math.abs(t);
      });
      const f = gpu.tensor(fv, fs);
      const dy = gpu.tensor(dyv, [n, ho, wo, k]);
      for (const tile of CONV_TILES) {
        const dx = convDataTiled(gpu, dy, f, xs, g, tile);
        expect(dx?.shape).toEqual(xs);
        const got = await dx!.data();
        for (let e = 0; e < want.length; e++) {
          // Pixels no tap reaches (stride 3 skips some) are exactly 0.
          if (scale[e] === 1e-30) expect(got[e]).toBe(0);
          else worst = Math.max(worst, Math.abs(got[e]! - want[e]!) / scale[e]!);
        }
        dx!.dispose();
      }
    }
    if (process.env.CONV_TILED_REPORT) console.log(`worst relative error ${worst}`);
    // Relative to Σ|dy·f| of each element: float32 accumulation of at most 5·4·33 = 660 terms (2⁻²⁴ each).
    expect(worst).toBeLessThan(2 ** -24 * 660);
  });
});
