/**
 * `extractStatsFn` (vlfeat/matconvnet examples/cnn_train_dag.m line 44,
 * called after every batch at line 271; its default `extractStats`, lines
 * 413-419, reads the running averages of matlab/+dagnn/Loss.m lines 20-31).
 */
import { type DagNN, fromSimpleNN, Loss } from '@convnet-ts/dagnn';
import type { SimpleNN } from '@convnet-ts/simplenn';
import { describe, expect, it } from 'vitest';
import { dagNNAdapter } from './dagnn-adapter.js';
import { type ExtractStatsFn, lossStats } from './extract-stats.js';
import type { PassStats } from './stats.js';
import { cpu64, stripes, tinyNet } from './test-helpers.js';
import { train } from './train.js';

const data = stripes(40);
const base = { batchSize: 10, learningRate: 0.05, randomSeed: 2, numEpochs: 1 };

/** cnn_mnist_init.m lines 62-66 on the tiny net: canonical names, then classerror and topkerror Loss layers. */
function dagWithErrorLayers(): DagNN {
  const dag = fromSimpleNN(tinyNet(cpu64), { canonicalNames: true });
  dag.addLayer('top1err', new Loss({ loss: 'classerror' }), ['prediction', 'label'], 'error');
  dag.addLayer('top5err', new Loss({ loss: 'topkerror', topK: 2 }), ['prediction', 'label'], 'top5err');
  return dag;
}
const adapterOf = (dag: DagNN) => dagNNAdapter(dag, { input: 'input', objective: 'objective' });

describe('extractStatsFn', () => {
  it('keeps running averages over the pass, reported after every batch (cnn_train_dag.m line 271, Loss.m lines 22-30)', async () => {
    const seen: number[][] = [];
    const snapshots: PassStats[] = [];
    const indexMean: ExtractStatsFn<SimpleNN> = (_net, _outputs, batch) => {
      seen.push([...batch.indices]);
      return { index: batch.indices.reduce((a, b) => a + b, 0), one: batch.images };
    };
    const r = await train(tinyNet(cpu64), data, {
      ...base,
      numSubBatches: 2,
      extractStatsFn: indexMean,
      onProgress: (e) => {
        if (e.phase === 'batch' && e.mode === 'train') snapshots.push(e.stats);
      },
    });
    // Called once per sub-batch: 4 batches × 2 sub-batches.
    expect(seen).toHaveLength(8);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // After batch b: the average over every image seen so far, as Loss.average = (n·average + N·output) / (n + N).
    snapshots.forEach((s, b) => {
      expect(s.errors.index).toBeCloseTo(mean(seen.slice(0, 2 * (b + 1)).flat()), 12);
      expect(s.errors.one).toBe(1);
    });
    // Every index 0..39 once: the mean is 19.5. With extractStatsFn and no errorFunction, no top1err/top5err (cnn_train_dag has none).
    expect(r.stats[0]!.train.errors).toEqual({ index: 19.5, one: 1 });
  });

  it("gets the network's outputs; a returned objective replaces the trainer's (SimpleNN: the loss's output)", async () => {
    const plain = await train(tinyNet(cpu64), data, base);
    const r = await train(tinyNet(cpu64), data, {
      ...base,
      errorFunction: 'multiclass',
      // softmaxloss divides by N: N × output is the sum over the images.
      extractStatsFn: (_net, outputs, batch) => ({ loss: outputs.objective!.backend.run('Unary', { x: outputs.objective! }, { op: 'scale', alpha: batch.images }) }),
    });
    expect(r.stats[0]!.train.errors.loss).toBeCloseTo(plain.stats[0]!.train.objective, 12);
    expect(r.stats[0]!.train.errors.top1err).toBe(plain.stats[0]!.train.errors.top1err);
    const own = await train(tinyNet(cpu64), data, { ...base, extractStatsFn: () => ({ objective: 42 }) });
    expect(own.stats[0]!.train.objective).toBeCloseTo(42 / 10, 12); // a sum of 42 per batch of 10 images
  });

  it("lossStats is MatConvNet's extractStats: every Loss layer's average, by output name (cnn_train_dag.m lines 413-419)", async () => {
    const mine = await train(adapterOf(dagWithErrorLayers()), data, { ...base, val: [0, 1, 2, 3, 4, 5, 6, 7], extractStatsFn: lossStats });
    const ref = await train(adapterOf(dagWithErrorLayers()), data, { ...base, val: [0, 1, 2, 3, 4, 5, 6, 7], errorFunction: 'multiclass' });
    for (const pass of ['train', 'val'] as const) {
      const m = mine.stats[0]![pass]!;
      const e = ref.stats[0]![pass]!;
      expect(Object.keys(m.errors)).toEqual(['error', 'top5err']);
      expect(m.errors.error).toBeCloseTo(e.errors.top1err!, 12);
      expect(m.objective).toBeCloseTo(e.objective, 12);
    }
    expect(mine.stats[0]!.train.errors.top5err).toBeGreaterThan(0); // top-2 of 3 classes can miss
  });

  it("with derOutputs weights, the Loss named objective is reported alone, as MatConvNet's stats.objective (not the weighted sum)", async () => {
    const weighted = await train(adapterOf(dagWithErrorLayers()), data, { ...base, learningRate: 0.025, derOutputs: ['objective', 2] });
    const extracted = await train(adapterOf(dagWithErrorLayers()), data, { ...base, learningRate: 0.025, derOutputs: ['objective', 2], extractStatsFn: lossStats });
    expect(extracted.stats[0]!.train.objective).toBeCloseTo(weighted.stats[0]!.train.objective / 2, 12);
  });

  it('leaves no tensor behind, whether it returns numbers, new tensors or the outputs themselves', async () => {
    const growth = async (extractStatsFn?: ExtractStatsFn<DagNN>) => {
      const before = cpu64.memory().tensors;
      await train(adapterOf(dagWithErrorLayers()), data, { ...base, val: [0, 1], extractStatsFn });
      return cpu64.memory().tensors - before;
    };
    const none = await growth();
    expect(await growth((_n, outputs) => ({ error: outputs.error!, n: 1 }))).toBe(none);
    expect(await growth(lossStats)).toBe(none);
  });

  it('throws on bad results, naming the statistic', async () => {
    const run = (fn: ExtractStatsFn<SimpleNN>, errorFunction?: 'multiclass') => train(tinyNet(cpu64), data, { ...base, errorFunction, extractStatsFn: fn });
    await expect(run(() => ({ a: Number.NaN }))).rejects.toThrow("train: extractStatsFn's statistic 'a' must be a number or a 1-element tensor, got NaN");
    await expect(run((_n, o) => ({ a: o.objective!.backend.zeros([2]) }))).rejects.toThrow("train: extractStatsFn's statistic 'a' must be a number or a 1-element tensor, got a tensor of shape [2]");
    await expect(run(() => null as never)).rejects.toThrow('train: extractStatsFn must return an object of named sums');
    await expect(run(() => ({ top1err: 0 }), 'multiclass')).rejects.toThrow("train: extractStatsFn's statistic 'top1err' must not repeat a name of the error function (top1err, top5err)");
    let k = 0;
    await expect(run((): Record<string, number> => (k++ === 0 ? { a: 1 } : { b: 1 }))).rejects.toThrow('train: extractStatsFn must return the same statistics on every call of a pass (a), got b');
    await expect(train(tinyNet(cpu64), data, { extractStatsFn: 3 as never })).rejects.toThrow('train: extractStatsFn must be a function, got 3');
  });
});
