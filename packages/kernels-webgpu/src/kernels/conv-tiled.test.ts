import type { ConvGeometry } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { testBackend } from '../test-device.js';
import { convDirect } from './conv.js';
import { CONV_TILES, chooseConvTile, convTiled } from './conv-tiled.js';
import { type ConvCase, forEachProduct, outputSize, RAGGED_CASES, values } from './test-conv.js';

const plain = (groups = 1): ConvGeometry => ({ pad: [0, 0, 0, 0], stride: [1, 1], dilate: [1, 1], groups });

// Sizes that are not multiples of any tile, so every tile has ragged edges in m, k and the reduction.
const CASES: readonly ConvCase[] = [
  { x: [2, 9, 10, 5], f: [3, 3, 5, 70], geometry: plain() },
  ...RAGGED_CASES,
];

describe('Conv as a tiled implicit GEMM', () => {
  it('chooses the largest tile that fits the device limits', () => {
    const defaults = { maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256 };
    expect(chooseConvTile(defaults)).toEqual({ tm: 64, tn: 64, tk: 16 });
    expect(chooseConvTile({ ...defaults, maxComputeInvocationsPerWorkgroup: 128 })).toEqual({ tm: 32, tn: 32, tk: 16 });
    expect(chooseConvTile({ ...defaults, maxComputeWorkgroupStorageSize: 4096 })).toEqual({ tm: 32, tn: 32, tk: 16 });
    expect(chooseConvTile({ ...defaults, maxComputeWorkgroupStorageSize: 1024 })).toEqual({ tm: 16, tn: 16, tk: 8 });
    expect(chooseConvTile({ ...defaults, maxComputeWorkgroupSizeX: 8 })).toBeUndefined();
  });

  it('matches the float64 reference with every tile: ragged edges, groups, dilation, stride, 4-sided padding, batch 1, odd channels', async () => {
    const gpu = await testBackend();
    let worst = 0;
    for (const [index, { x: xs, f: fs, geometry }] of CASES.entries()) {
      const xv = values(xs.reduce((a, b) => a * b), 11 + index);
      const fv = values(fs.reduce((a, b) => a * b), 23 + index);
      const bv = values(fs[3], 37 + index);
      const x = gpu.tensor(xv, xs);
      const f = gpu.tensor(fv, fs);
      const b = gpu.tensor(bv, [fs[3]]);
      const { y: want, ho, wo, scale } = reference(xv, xs, fv, fs, bv, geometry);
      for (const tile of CONV_TILES) {
        const y = convTiled(gpu, x, f, b, geometry, ho, wo, tile);
        expect(y?.shape).toEqual([xs[0], ho, wo, fs[3]]);
        const got = await y!.data();
        for (let e = 0; e < want.length; e++) worst = Math.max(worst, Math.abs(got[e]! - want[e]!) / scale[e]!);
      }
    }
    if (process.env.CONV_TILED_REPORT) console.log(`worst relative error ${worst}`);
    // Error relative to Σ|x·f| + |b| of each output: float32 accumulation of at most 340 terms (2⁻²⁴ each).
    expect(worst).toBeLessThan(2 ** -24 * 340);
  });

  it('the fused ReLU epilogue equals Relu after the unfused kernel, and the direct kernel', async () => {
    const gpu = await testBackend();
    const { x: xs, f: fs, geometry } = CASES[2]!;
    const xv = values(xs.reduce((a, b) => a * b), 5);
    const fv = values(fs.reduce((a, b) => a * b), 6);
    const bv = values(fs[3], 7);
    const x = gpu.tensor(xv, xs);
    const f = gpu.tensor(fv, fs);
    const b = gpu.tensor(bv, [fs[3]]);
    const { ho, wo } = reference(xv, xs, fv, fs, bv, geometry);
    const tile = CONV_TILES[0]!;
    const linear = convTiled(gpu, x, f, b, geometry, ho, wo, tile)!;
    const relu = gpu.empty(linear.shape);
    const both = await convTiled(gpu, x, f, b, geometry, ho, wo, tile, relu)!.data();
    const fused = await relu.data();
    const unfused = await gpu.run('Relu', { x: linear }, { leak: 0 }).data();
    expect(fused).toEqual(unfused);
    expect(both).toEqual(await linear.data());
    expect(fused.some((v) => v === 0) && fused.some((v) => v > 0)).toBe(true);
    const direct = await convDirect(gpu, x, f, b, geometry, ho, wo).data();
    const tiled = await linear.data();
    for (let e = 0; e < direct.length; e++) expect(tiled[e]).toBeCloseTo(direct[e]!, 5);
  });
});

/** y = conv(x, f) + b in float64, with Σ|x·f| + |b| per output as the error scale. */
function reference(x: Float32Array, xs: readonly number[], f: Float32Array, fs: readonly number[], b: Float32Array, g: ConvGeometry) {
  const { ho, wo } = outputSize(xs, fs, g);
  const k = fs[3]!;
  const y = Float64Array.from({ length: xs[0]! * ho * wo * k }, (_, e) => b[e % k]!);
  const scale = Float64Array.from(y, (v) => Math.max(Math.abs(v), 1e-30));
  forEachProduct(xs, fs, g, (xe, fe, ye) => {
    const t = x[xe]! * f[fe]!;
    y[ye]! += t;
    scale[ye]! += Math.abs(t);
  });
  return { y, ho, wo, scale };
}
