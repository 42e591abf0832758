/**
 * `vl_imreadjpeg`'s crop-and-resize (`imageResizeVertical` twice, in
 * matlab/src/bits/impl/imread_helpers.hpp): rows first, then columns, each a
 * 1-D resampling of the crop window to the output length with MATLAB
 * imresize's kernels and antialiasing (`contributions.ts`, offset = the crop's
 * start, taps beyond the image replicating its edge), the second pass writing
 * columns in reverse order when flipping. Values are accumulated in float64
 * and stored as float32 after each pass (vl_imreadjpeg stores float after
 * each pass too). Alpha is dropped.
 */
import { contributions } from './contributions.js';
import type { CropPlan } from './crop-geometry.js';
import type { DecodedImage } from './decoded.js';
import type { ImreadInterpolation } from './options.js';

/** The crop of `image` resized to the plan's output, row-major `[outHeight, outWidth, min(channels, 3)]`. */
export function resampleCrop(image: DecodedImage, plan: CropPlan, method: ImreadInterpolation): Float32Array {
  const { width: W, height: H, channels: Cin, data: src } = image;
  const C = Cin === 4 ? 3 : Cin;
  const { outHeight: Ho, outWidth: Wo } = plan;
  const rows = contributions({ inLength: H, outLength: Ho, scale: Ho / plan.cropHeight, offset: plan.top, method, antialiasing: true, boundary: 'replicate' });
  const cols = contributions({ inLength: W, outLength: Wo, scale: Wo / plan.cropWidth, offset: plan.left, method, antialiasing: true, boundary: 'replicate' });
  // Pass 1: output rows y from input rows, over the input columns the crop's taps can read.
  const x0 = cols.indices.reduce((m, k) => Math.min(m, k), W);
  const x1 = cols.indices.reduce((m, k) => Math.max(m, k), -1) + 1;
  const span = Math.max(0, x1 - x0);
  const mid = new Float32Array(Ho * span * C);
  const acc = new Float64Array(span * C);
  for (let y = 0; y < Ho; y++) {
    acc.fill(0);
    for (let t = rows.start[y]!; t < rows.start[y + 1]!; t++) {
      const wt = rows.weights[t]!;
      const base = (rows.indices[t]! * W + x0) * Cin;
      if (Cin === C) {
        for (let i = 0; i < span * C; i++) acc[i]! += wt * src[base + i]!;
      } else {
        for (let x = 0; x < span; x++) for (let c = 0; c < C; c++) acc[x * C + c]! += wt * src[base + x * Cin + c]!;
      }
    }
    mid.set(acc, y * span * C);
  }
  // Pass 2: output columns from the intermediate's columns (x0-relative), reversed when flipping.
  const out = new Float32Array(Ho * Wo * C);
  for (let y = 0; y < Ho; y++) {
    const row = y * span * C;
    for (let x = 0; x < Wo; x++) {
      const to = (y * Wo + (plan.flip ? Wo - 1 - x : x)) * C;
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let t = cols.start[x]!; t < cols.start[x + 1]!; t++) s += cols.weights[t]! * mid[row + (cols.indices[t]! - x0) * C + c]!;
        out[to + c] = s;
      }
    }
  }
  return out;
}
