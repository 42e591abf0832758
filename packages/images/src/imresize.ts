/**
 * `imresize(image, [h, w], opts)` — MATLAB's `imresize` on a float image
 * (what `imresize(single(im), imageSize(1:2))` computes in MatConvNet's
 * examples): separable, one dimension at a time, the one shrunk most first
 * (MATLAB's order; rows first on a tie), each output sample a weighted sum of
 * input samples with the weights of `contributions.ts`, in float64.
 *
 * Defaults as MATLAB: `method` 'bicubic'; `antialiasing` true except for
 * 'nearest'. Where it can differ from MATLAB's own: MATLAB rounds a single
 * image to float32 between the two passes (here float64 throughout, then once
 * to float32 in the tensor: differences below 1e-5 relative), and rounds and
 * clamps uint8 images to 0..255 after each pass (here pixels are always made
 * float first, as `single(im)` does in MatConvNet's examples).
 */
import { OptionError, ShapeError } from '@convnet-ts/tensor';
import { type Boundary, type Contributions, contributions } from './contributions.js';
import { INTERPOLATIONS, type Interpolation } from './kernels.js';

/** An image in float64, row-major `[height, width, channels]` (channels contiguous). */
export interface Plane {
  height: number;
  width: number;
  channels: number;
  data: Float64Array;
}

export interface ImresizeOptions {
  /** Default 'bicubic'. */
  method?: Interpolation;
  /** Stretch the kernel when shrinking (default true, false for 'nearest'). */
  antialiasing?: boolean;
}

/** One pass: resamples `axis` (0: rows, 1: columns) of `p` to `c`'s output length. */
export function resampleAxis(p: Plane, axis: 0 | 1, c: Contributions): Plane {
  const outLength = c.start.length - 1;
  const height = axis === 0 ? outLength : p.height;
  const width = axis === 0 ? p.width : outLength;
  const C = p.channels;
  const out = new Float64Array(height * width * C);
  const src = p.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = axis === 0 ? y : x;
      const at = (y * width + x) * C;
      for (let t = c.start[o]!; t < c.start[o + 1]!; t++) {
        const k = c.indices[t]!;
        const wt = c.weights[t]!;
        const from = axis === 0 ? (k * p.width + x) * C : (y * p.width + k) * C;
        for (let ch = 0; ch < C; ch++) out[at + ch]! += wt * src[from + ch]!;
      }
    }
  }
  return { height, width, channels: C, data: out };
}

export function parseMethod(where: string, what: string, m: unknown): Interpolation {
  if (m === undefined) return 'bicubic';
  if (typeof m !== 'string' || !INTERPOLATIONS.includes(m as Interpolation)) {
    throw new OptionError(where, what, `${what} must be one of ${INTERPOLATIONS.join(', ')}, got ${JSON.stringify(m)}`);
  }
  return m as Interpolation;
}

function checkSize(where: string, what: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ShapeError(where, what, `${what} must be a positive integer, got ${String(n)}`);
  return n;
}

/** Resizes `image` to `size` = [height, width] (see the module doc). */
export function imresize(image: Plane, size: readonly [number, number], opts: ImresizeOptions = {}): Plane {
  const where = 'imresize';
  const height = checkSize(where, 'size[0]', size[0]);
  const width = checkSize(where, 'size[1]', size[1]);
  checkSize(where, 'image.height', image.height);
  checkSize(where, 'image.width', image.width);
  if (image.data.length !== image.height * image.width * image.channels) {
    throw new ShapeError(where, 'image', `image.data must hold height·width·channels = ${image.height * image.width * image.channels} values, got ${image.data.length}`);
  }
  const method = parseMethod(where, 'method', opts.method);
  const antialiasing = opts.antialiasing ?? method !== 'nearest';
  return resampleBoth(image, [height, width], method, antialiasing, [
    { scale: height / image.height, offset: 0 },
    { scale: width / image.width, offset: 0 },
  ], 'symmetric');
}

/**
 * Both passes, the axis with the smaller scale first; `window[a]` gives each
 * axis's scale (output samples per input sample) and crop offset.
 */
export function resampleBoth(
  image: Plane,
  size: readonly [number, number],
  method: Interpolation,
  antialiasing: boolean,
  window: readonly [{ scale: number; offset: number }, { scale: number; offset: number }],
  boundary: Boundary,
): Plane {
  const order: (0 | 1)[] = window[1].scale < window[0].scale ? [1, 0] : [0, 1];
  let p = image;
  for (const axis of order) {
    const inLength = axis === 0 ? p.height : p.width;
    const c = contributions({ inLength, outLength: size[axis], ...window[axis], method, antialiasing, boundary });
    p = resampleAxis(p, axis, c);
  }
  return p;
}
