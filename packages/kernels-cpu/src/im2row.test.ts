import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { im2row, type PatchGeometry, row2im } from './im2row.js';

function geometry(
  h: number,
  w: number,
  c: number,
  hf: number,
  wf: number,
  pad: [number, number, number, number],
  stride: [number, number],
  dilate: [number, number],
): PatchGeometry {
  const out = (size: number, f: number, p: number, s: number, d: number) => Math.floor((size + p - ((f - 1) * d + 1)) / s) + 1;
  return {
    height: h,
    width: w,
    channels: c,
    filterHeight: hf,
    filterWidth: wf,
    outHeight: out(h, hf, pad[0] + pad[1], stride[0], dilate[0]),
    outWidth: out(w, wf, pad[2] + pad[3], stride[1], dilate[1]),
    padTop: pad[0],
    padLeft: pad[2],
    strideY: stride[0],
    strideX: stride[1],
    dilateY: dilate[0],
    dilateX: dilate[1],
  };
}

/** φ by its definition (manual §6.1), element by element. */
function naiveIm2row(x: Float64Array, off: number, g: PatchGeometry, c0: number, cg: number): Float64Array {
  const cols = g.filterHeight * g.filterWidth * cg;
  const out = new Float64Array(g.outHeight * g.outWidth * cols);
  for (let oy = 0; oy < g.outHeight; oy++)
    for (let ox = 0; ox < g.outWidth; ox++)
      for (let fy = 0; fy < g.filterHeight; fy++)
        for (let fx = 0; fx < g.filterWidth; fx++)
          for (let d = 0; d < cg; d++) {
            const iy = oy * g.strideY - g.padTop + fy * g.dilateY;
            const ix = ox * g.strideX - g.padLeft + fx * g.dilateX;
            const inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width;
            out[(oy * g.outWidth + ox) * cols + (fy * g.filterWidth + fx) * cg + d] = inside
              ? x[off + (iy * g.width + ix) * g.channels + c0 + d]!
              : 0;
          }
  return out;
}

const cases: [string, PatchGeometry, number, number][] = [
  ['3×3 filters, no pad', geometry(4, 5, 2, 3, 3, [0, 0, 0, 0], [1, 1], [1, 1]), 0, 2],
  ['asymmetric pad, stride 2', geometry(5, 4, 3, 2, 3, [1, 0, 2, 1], [2, 2], [1, 1]), 0, 3],
  ['dilation and stride [1, 2]', geometry(6, 7, 1, 2, 3, [0, 1, 1, 0], [1, 2], [2, 3]), 0, 1],
  ['second channel group', geometry(4, 4, 6, 2, 2, [1, 1, 1, 1], [1, 1], [1, 1]), 3, 3],
  ['pad larger than the filter', geometry(2, 3, 2, 1, 2, [3, 2, 0, 3], [2, 1], [1, 1]), 1, 1],
];

describe('im2row', () => {
  it('extracts the patches of the hand example', () => {
    // x = [[1 2 3], [4 5 6]] (one channel), 2×2 filters, pad left 1: output 1×3.
    const g = geometry(2, 3, 1, 2, 2, [0, 0, 1, 0], [1, 1], [1, 1]);
    const out = new Float64Array(3 * 4);
    im2row(new Float64Array([1, 2, 3, 4, 5, 6]), 0, g, 0, 1, out);
    expect(Array.from(out)).toEqual([0, 1, 0, 4, 1, 2, 4, 5, 2, 3, 5, 6]);
  });

  for (const [name, g, c0, cg] of cases) {
    it(`matches the definition: ${name}`, () => {
      const rng = new Rng(7);
      const size = g.height * g.width * g.channels;
      const x = Float64Array.from(rng.randn(2 * size));
      const cols = g.filterHeight * g.filterWidth * cg;
      const out = new Float64Array(g.outHeight * g.outWidth * cols).fill(Number.NaN);
      im2row(x, size, g, c0, cg, out);
      expect(Array.from(out)).toEqual(Array.from(naiveIm2row(x, size, g, c0, cg)));
    });

    it(`row2im is its adjoint and accumulates: ${name}`, () => {
      const rng = new Rng(8);
      const size = g.height * g.width * g.channels;
      const x = Float64Array.from(rng.randn(size));
      const cols = g.filterHeight * g.filterWidth * cg;
      const r = Float64Array.from(rng.randn(g.outHeight * g.outWidth * cols));
      const phi = naiveIm2row(x, 0, g, c0, cg);
      const start = Float64Array.from(rng.randn(size + 3));
      const dx = Float64Array.from(start);
      row2im(r, g, c0, cg, dx, 3);
      // <φ(x), r> = <x, φ*(r)>, and φ*(r) only touches channels c0..c0+cg-1.
      let lhs = 0;
      for (let i = 0; i < r.length; i++) lhs += phi[i]! * r[i]!;
      let rhs = 0;
      for (let i = 0; i < size; i++) {
        const added = dx[3 + i]! - start[3 + i]!;
        rhs += x[i]! * added;
        const ch = i % g.channels;
        if (ch < c0 || ch >= c0 + cg) expect(added).toBe(0);
      }
      expect(dx.slice(0, 3)).toEqual(start.slice(0, 3));
      expect(rhs).toBeCloseTo(lhs, 10);
    });
  }
});
