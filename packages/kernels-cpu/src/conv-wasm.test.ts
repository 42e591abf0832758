import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { im2rowInHeap } from './conv-wasm.js';
import { im2row, type PatchGeometry } from './im2row.js';

function geometry(h: number, w: number, c: number, hf: number, wf: number, pad: [number, number], stride: [number, number], dilate: [number, number]): PatchGeometry {
  const out = (size: number, f: number, p: number, s: number, d: number) => Math.floor((size + 2 * p - ((f - 1) * d + 1)) / s) + 1;
  return {
    height: h,
    width: w,
    channels: c,
    filterHeight: hf,
    filterWidth: wf,
    outHeight: out(h, hf, pad[0], stride[0], dilate[0]),
    outWidth: out(w, wf, pad[1], stride[1], dilate[1]),
    padTop: pad[0],
    padLeft: pad[1],
    strideY: stride[0],
    strideX: stride[1],
    dilateY: dilate[0],
    dilateX: dilate[1],
  };
}

describe('im2rowInHeap', () => {
  const cases: [string, PatchGeometry, number][] = [
    ['3×3, pad 1, one group', geometry(5, 6, 3, 3, 3, [1, 1], [1, 1], [1, 1]), 1],
    ['2×3, pad 2, stride 2, two groups', geometry(7, 5, 4, 2, 3, [2, 2], [2, 2], [1, 1]), 2],
    ['3×2, dilate 2, stride [1, 3]', geometry(6, 9, 2, 3, 2, [1, 0], [1, 3], [2, 2]), 1],
  ];
  for (const [name, g, groups] of cases) {
    it(`builds the same φ(x) as im2row inside a larger heap (${name})`, () => {
      const rng = new Rng(5);
      const x = Float32Array.from(rng.randn(g.height * g.width * g.channels));
      const cg = g.channels / groups;
      const rows = g.outHeight * g.outWidth;
      const cols = g.filterHeight * g.filterWidth * cg;
      const xAt = 7;
      const outAt = xAt + x.length + 3;
      for (let gi = 0; gi < groups; gi++) {
        const expected = new Float32Array(rows * cols);
        im2row(x, 0, g, gi * cg, cg, expected);
        const heap = new Float32Array(outAt + rows * cols + 5).fill(Number.NaN);
        heap.set(x, xAt);
        im2rowInHeap(heap, xAt, g, gi * cg, cg, outAt);
        expect(Array.from(heap.subarray(outAt, outAt + rows * cols))).toEqual(Array.from(expected));
        expect(heap.subarray(xAt, xAt + x.length)).toEqual(x);
        expect(Number.isNaN(heap[outAt + rows * cols]!)).toBe(true);
      }
    });
  }
});
