import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { im2row, type PatchGeometry } from './im2row.js';
import { im2rowPacked, packedPatchesSize } from './im2row-packed.js';
import { wasmArena } from './wasm-gemm.js';

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

describe('im2rowPacked', () => {
  const cases: [string, PatchGeometry, number][] = [
    ['3×3, pad 1, one group, 7 channels (runs not a multiple of 4)', geometry(5, 6, 7, 3, 3, [1, 1], [1, 1], [1, 1]), 1],
    ['2×3, pad 2, stride 2, two groups', geometry(7, 5, 4, 2, 3, [2, 2], [2, 2], [1, 1]), 2],
    ['3×2, dilate 2, stride [1, 3]', geometry(6, 9, 2, 3, 2, [1, 0], [1, 3], [2, 2]), 1],
    ['5×5, one channel, no pad (LeNet conv1; 5 output pixels per panel row)', geometry(9, 7, 1, 5, 5, [0, 0], [1, 1], [1, 1]), 1],
  ];
  for (const [name, g, groups] of cases) {
    it(`lays out im2row's rows in 4-row panels, zero rows past the end (${name})`, () => {
      const rng = new Rng(6);
      const x = Float32Array.from(rng.randn(g.height * g.width * g.channels));
      const cg = g.channels / groups;
      const rows = g.outHeight * g.outWidth;
      const cols = g.filterHeight * g.filterWidth * cg;
      const size = packedPatchesSize(rows, cols);
      expect(size).toBe(Math.ceil(rows / 4) * 4 * cols);
      const arena = wasmArena(3 + x.length + size + 7 + 5 * cols);
      if (arena === null) throw new Error('WebAssembly SIMD is required by this test');
      const { heap, at } = arena;
      const xAt = at + 3;
      const buffers = { out: xAt + x.length, zeros: xAt + x.length + size + 7, scratch: xAt + x.length + size + 7 + cols };
      heap.set(x, xAt);
      for (let gi = 0; gi < groups; gi++) {
        const expected = new Float32Array(rows * cols);
        im2row(x, 0, g, gi * cg, cg, expected);
        heap.fill(Number.NaN, buffers.out, buffers.out + size + 7);
        im2rowPacked(heap, xAt, g, gi * cg, cg, buffers);
        for (let i = 0; i < Math.ceil(rows / 4) * 4; i++) {
          const got = Array.from({ length: cols }, (_, p) => heap[buffers.out + (i & ~3) * cols + 4 * p + (i & 3)]!);
          const want = i < rows ? Array.from(expected.subarray(i * cols, (i + 1) * cols)) : new Array<number>(cols).fill(0);
          expect(got).toEqual(want);
        }
        expect(Number.isNaN(heap[buffers.out + size]!)).toBe(true);
        expect(heap.subarray(xAt, xAt + x.length)).toEqual(x);
      }
    });
  }
});
