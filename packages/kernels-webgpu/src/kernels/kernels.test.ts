import { hashUniform } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { testBackend } from '../test-device.js';

// Every kernel is compared with the float64 CPU reference by packages/testing's
// conformance suite; these cases pin down what that suite's inputs cannot.
describe('webgpu kernels', () => {
  it('DropoutMask draws exactly the CPU mask, including rates between float32 neighbours', async () => {
    const gpu = await testBackend();
    for (const [rate, seed] of [
      [0.3, 42],
      [0.5, -7],
      [1 / 3, 2 ** 31 + 5],
    ] as const) {
      const mask = await gpu.run('DropoutMask', {}, { shape: [4, 1000], rate, seed }).data();
      const keep = Math.fround(1 / (1 - rate));
      const expected = Float32Array.from({ length: 4000 }, (_, i) => (hashUniform(seed, i) >= rate ? keep : 0));
      expect(mask).toEqual(expected);
    }
  });

  it('PoolBackward max routes a tie to the first maximum in column-major order', async () => {
    const gpu = await testBackend();
    // [[1, 3], [3, 0]]: column-major order visits (0,0), (1,0), (0,1), (1,1): the first 3 is (1,0).
    const x = gpu.tensor([1, 3, 3, 0], [1, 2, 2, 1]);
    const dy = gpu.tensor([5], [1, 1, 1, 1]);
    const attrs = { method: 'max', poolSize: [2, 2], pad: [0, 0, 0, 0], stride: [1, 1] } as const;
    expect(Array.from(await gpu.run('PoolBackward', { x, dy }, attrs).data())).toEqual([0, 0, 5, 0]);
  });

  it('Slice views at unaligned offsets feed kernels correctly', async () => {
    const gpu = await testBackend();
    const x = gpu.tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    const a = gpu.run('Slice', { x }, { begin: [1, 0], size: [1, 2] });
    const b = gpu.run('Slice', { x }, { begin: [2, 0], size: [1, 2] });
    expect(Array.from(await gpu.run('Binary', { a, b }, { op: 'mul' }).data())).toEqual([15, 24]);
  });

  it('Unary pow keeps real results for negative bases and integer exponents', async () => {
    const gpu = await testBackend();
    const x = gpu.tensor([-2, -0.5, 0, 3], [4]);
    expect(Array.from(await gpu.run('Unary', { x }, { op: 'pow', alpha: 3 }).data())).toEqual([-8, -0.125, 0, 27]);
    const half = await gpu.run('Unary', { x }, { op: 'pow', alpha: 0.5 }).data();
    expect(Number.isNaN(half[0])).toBe(true);
    expect(half[3]).toBeCloseTo(Math.sqrt(3), 6);
  });

  it('ReduceSum over the first and last axes of a rank-3 tensor', async () => {
    const gpu = await testBackend();
    const x = gpu.tensor(Array.from({ length: 12 }, (_, i) => i), [2, 3, 2]);
    const y = gpu.run('ReduceSum', { x }, { axes: [0, 2] });
    expect(y.shape).toEqual([1, 3, 1]);
    // Σ over n and c of x[n, h, c] = Σ (6n + 2h + c): h=0 → 0+1+6+7
    expect(Array.from(await y.data())).toEqual([14, 22, 30]);
  });
});
