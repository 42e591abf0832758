import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import type { Backend, Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { testBackend } from '../test-device.js';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { ROW_TREE_MIN, reduceThreads } from './reduce-tree.js';

/** Deterministic values in [−scale, scale) (a 32-bit LCG). */
function values(count: number, seed: number, scale = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 31 - 1) * scale;
  });
}

const cpu = createCpuBackend({ dtype: 'float64' });

/** The same kernel call on the GPU and on the float64 CPU; `make` builds the inputs on a backend. */
async function both(gpu: WebGPUBackend, call: (b: Backend) => Tensor | Tensor[]): Promise<{ gpu: number[][]; cpu: number[][]; again: number[][] }> {
  const read = async (b: Backend) => {
    const out = call(b);
    return Promise.all((Array.isArray(out) ? out : [out]).map(async (t) => Array.from(await t.data())));
  };
  return { gpu: await read(gpu), cpu: await read(cpu), again: await read(gpu) };
}

/** |gpu − cpu| ≤ tol·max(1, |cpu|), NaN where the CPU has NaN; and a second GPU run bit-identical (deterministic). */
function expectMatch(r: { gpu: number[][]; cpu: number[][]; again: number[][] }, tol: number, what: string): void {
  expect(r.again, `${what}: run to run`).toEqual(r.gpu);
  r.cpu.forEach((want, o) => {
    const got = r.gpu[o]!;
    expect(got.length).toBe(want.length);
    want.forEach((w, e) => {
      if (Number.isNaN(w)) expect(got[e], `${what} output ${o} element ${e}`).toBeNaN();
      else expect(Math.abs(got[e]! - w), `${what} output ${o} element ${e}: ${got[e]} vs ${w}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w)));
    });
  });
}

describe('tree reductions in workgroup memory: loss, softmax, batch-norm moments', () => {
  it('softmaxlog loss and derivative, rows long (one workgroup per pixel) and short, weighted, ignored labels, non-finite rows', async () => {
    const gpu = await testBackend();
    for (const [c, n, h] of [
      [ROW_TREE_MIN, 3, 1],
      [203, 2, 3],
      [67, 1, 1],
      [10, 5, 2],
    ] as const) {
      const pixels = n * h;
      const x = values(pixels * c, c + n, 4);
      // A row with a NaN and a row with +∞ (both NaN: the max is not finite), when there are enough rows.
      if (pixels > 3) {
        x[c + 5] = Number.NaN;
        x[2 * c + 1] = Number.POSITIVE_INFINITY;
      }
      const labels = Array.from({ length: pixels }, (_, p) => (p === 1 ? 0 : 1 + ((p * 7) % c)));
      const weights = Array.from({ length: pixels }, (_, p) => 0.5 + p);
      for (const weighted of [false, true]) {
        const r = await both(gpu, (b) => {
          const inputs = {
            x: b.tensor(x, [n, h, 1, c]),
            labels: b.tensor(labels, [n, h, 1, 1]),
            weights: weighted ? b.tensor(weights, [n, h, 1, 1]) : null,
          };
          const attrs = { loss: 'softmaxlog' as const, topK: 1, threshold: 0, normalise: true };
          return [b.run('Loss', inputs, attrs), b.run('LossBackward', { ...inputs, dzdy: b.tensor([1.5], [1]) }, attrs)];
        });
        expectMatch(r, 1e-5, `softmaxlog c=${c} n=${n}×${h} weighted=${weighted}`);
      }
    }
  });

  it('the loss sum: one dispatch up to 16 instances per thread, per-instance values then one tree beyond; the same values', async () => {
    const gpu = await testBackend();
    const limit = 16 * reduceThreads(gpu.device.limits);
    for (const [loss, shape] of [
      ['log', [10, 100, 1, 3]],
      ['logistic', [2, 40, 40, 2]],
      ['binarylog', [1, 3, 5, 7]],
    ] as const) {
      const size = (shape as readonly number[]).reduce((a, b) => a * b, 1);
      const attribute = loss !== 'log';
      const pixels = size / shape[3];
      const x = values(size, 5).map((v) => (attribute ? v * 3 : Math.abs(v) + 0.01));
      const labels = attribute ? Array.from({ length: size }, (_, e) => (e % 5 === 0 ? 0 : e % 2 ? 1 : -1)) : Array.from({ length: pixels }, (_, p) => 1 + (p % 3));
      const labelShape = attribute ? [...shape] : [shape[0], shape[1], shape[2], 1];
      gpu.flush();
      gpu.resetStats();
      const r = await both(gpu, (b) =>
        b.run('Loss', { x: b.tensor(x, [...shape]), labels: b.tensor(labels, labelShape), weights: null }, { loss, topK: 1, threshold: 0, normalise: true }),
      );
      // Two runs on the GPU (the run-to-run check): 1 or 2 dispatches each.
      expect(gpu.stats().dispatches, loss).toBe(labels.length <= limit ? 2 : 4);
      expectMatch(r, 1e-5, `${loss} loss over ${labels.length} instances`);
    }
  });

  it('softmax and its derivative over long rows (one workgroup per row) and short ones, with NaN and −∞ rows', async () => {
    const gpu = await testBackend();
    for (const c of [ROW_TREE_MIN + 1, 300, 7]) {
      const rows = 5;
      const x = values(rows * c, c, 6);
      x[c + 2] = Number.NaN;
      for (let k = 0; k < c; k++) x[3 * c + k] = Number.NEGATIVE_INFINITY;
      const dy = values(rows * c, c + 1);
      const r = await both(gpu, (b) => {
        const xt = b.tensor(x, [rows, c]);
        return [b.run('Softmax', { x: xt }, {}), b.run('SoftmaxBackward', { x: xt, dy: b.tensor(dy, [rows, c]) }, {})];
      });
      expectMatch(r, 1e-5, `softmax c=${c}`);
    }
  });

  it('batch-norm moments, forward and backward sums over N·H·W per channel: trees for long sums, odd channels, batch 1, huge values, NaN', async () => {
    const gpu = await testBackend();
    const threads = reduceThreads(gpu.device.limits);
    for (const [shape, seed] of [
      [[2, 13, 11, 5], 1],
      [[1, 17, 16, 3], 2],
      [[2, 3, 3, 4], 3],
    ] as const) {
      const [n, h, w, c] = shape;
      const count = n * h * w;
      const x = values(count * c, seed, 3).map((v, e) => (e % c === 1 ? v * 1e20 : v + (e % c)));
      if (seed === 2) x[c * 7 + 2] = Number.NaN;
      const g = values(c, seed + 1);
      const bias = values(c, seed + 2);
      const dy = values(count * c, seed + 3);
      const r = await both(gpu, (b) => {
        const xt = b.tensor(x, [...shape]);
        const gt = b.tensor(g, [c]);
        const bt = b.tensor(bias, [c]);
        const fwd = b.run('Bnorm', { x: xt, g: gt, b: bt, moments: null }, { epsilon: 1e-4 });
        const bwd = b.run('BnormBackward', { x: xt, g: gt, b: bt, dy: b.tensor(dy, [...shape]), moments: null }, { epsilon: 1e-4 });
        return [fwd.y, fwd.moments, bwd.dx, bwd.dg, bwd.db];
      });
      expect(count >= threads).toBe(seed !== 3);
      expectMatch(r, 2e-4, `bnorm ${shape.join('×')}`);
    }
  });
});
