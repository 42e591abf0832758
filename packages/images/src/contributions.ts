/**
 * The weights of a 1-D resampling, as MATLAB's `imresize` computes them
 * (its `contributions` step), with 0-based indices:
 *
 * - output sample x (0..outLength−1) sits at input coordinate
 *   u = (x + 0.5)/scale − 0.5 + offset — MATLAB's 1-based
 *   u = x/scale + 0.5·(1 − 1/scale), shifted by a crop's `offset`;
 * - when shrinking (scale < 1) with antialiasing, the kernel is stretched:
 *   h_s(t) = scale·h(scale·t), support width/scale;
 * - taps k = floor(u − support/2) + j, j = 0..ceil(support)+1, weight
 *   h_s(u − k), normalised to sum 1 (taps of weight 0 are dropped);
 * - taps outside 0..inLength−1 are folded back: `symmetric` mirrors with the
 *   edge sample repeated (MATLAB's `[1:n, n:-1:1]` index table), `replicate`
 *   clamps to the edge (`vl_imreadjpeg`'s ImageResizeFilter).
 */
import { KERNELS, type Interpolation } from './kernels.js';

export type Boundary = 'symmetric' | 'replicate';

export interface ContributionOptions {
  inLength: number;
  outLength: number;
  /** Output samples per input sample (outLength / inLength unless cropping). */
  scale: number;
  method: Interpolation;
  antialiasing: boolean;
  /** Input coordinate of the crop's first sample (0 = no crop). */
  offset?: number;
  boundary?: Boundary;
}

/** Per output sample: the input indices it reads and their weights (ragged, flattened). */
export interface Contributions {
  /** `start[x]` … `start[x + 1]` index `indices` and `weights` for output x. */
  start: Int32Array;
  indices: Int32Array;
  weights: Float64Array;
}

function fold(k: number, n: number, boundary: Boundary): number {
  if (boundary === 'replicate') return Math.min(Math.max(k, 0), n - 1);
  const m = ((k % (2 * n)) + 2 * n) % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

export function contributions(o: ContributionOptions): Contributions {
  const { inLength, outLength, scale } = o;
  const kernel = KERNELS[o.method];
  const stretch = scale < 1 && o.antialiasing;
  const h = stretch ? (t: number) => scale * kernel.h(scale * t) : kernel.h;
  const support = stretch ? kernel.width / scale : kernel.width;
  const taps = Math.ceil(support) + 2;
  const offset = o.offset ?? 0;
  const boundary = o.boundary ?? 'symmetric';
  const start = new Int32Array(outLength + 1);
  const indices: number[] = [];
  const weights: number[] = [];
  const w = new Float64Array(taps);
  for (let x = 0; x < outLength; x++) {
    const u = (x + 0.5) / scale - 0.5 + offset;
    const left = Math.floor(u - support / 2);
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      w[j] = h(u - (left + j));
      sum += w[j]!;
    }
    start[x] = indices.length;
    for (let j = 0; j < taps; j++) {
      if (w[j] === 0) continue;
      indices.push(fold(left + j, inLength, boundary));
      weights.push(w[j]! / sum);
    }
  }
  start[outLength] = indices.length;
  return { start, indices: Int32Array.from(indices), weights: Float64Array.from(weights) };
}
