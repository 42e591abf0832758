/**
 * Raw pixels in, a float64 `Plane` of the channels a network takes out.
 *
 * Input: `{ width, height, data, channels? }` with `data` row-major,
 * interleaved — 1 (grey), 3 (RGB) or 4 (RGBA) values per pixel, `channels`
 * inferred from `data.length / (width·height)` when not given (so a DOM
 * `ImageData` fits as it is). Uint8Array / Uint8ClampedArray values are
 * 0..255; Float32Array values are taken as they are (MatConvNet's models
 * expect the 0..255 range of `single(imread(...))`).
 *
 * Channels, as MatConvNet reads images:
 * - alpha is dropped (MATLAB's `imread` returns it separately);
 * - a grey image given to a 3-channel network is replicated to R = G = B
 *   (`vl_imreadjpeg`'s packing; MATLAB's implicit expansion in
 *   `im - averageImage` gives the same);
 * - a colour image given to a 1-channel network becomes grey: exactly R when
 *   R = G = B at every pixel (a grey PNG decoded as RGBA), otherwise MATLAB's
 *   `rgb2gray` weights 0.298936·R + 0.587043·G + 0.114021·B (unrounded; MATLAB
 *   rounds a uint8 result).
 */
import { ShapeError, ValueError } from '@convnet-ts/tensor';
import type { Plane } from '@convnet-ts/images';

/** Pixels of one image (an `ImageData` is one). */
export interface RawImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  /** 1 (grey), 3 (RGB) or 4 (RGBA); default data.length / (width·height). */
  channels?: 1 | 3 | 4;
}

/** MATLAB's rgb2gray weights (the rounded inverse of the NTSC YIQ transform's first row). */
export const RGB2GRAY: readonly [number, number, number] = [0.298936021293775, 0.587043074451121, 0.114020904255103];

export function isRawImage(v: unknown): v is RawImage {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<RawImage>;
  return typeof r.width === 'number' && typeof r.height === 'number' && ArrayBuffer.isView(r.data);
}

/** Checks `image` and returns its channel count. */
export function channelsOf(where: string, what: string, image: RawImage): 1 | 3 | 4 {
  const { width, height, data } = image;
  for (const [k, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ShapeError(where, `${what}.${k}`, `${what}.${k} must be a positive integer, got ${String(v)}`);
  }
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray || data instanceof Float32Array)) {
    throw new ValueError(where, `${what}.data`, `${what}.data must be a Uint8Array, Uint8ClampedArray or Float32Array, got ${Object.prototype.toString.call(data)}`);
  }
  const per = data.length / (width * height);
  const channels = image.channels ?? per;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new ShapeError(where, `${what}.channels`, `${what}.channels must be 1, 3 or 4, got ${image.channels ?? `${data.length} values for ${width}×${height} pixels`}`);
  }
  if (data.length !== width * height * channels) {
    throw new ShapeError(where, `${what}.data`, `${what}.data must hold width·height·channels = ${width}·${height}·${channels} = ${width * height * channels} values, got ${data.length}`);
  }
  return channels;
}

/** `image` as a float64 plane of `channels` (1 or 3) values per pixel (see the module doc). */
export function toPlane(where: string, what: string, image: RawImage, channels: 1 | 3): Plane {
  const given = channelsOf(where, what, image);
  const { width, height, data } = image;
  const n = width * height;
  const out = new Float64Array(n * channels);
  if (given === 1) {
    for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = data[i]!;
    return { height, width, channels, data: out };
  }
  if (channels === 3) {
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = data[i * given + c]!;
    return { height, width, channels, data: out };
  }
  let grey = true;
  for (let i = 0; i < n && grey; i++) grey = data[i * given]! === data[i * given + 1]! && data[i * given]! === data[i * given + 2]!;
  for (let i = 0; i < n; i++) {
    const p = i * given;
    out[i] = grey ? data[p]! : RGB2GRAY[0] * data[p]! + RGB2GRAY[1] * data[p + 1]! + RGB2GRAY[2] * data[p + 2]!;
  }
  return { height, width, channels, data: out };
}
