/**
 * The trainer options the example commands take from their command line
 * (`--epochs`, `--batch-size`, `--learning-rate`, `--weight-decay`,
 * `--momentum`, `--seed`), under `train`'s names.
 */
export interface SgdArgs {
  epochs: number;
  batchSize: number;
  learningRate: number[];
  weightDecay: number;
  momentum: number;
  seed: number;
}

/** The command-line spelling of each SGD setting but `epochs` (for the experiment folder's `--continue` check). */
export const SGD_FLAGS: { readonly [K in Exclude<keyof SgdArgs, 'epochs'>]: (o: SgdArgs) => string } = {
  batchSize: (o) => `--batch-size ${o.batchSize}`,
  learningRate: (o) => `--learning-rate ${o.learningRate.join(',')}`,
  weightDecay: (o) => `--weight-decay ${o.weightDecay}`,
  momentum: (o) => `--momentum ${o.momentum}`,
  seed: (o) => `--seed ${o.seed}`,
};

/** The SGD settings of `o`, as saved in an experiment folder. */
export function sgdSettings(o: SgdArgs): SgdArgs {
  const { epochs, batchSize, learningRate, weightDecay, momentum, seed } = o;
  return { epochs, batchSize, learningRate, weightDecay, momentum, seed };
}

export function sgdOptions(o: SgdArgs) {
  return { numEpochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, weightDecay: o.weightDecay, momentum: o.momentum, randomSeed: o.seed };
}
