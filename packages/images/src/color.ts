/**
 * `vl_imreadjpeg`'s colour post-processing (`ReaderTask::entryPoint`,
 * matlab/src/vl_imreadjpeg.cu), per image of n pixels and K channels:
 *
 *     y = v − average + B·w                      (average: a triplet or an average image)
 *     z = c·y + (1 − c)·mean_pixels(y)          (contrast, per channel; c = 1 + C·(2u − 1))
 *     out = s·z + (1 − s)·mean_channels(z)      (saturation, per pixel; s = 1 + S·(2u − 1))
 *
 * which is vl_imreadjpeg's single pass `out_k = c·s·v_k + c·(1 − s)/K·Σ_j v_j + dv_k`
 * written out. Where this differs from vl_imreadjpeg, deliberately:
 * - the shift is B·w (its documentation); its code adds w_i·Σ_j B_ij, and
 *   stores a scalar or 3-vector `Brightness` at the wrong places of B;
 * - a grey image packed to 3 channels is replicated first and then shifted
 *   per channel; its code subtracts the average's R from all three channels
 *   and shifts them alike.
 * A grey image not packed (K = 1) uses B₁₁·w₁ and the average's first value;
 * saturation changes nothing there.
 */
import type { Draws } from './jitter.js';
import type { TransformSpec } from './options.js';

export function colourShift(spec: TransformSpec, z: Draws, K: 1 | 3): number[] {
  const B = spec.brightness;
  if (K === 1) return [B[0]! * z.w[0]];
  return [0, 1, 2].map((i) => B[3 * i]! * z.w[0] + B[3 * i + 1]! * z.w[1] + B[3 * i + 2]! * z.w[2]);
}

export const contrastFactor = (spec: TransformSpec, z: Draws): number => 1 + spec.contrast * (2 * z.contrast - 1);
export const saturationFactor = (spec: TransformSpec, z: Draws): number => 1 + spec.saturation * (2 * z.saturation - 1);

/** Applies the module doc's steps in place to row-major `[n, K]` pixels. */
export function processColour(px: Float32Array, K: 1 | 3, spec: TransformSpec, z: Draws): void {
  const n = px.length / K;
  const shift = colourShift(spec, z, K);
  const img = spec.averageImage;
  for (let k = 0; k < K; k++) {
    const dv = shift[k]! - spec.average[k]!;
    // an average image is [H, W, 3]: a grey image (K = 1) takes each pixel's first value
    for (let i = k; i < px.length; i += K) px[i] = px[i]! + dv - (img ? img[K === 3 ? i : 3 * i]! : 0);
  }
  const c = contrastFactor(spec, z);
  if (c !== 1) {
    for (let k = 0; k < K; k++) {
      let mu = 0;
      for (let i = k; i < px.length; i += K) mu += px[i]!;
      const add = (1 - c) * (mu / n);
      for (let i = k; i < px.length; i += K) px[i] = c * px[i]! + add;
    }
  }
  const s = saturationFactor(spec, z);
  if (K === 3 && s !== 1) {
    for (let i = 0; i < px.length; i += 3) {
      const m = ((1 - s) * (px[i]! + px[i + 1]! + px[i + 2]!)) / 3;
      px[i] = s * px[i]! + m;
      px[i + 1] = s * px[i + 1]! + m;
      px[i + 2] = s * px[i + 2]! + m;
    }
  }
}
