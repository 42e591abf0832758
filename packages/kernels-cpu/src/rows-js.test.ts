import { Rng, type Tensor } from '@convnet-ts/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { createCpuBackend } from './index.js';
import { setPassFloats, setRowsTuning } from './rows-wasm.js';

/**
 * Softmax, sigmoid, LRN, their derivatives and the softmaxlog loss and its
 * derivative as JavaScript tasks on the worker threads (rows-js.ts,
 * js-tasks.ts) against the loops on one thread,
 * value for value (NaN as NaN, −0 as −0), with the thresholds lowered so
 * that small tensors take them and several passes through the module's
 * memory; and that the default thresholds keep small tensors off the workers.
 */
const bits = (v: ArrayLike<number>) => Array.from(v, (e) => (Object.is(e, -0) ? '-0' : String(e)));

afterEach(() => {
  setRowsTuning();
  setPassFloats();
});

const shape = [5, 7, 3, 10];
const rows = 5 * 7 * 3;
const size = rows * 10;

/** Scores with a row of NaN, one with +∞, one with −∞ everywhere, one with ±3.4e38, and one with −0 and denormals. */
function scores(): number[] {
  const v = Array.from(new Rng(1).randn(size), (e) => Math.fround(3 * e));
  v[10 * 2 + 4] = Number.NaN;
  v[10 * 5 + 1] = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 10; k++) v[10 * 9 + k] = Number.NEGATIVE_INFINITY;
  v[10 * 11] = 3.4e38;
  v[10 * 11 + 3] = -3.4e38;
  v[10 * 13] = -0;
  v[10 * 13 + 1] = 1e-45;
  return v;
}

/** Labels 1..10 with some 0 (skipped), weights with some 0. */
const labels = Array.from({ length: rows }, (_, i) => (i % 11 === 3 ? 0 : 1 + ((i * 7) % 10)));
const weights = Array.from({ length: rows }, (_, i) => (i % 13 === 5 ? 0 : 0.5 + (i % 4) * 0.25));

function run(threads: number): { values: string[][]; workerCalls: number } {
  const cpu = createCpuBackend({ threads });
  try {
    const before = cpu.workerCalls;
    const x = cpu.tensor(scores(), shape);
    const l = cpu.tensor(labels, [5, 7, 3, 1]);
    const w = cpu.tensor(weights, [5, 7, 3, 1]);
    const dzdy = cpu.tensor([0.7], [1]);
    const attrs = { loss: 'softmaxlog', topK: 1, threshold: 0, normalise: true } as const;
    const lrn = { n: 5, kappa: 2, alpha: 1e-4, beta: 0.75 };
    const dy = cpu.tensor(Array.from(new Rng(2).randn(size), Math.fround), shape);
    const outs: Tensor[] = [
      cpu.run('Softmax', { x }, {}),
      cpu.run('SoftmaxBackward', { x, dy }, {}),
      cpu.run('Sigmoid', { x }, {}),
      cpu.run('SigmoidBackward', { x, dy }, {}),
      cpu.run('Lrn', { x }, lrn),
      cpu.run('LrnBackward', { x, dy }, lrn),
      cpu.run('Lrn', { x }, { n: 25, kappa: 1e-6, alpha: 1, beta: 0.5 }),
      cpu.run('LrnBackward', { x, dy }, { n: 4, kappa: 1, alpha: 0.1, beta: 0.75 }),
      cpu.run('Loss', { x, labels: l, weights: w }, attrs),
      cpu.run('Loss', { x, labels: l, weights: null }, { ...attrs, normalise: false }),
      cpu.run('LossBackward', { x, labels: l, weights: w, dzdy }, attrs),
      cpu.run('LossBackward', { x, labels: l, weights: null, dzdy }, attrs),
    ];
    return { values: outs.map((t) => bits(t.dataSync())), workerCalls: cpu.workerCalls - before };
  } finally {
    cpu.dispose();
  }
}

describe('softmax, sigmoid, LRN and the softmaxlog loss on the threads (JavaScript tasks)', () => {
  it("give the loops' values at 3 threads, over several passes, special values included", async () => {
    const loops = run(1);
    setRowsTuning({ wasmMin: 0, perThread: 1 }, ['softmax', 'softmaxlog', 'sigmoid', 'lrn']);
    for (const pass of [300, 2 ** 22]) {
      setPassFloats(pass);
      const three = run(3);
      expect(three.workerCalls).toBeGreaterThan(0);
      for (let i = 0; i < loops.values.length; i++) expect(three.values[i], `output ${i}, pass ${pass}`).toEqual(loops.values[i]);
    }
    // The special rows give what the loop gives: NaN for the NaN row and the +∞ row, NaN for the all −∞ row.
    const y = loops.values[0]!;
    expect(y[10 * 2]).toBe('NaN');
    expect(y[10 * 5 + 1]).toBe('NaN');
    expect(y[10 * 11]).toBe('1');
  });

  it('leave small tensors to the loops with the default thresholds', () => {
    expect(run(3).workerCalls).toBe(0);
  });
});
