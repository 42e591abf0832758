import { Rng, sizeOf, type Tensor } from '@convnet-ts/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { convBackwardFilterDirect, convForwardPlanes, directApplies, directFilterBatch, wideVectors } from './conv-direct.js';
import { setClaimedTasks } from './conv-tasks.js';
import { createCpuBackend } from './cpu-backend.js';
import { setModuleArrayBudget } from './module-arrays.js';
import { type DirectCase, outSizes, sizesOf } from './test-direct-cases.js';

/**
 * The phase-plane forward's starts (none, y's values, a bias added as the sums
 * are stored; the image read in place where it is its own plane) and the
 * filter derivative's tiles of every width V (gen-direct-filter.mjs) against
 * a float32 replay of the order the kernels document, bit for bit, with NaN,
 * ±∞, ±0 and subnormals in the data; and the same bits at 1, 2 and 3 threads,
 * claimed or static, resident or copied, for odd batch sizes.
 */

afterEach(() => {
  setModuleArrayBudget();
  setClaimedTasks(true);
});

type Case = DirectCase;

// K picks the derivative's tile width V (`wideVectors`): 20 → 5, 16 → 4, 12 → 3, 6 and 8 → 2, 1 and 4 → 1; 13 pads to 16, 40 and 96 take
// several filter blocks. One channel, stride 1 and no padding: the forward reads x in place.
const cases: Case[] = [
  { name: 'LeNet conv1 5×5×1×20 (x in place, V = 5), three batches', x: [19, 28, 28, 1], f: [5, 5, 1, 20], pad: [0, 0, 0, 0], stride: [1, 1] },
  { name: '3×3×1×16 pad 1 (V = 4)', x: [7, 12, 13, 1], f: [3, 3, 1, 16], pad: [1, 1, 1, 1], stride: [1, 1] },
  { name: '5×5×1×12 asymmetric pad, one image (V = 3)', x: [1, 9, 10, 1], f: [5, 5, 1, 12], pad: [2, 1, 0, 2], stride: [1, 1] },
  { name: '3×3×2×8 stride [2, 1] (V = 2)', x: [3, 11, 9, 2], f: [3, 3, 2, 8], pad: [0, 1, 1, 0], stride: [2, 1] },
  { name: '4×4×3×4 stride 2 (V = 1)', x: [2, 10, 10, 3], f: [4, 4, 3, 4], pad: [1, 1, 1, 1], stride: [2, 2] },
  { name: '3×3×1×13 on 30-wide rows, x in place (V = 4, 3 filters of padding)', x: [3, 8, 30, 1], f: [3, 3, 1, 13], pad: [0, 0, 0, 0], stride: [1, 1] },
  { name: '2×2×4×6 four channels (V = 2, 2 filters of padding)', x: [2, 9, 9, 4], f: [2, 2, 4, 6], pad: [0, 0, 0, 0], stride: [1, 1] },
  { name: '3×3×1×1 one filter (V = 1)', x: [3, 15, 15, 1], f: [3, 3, 1, 1], pad: [1, 1, 1, 1], stride: [1, 1] },
  { name: '3×3×1×40 x in place (V = 5, two filter blocks)', x: [2, 10, 10, 1], f: [3, 3, 1, 40], pad: [0, 0, 0, 0], stride: [1, 1] },
  { name: '5×5×3×96 stride 2 (V = 4, six filter blocks)', x: [1, 13, 13, 3], f: [5, 5, 3, 96], pad: [0, 0, 0, 0], stride: [2, 2] },
  // Wo·K = 298·20 floats of dy per output row: the derivative's blocks are 2 rows each, 9 of them per image.
  { name: '3×3×1×20 on 300-wide rows, nine derivative blocks per image', x: [2, 20, 300, 1], f: [3, 3, 1, 20], pad: [0, 0, 0, 0], stride: [1, 1] },
];

const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1e-45, -3e-39];

/** Seeded N(0, 1) float32 values, with the specials at a few places where `special`. */
function values(rng: Rng, count: number, special: boolean): Float32Array {
  const v = Float32Array.from(rng.randn(count));
  if (special) for (let i = 0; i < specials.length; i++) v[(i * 7919 + 5) % count] = specials[i]!;
  return v;
}

/** x̃_n(l; oy, ox): the padded image's value under tap l = (fy·Wf + fx)·C + e of output pixel (oy, ox) (0 in the padding). */
function tap(c: Case, x: Float32Array, i: number, oy: number, ox: number, l: number): number {
  const [, h, w, ch] = c.x;
  const e = l % ch;
  const fx = Math.floor(l / ch) % c.f[1];
  const fy = Math.floor(l / ch / c.f[1]);
  const iy = oy * c.stride[0] - c.pad[0] + fy;
  const ix = ox * c.stride[1] - c.pad[2] + fx;
  return iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : x[((i * h + iy) * w + ix) * ch + e]!;
}

const fr = Math.fround;

/**
 * The forward as the kernel sums it, in float32: s = Σ_l x̃(l)·F[l, k] in order from zero (each product and sum
 * rounded), then y = start + s (start: y's value, the bias, or nothing).
 */
function forwardReplay(c: Case, x: Float32Array, f: Float32Array, start: 0 | 'y' | Float32Array, y: Float32Array): Float32Array {
  const k = c.f[3];
  const [ho, wo] = outSizes(c);
  const L = c.f[0] * c.f[1] * c.f[2];
  const out = new Float32Array(y.length);
  for (let i = 0; i < c.x[0]; i++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let q = 0; q < k; q++) {
          let s = 0;
          for (let l = 0; l < L; l++) s = fr(s + fr(tap(c, x, i, oy, ox, l) * f[l * k + q]!));
          const at = ((i * ho + oy) * wo + ox) * k + q;
          out[at] = start === 0 ? s : fr((start === 'y' ? y[at]! : start[q]!) + s);
        }
  return out;
}

/**
 * The filter derivative as the kernel sums it, in float32: per batch of `directFilterBatch(n)` images, its partial
 * P summed per image in order and block of output rows in order (rows per block as conv-direct.ts's:
 * ⌊2¹⁴/(Wo·K)⌋, at least 1), s = Σ x̃(l)·dy[k] over the block's pixels in order from zero, then P[l, k] += s
 * (P from +0); then dF = Σ P over the batches in order from +0.
 */
function filterReplay(c: Case, x: Float32Array, dy: Float32Array): Float32Array {
  const k = c.f[3];
  const [ho, wo] = outSizes(c);
  const L = c.f[0] * c.f[1] * c.f[2];
  const blockRows = Math.max(1, Math.floor(2 ** 14 / (wo * k)));
  const batch = directFilterBatch(c.x[0]);
  const df = new Float32Array(L * k);
  for (let i0 = 0; i0 < c.x[0]; i0 += batch) {
    const part = new Float32Array(L * k);
    for (let i = i0; i < Math.min(c.x[0], i0 + batch); i++)
      for (let oy0 = 0; oy0 < ho; oy0 += blockRows)
        for (let l = 0; l < L; l++)
          for (let q = 0; q < k; q++) {
            let s = 0;
            for (let oy = oy0; oy < Math.min(ho, oy0 + blockRows); oy++)
              for (let ox = 0; ox < wo; ox++) s = fr(s + fr(tap(c, x, i, oy, ox, l) * dy[((i * ho + oy) * wo + ox) * k + q]!));
            part[l * k + q] = fr(part[l * k + q]! + s);
          }
    for (let j = 0; j < df.length; j++) df[j] = fr(df[j]! + part[j]!);
  }
  return df;
}

/** The first index where `a` and `b` differ (NaN equal to NaN, 0 not to −0), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSameBits(got: Float32Array, want: Float32Array, what: string): void {
  const at = firstDifference(got, want);
  expect({ what, at, got: got[at], want: want[at] }).toEqual({ what, at: -1, got: undefined, want: undefined });
}

/** Seeded operands of case `c` (specials in x and dy where `special`). */
function operands(c: Case, special: boolean) {
  const rng = new Rng(31);
  const [ho, wo] = outSizes(c);
  const ySize = c.x[0] * ho * wo * c.f[3];
  return { x: values(rng, sizeOf(c.x), special), f: values(rng, sizeOf(c.f), false), b: values(rng, c.f[3], false), dy: values(rng, ySize, special), y: values(rng, ySize, false) };
}

describe('the phase-plane forward and the filter derivative tiles', () => {
  for (const c of cases) {
    it(`sum in the documented order, bit for bit, from every start, with specials (${c.name})`, async () => {
      const p = sizesOf(c);
      expect(directApplies(p)).toBe(true);
      const cpu = createCpuBackend({ threads: 2 });
      try {
        await cpu.ready();
        for (const special of [false, true]) {
          const { x, f, b, dy, y } = operands(c, special);
          const stored = new Float32Array(y.length).fill(Number.NaN);
          expect(convForwardPlanes(p, x, f, 0, stored)).toBe(true);
          expectSameBits(stored, forwardReplay(c, x, f, 0, y), 'beta 0');
          const biased = new Float32Array(y.length).fill(Number.NaN);
          expect(convForwardPlanes(p, x, f, b, biased)).toBe(true);
          expectSameBits(biased, forwardReplay(c, x, f, b, y), 'bias');
          const added = y.slice();
          expect(convForwardPlanes(p, x, f, 1, added)).toBe(true);
          expectSameBits(added, forwardReplay(c, x, f, 'y', y), 'beta 1');
          const df = new Float32Array(sizeOf(c.f)).fill(Number.NaN);
          expect(convBackwardFilterDirect(p, x, dy, df)).toBe(true);
          expectSameBits(df, filterReplay(c, x, dy), 'filter derivative');
          if (special) {
            expect(biased.some((v) => Number.isNaN(v))).toBe(true);
            expect(df.some((v) => Number.isNaN(v))).toBe(true);
          }
        }
      } finally {
        cpu.dispose();
      }
    }, 60_000);
  }

  it('takes the tile widths it says: V by the least padding, then the most accumulators', () => {
    expect([20, 16, 12, 8, 6, 4, 1, 13, 40, 96, 24, 9].map(wideVectors)).toEqual([5, 4, 3, 2, 2, 1, 1, 4, 5, 4, 2, 3]);
  });

  it('refuses a bias of the wrong length', async () => {
    const c = cases[0]!;
    const cpu = createCpuBackend({ threads: 1 });
    try {
      await cpu.ready();
      const { x, f, y } = operands(c, false);
      expect(() => convForwardPlanes(sizesOf(c), x, f, new Float32Array(c.f[3] - 1), y)).toThrow(/a bias of 20 floats/);
    } finally {
      cpu.dispose();
    }
  });
});

describe('the first layer on the backend', () => {
  /** Conv with and without the bias and ConvBackwardFilter of LeNet's conv1 on `n` images (specials in x and dy). */
  async function layer(n: number, threads: number, claimed: boolean, resident: boolean): Promise<Float32Array[]> {
    const c: Case = { name: '', x: [n, 28, 28, 1], f: [5, 5, 1, 20], pad: [0, 0, 0, 0], stride: [1, 1] };
    const cpu = createCpuBackend({ threads });
    setClaimedTasks(claimed);
    setModuleArrayBudget(resident ? undefined : 0);
    try {
      await cpu.ready();
      const { x, f, b, dy } = operands(c, true);
      const geometry = { pad: c.pad, stride: c.stride, dilate: [1, 1], groups: 1 } as const;
      const xt = cpu.tensor(x, c.x);
      const ft = cpu.tensor(f, c.f);
      const [ho, wo] = outSizes(c);
      const outs = [
        cpu.run('Conv', { x: xt, f: ft, b: cpu.tensor(b, [c.f[3]]) }, geometry),
        cpu.run('Conv', { x: xt, f: ft, b: null }, geometry),
        cpu.run('ConvBackwardFilter', { x: xt, dy: cpu.tensor(dy, [n, ho, wo, c.f[3]]) }, { ...geometry, fShape: c.f }),
      ];
      return outs.map((t: Tensor) => Float32Array.from(t.dataSync() as Float32Array));
    } finally {
      setModuleArrayBudget();
      setClaimedTasks(true);
      cpu.dispose();
    }
  }

  for (const n of [1, 3, 7, 30]) {
    it(`gives the same bits at 1, 2 and 3 threads, claimed or static, resident or copied (${n} images)`, async () => {
      const one = await layer(n, 1, true, false);
      const c: Case = { name: '', x: [n, 28, 28, 1], f: [5, 5, 1, 20], pad: [0, 0, 0, 0], stride: [1, 1] };
      const { x, f, b, dy } = operands(c, true);
      const y = new Float32Array(one[0]!.length);
      expectSameBits(one[0]!, forwardReplay(c, x, f, b, y), 'bias');
      expectSameBits(one[2]!, filterReplay(c, x, dy), 'filter derivative');
      for (const threads of [1, 2, 3]) {
        for (const claimed of [true, false]) {
          for (const resident of [true, false]) {
            const got = await layer(n, threads, claimed, resident);
            for (let i = 0; i < got.length; i++) expectSameBits(got[i]!, one[i]!, `${threads} threads, claimed ${claimed}, resident ${resident}, output ${i}`);
          }
        }
      }
    }, 120_000);
  }
});
