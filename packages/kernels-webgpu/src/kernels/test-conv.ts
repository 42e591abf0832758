/**
 * Test helpers for the convolution kernels: seeded values and the float64
 * walk over every product x·f of a convolution (manual §4.1), from which the
 * references of the forward pass and both derivatives are sums.
 */
import type { ConvGeometry } from '@convnet-ts/tensor';

/** One convolution of the tiled kernels' tests: input and filter shapes, and the geometry. */
export interface ConvCase {
  x: [number, number, number, number];
  f: [number, number, number, number];
  geometry: ConvGeometry;
}

/**
 * Cases every tiled convolution is tested on, sizes that are not multiples of
 * any tile: stride, dilation and 4-sided padding; groups; batch 1 with 1×1
 * filters in 4 groups; a strided 5×4 filter over odd channels.
 */
export const RAGGED_CASES: readonly ConvCase[] = [
  { x: [1, 7, 6, 3], f: [2, 3, 3, 1], geometry: { pad: [1, 2, 0, 3], stride: [2, 1], dilate: [1, 2], groups: 1 } },
  { x: [3, 8, 9, 6], f: [3, 2, 2, 9], geometry: { pad: [2, 1, 1, 0], stride: [1, 3], dilate: [2, 1], groups: 3 } },
  { x: [1, 5, 5, 4], f: [1, 1, 1, 4], geometry: { pad: [0, 0, 0, 0], stride: [1, 1], dilate: [1, 1], groups: 4 } },
  { x: [2, 11, 13, 17], f: [5, 4, 17, 33], geometry: { pad: [2, 2, 1, 2], stride: [2, 2], dilate: [1, 1], groups: 1 } },
];

/** Deterministic values in [−1, 1) (a 32-bit LCG). */
export function values(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** H″ and W″ of a convolution of an input [N, H, W, C] with a filter [Hf, Wf, C/G, K]. */
export function outputSize([, h, w]: readonly number[], [hf, wf]: readonly number[], g: ConvGeometry): { ho: number; wo: number } {
  return {
    ho: Math.floor((h! + g.pad[0] + g.pad[1] - ((hf! - 1) * g.dilate[0] + 1)) / g.stride[0]) + 1,
    wo: Math.floor((w! + g.pad[2] + g.pad[3] - ((wf! - 1) * g.dilate[1] + 1)) / g.stride[1]) + 1,
  };
}

/**
 * Calls `visit(xe, fe, ye)` for every product x[xe]·f[fe] that the
 * convolution adds into y[ye] (taps in the padding skipped), with groups:
 * y[n, i″, j″, k] += x[n, Sy·i″ + Dy·i′ − Pt, Sx·j″ + Dx·j′ − Pl, g·C/G + d] · f[i′, j′, d, k].
 */
export function forEachProduct(
  xs: readonly number[],
  fs: readonly number[],
  g: ConvGeometry,
  visit: (xe: number, fe: number, ye: number) => void,
): void {
  const [n, h, w, c] = xs as [number, number, number, number];
  const [hf, wf, cg, k] = fs as [number, number, number, number];
  const { ho, wo } = outputSize(xs, fs, g);
  const kg = k / g.groups;
  for (let img = 0; img < n; img++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let fy = 0; fy < hf; fy++)
          for (let fx = 0; fx < wf; fx++) {
            const iy = oy * g.stride[0] + fy * g.dilate[0] - g.pad[0];
            const ix = ox * g.stride[1] + fx * g.dilate[1] - g.pad[2];
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let kk = 0; kk < k; kk++)
              for (let d = 0; d < cg; d++) {
                visit(((img * h + iy) * w + ix) * c + Math.floor(kk / kg) * cg + d, ((fy * wf + fx) * cg + d) * k + kk, ((img * ho + oy) * wo + ox) * k + kk);
              }
          }
}
