/**
 * MatConvNet's `cnn_mnist_init` LeNet (matconvnet-api §5.3) as a SimpleNN:
 * conv 5×5×1×20 → max pool 2/2 → conv 5×5×20×50 → max pool 2/2 →
 * conv 4×4×50×500 → relu → conv 1×1×500×10 → softmaxloss, filters
 * 0.01·randn (seeded) and zero biases. With `bnorm`, a bnorm layer follows
 * each of the first three convs, whose biases are then dropped; gains ones,
 * biases zeros, `learningRate [1 1 0.05]` and `weightDecay [0 0 0]`, as
 * MatConvNet's `insertBnorm`. `meta` carries the class names '0'..'9' and
 * the digits' `normalization`.
 */
import type { JsonValue, LayerSpec, SimpleNNSpec } from '@convnet-ts/simplenn';
import { type Backend, Rng, randnTensor } from '@convnet-ts/tensor';

export type LenetVariant = 'lenet' | 'lenet-bnorm';

export function lenet(backend: Backend, variant: LenetVariant, seed: number, normalization: JsonValue | undefined): SimpleNNSpec {
  const rng = new Rng(seed);
  const bnorm = variant === 'lenet-bnorm';
  const conv = (name: string, shape: [number, number, number, number], withBias: boolean): LayerSpec => ({
    type: 'conv',
    name,
    weights: [randnTensor(backend, shape, rng, 0.01), withBias ? backend.zeros([shape[3]]) : null],
  });
  const bn = (name: string, channels: number): LayerSpec[] =>
    bnorm ? [{ type: 'bnorm', name, weights: [backend.fill([channels], 1), backend.zeros([channels])], learningRate: [1, 1, 0.05], weightDecay: [0, 0, 0] }] : [];
  return {
    layers: [
      conv('conv1', [5, 5, 1, 20], !bnorm),
      ...bn('bn1', 20),
      { type: 'pool', name: 'pool1', method: 'max', pool: 2, stride: 2 },
      conv('conv2', [5, 5, 20, 50], !bnorm),
      ...bn('bn2', 50),
      { type: 'pool', name: 'pool2', method: 'max', pool: 2, stride: 2 },
      conv('conv3', [4, 4, 50, 500], !bnorm),
      ...bn('bn3', 500),
      { type: 'relu', name: 'relu1' },
      conv('conv4', [1, 1, 500, 10], true),
      { type: 'softmaxloss', name: 'loss' },
    ],
    meta: { inputSize: [1, 28, 28, 1], classes: { name: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] }, normalization },
  };
}

/** The solver settings of apps/examples' mnist-lenet.ts (batch 100, momentum 0.9), first-epoch learning rate. */
export const VARIANT_DEFAULTS: Readonly<Record<LenetVariant, { learningRate: number; weightDecay: number }>> = {
  lenet: { learningRate: 0.003, weightDecay: 0.005 },
  'lenet-bnorm': { learningRate: 0.05, weightDecay: 0.0005 },
};
