import { Rng, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';
import { PARALLEL_MIN_FLOPS } from './parallel-sgemm.js';

const geometry = { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 } as const;

/**
 * Conv, ConvBackwardData and ConvBackwardFilter (the kernels the conv block
 * calls) of one seeded problem, on a backend with `threads`, and how many
 * GEMM calls the workers ran meanwhile.
 */
async function convAll(threads: number): Promise<{ values: Float32Array[]; workerCalls: number }> {
  const cpu = createCpuBackend({ threads });
  try {
    await cpu.ready();
    const before = cpu.workerCalls;
    const rng = new Rng(8);
    const x = cpu.tensor(rng.randn(2 * 15 * 17 * 16), [2, 15, 17, 16]);
    const f = cpu.tensor(rng.randn(3 * 3 * 16 * 40), [3, 3, 16, 40]);
    const b = cpu.tensor(rng.randn(40), [40]);
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

describe('convolution on 2 threads', () => {
  it('gives the single-threaded forward, data and filter derivatives, with the worker doing its share', async () => {
    const { values: one, workerCalls: none } = await convAll(1);
    const { values: two, workerCalls } = await convAll(2);
    expect(none).toBe(0);
    // Three GEMMs per image, two images: the worker runs one half of each.
    expect(workerCalls).toBe(6);
    // Per image, each of the three GEMMs is 255 pixels × 40 filters × 144 (3·3·16) deep: large enough to split.
    expect(2 * 255 * 40 * 144).toBeGreaterThanOrEqual(PARALLEL_MIN_FLOPS);
    expect(one.map((t) => t.length)).toEqual([2 * 15 * 17 * 40, 2 * 15 * 17 * 16, 3 * 3 * 16 * 40]);
    for (let i = 0; i < 3; i++) expect(two[i]).toEqual(one[i]);
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
});
