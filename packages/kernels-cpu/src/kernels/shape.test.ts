import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';

const cpu = createCpuBackend({ dtype: 'float64' });
const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('shape kernels', () => {
  it('Reshape keeps the values and shares memory when contiguous', () => {
    const x = cpu.tensor(iota(6), [2, 3]);
    const y = x.reshape([3, 2]);
    expect(y.shape).toEqual([3, 2]);
    expect(Array.from(y.dataSync())).toEqual(iota(6));
    expect(cpu.ndarray(y).data).toBe(cpu.ndarray(x).data);
  });

  it('Slice is a view without a copy and reads back the sub-block', () => {
    const x = cpu.tensor(iota(24), [2, 3, 4]);
    const s = cpu.run('Slice', { x }, { begin: [1, 1, 2], size: [1, 2, 2] });
    expect(s.shape).toEqual([1, 2, 2]);
    expect(cpu.ndarray(s).data).toBe(cpu.ndarray(x).data);
    expect(Array.from(s.dataSync())).toEqual([18, 19, 22, 23]);
    // A reshape of a non-contiguous view copies.
    expect(Array.from(s.reshape([4]).dataSync())).toEqual([18, 19, 22, 23]);
  });

  it('PadZeros surrounds the values with zeros', () => {
    const x = cpu.tensor([1, 2, 3, 4], [2, 2]);
    const y = cpu.run('PadZeros', { x }, { before: [1, 0], after: [0, 1] });
    expect(y.shape).toEqual([3, 3]);
    expect(Array.from(y.dataSync())).toEqual([0, 0, 0, 1, 2, 0, 3, 4, 0]);
  });

  it('Concat joins along any axis', () => {
    const a = cpu.tensor([1, 2, 3, 4], [2, 2]);
    const b = cpu.tensor([5, 6], [2, 1]);
    expect(Array.from(cpu.run('Concat', { xs: [a, b] }, { axis: 1 }).dataSync())).toEqual([1, 2, 5, 3, 4, 6]);
    const c = cpu.tensor([7, 8], [1, 2]);
    const y = cpu.run('Concat', { xs: [a, c] }, { axis: 0 });
    expect(y.shape).toEqual([3, 2]);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 7, 8]);
  });
});
