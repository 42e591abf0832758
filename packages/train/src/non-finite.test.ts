import { describe, expect, it, vi } from 'vitest';
import type { NetworkAdapter, SubBatchResult } from './adapter.js';
import { NonFiniteObjectiveError } from './non-finite.js';
import { simpleNNAdapter } from './simplenn-adapter.js';
import { cpu64, stripes, tinyNet } from './test-helpers.js';
import { train } from './train.js';

/** tinyNet's adapter whose `poisoned`-th sub-batch (1-based, counting every evaluate call) has objective `value`. */
function poisoned(poisonedCall: number, value = Number.NaN): NetworkAdapter {
  const inner = simpleNNAdapter(tinyNet(cpu64));
  let calls = 0;
  return {
    kind: inner.kind,
    get net() {
      return inner.net;
    },
    backend: inner.backend,
    params: () => inner.params(),
    setParam: (i, v) => inner.setParam(i, v),
    save: () => inner.save(),
    restore: (bytes) => inner.restore(bytes),
    evaluate(images, labels, mode, rng): SubBatchResult {
      const r = inner.evaluate(images, labels, mode, rng);
      if (++calls !== poisonedCall) return r;
      r.objective.dispose();
      return { ...r, objective: inner.backend.fill([1], value) };
    },
  };
}

describe('train: non-finite objectives', () => {
  it("stops by default with a typed error naming the epoch and the batch", async () => {
    const run = train(poisoned(5), stripes(30), { numEpochs: 2, batchSize: 10, errorFunction: 'none' });
    // 3 batches per epoch: call 5 is epoch 2, batch 2.
    await expect(run).rejects.toThrow(NonFiniteObjectiveError);
    const error = await train(poisoned(5), stripes(30), { numEpochs: 2, batchSize: 10, errorFunction: 'none' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'value', block: 'train', argument: 'objective', epoch: 2, batch: 2, mode: 'train' });
    expect((error as Error).message).toBe(
      "train: a finite objective expected, got NaN at epoch 2, training batch 2 of 3 (the network diverged: lower the learning rate, or pass onNonFinite: 'warn' to go on)",
    );
  });

  it('names the validation pass too', async () => {
    const error = await train(poisoned(4, Number.POSITIVE_INFINITY), stripes(30), { numEpochs: 1, batchSize: 10, val: [0, 1, 2], errorFunction: 'none' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ epoch: 1, batch: 1, mode: 'val', value: Number.POSITIVE_INFINITY });
    expect((error as Error).message).toContain('got Infinity at epoch 1, validation batch 1 of 1');
  });

  it("warns once per pass and goes on with onNonFinite: 'warn'", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { stats } = await train(poisoned(2), stripes(30), { numEpochs: 1, batchSize: 10, onNonFinite: 'warn' });
      expect(stats).toHaveLength(1);
      expect(stats[0]!.train.objective).toBeNaN();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toBe("train: a finite objective expected, got NaN at epoch 1, training batch 2 of 3; going on (onNonFinite: 'warn')");
    } finally {
      warn.mockRestore();
    }
  });

  it('rejects an unknown policy', async () => {
    await expect(train(tinyNet(cpu64), stripes(3), { onNonFinite: 'ignore' as 'warn' })).rejects.toThrow("train: onNonFinite must be 'stop' or 'warn', got 'ignore'");
  });
});
