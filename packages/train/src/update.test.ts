import type { SimpleNN } from '@convnet-ts/simplenn';
import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { simpleNNAdapter } from './simplenn-adapter.js';
import { SOLVER_DEFAULTS } from './solvers.js';
import { cpu64 } from './test-helpers.js';
import { applyUpdates, type UpdateContext } from './update.js';

/** A net with one conv (f, b) with per-weight factors, one bnorm, and a loss. */
function net(lr: number[], wd: number[]) {
  return simpleNNAdapter({
    layers: [
      { type: 'conv', weights: [cpu64.tensor([1, 2], [1, 1, 1, 2]), cpu64.tensor([0.5, -0.5], [2])], learningRate: lr, weightDecay: wd },
      { type: 'bnorm', weights: [cpu64.fill([2], 1), cpu64.zeros([2]), cpu64.tensor([1, 2, 3, 4], [2, 2])], learningRate: [1, 1, 0.25], weightDecay: [0, 0, 0] },
      { type: 'softmaxloss' },
    ],
  });
}

const ctx = (learningRate: number, weightDecay: number): UpdateContext => ({
  cfg: { solver: 'sgd', opts: SOLVER_DEFAULTS.sgd, momentum: 0.9, nesterov: false },
  learningRate,
  weightDecay,
  states: new Map(),
  owned: new WeakSet(),
});

const values = (adapter: ReturnType<typeof net>) => adapter.params().map((p) => Array.from(p.value.dataSync()));

describe('applyUpdates', () => {
  it('scales learning rate and weight decay by each weight’s factors and divides by the batch size', () => {
    const a = net([2, 0.5], [1, 0]);
    const ders: (Tensor | null)[] = [cpu64.tensor([4, 8], [1, 1, 1, 2]), cpu64.tensor([2, 2], [2]), null, null, null];
    applyUpdates(a, ders, 4, ctx(0.1, 0.01));
    // f: g = der/4 + (0.01·1)·w = [1 + 0.01, 2 + 0.02]; w − (0.1·2)·g
    // b: g = [0.5, 0.5] + 0·w; w − (0.1·0.5)·g
    const [f, b] = values(a);
    expect(f![0]).toBeCloseTo(1 - 0.2 * 1.01, 14);
    expect(f![1]).toBeCloseTo(2 - 0.2 * 2.02, 14);
    expect(b).toEqual([0.5 - 0.05 * 0.5, -0.5 - 0.05 * 0.5]);
  });

  it('skips a weight whose learning rate and decay are both 0', () => {
    const a = net([0, 1], [0, 1]);
    const before = a.params()[0]!.value;
    applyUpdates(a, [cpu64.tensor([4, 8], [1, 1, 1, 2]), null, null, null, null], 1, ctx(0.1, 0.01));
    expect(a.params()[0]!.value).toBe(before);
  });

  it('moves bnorm moments by their own rate: (1 − r)·m + (r / batchSize)·der', () => {
    const a = net([1, 1], [1, 1]);
    expect(a.params().map((p) => p.trainMethod)).toEqual(['gradient', 'gradient', 'gradient', 'gradient', 'average']);
    // der = batch moments × images = [[5, 6], [7, 8]] × 2 images
    applyUpdates(a, [null, null, null, null, cpu64.tensor([10, 12, 14, 16], [2, 2])], 2, ctx(123, 0.5));
    expect(values(a)[4]).toEqual([0.75 * 1 + 0.25 * 5, 0.75 * 2 + 0.25 * 6, 0.75 * 3 + 0.25 * 7, 0.75 * 4 + 0.25 * 8]);
  });

  it('keeps momentum between batches and never disposes the caller’s initial weights', () => {
    const a = net([1, 1], [0, 0]);
    const initial = a.params()[0]!.value;
    const c = ctx(1, 0);
    const der = () => [cpu64.tensor([1, 1], [1, 1, 1, 2]), null, null, null, null];
    applyUpdates(a, der(), 1, c); // v = −1, w = [0, 1]
    const first = a.params()[0]!.value;
    applyUpdates(a, der(), 1, c); // v = −1.9, w = [−1.9, −0.9]
    expect(values(a)[0]![0]).toBeCloseTo(-1.9, 14);
    expect(initial.isDisposed).toBe(false);
    expect(first.isDisposed).toBe(true);
    expect((a.net as SimpleNN).layers[0]!.type).toBe('conv');
  });
});
