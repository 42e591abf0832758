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

export function sgdOptions(o: SgdArgs) {
  return { numEpochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, weightDecay: o.weightDecay, momentum: o.momentum, randomSeed: o.seed };
}
