import type { UnaryOp } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';

const cpu = createCpuBackend({ dtype: 'float64' });

describe('elementwise kernels', () => {
  it('Unary applies every op', () => {
    const x = cpu.tensor([-2, 0.5, 4], [3]);
    const run = (op: UnaryOp, alpha = 0) => Array.from(cpu.run('Unary', { x }, { op, alpha }).dataSync());
    expect(run('neg')).toEqual([2, -0.5, -4]);
    expect(run('abs')).toEqual([2, 0.5, 4]);
    expect(run('sign')).toEqual([-1, 1, 1]);
    expect(run('exp')).toEqual([Math.exp(-2), Math.exp(0.5), Math.exp(4)]);
    expect(run('square')).toEqual([4, 0.25, 16]);
    expect(run('recip')).toEqual([-0.5, 2, 0.25]);
    expect(run('pow', 2)).toEqual([4, 0.25, 16]);
    expect(run('scale', 3)).toEqual([-6, 1.5, 12]);
    expect(run('addScalar', 1)).toEqual([-1, 1.5, 5]);
    expect(run('maxScalar', 0)).toEqual([0, 0.5, 4]);
    const p = cpu.tensor([4, 0.25], [2]);
    expect(Array.from(cpu.run('Unary', { x: p }, { op: 'sqrt', alpha: 0 }).dataSync())).toEqual([2, 0.5]);
    expect(Array.from(cpu.run('Unary', { x: p }, { op: 'log', alpha: 0 }).dataSync())).toEqual([Math.log(4), Math.log(0.25)]);
  });

  it('Binary broadcasts like numpy', () => {
    const a = cpu.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const row = cpu.tensor([10, 20, 30], [3]);
    const col = cpu.tensor([100, 200], [2, 1]);
    const s = cpu.tensor([2], [1]);
    expect(Array.from(cpu.run('Binary', { a, b: row }, { op: 'add' }).dataSync())).toEqual([11, 22, 33, 14, 25, 36]);
    expect(Array.from(cpu.run('Binary', { a, b: col }, { op: 'mul' }).dataSync())).toEqual([100, 200, 300, 800, 1000, 1200]);
    expect(Array.from(cpu.run('Binary', { a, b: s }, { op: 'div' }).dataSync())).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
    expect(Array.from(cpu.run('Binary', { a: col, b: row }, { op: 'sub' }).dataSync())).toEqual([90, 80, 70, 190, 180, 170]);
    expect(Array.from(cpu.run('Binary', { a, b: a }, { op: 'max' }).dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(cpu.run('Binary', { a, b: s }, { op: 'min' }).dataSync())).toEqual([1, 2, 2, 2, 2, 2]);
  });

  it('Axpby, ReduceSum and BiasAdd', () => {
    const x = cpu.tensor([1, 2, 3, 4, 5, 6], [1, 2, 1, 3]);
    const y = cpu.tensor([1, 1, 1, 1, 1, 1], [1, 2, 1, 3]);
    expect(Array.from(cpu.run('Axpby', { x, y }, { alpha: 2, beta: -1 }).dataSync())).toEqual([1, 3, 5, 7, 9, 11]);
    const perChannel = cpu.run('ReduceSum', { x }, { axes: [0, 1, 2] });
    expect(perChannel.shape).toEqual([1, 1, 1, 3]);
    expect(Array.from(perChannel.dataSync())).toEqual([5, 7, 9]);
    const perRow = cpu.run('ReduceSum', { x }, { axes: [3] });
    expect(perRow.shape).toEqual([1, 2, 1, 1]);
    expect(Array.from(perRow.dataSync())).toEqual([6, 15]);
    const all = cpu.run('ReduceSum', { x }, { axes: [0, 1, 2, 3] });
    expect(Array.from(all.dataSync())).toEqual([21]);
    const b = cpu.tensor([10, 20, 30], [3]);
    expect(Array.from(cpu.run('BiasAdd', { x, b }, {}).dataSync())).toEqual([11, 22, 33, 14, 25, 36]);
  });
});

describe('Axpby on bad sizes', () => {
  it('refuses a y with another number of values than x (nothing broadcast)', () => {
    expect(() => cpu.run('Axpby', { x: cpu.zeros([4]), y: cpu.zeros([1]) }, { alpha: 1, beta: 1 })).toThrow('Axpby: y of 4 values (as x) expected, got 1');
  });
});
