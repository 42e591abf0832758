import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { WINOGRAD } from '../scripts/gen-winograd.mjs';
import { convBackwardDataWinograd, setPartialFloats, WINOGRAD_VARIANTS, type WinogradOption, winogradApplies, winogradFilter, winogradFilterInModule, winogradTile } from './conv-winograd.js';
import type { ConvSizes } from './conv-wasm.js';
import { createCpuBackend } from './cpu-backend.js';
import { setModuleArrayBudget } from './module-arrays.js';
import { relativeError } from './test-relative-error.js';

type Pad = readonly [number, number, number, number];
type Key = keyof typeof WINOGRAD_VARIANTS;

/** One convolution's sizes: NHWC x, r × r filters, `groups` groups of C/groups channels and K/groups filters, stride 1. */
interface Conv {
  n: number;
  h: number;
  w: number;
  c: number;
  k: number;
  r: number;
  groups: number;
  pad: Pad;
}

const outSize = (s: Conv) => [s.h + s.pad[0] + s.pad[1] - s.r + 1, s.w + s.pad[2] + s.pad[3] - s.r + 1] as const;

/** conv(x, f) + b in float64 by the definition (NHWC, [r, r, C/groups, K] filters, group g's filters from g·K/groups). */
function reference(x: ArrayLike<number>, f: ArrayLike<number>, b: ArrayLike<number> | null, s: Conv): Float64Array {
  const { n, h, w, c, k, r, pad } = s;
  const [ho, wo] = outSize(s);
  const cg = c / s.groups;
  const kg = k / s.groups;
  const y = new Float64Array(n * ho * wo * k);
  for (let i = 0; i < n; i++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        for (let q = 0; q < k; q++) {
          const c0 = Math.floor(q / kg) * cg;
          let sum = b === null ? 0 : b[q]!;
          for (let fy = 0; fy < r; fy++) {
            const iy = oy - pad[0] + fy;
            if (iy < 0 || iy >= h) continue;
            for (let fx = 0; fx < r; fx++) {
              const ix = ox - pad[2] + fx;
              if (ix < 0 || ix >= w) continue;
              for (let ch = 0; ch < cg; ch++) sum += x[((i * h + iy) * w + ix) * c + c0 + ch]! * f[((fy * r + fx) * cg + ch) * k + q]!;
            }
          }
          y[((i * ho + oy) * wo + ox) * k + q] = sum;
        }
      }
    }
  }
  return y;
}

/** dx of `s` as the float64 convolution of dy with f′[fy, fx, q, g·cg + ch] = f[r − 1 − fy, r − 1 − fx, ch, g·kg + q], pads r − 1 − pad. */
function referenceDx(dy: ArrayLike<number>, f: ArrayLike<number>, s: Conv): Float64Array {
  const { c, k, r, groups } = s;
  const cg = c / groups;
  const kg = k / groups;
  const flipped = new Float64Array(f.length);
  for (let e = 0; e < r * r; e++)
    for (let g = 0; g < groups; g++)
      for (let ch = 0; ch < cg; ch++) for (let q = 0; q < kg; q++) flipped[((r * r - 1 - e) * kg + q) * c + g * cg + ch] = f[(e * cg + ch) * k + g * kg + q]!;
  const [ho, wo] = outSize(s);
  const p = s.pad;
  return reference(dy, flipped, null, { ...s, h: ho, w: wo, c: k, k: c, pad: [r - 1 - p[0], r - 1 - p[1], r - 1 - p[2], r - 1 - p[3]] });
}

/** df of `s` in float64: Σ_n Σ_pixels x·dy per filter tap, channel and filter of each group. */
function referenceDf(x: ArrayLike<number>, dy: ArrayLike<number>, s: Conv): Float64Array {
  const { n, h, w, c, k, r, pad } = s;
  const [ho, wo] = outSize(s);
  const cg = c / s.groups;
  const kg = k / s.groups;
  const df = new Float64Array(r * r * cg * k);
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let fy = 0; fy < r; fy++)
          for (let fx = 0; fx < r; fx++) {
            const iy = oy - pad[0] + fy;
            const ix = ox - pad[2] + fx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let q = 0; q < k; q++) {
              const c0 = Math.floor(q / kg) * cg;
              const d = dy[((i * ho + oy) * wo + ox) * k + q]!;
              for (let ch = 0; ch < cg; ch++) {
                const at = ((fy * r + fx) * cg + ch) * k + q;
                df[at] = df[at]! + x[((i * h + iy) * w + ix) * c + c0 + ch]! * d;
              }
            }
          }
  return df;
}

/** The kernels' sizes of `s` (kernels/conv.ts's plan, patches path). */
function sizesOf(s: Conv): ConvSizes {
  const [ho, wo] = outSize(s);
  const patch = { height: s.h, width: s.w, channels: s.c, filterHeight: s.r, filterWidth: s.r, outHeight: ho, outWidth: wo, padTop: s.pad[0], padLeft: s.pad[2], strideY: 1, strideX: 1, dilateY: 1, dilateX: 1 };
  const cg = s.c / s.groups;
  return { patch, n: s.n, c: s.c, k: s.k, groups: s.groups, cg, kg: s.k / s.groups, imageSize: s.h * s.w * s.c, pixels: ho * wo, rowLength: s.r * s.r * cg };
}

const conv3 = (n: number, h: number, w: number, c: number, k: number, pad: Pad, groups = 1): Conv => ({ n, h, w, c, k, r: 3, groups, pad });
const conv5 = (n: number, h: number, w: number, c: number, k: number, pad: Pad, groups = 1): Conv => ({ n, h, w, c, k, r: 5, groups, pad });

/** The cases of each filter size: edge tiles (outputs not a multiple of the tile), pads, groups, channel and filter counts not multiples of 4, batch 1. */
const cases: Record<3 | 5, { name: string; s: Conv }[]> = {
  3: [
    { name: 'pad 1, odd sizes (edge tiles)', s: conv3(3, 9, 11, 8, 12, [1, 1, 1, 1]) },
    { name: 'no pad', s: conv3(3, 10, 10, 16, 8, [0, 0, 0, 0]) },
    { name: 'asymmetric pad 2/0, 1/2', s: conv3(1, 8, 9, 12, 8, [2, 0, 1, 2]) },
    { name: '2 groups of 9 channels and 9 filters', s: conv3(2, 9, 10, 18, 18, [1, 1, 1, 1], 2) },
  ],
  5: [
    { name: "LeNet's conv2 (12×12, C = 20, K = 50)", s: conv5(2, 12, 12, 20, 50, [0, 0, 0, 0]) },
    { name: 'batch 1, pad 2, odd 11 × 9 output, C = 9, K = 11', s: conv5(1, 11, 9, 9, 11, [2, 2, 2, 2]) },
    { name: "2 groups of 8 channels and 9 filters, asymmetric pad 2/1, 0/2 (AlexNet conv2's kind)", s: conv5(2, 9, 10, 16, 18, [2, 1, 0, 2], 2) },
  ],
};

/** The variants, the option that forces each, and its error bound against float64 (relative to max |y|, per √depth). */
const VARIANTS: { key: Key; option: WinogradOption; r: 3 | 5; bound: number }[] = [
  { key: '2x3', option: 2, r: 3, bound: 1e-7 },
  { key: '4x3', option: 4, r: 3, bound: 1e-6 },
  { key: '2x5', option: 2, r: 5, bound: 1e-6 },
  { key: '4x5', option: 4, r: 5, bound: 1e-6 },
];

/** Seeded x, f (He-scaled or not matters not: errors are relative), b and dy of `s`. */
function data(s: Conv, seed: number) {
  const rng = new Rng(seed);
  const [ho, wo] = outSize(s);
  const cg = s.c / s.groups;
  return {
    x: Float32Array.from(rng.randn(s.n * s.h * s.w * s.c)),
    f: Float32Array.from(rng.randn(s.r * s.r * cg * s.k)),
    b: Float32Array.from(rng.randn(s.k)),
    dy: Float32Array.from(rng.randn(s.n * ho * wo * s.k)),
  };
}

/** Conv, ConvBackwardData and ConvBackwardFilter of `s` on a backend with `threads` and `winograd`. */
async function runAll(s: Conv, d: ReturnType<typeof data>, threads: number, winograd: WinogradOption) {
  const cpu = createCpuBackend({ threads, winograd });
  try {
    await cpu.ready();
    const shape = [s.n, s.h, s.w, s.c] as const;
    const [ho, wo] = outSize(s);
    const fShape = [s.r, s.r, s.c / s.groups, s.k] as const;
    const attrs = { pad: s.pad, stride: [1, 1], dilate: [1, 1], groups: s.groups } as const;
    const ft = cpu.tensor(d.f, fShape);
    const dyt = cpu.tensor(d.dy, [s.n, ho, wo, s.k]);
    const y = cpu.run('Conv', { x: cpu.tensor(d.x, shape), f: ft, b: cpu.tensor(d.b, [s.k]) }, attrs).dataSync() as Float32Array;
    const dx = cpu.run('ConvBackwardData', { dy: dyt, f: ft }, { ...attrs, xShape: shape }).dataSync() as Float32Array;
    const df = cpu.run('ConvBackwardFilter', { x: cpu.tensor(d.x, shape), dy: dyt }, { ...attrs, fShape }).dataSync() as Float32Array;
    // The adjoint data derivative, on the thread count of this backend (its run above made its threads current).
    const adjoint = new Float32Array(d.x.length);
    const sizes = sizesOf(s);
    const ran = winograd !== false && winogradApplies(sizes, winograd) && convBackwardDataWinograd(sizes, d.dy, d.f, adjoint, winograd);
    return { y: Float32Array.from(y), dx: Float32Array.from(dx), df: Float32Array.from(df), adjoint: ran ? adjoint : null };
  } finally {
    cpu.dispose();
  }
}

describe('the Winograd tile', () => {
  it('is F(4×4) from 8 × 8 outputs on, F(2×2) below, unless forced (3×3 and 5×5 filters alike)', () => {
    expect([winogradTile(8, 8), winogradTile(56, 56), winogradTile(7, 56), winogradTile(56, 4)]).toEqual([4, 4, 2, 2]);
    expect([winogradTile(56, 56, 2), winogradTile(4, 4, 4), winogradTile(56, 56, true)]).toEqual([2, 4, 4]);
  });

  it("G matches the generator's, and Aᵀ[(G g) ⊙ (Bᵀ d)] is the correlation of d with g (float64, every unit g and d)", () => {
    for (const [key, w] of Object.entries(WINOGRAD)) {
      expect(WINOGRAD_VARIANTS[key as Key].G).toEqual(w.G);
      const a = w.m + w.r - 1;
      let err = 0;
      for (let i = 0; i < w.m; i++)
        for (let j = 0; j < w.r; j++)
          for (let l = 0; l < a; l++) {
            let s = 0;
            for (let xi = 0; xi < a; xi++) s += w.AT[i]![xi]! * w.G[xi]![j]! * w.BT[xi]![l]!;
            err = Math.max(err, Math.abs(s - (l === i + j ? 1 : 0)));
          }
      expect(err).toBeLessThan(1e-14);
    }
  });
});

describe("the module's filter transform", () => {
  it('is the float64 reference up to one rounding, for every variant, groups with odd filter counts and odd K, the same bits at 1 and 3 threads', async () => {
    const rng = new Rng(5);
    for (const key of Object.keys(WINOGRAD_VARIANTS) as Key[]) {
      const w = WINOGRAD_VARIANTS[key];
      for (const [cg, k, groups] of [[8, 12, 1], [9, 11, 1], [5, 9, 3]] as const) {
        const f = Float32Array.from(rng.randn(w.r * w.r * cg * k));
        const p = { cg, k, groups, kg: k / groups };
        const want = winogradFilter(f, p, w);
        const runs: Float32Array[] = [];
        for (const threads of [1, 3]) {
          const cpu = createCpuBackend({ threads });
          try {
            await cpu.ready();
            // Its run makes this backend's threads the current ones.
            cpu.run('Relu', { x: cpu.tensor(new Float32Array(4), [1, 1, 1, 4]) }, { leak: 0 }).dispose();
            runs.push(winogradFilterInModule(f, p, w)!);
          } finally {
            cpu.dispose();
          }
        }
        expect(Array.from(runs[1]!)).toEqual(Array.from(runs[0]!));
        expect(runs[0]!.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) expect(Math.abs(runs[0]![i]! - want[i]!)).toBeLessThanOrEqual(6e-8 * Math.abs(want[i]!));
      }
    }
  });
});

for (const { key, option, r, bound } of VARIANTS)
describe(`Winograd F(${key[0]}×${key[0]}, ${r}×${r}) convolution`, () => {
  const m = WINOGRAD_VARIANTS[key].m;

  for (const { name, s } of cases[r]) {
    it(`forward, data and filter derivatives within the bound of float64, not the direct path's bits, the same bits at 1 and 3 threads (${name})`, async () => {
      const d = data(s, 21);
      const fast = await runAll(s, d, 1, option);
      const fast3 = await runAll(s, d, 3, option);
      const direct = await runAll(s, d, 1, false);
      const [ho, wo] = outSize(s);
      const cg = s.c / s.groups;
      const kg = s.k / s.groups;
      const want = reference(d.x, d.f, d.b, s);
      const wantDx = referenceDx(d.dy, d.f, s);
      const wantDf = referenceDf(d.x, d.dy, s);
      const adjoint = fast.adjoint!;
      const errors = { y: relativeError(fast.y, want), dx: relativeError(fast.dx, wantDx), df: relativeError(fast.df, wantDf), adjoint: relativeError(adjoint, wantDx) };
      const perDepth = { y: errors.y / Math.sqrt(r * r * cg), dx: errors.dx / Math.sqrt(r * r * kg), df: errors.df / Math.sqrt(s.n * ho * wo), adjoint: errors.adjoint / Math.sqrt(r * r * kg) };
      if (process.env.WINOGRAD_ERRORS) console.log(key, name, JSON.stringify(perDepth), 'direct', relativeError(direct.y, want) / Math.sqrt(r * r * cg));
      expect(perDepth.y).toBeLessThan(bound);
      expect(perDepth.dx).toBeLessThan(bound);
      expect(perDepth.df).toBeLessThan(bound);
      expect(perDepth.adjoint).toBeLessThan(bound);
      expect(Array.from(adjoint)).not.toEqual(Array.from(direct.dx));
      expect(Array.from(fast3.adjoint!)).toEqual(Array.from(adjoint));
      expect(relativeError(direct.y, want)).toBeLessThan(1e-7 * Math.sqrt(r * r * cg));
      expect(relativeError(direct.dx, wantDx)).toBeLessThan(1e-7 * Math.sqrt(r * r * kg));
      expect(Array.from(fast.y)).not.toEqual(Array.from(direct.y));
      // The backend's data derivative is the adjoint (the forward's tiles).
      expect(Array.from(fast.dx)).toEqual(Array.from(adjoint));
      expect(Array.from(fast.df)).not.toEqual(Array.from(direct.df));
      expect(Array.from(fast3.y)).toEqual(Array.from(fast.y));
      expect(Array.from(fast3.dx)).toEqual(Array.from(fast.dx));
      expect(Array.from(fast3.df)).toEqual(Array.from(fast.df));
    });
  }

  it('gives the same bits at 1, 2 and 3 threads, with fewer images than threads too', async () => {
    const rng = new Rng(4);
    for (const n of [1, 2, 5]) {
      const s: Conv = { n, h: 12, w: 10, c: 8, k: 10, r, groups: 1, pad: [1, 1, 1, 1] };
      const x = Float32Array.from(rng.randn(n * 12 * 10 * 8));
      const f = Float32Array.from(rng.randn(r * r * 8 * 10));
      const runs: number[][] = [];
      for (const threads of [1, 2, 3]) {
        const cpu = createCpuBackend({ threads, winograd: option });
        try {
          await cpu.ready();
          const y = cpu.run('Conv', { x: cpu.tensor(x, [n, 12, 10, 8]), f: cpu.tensor(f, [r, r, 8, 10]), b: null }, { pad: s.pad, stride: [1, 1], dilate: [1, 1], groups: 1 });
          runs.push(Array.from(y.dataSync()));
        } finally {
          cpu.dispose();
        }
      }
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[2]).toEqual(runs[0]);
    }
  });

  it('over several passes and SGEMM batches (9 images of 16 tiles), forward and both derivatives give the same bits at 1, 2 and 3 threads, within the bound', async () => {
    const s: Conv = { n: 9, h: 12, w: 12, c: 20, k: 18, r, groups: 1, pad: r === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0] };
    const d = data(s, 9);
    const runs = [await runAll(s, d, 1, option), await runAll(s, d, 2, option), await runAll(s, d, 3, option)];
    for (const run of runs.slice(1)) {
      expect(Array.from(run.y)).toEqual(Array.from(runs[0]!.y));
      expect(Array.from(run.df)).toEqual(Array.from(runs[0]!.df));
      expect(Array.from(run.adjoint!)).toEqual(Array.from(runs[0]!.adjoint!));
    }
    const [ho, wo] = outSize(s);
    expect(relativeError(runs[0]!.df, referenceDf(d.x, d.dy, s))).toBeLessThan(bound * Math.sqrt(s.n * ho * wo));
  });

  it('its filter derivative by batches, in one round or several, gives the bits of the passes summing into Û, at 1, 2 and 3 threads, resident and copied, with NaN, ±Inf and subnormal inputs', async () => {
    // 21 images: F(4×4) takes 16 a batch (4 tiles an image), so 2 batches; F(2×2) 4 (16 tiles), so 6.
    const s: Conv = { n: 21, h: 12, w: 12, c: 12, k: 10, r, groups: 2, pad: r === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0] };
    const d = data(s, 31);
    d.x[5] = Number.NaN;
    d.x[700] = Number.POSITIVE_INFINITY;
    d.x[901] = 1e-41;
    d.dy[33] = Number.NEGATIVE_INFINITY;
    d.dy[34] = -3e-42;
    const a = m + r - 1;
    const uSize = s.groups * a * a * (s.c / s.groups) * (((s.k / s.groups) + 3) & ~3);
    const [ho, wo] = outSize(s);
    const fShape = [s.r, s.r, s.c / s.groups, s.k] as const;
    const attrs = { pad: s.pad, stride: [1, 1], dilate: [1, 1], groups: s.groups, fShape } as const;
    const dfOf = async (threads: number, partials: number | undefined, budget: number | undefined) => {
      setPartialFloats(partials);
      setModuleArrayBudget(budget);
      const cpu = createCpuBackend({ threads, winograd: option });
      try {
        await cpu.ready();
        const df = cpu.run('ConvBackwardFilter', { x: cpu.tensor(d.x, [s.n, s.h, s.w, s.c]), dy: cpu.tensor(d.dy, [s.n, ho, wo, s.k]) }, attrs);
        return Array.from(df.dataSync(), (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v));
      } finally {
        cpu.dispose();
        setPartialFloats();
        setModuleArrayBudget();
      }
    };
    // 0: the passes; 2·|Û|: rounds of 2 batches; the default: one round.
    const passes = await dfOf(1, 0, undefined);
    expect(passes).toContain('NaN');
    for (const partials of [0, 2 * uSize, undefined]) {
      for (const threads of [1, 2, 3]) {
        for (const budget of [undefined, 0]) expect(await dfOf(threads, partials, budget), `partials ${partials}, ${threads} threads, budget ${budget}`).toEqual(passes);
      }
    }
  });

  it('its data derivative is the adjoint of its forward: ⟨conv(x), dy⟩ = ⟨x, dx⟩ (the numerical-derivative identity), and the direct path agrees', async () => {
    const s: Conv = { n: 2, h: 10, w: 9, c: 12, k: 14, r, groups: 2, pad: [1, 1, 2, 0] };
    const d = data(s, 12);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let sum = 0;
      for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
      return sum;
    };
    const sides: number[][] = [];
    const bias = reference(new Float32Array(d.x.length), d.f, d.b, s);
    for (const winograd of [option, false]) {
      const { y, dx } = await runAll(s, d, 1, winograd);
      // y holds the bias: take it off again (in float64) so that ⟨y, dy⟩ is the linear map's.
      sides.push([dot(y, d.dy) - dot(bias, d.dy), dot(d.x, dx)]);
    }
    const [[yw, xw], [yd, xd]] = sides as [[number, number], [number, number]];
    // Both sides are the same float64 sum of products up to float32 rounding of y and dx (about 10⁻⁷ of each term).
    const scale = Math.sqrt(d.x.length * r * r * 6) * 3;
    expect(Math.abs(yw - xw)).toBeLessThan(1e-5 * scale);
    expect(Math.abs(yw - yd)).toBeLessThan(1e-5 * scale);
    expect(Math.abs(xw - xd)).toBeLessThan(1e-5 * scale);
  });

  it(`propagates a NaN input to every output whose window holds it${key === '2x3' ? ', and to no other (as the direct path)' : `, and at most to the rest of its ${m}×${m} tiles`}`, () => {
    const c = 8;
    const x = new Float32Array(12 * 12 * c).fill(1);
    x[(3 * 12 + 3) * c] = Number.NaN;
    const f = new Float32Array(r * r * c * 5).fill(0.5);
    const p = (r - 1) / 2;
    const nan = (winograd: WinogradOption) => {
      const cpu = createCpuBackend({ threads: 1, winograd });
      const y = cpu.run('Conv', { x: cpu.tensor(x, [1, 12, 12, c]), f: cpu.tensor(f, [r, r, c, 5]), b: null }, { pad: [p, p, p, p], stride: [1, 1], dilate: [1, 1], groups: 1 }).dataSync();
      cpu.dispose();
      return Array.from({ length: 144 }, (_, i) => [0, 1, 2, 3, 4].map((q) => Number.isNaN(y[5 * i + q]!)));
    };
    const fast = nan(option);
    const direct = nan(false);
    for (let i = 0; i < 144; i++) {
      const [oy, ox] = [Math.floor(i / 12), i % 12];
      for (let q = 0; q < 5; q++) {
        // Direct: the outputs whose r × r window (pad (r − 1)/2) holds (3, 3), in each of the 5 filters (K not a multiple of 4).
        expect(direct[i]![q]).toBe(Math.abs(oy - 3) <= p && Math.abs(ox - 3) <= p);
        if (key === '2x3' || direct[i]![q]) expect(fast[i]![q]).toBe(direct[i]![q]);
        // A tile whose α × α input window misses (3, 3) stays finite.
        const [ty, tx] = [Math.floor(oy / m), Math.floor(ox / m)];
        const a = m + r - 1;
        const misses = m * ty - p > 3 || m * ty - p + a - 1 < 3 || m * tx - p > 3 || m * tx - p + a - 1 < 3;
        if (misses) expect(fast[i]![q]).toBe(false);
      }
    }
  });
});
