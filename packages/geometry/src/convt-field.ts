import { type ConvtOptions, readConvt } from './convt-options.js';
import type { ReceptiveField } from './field.js';

/**
 * The receptive field of a convolution transpose (manual §5.3):
 *
 *     α = 1/U,   β = (2C⁻ − H' + 1)/(2U) + 1,   Δ = (H' − 1)/U + 1
 *
 * where `U` is the upsampling factor, `C⁻` the top (left) crop and `H'` the
 * filter size. Output samples depend on a window that is not exactly a
 * sliding window (rounding); this is the tightest sliding window that
 * encloses it. It equals `transpose(filterField({ size: H', stride: U, pad: C⁻ }))`
 * (§5.4, Example 1 — the manual's last step there drops a factor 2 in the
 * denominator of β; §5.3 and MatConvNet's code have it, and so do we).
 */
export function convtField(options: ConvtOptions): ReceptiveField {
  const { size, upsample, crop } = readConvt('convtField', options);
  const axis = (k: number, u: number, c: number) => ({
    size: (k - 1) / u + 1,
    stride: 1 / u,
    offset: (2 * c - k + 1) / (2 * u) + 1,
  });
  const h = axis(size[0], upsample[0], crop[0]);
  const w = axis(size[1], upsample[1], crop[2]);
  return { size: [h.size, w.size], stride: [h.stride, w.stride], offset: [h.offset, w.offset] };
}
