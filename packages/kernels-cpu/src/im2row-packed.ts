import type { PatchGeometry } from './im2row.js';
import { packRows4 } from './wasm-gemm.js';

/**
 * Where `im2rowPacked` works in the WebAssembly memory (element offsets): the
 * output panels, `span` zeros (`span = Wf·cg`) and four scratch rows of
 * `Hf·Wf·cg` elements.
 */
export interface PackedPatchBuffers {
  out: number;
  zeros: number;
  scratch: number;
}

/** Elements `im2rowPacked` needs at `PackedPatchBuffers.out` for `pixels` rows of `rowLength`. */
export function packedPatchesSize(pixels: number, rowLength: number): number {
  return Math.ceil(pixels / 4) * 4 * rowLength;
}

/**
 * φ(x) (im2row, manual §6.1) of the image at `xAt`, channels `[c0, c0 + cg)`,
 * written straight in the GEMM's packed-A layout (gemm.wat, `ta = 2`): rows in
 * panels of four, element `(i, p)` at `out + (i & ~3)·L + 4p + (i & 3)` for
 * `L = Hf·Wf·cg`, rows past `Ho·Wo` zero. Row `i` is the same as `im2row`'s.
 *
 * Per panel and filter row, `pack_rows4` interleaves four runs of `Wf·cg`
 * values: the input row itself where a pixel's patch lies inside the image
 * horizontally with all channels taken (one group, no horizontal dilation),
 * the zeros where the filter row falls in the top or bottom padding, else the
 * pixel's row built first in a scratch row. So the convolution copies x once,
 * instead of once into φ and again into packed panels.
 */
export function im2rowPacked(heap: Float32Array, xAt: number, g: PatchGeometry, c0: number, cg: number, at: PackedPatchBuffers): void {
  const { filterHeight, filterWidth, outWidth } = g;
  const span = filterWidth * cg;
  const rowLength = filterHeight * span;
  const pixels = g.outHeight * outWidth;
  const direct = cg === g.channels && g.dilateX === 1;
  const rowStride = g.width * g.channels;
  heap.fill(0, at.zeros, at.zeros + span);
  // Per row of the panel, per filter row: the source run (element offset).
  const src = new Int32Array(4 * filterHeight);
  for (let q = 0; q < pixels; q += 4) {
    for (let r = 0; r < 4; r++) {
      const i = q + r;
      if (i >= pixels) {
        for (let fy = 0; fy < filterHeight; fy++) src[r * filterHeight + fy] = at.zeros;
        continue;
      }
      const oy = Math.floor(i / outWidth);
      const ox = i - oy * outWidth;
      const y0 = oy * g.strideY - g.padTop;
      const x0 = ox * g.strideX - g.padLeft;
      if (direct && x0 >= 0 && x0 + filterWidth <= g.width) {
        for (let fy = 0; fy < filterHeight; fy++) {
          const iy = y0 + fy * g.dilateY;
          src[r * filterHeight + fy] = iy < 0 || iy >= g.height ? at.zeros : xAt + iy * rowStride + x0 * g.channels;
        }
        continue;
      }
      const row = at.scratch + r * rowLength;
      pixelRow(heap, xAt, g, c0, cg, y0, x0, row);
      for (let fy = 0; fy < filterHeight; fy++) src[r * filterHeight + fy] = row + fy * span;
    }
    const panel = at.out + q * rowLength;
    for (let fy = 0; fy < filterHeight; fy++) {
      packRows4(panel + 4 * fy * span, src[fy]!, src[filterHeight + fy]!, src[2 * filterHeight + fy]!, src[3 * filterHeight + fy]!, span);
    }
  }
}

/** One row of φ (the patch of the output pixel whose window starts at `(y0, x0)`) at `out`. */
function pixelRow(heap: Float32Array, xAt: number, g: PatchGeometry, c0: number, cg: number, y0: number, x0: number, out: number): void {
  let o = out;
  for (let fy = 0; fy < g.filterHeight; fy++) {
    const iy = y0 + fy * g.dilateY;
    if (iy < 0 || iy >= g.height) {
      heap.fill(0, o, o + g.filterWidth * cg);
      o += g.filterWidth * cg;
      continue;
    }
    const rowStart = xAt + iy * g.width * g.channels + c0;
    for (let fx = 0; fx < g.filterWidth; fx++) {
      const ix = x0 + fx * g.dilateX;
      if (ix < 0 || ix >= g.width) heap.fill(0, o, o + cg);
      else {
        const s = rowStart + ix * g.channels;
        heap.copyWithin(o, s, s + cg);
      }
      o += cg;
    }
  }
}
