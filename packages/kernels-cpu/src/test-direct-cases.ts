import type { ConvSizes } from './conv-wasm.js';

/** Test helper: a convolution for the direct path's tests (NHWC x, [Hf, Wf, C, K] filters, one group, no dilation). */
export interface DirectCase {
  name: string;
  x: [number, number, number, number];
  f: [number, number, number, number];
  /** top, bottom, left, right */
  pad: readonly [number, number, number, number];
  stride: [number, number];
}

/** The output size of case `c`: [Ho, Wo]. */
export function outSizes(c: DirectCase): [number, number] {
  const ho = Math.floor((c.x[1] + c.pad[0] + c.pad[1] - c.f[0]) / c.stride[0]) + 1;
  const wo = Math.floor((c.x[2] + c.pad[2] + c.pad[3] - c.f[1]) / c.stride[1]) + 1;
  return [ho, wo];
}

/** The sizes the CPU kernels plan for case `c`. */
export function sizesOf(c: DirectCase): ConvSizes {
  const [n, h, w, ch] = c.x;
  const [hf, wf, cg, k] = c.f;
  const [ho, wo] = outSizes(c);
  const patch = { height: h, width: w, channels: ch, filterHeight: hf, filterWidth: wf, outHeight: ho, outWidth: wo, padTop: c.pad[0], padLeft: c.pad[2], strideY: c.stride[0], strideX: c.stride[1], dilateY: 1, dilateX: 1 };
  return { patch, n, c: ch, k, groups: 1, cg, kg: k, imageSize: h * w * ch, pixels: ho * wo, rowLength: hf * wf * cg };
}
