import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';
import { convBackwardFilterDirect, convForwardPlanes, DIRECT_MAX_CHANNELS, directApplies, setDirectConv } from './conv-direct.js';
import { type DirectCase, outSizes, sizesOf } from './test-direct-cases.js';

type Case = DirectCase;

const cases: Case[] = [
  { name: 'LeNet conv1: 5×5×1×20, no pad', x: [3, 28, 28, 1], f: [5, 5, 1, 20], pad: [0, 0, 0, 0], stride: [1, 1] },
  { name: '3×3×3×10, pad 1, odd sizes', x: [2, 9, 11, 3], f: [3, 3, 3, 10], pad: [1, 1, 1, 1], stride: [1, 1] },
  { name: '4×3×2×9, stride [2, 3], asymmetric pad', x: [2, 13, 14, 2], f: [4, 3, 2, 9], pad: [2, 0, 1, 2], stride: [2, 3] },
  { name: '11×11×3×8 stride 4 (AlexNet conv1, L = 363 > KC)', x: [1, 35, 39, 3], f: [11, 11, 3, 8], pad: [2, 2, 2, 2], stride: [4, 4] },
  { name: '2×5×4×13 stride [1, 2], 4 channels', x: [5, 6, 41, 4], f: [2, 5, 4, 13], pad: [0, 1, 3, 0], stride: [1, 2] },
  // K = 6: 4-pixel × 8-filter forward tiles, their second filter quad 2 wide; Wo = 9: a last tile of one pixel. One
  // channel and stride 1 with padding on every side: the planes are x's rows copied between zeros.
  { name: '3×3×1×6, pad [1, 2, 2, 1], a partial filter quad', x: [2, 8, 8, 1], f: [3, 3, 1, 6], pad: [1, 2, 2, 1], stride: [1, 1] },
  // Wo·K = 298·64 floats of dy per output row: the filter derivative's blocks are one row each.
  { name: '3×3×1×64 on 300-wide rows, one output row per derivative block', x: [2, 6, 300, 1], f: [3, 3, 1, 64], pad: [0, 0, 0, 0], stride: [1, 1] },
];

/**
 * Calls `visit(xi, l, pixel)` for every tap inside the image: x's element
 * xi, the filter row l = (fy·Wf + fx)·C + e, the output pixel (image-major).
 */
function forEachTap(c: Case, visit: (xi: number, l: number, pixel: number) => void): void {
  const [n, h, w, ch] = c.x;
  const [hf, wf] = c.f;
  const [ho, wo] = outSizes(c);
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let fy = 0; fy < hf; fy++)
          for (let fx = 0; fx < wf; fx++) {
            const iy = oy * c.stride[0] - c.pad[0] + fy;
            const ix = ox * c.stride[1] - c.pad[2] + fx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let e = 0; e < ch; e++) visit(((i * h + iy) * w + ix) * ch + e, (fy * wf + fx) * ch + e, (i * ho + oy) * wo + ox);
          }
}

/** dF = Σ_n φ(x_n)ᵀ·dy_n by the definition in float64. */
function filterReference(x: Float32Array, dy: Float32Array, c: Case): Float64Array {
  const k = c.f[3];
  const df = new Float64Array(c.f[0] * c.f[1] * c.f[2] * k);
  forEachTap(c, (xi, l, pixel) => {
    for (let q = 0; q < k; q++) df[l * k + q]! += x[xi]! * dy[pixel * k + q]!;
  });
  return df;
}

/** The filter derivative of case `c` on a float32 backend with `threads` threads. */
async function filterDerivative(x: Float32Array, dy: Float32Array, c: Case, threads: number): Promise<Float32Array> {
  const cpu = createCpuBackend({ threads });
  try {
    await cpu.ready();
    const [ho, wo] = outSizes(c);
    const attrs = { pad: c.pad, stride: c.stride, dilate: [1, 1], groups: 1, fShape: c.f } as const;
    const df = cpu.run('ConvBackwardFilter', { x: cpu.tensor(x, c.x), dy: cpu.tensor(dy, [c.x[0], ho, wo, c.f[3]]) }, attrs);
    return Float32Array.from(df.dataSync() as Float32Array);
  } finally {
    cpu.dispose();
  }
}

/** conv(x, f) + b by the definition in float64 (NHWC, [Hf, Wf, C, K]). */
function reference(x: Float32Array, f: Float32Array, b: Float32Array, c: Case): Float64Array {
  const k = c.f[3];
  const [ho, wo] = outSizes(c);
  const y = new Float64Array(c.x[0] * ho * wo * k);
  for (let i = 0; i < y.length; i++) y[i] = b[i % k]!;
  forEachTap(c, (xi, l, pixel) => {
    for (let q = 0; q < k; q++) y[pixel * k + q]! += x[xi]! * f[l * k + q]!;
  });
  return y;
}

describe('the direct convolution for few channels', () => {
  for (const c of cases) {
    it(`gives the definition's values, and the packed im2row path's bits where L ≤ 256, on both kernels (${c.name})`, async () => {
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
      // Both forward kernels (phase planes, implicit GEMM) sum over l in order: the same bits, with beta 1
      // (y holds the bias) and beta 0 (y's NaNs not read).
      const p = sizesOf(c);
      const planes = new Float32Array(runs[0]!.length);
      for (let i = 0; i < planes.length; i++) planes[i] = b[i % c.f[3]]!;
      expect(convForwardPlanes(p, x, f, 1, planes)).toBe(true);
      expect(Array.from(planes)).toEqual(Array.from(runs[0]!));
      const noBias = new Float32Array(runs[0]!.length).fill(Number.NaN);
      expect(convForwardPlanes(p, x, f, 0, noBias)).toBe(true);
      const cpu = createCpuBackend({ threads: 1 });
      const y0 = cpu.run('Conv', { x: cpu.tensor(x, c.x), f: cpu.tensor(f, c.f), b: null }, attrs).dataSync();
      expect(Array.from(noBias)).toEqual(Array.from(y0));
      cpu.dispose();
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
        const n = c.x[0];
        const k = c.f[3];
        const [ho, wo] = outSizes(c);
        const phi = new Float32Array(n * ho * wo * L);
        forEachTap(c, (xi, l, pixel) => {
          phi[pixel * L + l] = x[xi]!;
        });
        const y = cpu.run('Conv', { x: cpu.tensor(phi, [n, ho, wo, L]), f: cpu.tensor(f, [1, 1, L, k]), b: cpu.tensor(b, [k]) }, { pad: [0, 0, 0, 0], stride: [1, 1], dilate: [1, 1], groups: 1 });
        expect(Array.from(runs[0]!)).toEqual(Array.from(y.dataSync()));
        cpu.dispose();
      }
    });
  }
});

describe('the direct filter derivative for few channels', () => {
  for (const c of cases) {
    it(`gives the definition's values, the same bits on 1 and 3 threads, and is what ConvBackwardFilter takes (${c.name})`, async () => {
      const p = sizesOf(c);
      expect(directApplies(p)).toBe(true);
      const rng = new Rng(12);
      const x = Float32Array.from(rng.randn(c.x.reduce((a, b) => a * b)));
      const dy = Float32Array.from(rng.randn(p.n * p.pixels * p.k));
      const one = await filterDerivative(x, dy, c, 1);
      expect(Array.from(await filterDerivative(x, dy, c, 3))).toEqual(Array.from(one));
      const direct = new Float32Array(p.rowLength * p.k).fill(Number.NaN);
      expect(convBackwardFilterDirect(p, x, dy, direct)).toBe(true);
      expect(Array.from(direct)).toEqual(Array.from(one));
      const want = filterReference(x, dy, c);
      let err = 0;
      let scale = 0;
      for (let i = 0; i < want.length; i++) {
        err = Math.max(err, Math.abs(one[i]! - want[i]!));
        scale = Math.max(scale, Math.abs(want[i]!));
      }
      // Each element sums n·Ho·Wo products; a float32 sum's error grows with its square root on random data.
      expect(err / scale).toBeLessThan(1e-7 * Math.sqrt(p.n * p.pixels) * 4);
      // The im2row + GEMM path (the reference's float32 twin) agrees to rounding.
      const was = setDirectConv(false);
      try {
        const packed = await filterDerivative(x, dy, c, 1);
        for (let i = 0; i < want.length; i++) expect(Math.abs(packed[i]! - one[i]!)).toBeLessThan(1e-5 * scale);
      } finally {
        setDirectConv(was);
      }
    });
  }

  // Padding enters the products as zeros (0·±∞ = NaN), as in im2row + GEMM, so the patterns are compared with that path.
  it('propagates NaN and ±∞ as im2row + GEMM does, forward and derivative', async () => {
    const c = cases[1]!;
    const p = sizesOf(c);
    const rng = new Rng(13);
    const x = Float32Array.from(rng.randn(c.x.reduce((a, b) => a * b)));
    const f = Float32Array.from(rng.randn(c.f.reduce((a, b) => a * b)));
    const dy = Float32Array.from(rng.randn(p.n * p.pixels * p.k));
    x[40] = Number.NaN;
    x[301] = Number.POSITIVE_INFINITY;
    dy[77] = Number.NEGATIVE_INFINITY;
    f[5] = Number.POSITIVE_INFINITY;
    const pattern = (v: ArrayLike<number>) => Array.from(v, (e) => (Number.isNaN(e) ? 'nan' : e === Number.POSITIVE_INFINITY ? '+inf' : e === Number.NEGATIVE_INFINITY ? '-inf' : 'finite'));
    const forward = () => {
      const cpu = createCpuBackend({ threads: 1 });
      try {
        const attrs = { pad: c.pad, stride: c.stride, dilate: [1, 1], groups: 1 } as const;
        return pattern(cpu.run('Conv', { x: cpu.tensor(x, c.x), f: cpu.tensor(f, c.f), b: null }, attrs).dataSync());
      } finally {
        cpu.dispose();
      }
    };
    const direct = [pattern(await filterDerivative(x, dy, c, 1)), forward()];
    const was = setDirectConv(false);
    try {
      const packed = [pattern(await filterDerivative(x, dy, c, 1)), forward()];
      expect(direct[0]).toEqual(packed[0]);
      expect(direct[1]).toEqual(packed[1]);
      expect(direct[0]).toContain('nan');
      expect(direct[1]).toContain('+inf');
    } finally {
      setDirectConv(was);
    }
  });
});
