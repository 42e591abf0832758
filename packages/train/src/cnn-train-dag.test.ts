/**
 * cnn_train_dag's options (vlfeat/matconvnet examples/cnn_train_dag.m), as
 * a porting user passes them: epochSize, errorLabels, postEpochFn, a solver
 * function and derOutputs with weights.
 */
import { fromSimpleNN, Loss } from '@convnet-ts/dagnn';
import type { DagNN } from '@convnet-ts/dagnn';
import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { dagNNAdapter } from './dagnn-adapter.js';
import type { SolverFunction } from './solvers.js';
import { cpu64, stripes, tinyNet, weightsOf } from './test-helpers.js';
import { train } from './train.js';

const data = stripes(40);
const base = { batchSize: 10, learningRate: 0.05, randomSeed: 2 };
const paramValues = (net: DagNN) => [...net.params.values()].flatMap((p) => (p.value ? [Array.from(p.value.dataSync())] : []));

describe('cnn_train_dag options', () => {
  it('epochSize: each epoch trains on the first epochSize images of its shuffled order (line 99)', async () => {
    const r = await train(tinyNet(cpu64), data, { ...base, numEpochs: 2, epochSize: 15 });
    expect(r.stats.map((s) => s.train.num)).toEqual([15, 15]);
    await expect(train(tinyNet(cpu64), data, { epochSize: 0 })).rejects.toThrow('train: epochSize must be an integer ≥ 1 or Infinity, got 0');
  });

  it('errorLabels names the error statistics in order (cnn_train.m opts.errorLabels); a wrong count throws', async () => {
    const r = await train(tinyNet(cpu64), data, { ...base, numEpochs: 1, errorLabels: ['err1', 'err5'] });
    expect(Object.keys(r.stats[0]!.train.errors)).toEqual(['err1', 'err5']);
    await expect(train(tinyNet(cpu64), data, { ...base, numEpochs: 1, errorLabels: ['only'] })).rejects.toThrow(
      "train: errorLabels must name each of the error function's 2 statistics (top1err, top5err), got 1: only",
    );
  });

  it('postEpochFn may return a new learning rate, or 0 to stop (lines 157-165)', async () => {
    const seen: number[] = [];
    const r = await train(tinyNet(cpu64), data, {
      ...base,
      numEpochs: 5,
      postEpochFn: (epoch) => {
        seen.push(epoch);
        return epoch === 1 ? 0.01 : epoch === 2 ? 0 : undefined;
      },
    });
    expect(r.stats.map((s) => s.learningRate)).toEqual([0.05, 0.01]);
    expect(seen).toEqual([1, 2]);
    await expect(train(tinyNet(cpu64), data, { ...base, numEpochs: 1, postEpochFn: () => -1 })).rejects.toThrow('train: postEpochFn must return a learning rate ≥ 0');
  });

  it('postEpochFn gets the network and may change it, as postEpochFn(net, params, state) (line 46, line 160)', async () => {
    // Freeze conv1 after epoch 1 through its parameters' learning rates.
    const dag = fromSimpleNN(tinyNet(cpu64));
    const conv1 = () => [...dag.params.values()].filter((p) => p.name.startsWith('conv1')).map((p) => Array.from(p.value!.dataSync()));
    let afterOne: number[][] = [];
    await train(dagNNAdapter(dag), data, {
      ...base,
      numEpochs: 3,
      postEpochFn: (epoch, _stats, net) => {
        expect(net).toBe(dag);
        if (epoch === 1) {
          afterOne = conv1();
          for (const p of net.params.values()) if (p.name.startsWith('conv1')) p.learningRate = 0;
        }
      },
    });
    expect(afterOne).toHaveLength(2);
    // Weight decay is scaled by the same factor-wise rate (lr · factor), so nothing moves.
    expect(conv1()).toEqual(afterOne);
  });

  it('a solver function gets (w, state, grad, solverOpts, lr) as cnn_train_dag.m lines 366-369', async () => {
    // Plain gradient descent: w − lr·grad, the built-in sgd with momentum 0.
    const plain: SolverFunction = Object.assign(
      function plain(w: Tensor, state: { tensors: Record<string, Tensor>; steps: number }, grad: Tensor, o: Readonly<Record<string, number>>, lr: number) {
        return { w: w.backend.run('Axpby', { x: w, y: grad }, { alpha: 1, beta: -lr * o.scale! }), state: { tensors: {}, steps: state.steps + 1 } };
      },
      { defaults: { scale: 1 } },
    );
    const mine = await train(tinyNet(cpu64), data, { ...base, numEpochs: 2, solver: plain });
    const sgd = await train(tinyNet(cpu64), data, { ...base, numEpochs: 2, momentum: 0 });
    expect(weightsOf(mine.net)).toEqual(weightsOf(sgd.net));
    const half = await train(tinyNet(cpu64), data, { ...base, numEpochs: 1, solver: plain, solverOpts: { scale: 0.5 } });
    const sgdHalf = await train(tinyNet(cpu64), data, { ...base, learningRate: 0.025, numEpochs: 1, momentum: 0 });
    expect(weightsOf(half.net)).toEqual(weightsOf(sgdHalf.net));
    await expect(train(tinyNet(cpu64), data, { solver: plain, solverOpts: { beta1: 0.9 } })).rejects.toThrow("train: solverOpts.beta1 must be one of scale for solver 'custom:plain'");
  });

  it('derOutputs: outputs and weights to back-propagate from (lines 43, 253), objective = their weighted sum', async () => {
    // The tiny net with a second loss on the same predictions.
    const make = () => {
      const dag = fromSimpleNN(tinyNet(cpu64));
      dag.addLayer('aux', new Loss({ loss: 'softmaxlog' }), ['x4', 'label'], 'auxObjective');
      return dag;
    };
    const once = await train(dagNNAdapter(make(), { objective: 'x5' }), data, { ...base, weightDecay: 0, numEpochs: 1, derOutputs: ['x5', 1] });
    const both = await train(dagNNAdapter(make(), { objective: 'x5' }), data, { ...base, weightDecay: 0, numEpochs: 1, learningRate: 0.025, derOutputs: [['x5', 1], ['auxObjective', 1]] });
    // Two copies of one loss at half the rate (no weight decay): the same step.
    paramValues(both.net)
      .flat()
      .forEach((v, i) => {
        expect(v).toBeCloseTo(paramValues(once.net).flat()[i]!, 12);
      });
    expect(both.stats[0]!.train.objective).toBeCloseTo(2 * once.stats[0]!.train.objective, 10);
    await expect(train(dagNNAdapter(make(), { objective: 'x5' }), data, { ...base, numEpochs: 1, derOutputs: ['nope', 1] })).rejects.toThrow(
      "train: derOutputs must name variables of the network (it has outputs x5, auxObjective), got 'nope'",
    );
    await expect(train(dagNNAdapter(make(), { objective: 'x5' }), data, { derOutputs: ['x5'] })).rejects.toThrow('train: derOutputs must be a list of output names and weights');
    await expect(train(tinyNet(cpu64), data, { derOutputs: ['objective', 1] })).rejects.toThrow("train: derOutputs must be given only for networks with named outputs (a DagNN through dagNNAdapter), got a 'simplenn' network");
  });

  it('unknown option names throw, naming the known ones', async () => {
    await expect(train(tinyNet(cpu64), data, { extractStatsFunction: () => ({}) } as never)).rejects.toThrow("train: unknown option 'extractStatsFunction'");
  });
});
