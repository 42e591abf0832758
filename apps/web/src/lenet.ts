/**
 * MatConvNet's `cnn_mnist_init` LeNet (matconvnet-api §5.3) as a SimpleNN:
 * conv 5×5×1×20 → max pool 2/2 → conv 5×5×20×50 → max pool 2/2 →
 * conv 4×4×50×500 → relu → conv 1×1×500×10 → softmaxloss, filters
 * 0.01·randn (seeded) and zero biases. With `bnorm`, a bnorm layer follows
 * each of the first three convs, whose biases are then dropped; gains ones,
 * biases zeros, `learningRate [1 1 0.05]` and `weightDecay [0 0 0]`, as
 * MatConvNet's `insertBnorm`. `meta` carries the class names '0'..'9' and
 * the digits' `normalization`.
 *
 * With `input`, the same layers on S×S×C images of any C classes
 * (`cnn_imagenet_init`'s 'lenet'): conv3's filter covers what the two
 * conv + pool stages leave, k = ⌊(⌊(S − 4)/2⌋ − 4)/2⌋ (4 at 28, 5 at 32,
 * 13 at 64), conv4 gives C scores, and `meta.classes` holds the names.
 */
import type { JsonValue, LayerSpec, SimpleNNSpec } from '@convnet-ts/simplenn';
import { type Backend, Rng, randnTensor } from '@convnet-ts/tensor';

export type LenetVariant = 'lenet' | 'lenet-bnorm';

export interface LenetInput {
  /** Input side S (at least 16). */
  size: number;
  channels: 1 | 3;
  classes: readonly string[];
}

const DIGITS: LenetInput = { size: 28, channels: 1, classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };

/** conv3's filter side at input side S: what conv1, pool1, conv2 and pool2 leave. */
export function lenetConv3Size(size: number): number {
  return Math.floor((Math.floor((size - 4) / 2) - 4) / 2);
}

export function lenet(backend: Backend, variant: LenetVariant, seed: number, normalization: JsonValue | undefined, input: LenetInput = DIGITS): SimpleNNSpec {
  const k = lenetConv3Size(input.size);
  if (!Number.isInteger(input.size) || k < 1) throw new RangeError(`lenet: input size must be an integer of at least 16, got ${input.size}`);
  if (input.classes.length < 2) throw new RangeError(`lenet: at least 2 classes expected, got ${input.classes.length}`);
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
      conv('conv1', [5, 5, input.channels, 20], !bnorm),
      ...bn('bn1', 20),
      { type: 'pool', name: 'pool1', method: 'max', pool: 2, stride: 2 },
      conv('conv2', [5, 5, 20, 50], !bnorm),
      ...bn('bn2', 50),
      { type: 'pool', name: 'pool2', method: 'max', pool: 2, stride: 2 },
      conv('conv3', [k, k, 50, 500], !bnorm),
      ...bn('bn3', 500),
      { type: 'relu', name: 'relu1' },
      conv('conv4', [1, 1, 500, input.classes.length], true),
      { type: 'softmaxloss', name: 'loss' },
    ],
    meta: {
      inputSize: [1, input.size, input.size, input.channels],
      classes: input === DIGITS ? { name: [...DIGITS.classes] } : { name: [...input.classes], description: [...input.classes] },
      normalization,
    },
  };
}

/** The solver settings of apps/examples' mnist-lenet.ts (batch 100, momentum 0.9), first-epoch learning rate. */
export const VARIANT_DEFAULTS: Readonly<Record<LenetVariant, { learningRate: number; weightDecay: number }>> = {
  lenet: { learningRate: 0.003, weightDecay: 0.005 },
  'lenet-bnorm': { learningRate: 0.05, weightDecay: 0.0005 },
};

/**
 * The image panel's first settings (batch 16): its inputs are 0..255 minus the mean colour, as
 * cnn_imagenet's, 255 times the digits' scale, so plain LeNet needs a far smaller rate; with batch
 * norm the scale does not matter, and 0.01 trained the test's shapes more steadily than 0.05.
 */
export const IMAGE_VARIANT_DEFAULTS: Readonly<Record<LenetVariant, { learningRate: number; weightDecay: number }>> = {
  lenet: { learningRate: 0.0003, weightDecay: 0.0005 },
  'lenet-bnorm': { learningRate: 0.01, weightDecay: 0.0005 },
};
