import type { FloatArray } from '@convnet-ts/tensor';

/**
 * Geometry of the patches of one image: an `H × W × C` map (NHWC, so pixel
 * `(i, j)` starts at `(i·W + j)·C`), filters `Hf × Wf`, dilation, padding,
 * stride, and the output size `Ho × Wo` they give.
 */
export interface PatchGeometry {
  height: number;
  width: number;
  channels: number;
  filterHeight: number;
  filterWidth: number;
  outHeight: number;
  outWidth: number;
  padTop: number;
  padLeft: number;
  strideY: number;
  strideX: number;
  dilateY: number;
  dilateX: number;
}

/**
 * The im2row operator φ (manual §6.1, notes-im2row-derivatives §1.1) of one
 * image, restricted to the channel block `[c0, c0 + cg)` (one filter group):
 *
 *     φ(x)[(i″, j″), (i′, j′, d)] = x[Sy·i″ + Dy·i′ − Pt, Sx·j″ + Dx·j′ − Pl, c0 + d]
 *
 * written as a row-major `(Ho·Wo) × (Hf·Wf·cg)` matrix into `out`, zeros
 * where the patch reaches into the padding. Row `(i″, j″)` is output pixel
 * `i″·Wo + j″`; column `(i′, j′, d)` is `(i′·Wf + j′)·cg + d`, which is the
 * row order of the filters `[Hf, Wf, cg, K]`, so `Y = φ(X)·F` needs no transpose.
 */
export function im2row(x: FloatArray, xOffset: number, g: PatchGeometry, c0: number, cg: number, out: FloatArray): void {
  const { height, width, channels, filterHeight, filterWidth, outHeight, outWidth } = g;
  let o = 0;
  for (let oy = 0; oy < outHeight; oy++) {
    const y0 = oy * g.strideY - g.padTop;
    for (let ox = 0; ox < outWidth; ox++) {
      const x0 = ox * g.strideX - g.padLeft;
      for (let fy = 0; fy < filterHeight; fy++) {
        const iy = y0 + fy * g.dilateY;
        if (iy < 0 || iy >= height) {
          out.fill(0, o, o + filterWidth * cg);
          o += filterWidth * cg;
          continue;
        }
        const rowStart = xOffset + iy * width * channels + c0;
        for (let fx = 0; fx < filterWidth; fx++) {
          const ix = x0 + fx * g.dilateX;
          if (ix < 0 || ix >= width) {
            out.fill(0, o, o + cg);
          } else {
            const s = rowStart + ix * channels;
            for (let d = 0; d < cg; d++) out[o + d] = x[s + d]!;
          }
          o += cg;
        }
      }
    }
  }
}

/**
 * The dual row2im operator φ* (manual §6.1): adds every entry of the
 * `(Ho·Wo) × (Hf·Wf·cg)` matrix `rows` into the pixel and channel of `dx` it
 * was copied from by `im2row` (entries that fall in the padding are dropped).
 * Accumulates: `dx` is not cleared first, so groups and images can share it.
 */
export function row2im(rows: FloatArray, g: PatchGeometry, c0: number, cg: number, dx: FloatArray, dxOffset: number): void {
  const { height, width, channels, filterHeight, filterWidth, outHeight, outWidth } = g;
  let o = 0;
  for (let oy = 0; oy < outHeight; oy++) {
    const y0 = oy * g.strideY - g.padTop;
    for (let ox = 0; ox < outWidth; ox++) {
      const x0 = ox * g.strideX - g.padLeft;
      for (let fy = 0; fy < filterHeight; fy++) {
        const iy = y0 + fy * g.dilateY;
        if (iy < 0 || iy >= height) {
          o += filterWidth * cg;
          continue;
        }
        const rowStart = dxOffset + iy * width * channels + c0;
        for (let fx = 0; fx < filterWidth; fx++) {
          const ix = x0 + fx * g.dilateX;
          if (ix >= 0 && ix < width) {
            const s = rowStart + ix * channels;
            for (let d = 0; d < cg; d++) dx[s + d]! += rows[o + d]!;
          }
          o += cg;
        }
      }
    }
  }
}
