/**
 * The network adapter: what the trainer needs from a network, so SimpleNN
 * and DagNN (and any other container) train with the same loop.
 *
 * Derivative convention: `evaluate` returns the objective and derivatives
 * *summed* over the sub-batch's images (a loss that divides by N is
 * multiplied back by N, as cnn_train does with `N * res(end).x`), so
 * sub-batches add up and the trainer divides by the batch size once.
 * A parameter trained by moving average (batch-norm moments, MatConvNet's
 * `trainMethod 'average'`) gets, as its "derivative", its batch value times
 * the number of images (what vl_simplenn's bnorm `dzdw{3}` and DagNN's
 * BatchNorm return), so it averages the same way.
 */
import type { Labels } from '@convnet-ts/blocks';
import type { Backend, Rng, Tensor } from '@convnet-ts/tensor';

/** One trainable parameter. */
export interface TrainParam {
  /** Unique, stable name (names the solver state in checkpoints). */
  readonly name: string;
  /** The current value. */
  readonly value: Tensor;
  /** Learning-rate factor (× the global rate; for 'average', the rate itself). */
  readonly learningRate: number;
  /** Weight-decay factor (× the global decay). */
  readonly weightDecay: number;
  /** 'gradient': solver step; 'average': w ← (1 − lr)·w + lr·mean of batch values. */
  readonly trainMethod: 'gradient' | 'average';
}

/** What one forward (and backward) pass over a sub-batch gives. */
export interface SubBatchResult {
  /** The objective summed over the sub-batch's images, a 1-element tensor. */
  objective: Tensor;
  /** The scores fed to the loss, `[N, H, W, C]`, for the error functions. */
  predictions: Tensor;
  /** One summed derivative per parameter (aligned with `params()`), null where none; null in test mode. */
  ders: (Tensor | null)[] | null;
  /**
   * The network's output values as it computed them, by name, for
   * `extractStatsFn` (DagNN: every output variable; SimpleNN: the loss's
   * output as `objective`); owned by the result. Absent: `{}`.
   */
  outputs?: Record<string, Tensor>;
}

export interface NetworkAdapter<Net = unknown> {
  /** The model-file kind of `save()` ('simplenn' or 'dagnn'). */
  readonly kind: 'simplenn' | 'dagnn';
  /** The network being trained (its parameters are replaced as it learns). */
  readonly net: Net;
  /** The backend of its parameters. */
  readonly backend: Backend;
  /** Every trainable parameter, in a fixed order. */
  params(): readonly TrainParam[];
  /** Replaces parameter `index`'s value (the old tensor is not disposed here). */
  setParam(index: number, value: Tensor): void;
  /** Forward pass ('test'), or forward and backward ('normal'), on one sub-batch. */
  evaluate(images: Tensor, labels: Labels, mode: 'normal' | 'test', rng: Rng): SubBatchResult;
  /** The network as a model file. */
  save(): Promise<Uint8Array>;
  /** Replaces the parameters by those of a model file written by `save()` (for resume). */
  restore(bytes: Uint8Array): void;
  /** The outputs to back-propagate from, with their weights (cnn_train_dag's `derOutputs`), for networks with named outputs. */
  setDerOutputs?(derOutputs: readonly (readonly [string, number])[]): void;
}
