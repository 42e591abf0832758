import { describe, expect, it } from 'vitest';
import { testBackend } from '../test-device.js';
import { reduceThreads, useReduceTree } from './reduce-tree.js';

/** Deterministic values in [−1, 1) (a 32-bit LCG). */
function values(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Σ over `axes` in float64, and Σ|·| as the error scale. */
function reference(x: Float32Array, shape: readonly number[], axes: readonly number[]) {
  const out = shape.map((d, k) => (axes.includes(k) ? 1 : d));
  const size = out.reduce((a, b) => a * b, 1);
  const sum = new Float64Array(size);
  const abs = new Float64Array(size);
  for (let e = 0; e < x.length; e++) {
    let rem = e;
    let o = 0;
    let stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const c = rem % shape[d]!;
      rem = Math.floor(rem / shape[d]!);
      if (!axes.includes(d)) o += c * stride;
      stride *= out[d]!;
    }
    sum[o]! += x[e]!;
    abs[o]! += Math.abs(x[e]!);
  }
  return { out, sum, abs };
}

describe('ReduceSum as a tree in workgroup memory', () => {
  it('picks a power-of-two workgroup within the limits, and the tree only for long reductions into few outputs', () => {
    expect(reduceThreads({ maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupStorageSize: 16384 })).toBe(256);
    expect(reduceThreads({ maxComputeInvocationsPerWorkgroup: 200, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupStorageSize: 16384 })).toBe(128);
    expect(reduceThreads({ maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupStorageSize: 256 })).toBe(64);
    expect(useReduceTree(57600, 20, 256)).toBe(true);
    expect(useReduceTree(255, 20, 256)).toBe(false);
    expect(useReduceTree(1000, 2 ** 16, 256)).toBe(false);
  });

  it('matches the float64 sum: bias-derivative axes, a middle axis, all axes, counts not a multiple of the workgroup', async () => {
    const gpu = await testBackend();
    const threads = reduceThreads(gpu.device.limits);
    const cases: [number[], number[]][] = [
      [[3, 17, 19, 5], [0, 1, 2]],
      [[2, 301, 3], [1]],
      [[3, 17, 19, 5], [0, 1, 2, 3]],
      [[1000], [0]],
      [[7, 4, 90], [0, 2]],
    ];
    let worst = 0;
    for (const [index, [shape, axes]] of cases.entries()) {
      const xv = values(shape.reduce((a, b) => a * b, 1), 3 + index);
      const { out, sum, abs } = reference(xv, shape, axes);
      expect(useReduceTree(xv.length / sum.length, sum.length, threads)).toBe(true);
      const y = gpu.run('ReduceSum', { x: gpu.tensor(xv, shape) }, { axes });
      expect(y.shape).toEqual(out);
      const got = await y.data();
      for (let o = 0; o < sum.length; o++) worst = Math.max(worst, Math.abs(got[o]! - sum[o]!) / abs[o]!);
    }
    if (process.env.REDUCE_TREE_REPORT) console.log(`worst relative error ${worst}`);
    // Relative to Σ|x|: a pairwise tree over ≤ 256 partial sums of ≤ 20 terms each.
    expect(worst).toBeLessThan(2 ** -24 * 40);
  });
});
