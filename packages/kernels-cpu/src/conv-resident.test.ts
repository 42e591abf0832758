import { Rng, type Shape, sizeOf, type Tensor } from '@convnet-ts/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { setDirectConv } from './conv-direct.js';
import { type ForwardPass, forwardPasses, inPlaceAt, setChunkFloats } from './conv-tasks.js';
import type { WinogradOption } from './conv-winograd.js';
import { createCpuBackend } from './cpu-backend.js';
import { freeModuleArray, isModuleArray, moduleFloat32, residentOffset, setModuleArrayBudget } from './module-arrays.js';
import { gemmInstance } from './wasm-instance.js';

/**
 * The float32 convolutions on module-resident tensors (module-arrays.ts),
 * read and written in place, against the same kernels on plain arrays
 * (`setModuleArrayBudget(0)`: copied through the arena), bit for bit, at 1,
 * 2 and 3 threads: every path that takes its operands in place (im2row +
 * GEMM forward, data and filter derivatives; the direct phase-plane and
 * implicit-GEMM forwards and the direct filter derivative; Winograd's
 * forward and data derivative through `forwardPasses`), with one operand
 * resident and the other not, NaN and ±∞ in the data, fewer images than
 * threads, groups, and many passes (`setChunkFloats`).
 */

afterEach(() => {
  setModuleArrayBudget();
  setDirectConv(true);
  setChunkFloats();
});

/** The backend's threshold for arrays in the module's memory (cpu-backend.ts's RESIDENT_MIN_ELEMENTS). */
const RESIDENT_MIN_ELEMENTS = 2 ** 14;

const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1e-45, -3.4e38];

/** Seeded N(0, 1) values with the specials sprinkled sparsely (where `special`). */
function values(rng: Rng, count: number, special = true): Float32Array {
  const v = Float32Array.from(rng.randn(count));
  if (special) for (let i = 0; i < specials.length * 3; i++) v[(i * 7919 + 13) % count] = specials[i % specials.length]!;
  return v;
}

type Pad = readonly [number, number, number, number];

interface Case {
  name: string;
  x: Shape;
  f: Shape;
  pad: Pad;
  stride: readonly [number, number];
  groups: number;
  winograd: WinogradOption;
  /** The direct path for C ≤ 4 on (else im2row + GEMM). */
  direct: boolean;
  /** Floats a pass holds (`setChunkFloats`); undefined: the default. */
  chunk?: number;
}

const base = { pad: [1, 1, 1, 1], stride: [1, 1], groups: 1, winograd: false, direct: true } as const;

const cases: Case[] = [
  { ...base, name: 'im2row + GEMM, 2 groups', x: [3, 22, 24, 12], f: [3, 3, 6, 16], groups: 2 },
  { ...base, name: 'im2row + GEMM, stride [2, 1], asymmetric pad, many passes', x: [5, 31, 29, 10], f: [4, 3, 10, 9], pad: [1, 2, 0, 1], stride: [2, 1], chunk: 2 ** 12 },
  { ...base, name: 'im2row + GEMM, one image (fewer than threads), 2 groups', x: [1, 40, 44, 10], f: [3, 3, 5, 12], groups: 2 },
  { ...base, name: 'im2row + GEMM filter derivative over several passes of φ', x: [9, 36, 36, 16], f: [5, 5, 16, 12], pad: [2, 2, 2, 2], chunk: 2 ** 19 },
  { ...base, name: 'phase planes, 5×5×1×20 (K not a multiple of 8)', x: [30, 28, 28, 1], f: [5, 5, 1, 20], pad: [0, 0, 0, 0] },
  { ...base, name: 'phase planes, 2 images (fewer than 3 threads), x too small to be resident', x: [2, 28, 28, 1], f: [5, 5, 1, 20], pad: [0, 0, 0, 0] },
  { ...base, name: 'phase planes, many passes', x: [7, 30, 32, 1], f: [3, 3, 1, 12], chunk: 2 ** 12 },
  { ...base, name: 'implicit GEMM, 3×3×3×16', x: [3, 44, 44, 3], f: [3, 3, 3, 16] },
  { ...base, name: 'implicit GEMM, 11×11×3×10 stride 4 (L = 363 > KC), several passes', x: [5, 47, 45, 3], f: [11, 11, 3, 10], pad: [2, 2, 2, 2], stride: [4, 4], chunk: 2 ** 13 },
  { ...base, name: 'Winograd F(4×4, 3×3), odd C and K', x: [3, 24, 26, 9], f: [3, 3, 9, 10], winograd: true },
  { ...base, name: 'Winograd F(2×2, 3×3), 2 groups, many passes', x: [4, 20, 20, 16], f: [3, 3, 8, 12], groups: 2, winograd: 2, chunk: 2 ** 12 },
  { ...base, name: 'Winograd F(4×4, 5×5), one image', x: [1, 32, 34, 16], f: [5, 5, 16, 16], pad: [2, 2, 2, 2], winograd: true },
];

/** Which operands are resident: the inputs (x, f, b, dy: made under the default budget) and the outputs (y, dx, df: computed under it). */
interface Residency {
  inputs: boolean;
  outputs: boolean;
}

const residencies: Residency[] = [
  { inputs: true, outputs: true },
  { inputs: false, outputs: true },
  { inputs: true, outputs: false },
  { inputs: false, outputs: false },
];

function outShape(c: Case): Shape {
  const [n, h, w] = c.x as [number, number, number, number];
  const [hf, wf, , k] = c.f as [number, number, number, number];
  const ho = Math.floor((h + c.pad[0] + c.pad[1] - hf) / c.stride[0]) + 1;
  const wo = Math.floor((w + c.pad[2] + c.pad[3] - wf) / c.stride[1]) + 1;
  return [n, ho, wo, k];
}

interface Result {
  /** y with the bias, y without, dx, df. */
  values: Float32Array[];
  /** Whether x, dy, y and dx were resident arrays. */
  resident: boolean[];
}

/** The forward (with and without a bias) and both derivatives of case `c` at `threads`, the operands resident as `r` says. */
async function run(c: Case, threads: number, r: Residency): Promise<Result> {
  const cpu = createCpuBackend({ threads, winograd: c.winograd });
  setDirectConv(c.direct);
  if (c.chunk !== undefined) setChunkFloats(c.chunk);
  try {
    await cpu.ready();
    const rng = new Rng(21);
    const k = c.f[3]!;
    setModuleArrayBudget(r.inputs ? undefined : 0);
    const x = cpu.tensor(values(rng, sizeOf(c.x)), c.x);
    const f = cpu.tensor(values(rng, sizeOf(c.f), false), c.f);
    const b = cpu.tensor(values(rng, k, false), [k]);
    const dy = cpu.tensor(values(rng, sizeOf(outShape(c))), outShape(c));
    setModuleArrayBudget(r.outputs ? undefined : 0);
    const geometry = { pad: c.pad, stride: c.stride, dilate: [1, 1], groups: c.groups } as const;
    const y = cpu.run('Conv', { x, f, b }, geometry);
    const y0 = cpu.run('Conv', { x, f, b: null }, geometry);
    const dx = cpu.run('ConvBackwardData', { dy, f }, { ...geometry, xShape: c.x });
    const df = cpu.run('ConvBackwardFilter', { x, dy }, { ...geometry, fShape: c.f });
    setModuleArrayBudget();
    const resident = [x, dy, y, dx].map((t: Tensor) => isModuleArray(cpu.view(t).data));
    return { values: [y, y0, dx, df].map((t) => t.dataSync() as Float32Array), resident };
  } finally {
    setModuleArrayBudget();
    setChunkFloats();
    setDirectConv(true);
    cpu.dispose();
  }
}

/** The first index where `a` and `b` differ (NaN equal to NaN), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('float32 convolutions on module-resident tensors', () => {
  for (const c of cases) {
    it(`give the copy path's bits at 1, 2 and 3 threads, resident or not: ${c.name}`, async () => {
      const reference = await run(c, 1, { inputs: false, outputs: false });
      expect(reference.resident).toEqual([false, false, false, false]);
      // Specials reach the outputs (some NaN and ±∞ there), and the values are not all special.
      expect(reference.values[0]!.some((v) => Number.isNaN(v))).toBe(true);
      expect(reference.values[0]!.some((v) => Number.isFinite(v) && v !== 0)).toBe(true);
      for (const threads of [1, 2, 3]) {
        for (const r of residencies) {
          const { values: got, resident } = await run(c, threads, r);
          // Tensors of at least RESIDENT_MIN_ELEMENTS elements are resident where their budget allows.
          const sizes = [sizeOf(c.x), sizeOf(outShape(c)), sizeOf(outShape(c)), sizeOf(c.x)];
          const expected = sizes.map((s, i) => s >= RESIDENT_MIN_ELEMENTS && (i < 2 ? r.inputs : r.outputs));
          expect(resident).toEqual(expected);
          for (let i = 0; i < got.length; i++) {
            const at = firstDifference(got[i]!, reference.values[i]!);
            expect({ threads, r, output: i, at, got: got[i]![at], want: reference.values[i]![at] }).toEqual({ threads, r, output: i, at: -1, got: undefined, want: undefined });
          }
        }
      }
    }, 120_000);
  }
});

describe('forwardPasses on resident tensors', () => {
  /** The passes `forwardPasses` runs for x and y at `threads`, and y afterwards (its kernel adds 1 to each element of the pass's y). */
  async function passes(threads: number, x: Float32Array, y: Float32Array, n: number, start: number | Float32Array): Promise<ForwardPass[]> {
    const cpu = createCpuBackend({ threads });
    try {
      await cpu.ready();
      const seen: ForwardPass[] = [];
      const imageSize = x.length / n;
      const ySize = y.length / n;
      const ok = forwardPasses(n, imageSize, ySize, new Float32Array(3), 5, x, start, y, (pass) => {
        seen.push({ ...pass });
        // x must be readable where the pass says: y_i ← y_i + x_i[0] (the first element of each image).
        for (let i = 0; i < pass.count; i++) {
          for (let e = 0; e < ySize; e++) pass.heap[pass.yAt + i * ySize + e]! += pass.heap[pass.xAt + i * imageSize]!;
        }
      });
      expect(ok).toBe(true);
      return seen;
    } finally {
      cpu.dispose();
    }
  }

  it('takes resident x and y in place, the whole batch in one pass, the start put in place', async () => {
    await createCpuBackend({ threads: 1 }).ready();
    const inst = gemmInstance()!;
    const n = 5;
    const imageSize = RESIDENT_MIN_ELEMENTS;
    const ySize = 2 * RESIDENT_MIN_ELEMENTS;
    // Passes of at most two images of x or one of y per thread where copied: several of them for 5 images.
    setChunkFloats(imageSize * 2);
    for (const threads of [1, 2, 3]) {
      for (const [xIn, yIn] of [
        [true, true],
        [true, false],
        [false, true],
        [false, false],
      ] as const) {
        for (const start of [0, 1, Float32Array.of(0.5, -2)]) {
          const x = (xIn ? moduleFloat32(n * imageSize) : null) ?? new Float32Array(n * imageSize);
          const y = (yIn ? moduleFloat32(n * ySize) : null) ?? new Float32Array(n * ySize);
          expect(residentOffset(inst, x) >= 0).toBe(xIn);
          expect(inPlaceAt(inst, y) >= 0).toBe(yIn);
          for (let i = 0; i < n; i++) x[i * imageSize] = i + 1;
          y.fill(7);
          const seen = await passes(threads, x, y, n, start);
          expect(seen.length === 1).toBe(xIn && yIn);
          let i0 = 0;
          for (const pass of seen) {
            expect(pass.i0).toBe(i0);
            if (xIn) expect(pass.xAt).toBe(residentOffset(inst, x) + i0 * imageSize);
            if (yIn) expect(pass.yAt).toBe(residentOffset(inst, y) + i0 * ySize);
            i0 += pass.count;
          }
          expect(i0).toBe(n);
          for (let i = 0; i < n; i++) {
            for (const e of [0, 1, ySize - 1]) {
              const startValue = start instanceof Float32Array ? start[e % 2]! : start === 0 ? 0 : 7;
              expect(y[i * ySize + e]).toBe(startValue + i + 1);
            }
          }
        }
      }
    }
  });

  it('copies an array it may not read past in place (a subarray, a plain array) through the arena', async () => {
    await createCpuBackend({ threads: 1 }).ready();
    const inst = gemmInstance()!;
    const a = moduleFloat32(RESIDENT_MIN_ELEMENTS)!;
    expect(inPlaceAt(inst, a)).toBe(residentOffset(inst, a));
    expect(inPlaceAt(inst, a.subarray(0, 16))).toBe(-1);
    expect(inPlaceAt(inst, new Float32Array(RESIDENT_MIN_ELEMENTS))).toBe(-1);
  });

  it('copies a resident array that ends at the end of the memory (kernels load a few floats past an operand)', async () => {
    await createCpuBackend({ threads: 1 }).ready();
    const inst = gemmInstance()!;
    // Fill every free block, so the next array grows the memory by exactly its own pages and ends where it ends.
    const fillers = inst.blocks.freeBlocks().map((b) => moduleFloat32(b.bytes / 4)!);
    try {
      expect(inst.blocks.freeBlocks()).toEqual([]);
      const page = 2 ** 16;
      const bytes = Math.ceil((inst.memory.buffer.byteLength / 8 + 1) / page) * page;
      const last = moduleFloat32(bytes / 4)!;
      fillers.push(last);
      expect(4 * (residentOffset(inst, last) + last.length)).toBe(inst.memory.buffer.byteLength);
      expect(residentOffset(inst, last)).toBeGreaterThanOrEqual(0);
      expect(inPlaceAt(inst, last)).toBe(-1);
      // With another block after it, it is used in place.
      fillers.push(moduleFloat32(RESIDENT_MIN_ELEMENTS)!);
      expect(inPlaceAt(inst, last)).toBe(residentOffset(inst, last));
    } finally {
      for (const a of fillers) freeModuleArray(a);
    }
  });
});
