import { Rng, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';
import { PARALLEL_MIN_FLOPS } from './parallel-sgemm.js';

const geometry = { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 } as const;

/** Conv, ConvBackwardData and ConvBackwardFilter (the kernels the conv block calls) of one seeded problem, on a backend with `threads`. */
function convAll(threads: number): Float32Array[] {
  const cpu = createCpuBackend({ threads });
  try {
    const rng = new Rng(8);
    const x = cpu.tensor(rng.randn(2 * 15 * 17 * 16), [2, 15, 17, 16]);
    const f = cpu.tensor(rng.randn(3 * 3 * 16 * 40), [3, 3, 16, 40]);
    const b = cpu.tensor(rng.randn(40), [40]);
    const y = cpu.run('Conv', { x, f, b }, geometry);
    const dy = cpu.tensor(rng.randn(y.size), y.shape);
    const dx = cpu.run('ConvBackwardData', { dy, f }, { ...geometry, xShape: x.shape });
    const df = cpu.run('ConvBackwardFilter', { x, dy }, { ...geometry, fShape: f.shape });
    return [y, dx, df].map((t: Tensor) => t.dataSync() as Float32Array);
  } finally {
    cpu.dispose();
  }
}

describe('convolution on 2 threads', () => {
  it('gives the single-threaded forward, data and filter derivatives', () => {
    const one = convAll(1);
    const two = convAll(2);
    // Per image, each of the three GEMMs is 255 pixels × 40 filters × 144 (3·3·16) deep: large enough to split.
    expect(2 * 255 * 40 * 144).toBeGreaterThanOrEqual(PARALLEL_MIN_FLOPS);
    expect(one.map((t) => t.length)).toEqual([2 * 15 * 17 * 40, 2 * 15 * 17 * 16, 3 * 3 * 16 * 40]);
    for (let i = 0; i < 3; i++) expect(two[i]).toEqual(one[i]);
  });

  it('reports its thread count and releases it on dispose', () => {
    const cpu = createCpuBackend({ threads: 2 });
    expect(cpu.threads).toBe(2);
    cpu.dispose();
    cpu.dispose();
    expect(createCpuBackend({ threads: 1 }).threads).toBe(1);
    expect(() => createCpuBackend({ threads: -2 })).toThrow('createCpuBackend: threads must be a positive integer, got -2');
  });
});
