import type { ConvGeometry, Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { testBackend } from '../test-device.js';
import { convDataDirect, convDirect, convFilterDirect } from './conv.js';
import { convDataGemm, convFilterGemm, convGemmProgram, gemmLayout } from './conv-gemm.js';
import { values } from './test-conv.js';
import { CONV_TILES } from './tiled-gemm.js';

const geometry = (groups = 1, stride: [number, number] = [1, 1]): ConvGeometry => ({ pad: [0, 0, 0, 0], stride, dilate: [1, 1], groups });

interface Case {
  name: string;
  x: [number, number, number, number];
  f: [number, number, number, number];
  g: ConvGeometry;
}

// Ragged (not multiples of any tile, odd channels: scalar loads) and aligned (multiples of 4: vec4 loads and stores).
const CASES: Case[] = [
  { name: '1×1 odd channels', x: [2, 5, 7, 13], f: [1, 1, 13, 19], g: geometry() },
  { name: '1×1 groups 3, batch 1', x: [1, 6, 5, 9], f: [1, 1, 3, 21], g: geometry(3) },
  { name: '1×1 aligned (vec4), groups 2', x: [3, 6, 6, 16], f: [1, 1, 8, 24], g: geometry(2) },
  { name: '1×1 aligned, many pixels (split filter sum)', x: [4, 16, 16, 8], f: [1, 1, 8, 4], g: geometry() },
  { name: 'fully connected, batch 1, odd', x: [1, 3, 5, 7], f: [3, 5, 7, 11], g: geometry() },
  { name: 'fully connected aligned (vec4), stride ignored', x: [5, 4, 4, 4], f: [4, 4, 4, 68], g: geometry(1, [2, 3]) },
];

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let e = 0; e < a.length; e++) worst = Math.max(worst, Math.abs(a[e]! - b[e]!));
  return worst;
}

describe('1×1 convolutions and fully connected layers as plain tiled GEMMs', () => {
  it('recognises the layouts, and leaves padded, strided 1×1 and grouped fully connected to the im2row kernels', () => {
    expect(gemmLayout([2, 5, 7, 13], [1, 1, 13, 19], geometry())).toEqual({ rows: 70, lda: 13, cg: 13 });
    expect(gemmLayout([2, 5, 7, 12], [1, 1, 4, 9], geometry(3))).toEqual({ rows: 70, lda: 12, cg: 4 });
    expect(gemmLayout([2, 3, 5, 7], [3, 5, 7, 11], geometry())).toEqual({ rows: 2, lda: 105, cg: 105 });
    expect(gemmLayout([2, 5, 7, 13], [1, 1, 13, 19], { ...geometry(), pad: [0, 1, 0, 0] })).toBeUndefined();
    expect(gemmLayout([2, 5, 7, 13], [1, 1, 13, 19], geometry(1, [2, 1]))).toBeUndefined();
    expect(gemmLayout([2, 3, 5, 8], [3, 5, 4, 8], geometry(2))).toBeUndefined();
  });

  it('forward, data and filter derivatives equal the direct kernels with every tile: ragged, aligned, groups, batch 1, split', async () => {
    const gpu = await testBackend();
    for (const [index, { name, x: xs, f: fs, g }] of CASES.entries()) {
      const layout = gemmLayout(xs, fs, g)!;
      expect(layout, name).toBeDefined();
      const x = gpu.tensor(values(xs.reduce((a, b) => a * b), 3 + index), xs);
      const f = gpu.tensor(values(fs.reduce((a, b) => a * b), 5 + index), fs);
      const b = gpu.tensor(values(fs[3], 7 + index), [fs[3]]);
      const ho = xs[1] - fs[0] + 1;
      const wo = xs[2] - fs[1] + 1;
      const dy = gpu.tensor(values(xs[0] * ho * wo * fs[3], 9 + index), [xs[0], ho, wo, fs[3]]);
      const want = {
        y: await convDirect(gpu, x, f, b, g, ho, wo).data(),
        dx: await convDataDirect(gpu, dy, f, { ...g, xShape: xs }).data(),
        df: await convFilterDirect(gpu, x, dy, { ...g, fShape: fs }).data(),
        db: await gpu.run('ReduceSum', { x: dy }, { axes: [0, 1, 2] }).data(),
      };
      // The largest and the smallest tile (the middle one runs the same WGSL with other constants).
      for (const tile of [CONV_TILES[0]!, CONV_TILES[2]!]) {
        const y = gpu.empty(dy.shape);
        const relu = gpu.empty(dy.shape);
        const program = convGemmProgram(gpu, x, f, b, y, layout, g.groups, tile, relu)!;
        // Aligned cases load A and B and store C as vec4; ragged ones as scalars.
        expect(program.variant, name).toContain(name.includes('aligned') ? ':A4B4C4:' : ':ABC:');
        gpu.dispatch(program);
        const got = await y.data();
        expect(maxDiff(got, want.y), `${name} forward, tile ${tile.tm}`).toBeLessThan(1e-4);
        expect(Array.from(await relu.data()), `${name} relu`).toEqual(Array.from(got, (v) => Math.max(v, 0)));
        const dx = convDataGemm(gpu, dy, f, xs, layout, g.groups, tile) as Tensor;
        expect(maxDiff(await dx.data(), want.dx), `${name} dx, tile ${tile.tm}`).toBeLessThan(1e-4);
        const plain = convFilterGemm(gpu, x, dy, fs, layout, g.groups, tile)!;
        expect(plain.df.shape).toEqual(fs);
        expect(plain.db).toBeNull();
        expect(maxDiff(await plain.df.data(), want.df), `${name} df, tile ${tile.tm}`).toBeLessThan(1e-4);
        // With the row of ones: the same df, and db = Σ dy beside it.
        const withBias = convFilterGemm(gpu, x, dy, fs, layout, g.groups, tile, true)!;
        expect(maxDiff(await withBias.df.data(), want.df), `${name} df with bias, tile ${tile.tm}`).toBeLessThan(1e-4);
        expect(maxDiff(await withBias.db!.data(), want.db), `${name} db, tile ${tile.tm}`).toBeLessThan(1e-4);
      }
    }
  });

  it('runs from the Conv kernels: one dispatch forward and data derivative, two when the filter sum is split', async () => {
    const gpu = await testBackend();
    const { x: xs, f: fs, g } = CASES[3]!;
    const x = gpu.tensor(values(xs.reduce((a, b) => a * b), 1), xs);
    const f = gpu.tensor(values(fs.reduce((a, b) => a * b), 2), fs);
    const dy = gpu.tensor(values(xs[0] * xs[1] * xs[2] * fs[3], 3), [xs[0], xs[1], xs[2], fs[3]]);
    const count = (work: () => Tensor): number => {
      gpu.flush();
      gpu.resetStats();
      work();
      return gpu.stats().dispatches;
    };
    expect(count(() => gpu.run('Conv', { x, f, b: null }, g))).toBe(1);
    expect(count(() => gpu.run('ConvBackwardData', { dy, f }, { ...g, xShape: xs }))).toBe(1);
    expect(count(() => gpu.run('ConvBackwardFilter', { x, dy }, { ...g, fShape: fs }))).toBe(2);
    // The bias derivative recorded right after comes from the filter's product: no dispatch of its own.
    expect(
      count(() => {
        gpu.run('ConvBackwardFilter', { x, dy }, { ...g, fShape: fs });
        return gpu.run('ReduceSum', { x: dy }, { axes: [0, 1, 2] });
      }),
    ).toBe(2);
    const df = await gpu.run('ConvBackwardFilter', { x, dy }, { ...g, fShape: fs }).data();
    expect(maxDiff(df, await convFilterDirect(gpu, x, dy, { ...g, fShape: fs }).data())).toBeLessThan(1e-4);
  });
});
