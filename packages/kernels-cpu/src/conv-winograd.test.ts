import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type WinogradTile, winogradTile } from './conv-winograd.js';
import { createCpuBackend } from './cpu-backend.js';
import { relativeError } from './test-relative-error.js';

type Pad = readonly [number, number, number, number];

/** conv(x, f) + b in float64 by the definition (NHWC, [3, 3, C, K] filters, stride 1). */
function reference(x: Float64Array, f: Float64Array, b: Float64Array | null, n: number, h: number, w: number, c: number, k: number, pad: Pad) {
  const ho = h + pad[0] + pad[1] - 2;
  const wo = w + pad[2] + pad[3] - 2;
  const y = new Float64Array(n * ho * wo * k);
  for (let i = 0; i < n; i++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        for (let q = 0; q < k; q++) {
          let s = b === null ? 0 : b[q]!;
          for (let fy = 0; fy < 3; fy++) {
            const iy = oy - pad[0] + fy;
            if (iy < 0 || iy >= h) continue;
            for (let fx = 0; fx < 3; fx++) {
              const ix = ox - pad[2] + fx;
              if (ix < 0 || ix >= w) continue;
              for (let ch = 0; ch < c; ch++) s += x[((i * h + iy) * w + ix) * c + ch]! * f[((fy * 3 + fx) * c + ch) * k + q]!;
            }
          }
          y[((i * ho + oy) * wo + ox) * k + q] = s;
        }
      }
    }
  }
  return y;
}

const cases: { name: string; shape: [number, number, number, number]; k: number; pad: Pad }[] = [
  { name: 'pad 1, odd sizes (edge tiles)', shape: [3, 9, 11, 8], k: 12, pad: [1, 1, 1, 1] },
  { name: 'no pad', shape: [3, 10, 10, 16], k: 8, pad: [0, 0, 0, 0] },
  { name: 'asymmetric pad 2/0, 1/2', shape: [1, 8, 9, 12], k: 8, pad: [2, 0, 1, 2] },
];

/** The error bound against float64, relative to max |y|, per √(9·depth): F(2×2) adds little to the direct path's rounding, F(4×4)'s transforms (coefficients up to 8 and 1/24) more. */
const BOUND: Record<WinogradTile, number> = { 2: 1e-7, 4: 1e-6 };

describe('the Winograd tile', () => {
  it('is F(4×4) from 8 × 8 outputs on, F(2×2) below, unless forced', () => {
    expect([winogradTile(8, 8), winogradTile(56, 56), winogradTile(7, 56), winogradTile(56, 4)]).toEqual([4, 4, 2, 2]);
    expect([winogradTile(56, 56, 2), winogradTile(4, 4, 4), winogradTile(56, 56, true)]).toEqual([2, 4, 4]);
  });
});

for (const m of [2, 4] as const)
describe(`Winograd F(${m}×${m}, 3×3) convolution`, () => {

  for (const { name, shape, k, pad } of cases) {
    for (const threads of [1, 3]) {
      it(`forward and data derivative within the bound of float64, and not the direct path's bits (${name}, ${threads} thread${threads > 1 ? 's' : ''})`, async () => {
        const [n, h, w, c] = shape;
        const rng = new Rng(21);
        const x = Float32Array.from(rng.randn(n * h * w * c));
        const f = Float32Array.from(rng.randn(9 * c * k));
        const b = Float32Array.from(rng.randn(k));
        const ho = h + pad[0] + pad[1] - 2;
        const wo = w + pad[2] + pad[3] - 2;
        const dy = Float32Array.from(rng.randn(n * ho * wo * k));
        const attrs = { pad, stride: [1, 1], dilate: [1, 1], groups: 1 } as const;
        const run = async (winograd: boolean) => {
          const cpu = createCpuBackend({ threads, winograd: winograd && m });
          try {
            await cpu.ready();
            const xt = cpu.tensor(x, shape);
            const ft = cpu.tensor(f, [3, 3, c, k]);
            const y = cpu.run('Conv', { x: xt, f: ft, b: cpu.tensor(b, [k]) }, attrs).dataSync() as Float32Array;
            const dx = cpu.run('ConvBackwardData', { dy: cpu.tensor(dy, [n, ho, wo, k]), f: ft }, { ...attrs, xShape: shape }).dataSync() as Float32Array;
            return { y: Float32Array.from(y), dx: Float32Array.from(dx) };
          } finally {
            cpu.dispose();
          }
        };
        const fast = await run(true);
        const direct = await run(false);
        const want = reference(Float64Array.from(x), Float64Array.from(f), Float64Array.from(b), n, h, w, c, k, pad);
        // dx = conv(dy, f′): f′[fy, fx, k, c] = f[2 − fy, 2 − fx, c, k], pads 2 − pad.
        const flipped = new Float64Array(f.length);
        for (let q = 0; q < 9; q++) for (let ch = 0; ch < c; ch++) for (let o = 0; o < k; o++) flipped[((8 - q) * k + o) * c + ch] = f[(q * c + ch) * k + o]!;
        const wantDx = reference(Float64Array.from(dy), flipped, null, n, ho, wo, k, c, [2 - pad[0], 2 - pad[1], 2 - pad[2], 2 - pad[3]]);
        const bound = (depth: number) => BOUND[m] * Math.sqrt(9 * depth);

        expect(relativeError(fast.y, want)).toBeLessThan(bound(c));
        expect(relativeError(fast.dx, wantDx)).toBeLessThan(bound(k));
        expect(relativeError(direct.y, want)).toBeLessThan(BOUND[2] * Math.sqrt(9 * c));
        expect(Array.from(fast.y)).not.toEqual(Array.from(direct.y));
      });
    }
  }

  it('gives the same bits at 1, 2 and 3 threads, with fewer images than threads too', async () => {
    const rng = new Rng(4);
    for (const n of [1, 2, 5]) {
      const shape = [n, 12, 10, 8] as const;
      const x = Float32Array.from(rng.randn(n * 12 * 10 * 8));
      const f = Float32Array.from(rng.randn(9 * 8 * 16));
      const runs: number[][] = [];
      for (const threads of [1, 2, 3]) {
        const cpu = createCpuBackend({ threads, winograd: m });
        try {
          await cpu.ready();
          const y = cpu.run('Conv', { x: cpu.tensor(x, shape), f: cpu.tensor(f, [3, 3, 8, 16]), b: null }, { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 });
          runs.push(Array.from(y.dataSync()));
        } finally {
          cpu.dispose();
        }
      }
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[2]).toEqual(runs[0]);
    }
  });

  it('filter derivative within the bound of float64, the same bits at 1 and 3 threads', async () => {
    for (const { shape, k, pad } of cases) {
      const [n, h, w, c] = shape;
      const ho = h + pad[0] + pad[1] - 2;
      const wo = w + pad[2] + pad[3] - 2;
      const rng = new Rng(31);
      const x = Float32Array.from(rng.randn(n * h * w * c));
      const dy = Float32Array.from(rng.randn(n * ho * wo * k));
      const attrs = { pad, stride: [1, 1], dilate: [1, 1], groups: 1 } as const;
      const runs: Float32Array[] = [];
      for (const threads of [1, 3]) {
        const cpu = createCpuBackend({ threads, winograd: m });
        try {
          await cpu.ready();
          const df = cpu.run('ConvBackwardFilter', { x: cpu.tensor(x, shape), dy: cpu.tensor(dy, [n, ho, wo, k]) }, { ...attrs, fShape: [3, 3, c, k] });
          runs.push(Float32Array.from(df.dataSync() as Float32Array));
        } finally {
          cpu.dispose();
        }
      }
      expect(Array.from(runs[1]!)).toEqual(Array.from(runs[0]!));
      const want = new Float64Array(9 * c * k);
      for (let i = 0; i < n; i++)
        for (let oy = 0; oy < ho; oy++)
          for (let ox = 0; ox < wo; ox++)
            for (let fy = 0; fy < 3; fy++)
              for (let fx = 0; fx < 3; fx++) {
                const iy = oy - pad[0] + fy;
                const ix = ox - pad[2] + fx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                for (let e = 0; e < c; e++)
                  for (let q = 0; q < k; q++) {
                    const at = ((fy * 3 + fx) * c + e) * k + q;
                    want[at] = want[at]! + x[((i * h + iy) * w + ix) * c + e]! * dy[((i * ho + oy) * wo + ox) * k + q]!;
                  }
              }
      expect(relativeError(runs[0]!, want)).toBeLessThan(BOUND[m] * Math.sqrt(n * ho * wo));
    }
  });

  it('its data derivative is the adjoint of its forward: ⟨conv(x), dy⟩ = ⟨x, dx⟩ (the numerical-derivative identity), and the direct path agrees', async () => {
    const rng = new Rng(12);
    const shape = [2, 10, 9, 12] as const;
    const k = 16;
    const x = Float32Array.from(rng.randn(2 * 10 * 9 * 12));
    const f = Float32Array.from(rng.randn(9 * 12 * k));
    const dy = Float32Array.from(rng.randn(2 * 10 * 9 * k));
    const attrs = { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 } as const;
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
      return s;
    };
    const sides: number[][] = [];
    for (const winograd of [true, false]) {
      const cpu = createCpuBackend({ threads: 1, winograd: winograd && m });
      const ft = cpu.tensor(f, [3, 3, 12, k]);
      const y = cpu.run('Conv', { x: cpu.tensor(x, shape), f: ft, b: null }, attrs).dataSync();
      const dx = cpu.run('ConvBackwardData', { dy: cpu.tensor(dy, [2, 10, 9, k]), f: ft }, { ...attrs, xShape: shape }).dataSync();
      sides.push([dot(y, dy), dot(x, dx)]);
      cpu.dispose();
    }
    const [[yw, xw], [yd, xd]] = sides as [[number, number], [number, number]];
    // Both sides are the same float64 sum of products up to float32 rounding of y and dx (about 10⁻⁷ of each term).
    const scale = Math.sqrt(x.length * 9 * 12) * 3;
    expect(Math.abs(yw - xw)).toBeLessThan(1e-5 * scale);
    expect(Math.abs(yw - yd)).toBeLessThan(1e-5 * scale);
    expect(Math.abs(xw - xd)).toBeLessThan(1e-5 * scale);
  });

  it(`propagates a NaN input to every output whose window holds it${m === 2 ? ', and to no other (as the direct path)' : ', and at most to the rest of its 4×4 tiles'}`, () => {
    const c = 8;
    const x = new Float32Array(12 * 12 * c).fill(1);
    x[(3 * 12 + 3) * c] = Number.NaN;
    const f = new Float32Array(9 * c * 4).fill(0.5);
    const nan = (winograd: boolean) => {
      const cpu = createCpuBackend({ threads: 1, winograd: winograd && m });
      const y = cpu.run('Conv', { x: cpu.tensor(x, [1, 12, 12, c]), f: cpu.tensor(f, [3, 3, c, 4]), b: null }, { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 }).dataSync();
      cpu.dispose();
      return Array.from({ length: 144 }, (_, i) => Number.isNaN(y[4 * i]!));
    };
    const fast = nan(true);
    const direct = nan(false);
    for (let i = 0; i < 144; i++) {
      const [oy, ox] = [Math.floor(i / 12), i % 12];
      // Direct: the outputs whose 3×3 window (pad 1) holds (3, 3).
      expect(direct[i]).toBe(oy >= 2 && oy <= 4 && ox >= 2 && ox <= 4);
      if (m === 2 || direct[i]) expect(fast[i]).toBe(direct[i]);
      // A tile whose (m+2)² input window misses (3, 3) stays finite.
      const [ty, tx] = [Math.floor(oy / m), Math.floor(ox / m)];
      const misses = m * ty - 1 > 3 || m * ty + m < 3 || m * tx - 1 > 3 || m * tx + m < 3;
      if (misses) expect(fast[i]).toBe(false);
    }
  });
});
