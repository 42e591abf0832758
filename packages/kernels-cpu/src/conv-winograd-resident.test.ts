import { Rng, type Tensor } from '@convnet-ts/tensor';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type WinogradTile, winogradApplies } from './conv-winograd.js';
import type { ConvSizes } from './conv-wasm.js';
import { type CpuBackend, createCpuBackend } from './cpu-backend.js';
import { isModuleArray, setModuleArrayBudget } from './module-arrays.js';
import { gemmInstance } from './wasm-instance.js';

/**
 * The Winograd convolutions on module-resident tensors (module-arrays.ts),
 * read and written in place, give the bits of the copy path
 * (`setModuleArrayBudget(0)`: plain arrays copied through the arena) at 1, 2
 * and 3 threads, with any mix of resident and plain operands.
 */

afterEach(() => setModuleArrayBudget());

type Pad = readonly [number, number, number, number];

/** NHWC x of `n` images, r × r filters, `groups` groups, stride 1; `specials`: NaN, ±∞, −0 and subnormals in x and dy. */
interface Case {
  name: string;
  n: number;
  h: number;
  w: number;
  c: number;
  k: number;
  r: 3 | 5;
  groups: number;
  pad: Pad;
  specials?: boolean;
}

/** Every tensor of 2^14 elements or more (the resident ones) unless named: x and dy always. */
const CASES: Case[] = [
  { name: '3×3, odd C and K, edge tiles, NaN/±∞/−0/subnormal inputs', n: 3, h: 14, w: 13, c: 37, k: 53, r: 3, groups: 1, pad: [1, 1, 1, 1], specials: true },
  { name: '5×5, 2 groups of 19 channels and 27 filters', n: 2, h: 15, w: 15, c: 38, k: 54, r: 5, groups: 2, pad: [2, 2, 2, 2] },
  { name: '3×3, 2 images, asymmetric pad, plain filters (under 2^14)', n: 2, h: 24, w: 24, c: 29, k: 33, r: 3, groups: 1, pad: [1, 0, 0, 1] },
  { name: '5×5, 1 image, NaN/±∞ inputs', n: 1, h: 24, w: 24, c: 30, k: 29, r: 5, groups: 1, pad: [2, 2, 2, 2], specials: true },
  { name: '3×3, 3 groups of 11 channels and 13 filters', n: 4, h: 12, w: 12, c: 33, k: 39, r: 3, groups: 3, pad: [1, 1, 1, 1] },
];

const outSize = (s: Case) => [s.h + s.pad[0] + s.pad[1] - s.r + 1, s.w + s.pad[2] + s.pad[3] - s.r + 1] as const;
const shapes = (s: Case) => {
  const [ho, wo] = outSize(s);
  return { x: [s.n, s.h, s.w, s.c], f: [s.r, s.r, s.c / s.groups, s.k], b: [s.k], dy: [s.n, ho, wo, s.k] };
};

/** The kernels' sizes of `s` (kernels/conv.ts's plan, patches path), to check that Winograd takes it. */
function sizesOf(s: Case): ConvSizes {
  const [ho, wo] = outSize(s);
  const patch = { height: s.h, width: s.w, channels: s.c, filterHeight: s.r, filterWidth: s.r, outHeight: ho, outWidth: wo, padTop: s.pad[0], padLeft: s.pad[2], strideY: 1, strideX: 1, dilateY: 1, dilateX: 1 };
  const cg = s.c / s.groups;
  return { patch, n: s.n, c: s.c, k: s.k, groups: s.groups, cg, kg: s.k / s.groups, imageSize: s.h * s.w * s.c, pixels: ho * wo, rowLength: s.r * s.r * cg };
}

/** Seeded N(0, 1) x, f, b and dy of `s`; with `specials`, some elements of x and dy NaN, ±∞, −0 or subnormal. */
function data(s: Case, seed: number) {
  const rng = new Rng(seed);
  const sh = shapes(s);
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const d = {
    x: Float32Array.from(rng.randn(size(sh.x))),
    f: Float32Array.from(rng.randn(size(sh.f))),
    b: Float32Array.from(rng.randn(s.k)),
    dy: Float32Array.from(rng.randn(size(sh.dy))),
  };
  if (s.specials) {
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e-40, -3e-39];
    for (const a of [d.x, d.dy]) for (const [i, v] of values.entries()) a[Math.floor(((i + 0.5) * a.length) / values.length)] = v;
  }
  return d;
}

/** Which operands live in the module's memory: the inputs x, f, dy, and the outputs (y, dx, df). */
interface Residency {
  name: string;
  x: boolean;
  f: boolean;
  dy: boolean;
  outputs: boolean;
}

const PLAIN: Residency = { name: 'plain (budget 0)', x: false, f: false, dy: false, outputs: false };
const RESIDENT: Residency = { name: 'resident', x: true, f: true, dy: true, outputs: true };
const MIXED: Residency[] = [
  { name: 'x resident, f, dy and outputs plain', x: true, f: false, dy: false, outputs: false },
  { name: 'x plain, f, dy and outputs resident', x: false, f: true, dy: true, outputs: true },
];

/** `values` as a tensor of `be`, resident or a plain array as asked (a size under 2^14 is plain anyway). */
function tensorOf(be: CpuBackend, values: Float32Array, shape: number[], resident: boolean): Tensor {
  if (!resident) setModuleArrayBudget(0);
  try {
    const t = be.tensor(values, shape);
    expect(isModuleArray(be.view(t).data)).toBe(resident && values.length >= 2 ** 14);
    return t;
  } finally {
    setModuleArrayBudget();
  }
}

/** `run()` with the outputs it allocates resident or plain, as asked. */
function allocating(outputs: boolean, run: () => Tensor): Tensor {
  if (!outputs) setModuleArrayBudget(0);
  try {
    return run();
  } finally {
    setModuleArrayBudget();
  }
}

/** The sizes of the `Float32Array.prototype.set` calls `run` makes on this thread, and whether one copied `source`. */
function copiesOf<T>(source: Float32Array, run: () => T): { result: T; largest: number; copiedSource: boolean } {
  const spy = vi.spyOn(Float32Array.prototype, 'set');
  try {
    const result = run();
    const sources = spy.mock.calls.map((call) => call[0] as ArrayLike<number>);
    return { result, largest: Math.max(0, ...sources.map((a) => a.length)), copiedSource: sources.some((a) => a === source) };
  } finally {
    spy.mockRestore();
  }
}

/** Conv (with a bias), ConvBackwardData and ConvBackwardFilter of `s` under F(m×m) on `threads`, the operands resident as `where` says. */
async function convs(s: Case, d: ReturnType<typeof data>, tile: WinogradTile, threads: number, where: Residency) {
  const be = createCpuBackend({ threads, winograd: tile });
  try {
    await be.ready();
    const sh = shapes(s);
    const attrs = { pad: s.pad, stride: [1, 1], dilate: [1, 1], groups: s.groups } as const;
    const x = tensorOf(be, d.x, sh.x, where.x);
    const f = tensorOf(be, d.f, sh.f, where.f);
    const dy = tensorOf(be, d.dy, sh.dy, where.dy);
    const b = be.tensor(d.b, sh.b);
    const fData = be.view(f).data as Float32Array;
    const forward = copiesOf(fData, () => allocating(where.outputs, () => be.run('Conv', { x, f, b }, attrs)));
    const data = copiesOf(fData, () => allocating(where.outputs, () => be.run('ConvBackwardData', { dy, f }, { ...attrs, xShape: sh.x })));
    const filter = copiesOf(fData, () => allocating(where.outputs, () => be.run('ConvBackwardFilter', { x, dy }, { ...attrs, fShape: sh.f })));
    const outputs = [forward.result, data.result, filter.result];
    for (const t of outputs) expect(isModuleArray(be.view(t).data)).toBe(where.outputs && t.size >= 2 ** 14);
    const resident = (t: Tensor) => isModuleArray(be.view(t).data);
    // Resident filters are read in place by the filter transform (never copied into the arena).
    if (resident(f)) expect([forward.copiedSource, data.copiedSource]).toEqual([false, false]);
    // With every operand resident, the forward and the data derivative copy nothing large on this thread.
    if (resident(x) && resident(f) && resident(forward.result)) expect(forward.largest).toBeLessThan(1024);
    if (resident(dy) && resident(f) && resident(data.result)) expect(data.largest).toBeLessThan(1024);
    // With x and dy resident, the filter derivative copies nothing large on this thread (at most a plain df out).
    if (resident(x) && resident(dy)) expect(filter.largest).toBeLessThanOrEqual(resident(filter.result) ? 1023 : filter.result.size);
    const [y, dx, df] = outputs.map((t) => Float32Array.from(be.readSync(t)));
    return { y: y!, dx: dx!, df: df! };
  } finally {
    be.dispose();
  }
}

/** Index of the first element whose bits differ, or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

function expectSameBits(got: { y: Float32Array; dx: Float32Array; df: Float32Array }, want: { y: Float32Array; dx: Float32Array; df: Float32Array }, what: string): void {
  expect({ y: firstDifference(got.y, want.y), dx: firstDifference(got.dx, want.dx), df: firstDifference(got.df, want.df) }, what).toEqual({ y: -1, dx: -1, df: -1 });
}

describe('Winograd on module-resident tensors', () => {
  it('carries the transformed filters along when the arena moves between the filter transform and the passes (copy path)', async () => {
    // The forward's passes ask for more than any earlier call here (x and y of 4 images: 1.3 M floats, over the 1 MiB arena).
    const s: Case = { name: 'arena', n: 4, h: 32, w: 32, c: 40, k: 40, r: 3, groups: 1, pad: [1, 1, 1, 1] };
    expect(winogradApplies(sizesOf(s), 4)).toBe(true);
    const d = data(s, 3);
    const inst = gemmInstance()!;
    const before = inst.heap;
    const moved = await convs(s, d, 4, 1, PLAIN);
    expect(inst.heap).not.toBe(before);
    // Again, the arena now large enough: no move, the same bits.
    const bytes = inst.arenaBytes;
    const again = await convs(s, d, 4, 1, PLAIN);
    expect(inst.arenaBytes).toBe(bytes);
    expectSameBits(moved, again, 'moved arena');
    expectSameBits(await convs(s, d, 4, 2, RESIDENT), moved, 'resident, 2 threads');
  });

  for (const s of CASES) {
    for (const tile of [2, 4] as const) {
      it(`F(${tile}×${tile}, ${s.r}×${s.r}): forward, data and filter derivatives give the copy path's bits at 1, 2 and 3 threads, resident and mixed (${s.name})`, async () => {
        expect(winogradApplies(sizesOf(s), tile)).toBe(true);
        const d = data(s, 17 + s.n + tile);
        const want = await convs(s, d, tile, 1, PLAIN);
        // Not an all-zero or all-NaN answer.
        expect(want.df.some((v) => v !== 0 && Number.isFinite(v))).toBe(true);
        if (s.specials) expect(want.y.some(Number.isNaN)).toBe(true);
        for (const threads of [1, 2, 3]) expectSameBits(await convs(s, d, tile, threads, RESIDENT), want, `resident, ${threads} threads`);
        expectSameBits(await convs(s, d, tile, 3, PLAIN), want, 'plain, 3 threads');
        expectSameBits(await convs(s, d, tile, 2, MIXED[0]!), want, `${MIXED[0]!.name}, 2 threads`);
        expectSameBits(await convs(s, d, tile, 3, MIXED[1]!), want, `${MIXED[1]!.name}, 3 threads`);
      });
    }
  }
});
