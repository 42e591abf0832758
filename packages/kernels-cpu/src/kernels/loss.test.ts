import type { LossAttrs, LossType, Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type CpuBackend, createCpuBackend } from '../cpu-backend.js';

const backends: [string, CpuBackend, number][] = [
  ['float64', createCpuBackend({ dtype: 'float64' }), 1e-12],
  ['float32', createCpuBackend({ dtype: 'float32' }), 1e-6],
];

const attrs = (loss: LossType, more: Partial<LossAttrs> = {}): LossAttrs => ({ loss, topK: 5, threshold: 0, normalise: true, ...more });

function close(actual: ArrayLike<number>, expected: readonly number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    if (!(Math.abs(actual[i]! - e) <= tol * (1 + Math.abs(e)))) throw new Error(`element ${i}: got ${actual[i]}, expected ${e}`);
  }
}

describe.each(backends)('Loss / LossBackward kernels (%s)', (_, cpu, tol) => {
  // N = 2, H = 1, W = 2, C = 2: four pixels.
  const x = cpu.tensor([0.5, -1, 2, 1, -0.5, 0.25, 0.75, 0.5], [2, 1, 2, 2]);
  const labels = cpu.tensor([1, 2, 0, 1], [2, 1, 2, 1]);
  const dzdy = cpu.tensor([2], [1]);
  const run = (loss: LossType, l: Tensor = labels, w: Tensor | null = null, more: Partial<LossAttrs> = {}) => ({
    y: cpu.run('Loss', { x, labels: l, weights: w }, attrs(loss, more)),
    dx: cpu.run('LossBackward', { x, labels: l, weights: w, dzdy }, attrs(loss, more)).dataSync(),
  });

  it('softmaxlog: (1/N) Σ logsumexp − x_c; dx = p/N (softmax − onehot)', () => {
    const l = (a: number, b: number, c: 0 | 1) => Math.log(Math.exp(a) + Math.exp(b)) - (c === 0 ? a : b);
    const s = (a: number, b: number) => 1 / (1 + Math.exp(b - a));
    const { y, dx } = run('softmaxlog');
    expect(y.shape).toEqual([1]);
    close(y.dataSync(), [(l(0.5, -1, 0) + l(2, 1, 1) + l(0.75, 0.5, 0)) / 2], tol);
    close(dx, [s(0.5, -1) - 1, 1 - s(0.5, -1), s(2, 1), -s(2, 1), 0, 0, s(0.75, 0.5) - 1, 1 - s(0.75, 0.5)], tol);
  });

  it('mhinge and mshinge', () => {
    const h = run('mhinge');
    close(h.y.dataSync(), [(0.5 + 0 + 0.25) / 2], tol);
    close(h.dx, [-1, 0, 0, 0, 0, 0, -1, 0], tol);
    const s = run('mshinge');
    // 1 − 0.5 − 1 = −0.5 → 0; 1 − 1 + 2 = 2; 1 − 0.75 + 0.5 = 0.75.
    close(s.y.dataSync(), [(2 + 0.75) / 2], tol);
    close(s.dx, [0, 0, 1, -1, 0, 0, -1, 1], tol);
  });

  it('classerror, topkerror and their zero derivatives', () => {
    const e = run('classerror');
    close(e.y.dataSync(), [0.5], tol);
    close(e.dx, [0, 0, 0, 0, 0, 0, 0, 0], 0);
    close(run('topkerror', labels, null, { topK: 1 }).y.dataSync(), [0.5], tol);
    close(run('topkerror', labels, null, { topK: 2 }).y.dataSync(), [0], tol);
  });

  it('weights multiply, weight 0 skips, normalise: false keeps the sum', () => {
    const w = cpu.tensor([3, 0, 5, 1], [2, 1, 2, 1]);
    const { y, dx } = run('mhinge', labels, w, { normalise: false });
    close(y.dataSync(), [3 * 0.5 + 0.25], tol);
    close(dx, [-6, 0, 0, 0, 0, 0, -2, 0], tol);
  });

  it('attribute losses take one ±1 label per element', () => {
    const c = cpu.tensor([1, -1, -1, 0, 1, 1, -1, 1], [2, 1, 2, 2]);
    const xs = [0.5, -1, 2, 1, -0.5, 0.25, 0.75, 0.5];
    const cs = [1, -1, -1, 0, 1, 1, -1, 1];
    const hinge = run('hinge', c);
    close(hinge.y.dataSync(), [(0.5 + 0 + 3 + 0 + 1.5 + 0.75 + 1.75 + 0.5) / 2], tol);
    close(hinge.dx, cs.map((ci, i) => (ci !== 0 && ci * xs[i]! < 1 ? -ci : 0)), tol);
    const logistic = run('logistic', c);
    close(logistic.y.dataSync(), [cs.reduce((s, ci, i) => s + (ci === 0 ? 0 : Math.log1p(Math.exp(-ci * xs[i]!))), 0) / 2], tol);
    close(logistic.dx, cs.map((ci, i) => (ci === 0 ? 0 : -ci / (1 + Math.exp(ci * xs[i]!)))), tol);
    close(run('binaryerror', c).y.dataSync(), [(0 + 0 + 1 + 0 + 1 + 0 + 1 + 0) / 2], tol);
    close(run('binaryerror', c, null, { threshold: 0.6 }).y.dataSync(), [(1 + 0 + 1 + 0 + 1 + 1 + 1 + 1) / 2], tol);
  });

  it('log and binarylog on probabilities', () => {
    const p = cpu.tensor([0.2, 0.8, 0.6, 0.4], [1, 1, 2, 2]);
    const lab = cpu.tensor([2, 1], [1, 1, 2, 1]);
    const y = cpu.run('Loss', { x: p, labels: lab, weights: null }, attrs('log')).dataSync();
    close(y, [-Math.log(0.8) - Math.log(0.6)], tol);
    const dx = cpu.run('LossBackward', { x: p, labels: lab, weights: null, dzdy }, attrs('log')).dataSync();
    close(dx, [0, -2 / 0.8, -2 / 0.6, 0], tol);
    const c = cpu.tensor([1, -1, -1, 1], [1, 1, 2, 2]);
    close(cpu.run('Loss', { x: p, labels: c, weights: null }, attrs('binarylog')).dataSync(), [-Math.log(0.2 * 0.2 * 0.4 * 0.4)], tol);
    const db = cpu.run('LossBackward', { x: p, labels: c, weights: null, dzdy }, attrs('binarylog')).dataSync();
    close(db, [-2 / 0.2, 2 / 0.2, 2 / 0.4, -2 / 0.4], tol);
  });

  it('reads non-contiguous views (a slice of the channels)', () => {
    const wide = cpu.tensor([0.5, -1, 9, 2, 1, 9, -0.5, 0.25, 9, 0.75, 0.5, 9], [2, 1, 2, 3]);
    const view = cpu.run('Slice', { x: wide }, { begin: [0, 0, 0, 0], size: [2, 1, 2, 2] });
    const a = cpu.run('Loss', { x: view, labels, weights: null }, attrs('softmaxlog')).dataSync();
    close(a, Array.from(run('softmaxlog').y.dataSync()), tol);
  });
});
