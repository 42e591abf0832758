import type { FloatArray, RoiPoolAttrs } from '@convnet-ts/tensor';
import type { CpuKernelTable } from '../kernel-table.js';

/**
 * ROI pooling (vl_nnroipool, Fast R-CNN) over contiguous NHWC data.
 *
 * Each row `(t, u0, v0, u1, v1)` of `rois` (1-based, u horizontal, v vertical)
 * has its two corners mapped by `transform` and rounded half away from zero
 * (C's `round`); the ROI covers 0-based rows `[v0' − 1, v1' − 1]` and columns
 * `[u0' − 1, u1' − 1]`, at least one pixel each way. Tile (ph, pw) of `[Sh, Sw]`
 * spans rows `[⌊ph·h/Sh⌋, ⌈(ph+1)·h/Sh⌉)` offset by the ROI start and clipped
 * to the image (likewise columns); the edges are computed in exact integer
 * arithmetic. An empty tile gives 0. Max pooling routes the derivative to the
 * first maximum in MatConvNet's scan order (columns outer, rows inner); average
 * pooling divides by the tile's pixel count.
 */
export const roiPoolKernels = {
  RoiPool: (cpu, { x, rois }, attrs) => {
    const [n, h, w, c] = [x.shape[0]!, x.shape[1]!, x.shape[2]!, x.shape[3]!];
    const [sh, sw] = attrs.subdivisions;
    const k = rois.shape[0]!;
    const xs = cpu.contiguous(x);
    const out = cpu.alloc(k * sh * sw * c);
    const best = new Float64Array(c);
    forEachTile(cpu.contiguous(rois), k, n, h, w, c, attrs, (r, image, tile, hs, he, ws, we) => {
      const o = (r * sh * sw + tile) * c;
      if (attrs.method === 'avg') {
        const scale = 1 / ((he - hs) * (we - ws));
        for (let col = ws; col < we; col++) {
          for (let row = hs; row < he; row++) {
            const xi = image + (row * w + col) * c;
            for (let z = 0; z < c; z++) out[o + z]! += xs[xi + z]!;
          }
        }
        for (let z = 0; z < c; z++) out[o + z]! *= scale;
      } else {
        best.fill(Number.NEGATIVE_INFINITY);
        for (let col = ws; col < we; col++) {
          for (let row = hs; row < he; row++) {
            const xi = image + (row * w + col) * c;
            for (let z = 0; z < c; z++) if (xs[xi + z]! > best[z]!) best[z] = xs[xi + z]!;
          }
        }
        for (let z = 0; z < c; z++) out[o + z] = best[z]!;
      }
    });
    return cpu.wrap(out, [k, sh, sw, c]);
  },

  RoiPoolBackward: (cpu, { x, rois, dy }, attrs) => {
    const [n, h, w, c] = [x.shape[0]!, x.shape[1]!, x.shape[2]!, x.shape[3]!];
    const [sh, sw] = attrs.subdivisions;
    const k = rois.shape[0]!;
    const xs = cpu.contiguous(x);
    const ds = cpu.contiguous(dy);
    const dx = cpu.alloc(n * h * w * c);
    const best = new Float64Array(c);
    const arg = new Int32Array(c);
    forEachTile(cpu.contiguous(rois), k, n, h, w, c, attrs, (r, image, tile, hs, he, ws, we) => {
      const o = (r * sh * sw + tile) * c;
      if (attrs.method === 'avg') {
        const scale = 1 / ((he - hs) * (we - ws));
        for (let col = ws; col < we; col++) {
          for (let row = hs; row < he; row++) {
            const xi = image + (row * w + col) * c;
            for (let z = 0; z < c; z++) dx[xi + z]! += ds[o + z]! * scale;
          }
        }
      } else {
        best.fill(Number.NEGATIVE_INFINITY);
        arg.fill(-1);
        for (let col = ws; col < we; col++) {
          for (let row = hs; row < he; row++) {
            const xi = image + (row * w + col) * c;
            for (let z = 0; z < c; z++) {
              if (xs[xi + z]! > best[z]!) {
                best[z] = xs[xi + z]!;
                arg[z] = xi + z;
              }
            }
          }
        }
        for (let z = 0; z < c; z++) if (arg[z]! >= 0) dx[arg[z]!]! += ds[o + z]!;
      }
    });
    return cpu.wrap(dx, [n, h, w, c]);
  },
} satisfies Partial<CpuKernelTable>;

/** C's `round`: halves go away from zero (JavaScript's Math.round sends −2.5 to −2). */
export function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/**
 * The ROI's first and last 0-based pixel `[startH, endH, startW, endW]` after
 * the transform and rounding (end may precede start; the size is then 1).
 */
export function roiPixels(row: ArrayLike<number>, transform: RoiPoolAttrs['transform']): [number, number, number, number] {
  const [[t11, t12, t13], [t21, t22, t23]] = transform;
  const u0 = row[1]!;
  const v0 = row[2]!;
  const u1 = row[3]!;
  const v1 = row[4]!;
  return [
    roundHalfAway(t21 * u0 + t22 * v0 + t23) - 1,
    roundHalfAway(t21 * u1 + t22 * v1 + t23) - 1,
    roundHalfAway(t11 * u0 + t12 * v0 + t13) - 1,
    roundHalfAway(t11 * u1 + t12 * v1 + t13) - 1,
  ];
}

type TileVisitor = (roi: number, image: number, tile: number, hs: number, he: number, ws: number, we: number) => void;

/** Calls `visit` for every non-empty tile of every ROI, with its clipped pixel ranges. */
function forEachTile(
  rs: FloatArray,
  k: number,
  n: number,
  h: number,
  w: number,
  c: number,
  attrs: RoiPoolAttrs,
  visit: TileVisitor,
): void {
  const [sh, sw] = attrs.subdivisions;
  for (let r = 0; r < k; r++) {
    const row = rs.subarray(5 * r, 5 * r + 5);
    // Blocks reject bad image indices; clamping here only keeps the kernel in bounds.
    const t = Math.min(Math.max(Math.trunc(row[0]!) - 1, 0), n - 1);
    const image = t * h * w * c;
    const [startH, endH, startW, endW] = roiPixels(row, attrs.transform);
    const roiH = Math.max(endH - startH + 1, 1);
    const roiW = Math.max(endW - startW + 1, 1);
    for (let ph = 0; ph < sh; ph++) {
      const hs = clamp(Math.floor((ph * roiH) / sh) + startH, h);
      const he = clamp(Math.ceil(((ph + 1) * roiH) / sh) + startH, h);
      for (let pw = 0; pw < sw; pw++) {
        const ws = clamp(Math.floor((pw * roiW) / sw) + startW, w);
        const we = clamp(Math.ceil(((pw + 1) * roiW) / sw) + startW, w);
        if (he > hs && we > ws) visit(r, image, ph * sw + pw, hs, he, ws, we);
      }
    }
  }
}

function clamp(v: number, size: number): number {
  return Math.min(Math.max(v, 0), size);
}
