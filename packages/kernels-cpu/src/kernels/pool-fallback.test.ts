import { type PoolAttrs, Rng } from '@convnet-ts/tensor';
import { describe, expect, it, vi } from 'vitest';
import { createCpuBackend } from '../index.js';
import { maxPoolWasm } from '../pool-wasm.js';

// Without WebAssembly SIMD, float32 max pooling runs the branch-free loops of pool.ts (integer keys of the bits).
vi.mock('../pool-wasm.js', () => ({ maxPoolWasm: () => false, maxPoolBackwardWasm: () => false, avgPoolWasm: () => false, avgPoolBackwardWasm: () => false }));

const bits = (v: ArrayLike<number>) => Array.from(v, (e) => (Object.is(e, -0) ? '-0' : String(e)));

describe('float32 max pooling without WebAssembly SIMD', () => {
  it('gives the float64 loops\' values on NaN, ±∞, ±0 and ties', () => {
    expect(maxPoolWasm({ n: 1, h: 1, w: 1, c: 1, ho: 1, wo: 1, attrs: { method: 'max', poolSize: [1, 1], pad: [0, 0, 0, 0], stride: [1, 1] } }, new Float32Array(1), new Float32Array(1))).toBe(false);
    const f32 = createCpuBackend({ dtype: 'float32', threads: 1 });
    const f64 = createCpuBackend({ dtype: 'float64', threads: 1 });
    const special = [Number.NaN, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 0, -0, 1, 1, -2.5];
    const rng = new Rng(3);
    const shape = [2, 5, 6, 3];
    // Mostly −∞, so that some windows hold nothing else.
    const xs = Array.from(rng.rand(180), (u) => (u < 0.5 ? Number.NEGATIVE_INFINITY : special[Math.floor(u * 18) - 9]!));
    const a: PoolAttrs = { method: 'max', poolSize: [2, 3], pad: [1, 0, 1, 1], stride: [2, 2] };
    const results = [f32, f64].map((be) => {
      const x = be.tensor(xs, shape);
      const y = be.run('Pool', { x }, a);
      const dy = be.tensor(Array.from({ length: y.size }, (_, i) => i + 1), y.shape);
      return { y: bits(y.dataSync()), dx: bits(be.run('PoolBackward', { x, dy }, a).dataSync()) };
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[1]!.y).toContain('NaN');
    expect(results[1]!.y).toContain('-Infinity');
    // Every output's derivative lands somewhere: Σ dzdx = Σ dzdy.
    const total = results[1]!.dx.reduce((s, v) => s + Number(v), 0);
    expect(total).toBe((results[1]!.y.length * (results[1]!.y.length + 1)) / 2);
    f32.dispose();
    f64.dispose();
  });
});
