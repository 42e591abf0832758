import { availableParallelism } from 'node:os';
import { OptionError, Rng, type Shape, sizeOf, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import type { WinogradOption } from './conv-winograd.js';
import { createCpuBackend } from './cpu-backend.js';
import { PARALLEL_MIN_FLOPS } from './parallel-sgemm.js';

const geometry = { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 } as const;

/**
 * Conv, ConvBackwardData and ConvBackwardFilter (the kernels the conv block
 * calls) of one seeded problem, on a backend with `threads`, and how many
 * GEMM calls the workers ran meanwhile.
 */
async function convAll(threads: number, xShape: Shape = [2, 15, 17, 16], k = 40, winograd: WinogradOption = true): Promise<{ values: Float32Array[]; workerCalls: number }> {
  const cpu = createCpuBackend({ threads, winograd });
  try {
    await cpu.ready();
    const before = cpu.workerCalls;
    const rng = new Rng(8);
    const x = cpu.tensor(rng.randn(sizeOf(xShape)), xShape);
    const f = cpu.tensor(rng.randn(3 * 3 * xShape[3]! * k), [3, 3, xShape[3]!, k]);
    const b = cpu.tensor(rng.randn(k), [k]);
    const y = cpu.run('Conv', { x, f, b }, geometry);
    const dy = cpu.tensor(rng.randn(y.size), y.shape);
    const dx = cpu.run('ConvBackwardData', { dy, f }, { ...geometry, xShape: x.shape });
    const df = cpu.run('ConvBackwardFilter', { x, dy }, { ...geometry, fShape: f.shape });
    const values = [y, dx, df].map((t: Tensor) => t.dataSync() as Float32Array);
    return { values, workerCalls: cpu.workerCalls - before };
  } finally {
    cpu.dispose();
  }
}

/** The first index where `a` and `b` differ (as bit patterns of their values), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('convolution with Winograd F(2×2, 3×3) on 2 and 3 threads', () => {
  it('gives the single-threaded forward and derivatives, with at least and fewer images than threads', async () => {
    for (const shape of [
      [2, 15, 17, 16],
      [1, 15, 17, 16],
    ] as Shape[]) {
      const { values: one } = await convAll(1, shape);
      for (const threads of [2, 3]) {
        const { values } = await convAll(threads, shape);
        for (let i = 0; i < 3; i++) expect(firstDifference(values[i]!, one[i]!)).toBe(-1);
      }
    }
  });
});

describe('convolution with Winograd F(4×4) on a large batch', () => {
  it('gives the single-threaded values on 2 threads, within rounding of the direct path', async () => {
    // 25 images of 64×64×16 → 16 filters: uneven image shares; the filter derivative takes several passes.
    const { values: one } = await convAll(1, [25, 64, 64, 16], 16);
    const { values: two } = await convAll(2, [25, 64, 64, 16], 16);
    for (let i = 0; i < 3; i++) expect(firstDifference(two[i]!, one[i]!)).toBe(-1);
    const { values: direct } = await convAll(1, [25, 64, 64, 16], 16, false);
    for (let i = 0; i < 2; i++) {
      let err = 0;
      let scale = 0;
      for (let j = 0; j < direct[i]!.length; j++) {
        err = Math.max(err, Math.abs(one[i]![j]! - direct[i]![j]!));
        scale = Math.max(scale, Math.abs(direct[i]![j]!));
      }
      expect(err / scale).toBeLessThan(1e-6 * Math.sqrt(9 * 16));
    }
  }, 120_000);
});

describe('convolution on 2 threads (the direct im2row path)', () => {
  it('gives the single-threaded forward, data and filter derivatives, with the worker doing its share', async () => {
    const { values: one, workerCalls: none } = await convAll(1, undefined, undefined, false);
    const { values: two, workerCalls } = await convAll(2, undefined, undefined, false);
    expect(none).toBe(0);
    // The worker runs one image's forward (φ and product) and data derivative (product and row2im), and builds one
    // image's φ for the filter derivative, whose two products (one per image) are split, a half of each for it in
    // one list.
    expect(workerCalls).toBe(1 + 1 + 1 + 1);
    // Per image, each of the three GEMMs is 255 pixels × 40 filters × 144 (3·3·16) deep: large enough to split.
    expect(2 * 255 * 40 * 144).toBeGreaterThanOrEqual(PARALLEL_MIN_FLOPS);
    expect(one.map((t) => t.length)).toEqual([2 * 15 * 17 * 40, 2 * 15 * 17 * 16, 3 * 3 * 16 * 40]);
    for (let i = 0; i < 3; i++) expect(firstDifference(two[i]!, one[i]!)).toBe(-1);
  });

  it('gives the single-threaded values with fewer images than threads (each product split instead)', async () => {
    const { values: one } = await convAll(1, [1, 15, 17, 16], undefined, false);
    const { values: three, workerCalls } = await convAll(3, [1, 15, 17, 16], undefined, false);
    expect(workerCalls).toBe(3 * 2);
    for (let i = 0; i < 3; i++) expect(firstDifference(three[i]!, one[i]!)).toBe(-1);
  });

  it('gives the single-threaded values over several passes of a large batch, with uneven shares', async () => {
    // 64×64×16 images: about 0.7 M floats each with φ, so the filter derivative takes 2 images per thread a pass
    // (7 passes, the last with one image).
    const { values: one } = await convAll(1, [25, 64, 64, 16], 16, false);
    const { values: two, workerCalls } = await convAll(2, [25, 64, 64, 16], 16, false);
    expect(workerCalls).toBeGreaterThan(2);
    for (let i = 0; i < 3; i++) expect(firstDifference(two[i]!, one[i]!)).toBe(-1);
  });

  it('reports its thread count, is ready once its worker runs, and releases it on dispose', async () => {
    const cpu2 = createCpuBackend({ threads: 2 });
    await expect(cpu2.ready(5000)).resolves.toBeUndefined();
    cpu2.dispose();
    const cpu = createCpuBackend({ threads: 2 });
    expect(cpu.threads).toBe(2);
    cpu.dispose();
    cpu.dispose();
    expect(createCpuBackend({ threads: 1 }).threads).toBe(1);
    await expect(createCpuBackend({ threads: 1 }).ready()).resolves.toBeUndefined();
    await expect(cpu.ready()).rejects.toThrow('cpu: a live backend expected, got one disposed');
    expect(() => createCpuBackend({ threads: -2 })).toThrow('createCpuBackend: threads must be a positive integer, got -2');
  });

  it('threads beyond 4 per core (at most 64), strings and unknown options are OptionErrors', () => {
    const limit = Math.min(64, 4 * availableParallelism());
    expect(() => createCpuBackend({ threads: limit + 1 })).toThrow(OptionError);
    expect(() => createCpuBackend({ threads: 256 })).toThrow(`createCpuBackend: threads must be at most ${limit} (4 per core, at most 64), got 256`);
    expect(() => createCpuBackend({ threads: '2' as unknown as number })).toThrow("createCpuBackend: threads must be a positive integer, got '2'");
    expect(() => createCpuBackend({ dtype: 'x' as 'float32' })).toThrow("createCpuBackend: expected 'float32' or 'float64', got 'x'");
    expect(() => createCpuBackend('x' as never)).toThrow("createCpuBackend: expected an options object, got 'x'");
    expect(() => createCpuBackend({ thread: 2 } as never)).toThrow(OptionError);
  });
});
