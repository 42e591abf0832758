/**
 * One decoded image through `vl_imreadjpeg`'s steps: crop plan
 * (`crop-geometry.ts`), crop-and-resize with flip (`resample.ts`), grey
 * replicated to RGB when packing, colour processing (`color.ts`). Runs in
 * the decoding workers.
 */
import { processColour } from './color.js';
import { planCrop } from './crop-geometry.js';
import type { DecodedImage, ImageArray } from './decoded.js';
import type { Draws } from './jitter.js';
import type { TransformSpec } from './options.js';
import { resampleCrop } from './resample.js';

export function transformImage(image: DecodedImage, spec: TransformSpec, z: Draws): ImageArray {
  const plan = planCrop(spec, image.height, image.width, z);
  let px = resampleCrop(image, plan, spec.interpolation);
  let channels: 1 | 3 = image.channels === 1 ? 1 : 3;
  if (channels === 1 && spec.pack) {
    const rgb = new Float32Array(px.length * 3);
    for (let i = 0; i < px.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = px[i]!;
    px = rgb;
    channels = 3;
  }
  processColour(px, channels, spec, z);
  return { height: plan.outHeight, width: plan.outWidth, channels, data: px };
}
