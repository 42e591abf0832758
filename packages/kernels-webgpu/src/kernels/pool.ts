import type { PoolAttrs, Tensor } from '@convnet-ts/tensor';
import type { WebGPUKernelTable } from '../kernel-table.js';
import { IS_NAN, SPECIAL_VALUES } from './wgsl.js';

/**
 * Max and average pooling over NHWC data (manual §4.3, §6.3) with MatConvNet's
 * semantics, as on the CPU: windows are clipped to the image (max ignores
 * padding, avg divides by the valid pixels).
 *
 * The backward pass is a gather, one thread per input element, so no two
 * threads write one value and no atomics are needed: pixel (i, j) visits the
 * windows that contain it, and for max pooling takes a window's derivative
 * only when it is that window's FIRST maximum in MatConvNet's column-major
 * order (down a column, then the next). The rule of kernels-cpu's pool.ts: a
 * value wins when it is larger, or NaN over a number (NaN propagates, the
 * first NaN stays); the backward's first element always wins, so an all −∞
 * window sends its derivative there.
 */
export const poolKernels = {
  Pool: (gpu, { x }, attrs) => {
    const g = geometry(x, attrs);
    const y = gpu.empty([g.n, g.ho, g.wo, g.c]);
    const isMax = attrs.method === 'max';
    gpu.dispatch({
      kernel: 'Pool',
      variant: attrs.method,
      inputs: { x },
      outputs: { y },
      ...g.uniforms,
      threads: y.size,
      helpers: SPECIAL_VALUES + IS_NAN + WINDOW,
      body: `  let k = i % u.c;
  let p = i / u.c;
  let w = window(p);
  var acc = ${isMax ? 'neg_inf()' : '0.0'};
  for (var a = w.y1; a < w.y2; a++) {
    for (var b = w.x1; b < w.x2; b++) {
      let v = x[((w.img + a) * u.w + b) * u.c + k];
      ${isMax ? 'if (v > acc || (is_nan(v) && !is_nan(acc))) { acc = v; }' : 'acc += v;'}
    }
  }
  y[i] = ${isMax ? 'acc' : 'acc / f32((w.y2 - w.y1) * (w.x2 - w.x1))'};`,
    });
    return y;
  },

  PoolBackward: (gpu, { x, dy }, attrs) => {
    const g = geometry(x, attrs);
    const dx = gpu.empty(x.shape);
    const isMax = attrs.method === 'max';
    const contribution = isMax
      ? `if (first_max(w, k) == pix) { acc += dy[q * u.c + k]; }`
      : 'acc += dy[q * u.c + k] / f32((w.y2 - w.y1) * (w.x2 - w.x1));';
    gpu.dispatch({
      kernel: 'PoolBackward',
      variant: attrs.method,
      inputs: { x, dy },
      outputs: { dx },
      ...g.uniforms,
      threads: dx.size,
      helpers: SPECIAL_VALUES + IS_NAN + WINDOW + FIRST_MAX,
      body: `  let k = i % u.c;
  let pix = i / u.c;
  let jx = i32(pix % u.w);
  let iy = i32((pix / u.w) % u.h);
  let img = pix / (u.w * u.h);
  // Windows oy with oy·Sy − top ≤ iy < oy·Sy − top + Ph, clipped to [0, Ho).
  let oy1 = max(0, (iy + u.top - u.ph + u.sy) / u.sy);
  let oy2 = min(i32(u.ho) - 1, (iy + u.top) / u.sy);
  let ox1 = max(0, (jx + u.left - u.pw + u.sx) / u.sx);
  let ox2 = min(i32(u.wo) - 1, (jx + u.left) / u.sx);
  var acc = 0.0;
  for (var oy = oy1; oy <= oy2; oy++) {
    for (var ox = ox1; ox <= ox2; ox++) {
      let q = (img * u.ho + u32(oy)) * u.wo + u32(ox);
      let w = window(q);
      ${contribution}
    }
  }
  dx[i] = acc;`,
    });
    return dx;
  },
} satisfies Partial<WebGPUKernelTable>;

/**
 * Window of output pixel `p` (index over N·Ho·Wo): rows [y1, y2) and columns
 * [x1, x2) clipped to the image, and `img` = n·H, the image's first row.
 */
const WINDOW = `
struct Window { img: u32, y1: u32, y2: u32, x1: u32, x2: u32 }
fn window(p: u32) -> Window {
  let ox = i32(p % u.wo);
  let oy = i32((p / u.wo) % u.ho);
  let n = p / (u.wo * u.ho);
  let y0 = oy * u.sy - u.top;
  let x0 = ox * u.sx - u.left;
  return Window(n * u.h, u32(max(y0, 0)), u32(min(y0 + u.ph, i32(u.h))), u32(max(x0, 0)), u32(min(x0 + u.pw, i32(u.w))));
}`;

/** Pixel index (over N·H·W) of the first maximum of channel k in window w, column-major order. */
const FIRST_MAX = `
fn first_max(w: Window, k: u32) -> u32 {
  var best = neg_inf();
  var at = 0xffffffffu;
  for (var b = w.x1; b < w.x2; b++) {
    for (var a = w.y1; a < w.y2; a++) {
      let pix = (w.img + a) * u.w + b;
      let v = x[pix * u.c + k];
      if (at == 0xffffffffu || v > best || (is_nan(v) && !is_nan(best))) { best = v; at = pix; }
    }
  }
  return at;
}`;

function geometry(x: Tensor, { poolSize, pad, stride }: PoolAttrs) {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [ph, pw] = poolSize;
  const [top, bottom, left, right] = pad;
  const ho = Math.floor((h + top + bottom - ph) / stride[0]) + 1;
  const wo = Math.floor((w + left + right - pw) / stride[1]) + 1;
  return {
    n,
    c,
    ho,
    wo,
    uniforms: { u32: { h, w, c, ho, wo }, i32: { ph, pw, sy: stride[0], sx: stride[1], top, left } },
  };
}
