import type { RoiPoolAttrs, Tensor } from '@convnet-ts/tensor';
import type { WebGPUKernelTable } from '../kernel-table.js';
import { SPECIAL_VALUES } from './wgsl.js';

/**
 * ROI pooling (vl_nnroipool) with the CPU's conventions: corners mapped by
 * `transform`, rounded half away from zero, 1-based; tile (ph, pw) spans rows
 * `[⌊ph·h/Sh⌋, ⌈(ph+1)·h/Sh⌉)` from the ROI start (integer arithmetic),
 * clipped to the image; an empty tile gives 0; max routes the derivative to
 * the first maximum, columns outer and rows inner. The backward pass is a
 * gather: each input element visits every tile of every ROI on its image.
 */
export const roiPoolKernels = {
  RoiPool: (gpu, { x, rois }, attrs) => {
    const y = gpu.empty([rois.shape[0]!, attrs.subdivisions[0], attrs.subdivisions[1], x.shape[3]!]);
    const isMax = attrs.method === 'max';
    gpu.dispatch({
      kernel: 'RoiPool',
      variant: attrs.method,
      inputs: { x, rois },
      outputs: { y },
      ...uniforms(x, rois, attrs),
      threads: y.size,
      helpers: SPECIAL_VALUES + TILE,
      body: `  let z = i % u.c;
  let t = tile(i / u.c);
  if (t.he <= t.hs || t.we <= t.ws) { y[i] = 0.0; return; }
  var acc = ${isMax ? 'neg_inf()' : '0.0'};
  for (var col = t.ws; col < t.we; col++) {
    for (var row = t.hs; row < t.he; row++) {
      let v = x[((t.image * u.h + row) * u.w + col) * u.c + z];
      ${isMax ? 'if (v > acc) { acc = v; }' : 'acc += v;'}
    }
  }
  y[i] = ${isMax ? 'acc' : 'acc / f32((t.he - t.hs) * (t.we - t.ws))'};`,
    });
    return y;
  },

  RoiPoolBackward: (gpu, { x, rois, dy }, attrs) => {
    const dx = gpu.empty(x.shape);
    const isMax = attrs.method === 'max';
    gpu.dispatch({
      kernel: 'RoiPoolBackward',
      variant: attrs.method,
      inputs: { x, rois, dy },
      outputs: { dx },
      ...uniforms(x, rois, attrs),
      threads: dx.size,
      helpers: SPECIAL_VALUES + TILE,
      body: `  let z = i % u.c;
  let pix = i / u.c;
  let col = pix % u.w;
  let row = (pix / u.w) % u.h;
  let image = pix / (u.w * u.h);
  var acc = 0.0;
  for (var q = 0u; q < u.tiles; q++) {
    let t = tile(q);
    if (t.image != image || row < t.hs || row >= t.he || col < t.ws || col >= t.we) { continue; }
    ${
      isMax
        ? `var best = neg_inf();
    var at = 0xffffffffu;
    for (var b = t.ws; b < t.we; b++) {
      for (var a = t.hs; a < t.he; a++) {
        let v = x[((image * u.h + a) * u.w + b) * u.c + z];
        if (v > best) { best = v; at = (image * u.h + a) * u.w + b; }
      }
    }
    if (at == pix) { acc += dy[q * u.c + z]; }`
        : 'acc += dy[q * u.c + z] / f32((t.he - t.hs) * (t.we - t.ws));'
    }
  }
  dx[i] = acc;`,
    });
    return dx;
  },
} satisfies Partial<WebGPUKernelTable>;

function uniforms(x: Tensor, rois: Tensor, attrs: RoiPoolAttrs) {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [sh, sw] = attrs.subdivisions;
  const [[t11, t12, t13], [t21, t22, t23]] = attrs.transform;
  return { u32: { n, h, w, c, sh, sw, tiles: rois.shape[0]! * sh * sw }, f32: { t11, t12, t13, t21, t22, t23 } };
}

/** Tile q (index over K·Sh·Sw): its image and clipped pixel ranges [hs, he) × [ws, we). */
const TILE = `
struct Tile { image: u32, hs: u32, he: u32, ws: u32, we: u32 }
fn round_half_away(v: f32) -> i32 { return i32(sign(v) * floor(abs(v) + 0.5)); }
fn tile(q: u32) -> Tile {
  let pw = i32(q % u.sw);
  let ph = i32((q / u.sw) % u.sh);
  let r = 5u * (q / (u.sw * u.sh));
  let image = u32(clamp(i32(trunc(rois[r])) - 1, 0, i32(u.n) - 1));
  let u0 = rois[r + 1u];
  let v0 = rois[r + 2u];
  let u1 = rois[r + 3u];
  let v1 = rois[r + 4u];
  let start_h = round_half_away(u.t21 * u0 + u.t22 * v0 + u.t23) - 1;
  let end_h = round_half_away(u.t21 * u1 + u.t22 * v1 + u.t23) - 1;
  let start_w = round_half_away(u.t11 * u0 + u.t12 * v0 + u.t13) - 1;
  let end_w = round_half_away(u.t11 * u1 + u.t12 * v1 + u.t13) - 1;
  let roi_h = max(end_h - start_h + 1, 1);
  let roi_w = max(end_w - start_w + 1, 1);
  let sh = i32(u.sh);
  let sw = i32(u.sw);
  return Tile(
    image,
    u32(clamp(ph * roi_h / sh + start_h, 0, i32(u.h))),
    u32(clamp(((ph + 1) * roi_h + sh - 1) / sh + start_h, 0, i32(u.h))),
    u32(clamp(pw * roi_w / sw + start_w, 0, i32(u.w))),
    u32(clamp(((pw + 1) * roi_w + sw - 1) / sw + start_w, 0, i32(u.w))),
  );
}`;
