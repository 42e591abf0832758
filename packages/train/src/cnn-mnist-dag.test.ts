/**
 * MatConvNet's `cnn_mnist` ported (vlfeat/matconvnet examples/mnist/
 * cnn_mnist.m), both variants on the same digits and seed:
 *
 * - 'simplenn': `cnn_train(net, imdb, getBatch, trainOpts, 'val', …)`
 *   (cnn_mnist.m lines 49-58) on cnn_mnist_init's LeNet;
 * - 'dagnn': cnn_mnist_init.m lines 61-66 — `fromSimpleNN(net,
 *   'canonicalNames', true)`, then Loss layers 'top1err' (classerror →
 *   `error`) and 'top5err' (topkerror → `top5err`) that are outputs but not
 *   back-propagated — trained by `cnn_train_dag` with inputs `{'input',
 *   images, 'label', labels}` (getDagNNBatch, line 85), here with two
 *   derOutputs (`{'objective', 1, 'hinge', 0.3}`: a second, multiclass
 *   hinge loss on the same predictions) and a custom extractStatsFn (the
 *   Loss averages of MatConvNet's extractStats plus a count of mistakes
 *   made on the host from the predictions).
 *
 * The options are cnn_mnist's (batch, momentum 0.9, weight decay 0.0005,
 * randomSeed 0) except for the size of the run: 2,000 training digits,
 * 500 validation digits (the first 200 and next 50 of each class), 3
 * epochs, batch 50 and learning rate 0.003 (MatConvNet: 60,000 digits, 20
 * epochs, batch 100, 0.001 — 12,000 steps where this test has 120, so a
 * larger rate; 0.01 diverges on the 0..255 scale). Measured on a loaded
 * 2-core machine: SimpleNN 5.4% held-out error in 8 s, DagNN 5.0% in 12 s.
 */
import { type DagNN, fromSimpleNN, Loss } from '@convnet-ts/dagnn';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { describe, expect, it } from 'vitest';
import { dagNNAdapter } from './dagnn-adapter.js';
import { type ExtractStatsFn, lossStats } from './extract-stats.js';
import type { EpochStats } from './stats.js';
import { lenet, mnistSubset } from './test-mnist.js';
import { train } from './train.js';

const be = createCpuBackend({ dtype: 'float32' });
const mnist = mnistSubset(200, 50);
const trainOpts = { batchSize: 50, numEpochs: 3, learningRate: 0.003, momentum: 0.9, weightDecay: 0.0005, randomSeed: 0, train: mnist.train, val: mnist.val };

/** cnn_mnist_init(..., 'networkType', 'dagnn'), plus the second loss that derOutputs weighs by 0.3. */
function lenetDag(): DagNN {
  const net = fromSimpleNN(lenet(be, 0), { canonicalNames: true });
  net.addLayer('top1err', new Loss({ loss: 'classerror' }), ['prediction', 'label'], 'error');
  net.addLayer('top5err', new Loss({ loss: 'topkerror', topK: 5 }), ['prediction', 'label'], 'top5err');
  net.addLayer('hinge', new Loss({ loss: 'mshinge' }), ['prediction', 'label'], 'hinge');
  return net;
}

/** MatConvNet's extractStats (the Loss averages) and the number of wrong top-1 guesses, counted on the host. */
const stats: ExtractStatsFn<DagNN> = (net, outputs, batch) => {
  const scores = batch.predictions.dataSync();
  const labels = batch.labels as ArrayLike<number>;
  let mistakes = 0;
  for (let i = 0; i < batch.images; i++) {
    const row = Array.from(scores.subarray(i * 10, i * 10 + 10));
    if (row.indexOf(Math.max(...row)) + 1 !== labels[i]) mistakes++;
  }
  return { ...lossStats(net, outputs, batch), mistakes };
};

describe("cnn_mnist's DagNN variant (cnn_mnist.m, cnn_mnist_init.m with networkType 'dagnn', cnn_train_dag.m)", () => {
  it("trains with two derOutputs and a custom extractStatsFn, reaching the SimpleNN variant's error", async () => {
    const t0 = performance.now();
    const simple = await train(lenet(be, 0), mnist.source, trainOpts);
    const t1 = performance.now();
    const net = lenetDag();
    expect(net.getOutputs()).toEqual(['objective', 'error', 'top5err', 'hinge']);
    const dag = await train(dagNNAdapter(net, { input: 'input', label: 'label', objective: 'objective' }), mnist.source, {
      ...trainOpts,
      derOutputs: ['objective', 1, 'hinge', 0.3],
      extractStatsFn: stats,
    });
    const t2 = performance.now();
    const last = (r: { stats: EpochStats[] }) => r.stats[trainOpts.numEpochs - 1]!;
    const s = last(simple);
    const d = last(dag);
    // MatConvNet's names for the DagNN's statistics: each Loss output (objective alone, not weighted), plus the custom one.
    expect(Object.keys(d.val!.errors)).toEqual(['error', 'top5err', 'hinge', 'mistakes']);
    for (const pass of [d.train, d.val!]) {
      expect(pass.errors.mistakes).toBeCloseTo(pass.errors.error!, 6); // the Loss output is a float32 mean
      expect(pass.errors.top5err).toBeLessThanOrEqual(pass.errors.error!);
    }
    // Both learn (chance is 0.9), and the DagNN variant reaches the SimpleNN variant's held-out error within 2 points (10 of 500 digits).
    expect(s.val!.errors.top1err).toBeLessThan(0.1);
    expect(d.val!.errors.error).toBeLessThan(s.val!.errors.top1err! + 0.02);
    expect(d.train.objective).toBeLessThan(0.5 * dag.stats[0]!.train.objective);
    process.stdout.write(
      `cnn_mnist subset: simplenn val top1err ${s.val!.errors.top1err!.toFixed(4)} (${((t1 - t0) / 1000).toFixed(1)} s), ` +
        `dagnn val error ${d.val!.errors.error!.toFixed(4)} top5err ${d.val!.errors.top5err!.toFixed(4)} (${((t2 - t1) / 1000).toFixed(1)} s)\n`,
    );
  }, 600_000); // ≈ 20 s alone; minutes on a 2-core machine shared with other jobs
});
