import { describe, expect, it } from 'vitest';
import { learningRateAt, parseTrainOptions } from './options.js';

describe('parseTrainOptions', () => {
  it("fills MatConvNet's defaults", () => {
    const o = parseTrainOptions({});
    expect(o).toMatchObject({
      batchSize: 256,
      numSubBatches: 1,
      numEpochs: 300,
      learningRate: [0.001],
      weightDecay: 0.0005,
      momentum: 0.9,
      nesterovUpdate: false,
      solver: 'sgd',
      errorFunction: 'multiclass',
      train: null,
      val: [],
      randomSeed: 0,
      expDir: null,
      continue: false,
    });
  });

  it("fills the solver's defaults under the user's overrides", () => {
    expect(parseTrainOptions({ solver: 'adam', solverOpts: { beta1: 0.5 } }).solverOpts).toEqual({ beta1: 0.5, beta2: 0.999, eps: 1e-8 });
    expect(parseTrainOptions({ solver: 'rmsprop' }).solverOpts).toEqual({ epsilon: 1e-8, rho: 0.99 });
    expect(parseTrainOptions({ solver: 'adadelta' }).solverOpts).toEqual({ epsilon: 1e-6, rho: 0.9 });
    expect(parseTrainOptions({ solver: 'adagrad' }).solverOpts).toEqual({ epsilon: 1e-10, rho: 1 });
  });

  it('rejects bad options with the exact message', () => {
    expect(() => parseTrainOptions({ batchsize: 3 } as never)).toThrow("train: unknown option 'batchsize'; known options are batchSize,");
    expect(() => parseTrainOptions({ batchSize: 0 })).toThrow('train: batchSize must be an integer ≥ 1, got 0');
    expect(() => parseTrainOptions({ learningRate: [] })).toThrow('train: learningRate must be a number ≥ 0 or a non-empty array of them (one per epoch), got []');
    expect(() => parseTrainOptions({ solver: 'lbfgs' as never })).toThrow('train: solver must be one of sgd, adam, adagrad, adadelta, rmsprop or a solver function, got \'lbfgs\'');
    expect(() => parseTrainOptions({ solver: 'adam', solverOpts: { rho: 0.5 } })).toThrow("train: solverOpts.rho must be one of beta1, beta2, eps for solver 'adam', got 'rho'");
    expect(() => parseTrainOptions({ errorFunction: 'top1' as never })).toThrow("train: errorFunction must be 'multiclass', 'binary', 'none' or a function, got 'top1'");
    expect(() => parseTrainOptions({ train: [0, -1] })).toThrow('train: train must be an array of 0-based integer indices, got [0, -1]');
    expect(() => parseTrainOptions({ continue: true })).toThrow('train: continue must be false when no expDir is given, got true');
    expect(() => parseTrainOptions({ weightDecay: -1 })).toThrow('train: weightDecay must be a finite number ≥ 0, got -1');
  });
});

describe('learningRateAt', () => {
  it('uses lr(min(epoch, numel(lr))): the last rate holds after the schedule ends', () => {
    const schedule = [0.05, 0.05, 0.005, 0.0005];
    expect([1, 2, 3, 4, 5, 9].map((e) => learningRateAt(schedule, e))).toEqual([0.05, 0.05, 0.005, 0.0005, 0.0005, 0.0005]);
    expect(learningRateAt([0.1], 7)).toBe(0.1);
  });
});
