/**
 * Networks for the tests (not part of the package's build): MatConvNet's
 * MNIST LeNet (`cnn_mnist_init`), a small AlexNet-like chain that uses most
 * layer types, and helpers.
 */
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { type Backend, Rng, type Shape, sizeOf, type Tensor } from '@convnet-ts/tensor';
import { expect } from 'vitest';
import type { SimpleNNSpec } from './layer-spec.js';

export const cpu64 = createCpuBackend({ dtype: 'float64' });
export const cpu32 = createCpuBackend({ dtype: 'float32' });

/** Normal values from a seeded generator. */
export function randn(backend: Backend, shape: Shape, seed: number, std = 1): Tensor {
  return backend.tensor(
    new Rng(seed).randn(sizeOf(shape)).map((v) => v * std),
    shape,
  );
}

/** LeNet for 28×28×1 digits (cnn_mnist_init): 5×5×1×20, pool 2/2, 5×5×20×50, pool 2/2, 4×4×50×500, relu, 1×1×500×10, softmaxloss. */
export function lenet(backend: Backend, seed = 1): SimpleNNSpec {
  const w = (shape: Shape, s: number) => randn(backend, shape, seed * 100 + s, 0.1);
  return {
    layers: [
      { type: 'conv', name: 'conv1', weights: [w([5, 5, 1, 20], 1), backend.zeros([20])] },
      { type: 'pool', name: 'pool1', pool: 2, stride: 2 },
      { type: 'conv', name: 'conv2', weights: [w([5, 5, 20, 50], 2), backend.zeros([50])] },
      { type: 'pool', name: 'pool2', pool: [2, 2], stride: 2, method: 'max' },
      { type: 'conv', name: 'conv3', weights: [w([4, 4, 50, 500], 3), backend.zeros([500])] },
      { type: 'relu', name: 'relu1' },
      { type: 'conv', name: 'conv4', weights: [w([1, 1, 500, 10], 4), backend.zeros([10])] },
      { type: 'softmaxloss', name: 'loss' },
    ],
    meta: { inputSize: [1, 28, 28, 1], classes: { name: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] } },
  };
}

/**
 * A small AlexNet-like chain on `[N, 5, 5, 2]` inputs: conv (pad 1), leaky
 * relu, lrn, max pool with uneven pad, grouped conv, bnorm, dropout, conv to
 * 1×1×3 scores, and (unless `withLoss` is false) softmaxloss.
 */
export function alexLike(backend: Backend, seed = 2, withLoss = true): SimpleNNSpec {
  const w = (shape: Shape, s: number, std = 0.5) => randn(backend, shape, seed * 100 + s, std);
  const layers: SimpleNNSpec['layers'] = [
    { type: 'conv', name: 'conv1', weights: [w([3, 3, 2, 4], 1), w([4], 2)], pad: 1 },
    { type: 'relu', name: 'relu1', leak: 0.1 },
    { type: 'lrn', name: 'norm1', param: [3, 1, 0.5, 0.75] },
    { type: 'pool', name: 'pool1', pool: 2, stride: 2, pad: [0, 1, 0, 1] },
    { type: 'conv', name: 'conv2', weights: [w([3, 3, 2, 4], 3), w([4], 4)], pad: 1 },
    { type: 'bnorm', name: 'bn2', weights: [w([4], 5), w([4], 6), backend.tensor([0.1, 1.2, -0.2, 0.9, 0.3, 1.1, 0, 0.8], [4, 2])] },
    { type: 'dropout', name: 'drop2', rate: 0.3 },
    { type: 'conv', name: 'fc3', weights: [w([3, 3, 4, 3], 7), w([3], 8)] },
  ];
  return { layers: withLoss ? [...layers, { type: 'softmaxloss', name: 'loss' }] : layers, meta: {} };
}

/** Expects two tensors' values to agree within `tol` (absolute + relative). */
export async function expectClose(actual: Tensor | null | undefined, expected: Tensor | null | undefined, tol = 1e-12): Promise<void> {
  expect(actual).toBeTruthy();
  expect(expected).toBeTruthy();
  expect(actual!.shape).toEqual(expected!.shape);
  const a = await actual!.data();
  const e = await expected!.data();
  for (let i = 0; i < e.length; i++) {
    if (!(Math.abs(a[i]! - e[i]!) <= tol * (1 + Math.abs(e[i]!)))) {
      throw new Error(`element ${i}: got ${a[i]}, expected ${e[i]} (tolerance ${tol})`);
    }
  }
}
