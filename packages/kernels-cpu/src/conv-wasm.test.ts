import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { packedPatchesSize, shares, threadBuffers, threadScratchSize, writeTask } from './conv-tasks.js';
import { im2row, type PatchGeometry, row2im } from './im2row.js';
import { wasmArena } from './wasm-gemm.js';
import { gemmInstance } from './wasm-instance.js';

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

const cases: [string, PatchGeometry, number][] = [
  ['3×3, pad 1, one group, 7 channels (runs not a multiple of 4)', geometry(5, 6, 7, 3, 3, [1, 1], [1, 1], [1, 1]), 1],
  ['2×3, pad 2, stride 2, two groups', geometry(7, 5, 4, 2, 3, [2, 2], [2, 2], [1, 1]), 2],
  ['3×2, dilate 2, stride [1, 3]', geometry(6, 9, 2, 3, 2, [1, 0], [1, 3], [2, 2]), 1],
  ['5×5, one channel, no pad (LeNet conv1; 5 output pixels per panel row)', geometry(9, 7, 1, 5, 5, [0, 0], [1, 1], [1, 1]), 1],
];

/** `n` seeded images of `g`, a task block for them, and room for φ of every image after them, in the module's memory. */
function setUp(g: PatchGeometry, groups: number, n: number) {
  const inst = gemmInstance();
  if (inst === null) throw new Error('WebAssembly SIMD is required by this test');
  const x = Float32Array.from(new Rng(6).randn(n * g.height * g.width * g.channels));
  const cg = g.channels / groups;
  const rows = g.outHeight * g.outWidth;
  const cols = g.filterHeight * g.filterWidth * cg;
  const phiSize = packedPatchesSize(rows, cols, inst.mr);
  const arena = wasmArena(3 + x.length + n * phiSize + 7 + threadScratchSize(cols, g.filterHeight, inst.mr));
  if (arena === null) throw new Error('WebAssembly SIMD is required by this test');
  const xAt = arena.at + 3;
  const phiAt = xAt + x.length;
  const b = threadBuffers(phiAt + n * phiSize + 7, 0, cols, g.filterHeight, inst.mr);
  arena.heap.set(x, xAt);
  arena.heap.fill(Number.NaN, phiAt, phiAt + n * phiSize + 7);
  const task = { patch: g, c0: 0, cg, groups, kg: 1, k: groups, x: 4 * xAt, count: n, y: 0, f: 0, phi: 4 * phiAt, phiStride: 4 * rows * cols, zeros: b.zeros, scratch: b.scratch, src: b.src };
  writeTask(inst, b.block, 0, task);
  /** φ of image i, channels of group gi, by the TypeScript reference. */
  const expected = (i: number, gi: number) => {
    const e = new Float32Array(rows * cols);
    im2row(x, i * g.height * g.width * g.channels, g, gi * cg, cg, e);
    return Array.from(e);
  };
  return { inst, heap: new Float32Array(inst.memory.buffer), x, xAt, phiAt, rows, cols, cg, phiSize, b, task, expected };
}

describe('shares', () => {
  it('splits images in order over the threads, differing by at most one, leaving out empty shares', () => {
    expect(shares(4, 3)).toEqual([
      { thread: 0, first: 0, count: 1 },
      { thread: 1, first: 1, count: 1 },
      { thread: 2, first: 2, count: 2 },
    ]);
    expect(shares(2, 3)).toEqual([
      { thread: 0, first: 0, count: 1 },
      { thread: 1, first: 1, count: 1 },
    ]);
    expect(shares(7, 1)).toEqual([{ thread: 0, first: 0, count: 7 }]);
  });
});

describe('gemm.wat φ builders', () => {
  for (const [name, g, groups] of cases) {
    it(`im2row gives the TypeScript im2row, leaving x and the memory past φ alone (${name})`, () => {
      const s = setUp(g, groups, 1);
      for (let gi = 0; gi < groups; gi++) {
        s.inst.exports.im2row(s.b.block, 4 * s.xAt, gi * s.cg, s.cg, 4 * s.phiAt);
        expect(Array.from(s.heap.subarray(s.phiAt, s.phiAt + s.rows * s.cols))).toEqual(s.expected(0, gi));
        expect(Number.isNaN(s.heap[s.phiAt + s.rows * s.cols]!)).toBe(true);
        expect(s.heap.subarray(s.xAt, s.xAt + s.x.length)).toEqual(s.x);
      }
    });

    it(`im2row_packed lays out im2row's rows in MR-row panels, zero rows past the end (${name})`, () => {
      const s = setUp(g, groups, 1);
      const mr = s.inst.mr;
      expect(s.phiSize).toBe(Math.ceil(s.rows / mr) * mr * s.cols);
      for (let gi = 0; gi < groups; gi++) {
        s.inst.exports.im2row_packed(s.b.block, 4 * s.xAt, gi * s.cg, s.cg, 4 * s.phiAt);
        const want = s.expected(0, gi);
        for (let i = 0; i < Math.ceil(s.rows / mr) * mr; i++) {
          const panel = i - (i % mr);
          const got = Array.from({ length: s.cols }, (_, p) => s.heap[s.phiAt + panel * s.cols + mr * p + (i % mr)]!);
          expect(got).toEqual(i < s.rows ? want.slice(i * s.cols, (i + 1) * s.cols) : new Array<number>(s.cols).fill(0));
        }
        expect(Number.isNaN(s.heap[s.phiAt + s.phiSize]!)).toBe(true);
        expect(s.heap.subarray(s.xAt, s.xAt + s.x.length)).toEqual(s.x);
      }
    });
  }

  for (const [name, g, groups] of cases) {
    it(`row2im adds like the TypeScript row2im, into a dx that already holds values (${name})`, () => {
      const s = setUp(g, groups, 1);
      const rng = new Rng(9);
      const rows = Float32Array.from(rng.randn(s.rows * s.cols));
      const dx0 = Float32Array.from(rng.randn(s.x.length));
      const want = Float32Array.from(dx0);
      row2im(rows, g, (groups - 1) * s.cg, s.cg, want, 0);
      const rowsAt = s.phiAt;
      s.heap.set(rows, rowsAt);
      s.heap.set(dx0, s.xAt);
      s.inst.exports.row2im(s.b.block, 4 * rowsAt, (groups - 1) * s.cg, s.cg, 4 * s.xAt);
      expect(s.heap.subarray(s.xAt, s.xAt + s.x.length)).toEqual(want);
    });
  }

  it('im2row_images builds φ of each image of a task, one after another', () => {
    const [, g, groups] = cases[1]!;
    const s = setUp(g, groups, 3);
    writeTask(s.inst, s.b.block, 0, { ...s.task, c0: s.cg });
    s.inst.exports.im2row_images(s.b.block);
    for (let i = 0; i < 3; i++) {
      const at = s.phiAt + i * s.rows * s.cols;
      expect(Array.from(s.heap.subarray(at, at + s.rows * s.cols))).toEqual(s.expected(i, 1));
    }
    expect(Number.isNaN(s.heap[s.phiAt + 3 * s.rows * s.cols]!)).toBe(true);
  });
});
