import type { ConvGeometry } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { testBackend } from '../test-device.js';
import { convDataTiled } from './conv-data-tiled.js';
import { CONV_TILES } from './conv-tiled.js';
import { forEachProduct, outputSize, values } from './test-conv.js';

interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  geometry: ConvGeometry;
}

// Sizes that are not multiples of any tile (pixels, channels and the tap × channel reduction).
const CASES: Case[] = [
  { x: [2, 9, 10, 70], f: [3, 3, 70, 5], geometry: { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 } },
  { x: [1, 7, 6, 3], f: [2, 3, 3, 1], geometry: { pad: [1, 2, 0, 3], stride: [2, 1], dilate: [1, 2], groups: 1 } },
  { x: [3, 8, 9, 6], f: [3, 2, 2, 9], geometry: { pad: [2, 1, 1, 0], stride: [1, 3], dilate: [2, 1], groups: 3 } },
  { x: [1, 5, 5, 4], f: [1, 1, 1, 4], geometry: { pad: [0, 0, 0, 0], stride: [1, 1], dilate: [1, 1], groups: 4 } },
  { x: [2, 11, 13, 17], f: [5, 4, 17, 33], geometry: { pad: [2, 2, 1, 2], stride: [2, 2], dilate: [1, 1], groups: 1 } },
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
