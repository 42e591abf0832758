import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';
import { DIRECT_MAX_CHANNELS } from './conv-direct.js';

type Pad = readonly [number, number, number, number];

interface Case {
  name: string;
  x: [number, number, number, number];
  f: [number, number, number, number];
  pad: Pad;
  stride: [number, number];
}

const cases: Case[] = [
  { name: 'LeNet conv1: 5×5×1×20, no pad', x: [3, 28, 28, 1], f: [5, 5, 1, 20], pad: [0, 0, 0, 0], stride: [1, 1] },
  { name: '3×3×3×10, pad 1, odd sizes', x: [2, 9, 11, 3], f: [3, 3, 3, 10], pad: [1, 1, 1, 1], stride: [1, 1] },
  { name: '4×3×2×9, stride [2, 3], asymmetric pad', x: [2, 13, 14, 2], f: [4, 3, 2, 9], pad: [2, 0, 1, 2], stride: [2, 3] },
  { name: '11×11×3×8 stride 4 (AlexNet conv1, L = 363 > KC)', x: [1, 35, 39, 3], f: [11, 11, 3, 8], pad: [2, 2, 2, 2], stride: [4, 4] },
];

/** conv(x, f) + b by the definition in float64 (NHWC, [Hf, Wf, C, K]). */
function reference(x: Float32Array, f: Float32Array, b: Float32Array, c: Case): Float64Array {
  const [n, h, w, ch] = c.x;
  const [hf, wf, , k] = c.f;
  const ho = Math.floor((h + c.pad[0] + c.pad[1] - hf) / c.stride[0]) + 1;
  const wo = Math.floor((w + c.pad[2] + c.pad[3] - wf) / c.stride[1]) + 1;
  const y = new Float64Array(n * ho * wo * k);
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let q = 0; q < k; q++) {
          let s = b[q]!;
          for (let fy = 0; fy < hf; fy++)
            for (let fx = 0; fx < wf; fx++) {
              const iy = oy * c.stride[0] - c.pad[0] + fy;
              const ix = ox * c.stride[1] - c.pad[2] + fx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (let e = 0; e < ch; e++) s += x[((i * h + iy) * w + ix) * ch + e]! * f[((fy * wf + fx) * ch + e) * k + q]!;
            }
          y[((i * ho + oy) * wo + ox) * k + q] = s;
        }
  return y;
}

describe('the implicit-GEMM convolution for few channels', () => {
  for (const c of cases) {
    it(`gives the definition's values, and the packed im2row path's bits where L ≤ 256 (${c.name})`, async () => {
      expect(c.x[3]).toBeLessThanOrEqual(DIRECT_MAX_CHANNELS);
      const rng = new Rng(11);
      const x = Float32Array.from(rng.randn(c.x.reduce((p, q) => p * q)));
      const f = Float32Array.from(rng.randn(c.f.reduce((p, q) => p * q)));
      const b = Float32Array.from(rng.randn(c.f[3]));
      const attrs = { pad: c.pad, stride: c.stride, dilate: [1, 1], groups: 1 } as const;
      const runs: Float32Array[] = [];
      for (const threads of [1, 3]) {
        const cpu = createCpuBackend({ threads });
        try {
          await cpu.ready();
          runs.push(Float32Array.from(cpu.run('Conv', { x: cpu.tensor(x, c.x), f: cpu.tensor(f, c.f), b: cpu.tensor(b, [c.f[3]]) }, attrs).dataSync() as Float32Array));
        } finally {
          cpu.dispose();
        }
      }
      expect(Array.from(runs[1]!)).toEqual(Array.from(runs[0]!));
      const want = reference(x, f, b, c);
      let err = 0;
      let scale = 0;
      for (let i = 0; i < want.length; i++) {
        err = Math.max(err, Math.abs(runs[0]![i]! - want[i]!));
        scale = Math.max(scale, Math.abs(want[i]!));
      }
      const L = c.f[0] * c.f[1] * c.f[2];
      expect(err / scale).toBeLessThan(1e-7 * Math.sqrt(L));
      // The packed path: im2row of each image in the TypeScript reference (a float64 backend rounds differently), so
      // compare with the float32 GEMM of φ·F through a 1×1 convolution of φ itself.
      if (L <= 256) {
        const cpu = createCpuBackend({ threads: 1 });
        const [n, h, w, ch] = c.x;
        const [hf, wf, , k] = c.f;
        const ho = Math.floor((h + c.pad[0] + c.pad[1] - hf) / c.stride[0]) + 1;
        const wo = Math.floor((w + c.pad[2] + c.pad[3] - wf) / c.stride[1]) + 1;
        const phi = new Float32Array(n * ho * wo * L);
        for (let i = 0; i < n; i++)
          for (let oy = 0; oy < ho; oy++)
            for (let ox = 0; ox < wo; ox++)
              for (let fy = 0; fy < hf; fy++)
                for (let fx = 0; fx < wf; fx++) {
                  const iy = oy * c.stride[0] - c.pad[0] + fy;
                  const ix = ox * c.stride[1] - c.pad[2] + fx;
                  if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                  for (let e = 0; e < ch; e++) phi[(((i * ho + oy) * wo + ox) * hf * wf + fy * wf + fx) * ch + e] = x[((i * h + iy) * w + ix) * ch + e]!;
                }
        const y = cpu.run('Conv', { x: cpu.tensor(phi, [n, ho, wo, L]), f: cpu.tensor(f, [1, 1, L, k]), b: cpu.tensor(b, [k]) }, { pad: [0, 0, 0, 0], stride: [1, 1], dilate: [1, 1], groups: 1 });
        expect(Array.from(runs[0]!)).toEqual(Array.from(y.dataSync()));
        cpu.dispose();
      }
    });
  }
});
