/**
 * Where `vl_imreadjpeg` crops an H×W image and what size it outputs
 * (`Batch::prefetch` in matlab/src/vl_imreadjpeg.cu), given the draws z:
 *
 * 1. output (Ho, Wo): the input's size; or, for `resize: S`, the input
 *    scaled by s = max(S/W, S/H), each side max(1, round(s·side)); or `[H, W]`;
 * 2. anisotropy a = Wcrop/Hcrop relative to Wo/Ho: exp(z·(ln min − ln max) + ln max)
 *    (log-uniform over `cropAnisotropy`), or (W/H)/(Wo/Ho) when min or max
 *    is 0 (stretch to the input); crop = (Wo·√a, Ho/√a);
 * 3. size: the crop scaled by min(W/Wcrop, H/Hcrop) (the largest that fits)
 *    times √(z·(min² − max²) + max²) (so the crop's area is uniform over
 *    `cropSize`²), then rounded (half away from zero), clipped to the image
 *    and at least 1;
 * 4. location: ⌊(W − w)/2⌋, ⌊(H − h)/2⌋ for 'center'; for 'random',
 *    ⌊z·(W − w + 1)⌋, ⌊z·(H − h + 1)⌋ (vl_imreadjpeg: rand() % (W − w + 1));
 * 5. flip when `flip` and z < ½.
 */
import type { Draws } from './jitter.js';
import type { TransformSpec } from './options.js';

export interface CropPlan {
  outHeight: number;
  outWidth: number;
  top: number;
  left: number;
  cropHeight: number;
  cropWidth: number;
  flip: boolean;
}

export function outputSize(spec: TransformSpec, height: number, width: number): [number, number] {
  const r = spec.resize;
  if (r.kind === 'none') return [height, width];
  if (r.kind === 'fixed') return [r.height, r.width];
  const s = Math.max(r.size / width, r.size / height);
  return [Math.max(1, Math.round(s * height)), Math.max(1, Math.round(s * width))];
}

export function planCrop(spec: TransformSpec, height: number, width: number, z: Draws): CropPlan {
  const [outHeight, outWidth] = outputSize(spec, height, width);
  const [minA, maxA] = spec.cropAnisotropy;
  const a = minA === 0 || maxA === 0 ? width / height / (outWidth / outHeight) : Math.exp(z.anisotropy * (Math.log(minA) - Math.log(maxA)) + Math.log(maxA));
  let cw = outWidth * Math.sqrt(a);
  let ch = outHeight / Math.sqrt(a);
  const [minS, maxS] = spec.cropSize;
  const fit = Math.min(width / cw, height / ch);
  const size = Math.sqrt(z.size * (minS * minS - maxS * maxS) + maxS * maxS);
  cw *= fit * size;
  ch *= fit * size;
  const cropWidth = Math.max(1, Math.min(Math.round(cw), width));
  const cropHeight = Math.max(1, Math.min(Math.round(ch), height));
  const dx = width - cropWidth;
  const dy = height - cropHeight;
  const random = spec.cropLocation === 'random';
  return {
    outHeight,
    outWidth,
    left: random ? Math.min(dx, Math.floor(z.x * (dx + 1))) : Math.floor(dx / 2),
    top: random ? Math.min(dy, Math.floor(z.y * (dy + 1))) : Math.floor(dy / 2),
    cropHeight,
    cropWidth,
    flip: spec.flip && z.flip < 0.5,
  };
}
