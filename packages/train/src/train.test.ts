import { describe, expect, it } from 'vitest';
import type { Batch, BatchSource } from './batch-source.js';
import { cpu64, stripes, tinyNet, weightsOf } from './test-helpers.js';
import { train } from './train.js';

describe('train', () => {
  it('reduces the objective and the error on a tiny problem, deterministically', async () => {
    const data = stripes(150);
    const run = () =>
      train(tinyNet(cpu64, { bnorm: true }), data, {
        train: Array.from({ length: 120 }, (_, i) => i),
        val: Array.from({ length: 30 }, (_, i) => 120 + i),
        numEpochs: 4,
        batchSize: 20,
        learningRate: [0.1, 0.1, 0.05],
      });
    const a = await run();
    expect(a.stats.map((s) => s.epoch)).toEqual([1, 2, 3, 4]);
    expect(a.stats.map((s) => s.learningRate)).toEqual([0.1, 0.1, 0.05, 0.05]);
    const first = a.stats[0]!;
    const last = a.stats[3]!;
    expect(first.train.num).toBe(120);
    expect(last.val!.num).toBe(30);
    expect(last.train.objective).toBeLessThan(0.6 * first.train.objective);
    expect(last.val!.objective).toBeLessThan(first.val!.objective);
    expect(last.val!.errors.top1err).toBeLessThan(0.15);
    expect(last.val!.errors.top5err).toBe(0); // 3 classes: top-min(5, 3) never misses
    const b = await run();
    expect(weightsOf(b.net)).toEqual(weightsOf(a.net));
    expect(b.stats.map((s) => s.train.objective)).toEqual(a.stats.map((s) => s.train.objective));
  });

  it('sub-batches give the same update as one batch', async () => {
    const data = stripes(40);
    const run = (numSubBatches: number) =>
      train(tinyNet(cpu64), data, { numEpochs: 1, batchSize: 20, numSubBatches, learningRate: 0.1 });
    const one = await run(1);
    const three = await run(3);
    const a = weightsOf(one.net).flat();
    const b = weightsOf(three.net).flat();
    expect(a.length).toBe(b.length);
    a.forEach((v, i) => {
      expect(b[i]).toBeCloseTo(v, 12);
    });
    expect(three.stats[0]!.train.objective).toBeCloseTo(one.stats[0]!.train.objective, 12);
  });

  it('reports progress per batch and per pass, and supports custom and binary error functions', async () => {
    const events: string[] = [];
    const { stats } = await train(tinyNet(cpu64), stripes(30), {
      numEpochs: 1,
      batchSize: 10,
      val: [0, 1, 2, 3, 4],
      errorFunction: (predictions) => ({ count: predictions.backend.fill([1], predictions.shape[0]!) }),
      onProgress: (e) => events.push(`${e.mode}:${e.phase}:${e.batch}/${e.numBatches}`),
    });
    expect(events).toEqual(['train:batch:1/3', 'train:batch:2/3', 'train:batch:3/3', 'train:end:3/3', 'val:batch:1/1', 'val:end:1/1']);
    expect(stats[0]!.train.errors).toEqual({ count: 1 });
    expect(stats[0]!.train.speed).toBeGreaterThan(0);
  });

  it('takes batches from any source, asynchronously, in the order asked', async () => {
    const inner = stripes(12);
    const asked: number[][] = [];
    const source: BatchSource = {
      size: inner.size,
      async getBatch(indices, backend): Promise<Batch> {
        asked.push([...indices]);
        return inner.getBatch(indices, backend);
      },
    };
    await train(tinyNet(cpu64), source, { numEpochs: 1, batchSize: 5, numSubBatches: 2, train: [0, 1, 2, 3, 4, 5, 6], errorFunction: 'none' });
    expect(asked.map((b) => b.length)).toEqual([3, 2, 1, 1]);
    expect(asked.flat().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('rejects a network without a loss and indices beyond the source', async () => {
    const noLoss = { layers: [{ type: 'relu' as const }, { type: 'relu' as const }] };
    await expect(train(noLoss, stripes(3), {})).rejects.toThrow("train: the last layer of net must be a loss (softmaxloss, loss or pdist) after at least one layer, got 'relu'");
    await expect(train(tinyNet(cpu64), stripes(3), { val: [3] })).rejects.toThrow("train: val indices must be below the source's size 3, got 3");
  });
});
