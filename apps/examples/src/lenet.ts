/**
 * MatConvNet's `cnn_mnist_init` LeNet (matconvnet-api §5.3) as a SimpleNN:
 * conv 5×5×1×20 → max pool 2/2 → conv 5×5×20×50 → max pool 2/2 →
 * conv 4×4×50×500 → relu → conv 1×1×500×10 → softmaxloss, filters
 * 0.01·randn and zero biases (rng seeded, like MatConvNet's `rng('default')`
 * with f = 1/100). With `bnorm`, a bnorm layer follows each of the first
 * three convs, whose biases are then removed; bnorm gains are ones, biases
 * zeros, `learningRate [1 1 0.05]` (the moments' moving-average rate 0.05)
 * and `weightDecay [0 0 0]`, as in `insertBnorm`.
 */
import type { SimpleNNSpec } from '@convnet-ts/simplenn';
import { type Backend, Rng, randnTensor } from '@convnet-ts/tensor';

export function lenet(backend: Backend, opts: { bnorm: boolean; seed: number }): SimpleNNSpec {
  const rng = new Rng(opts.seed);
  const f = 1 / 100;
  const conv = (name: string, shape: [number, number, number, number], withBias = true): SimpleNNSpec['layers'][number] => ({
    type: 'conv',
    name,
    weights: [randnTensor(backend, shape, rng, f), withBias ? backend.zeros([shape[3]]) : null],
  });
  const bn = (name: string, channels: number): SimpleNNSpec['layers'] =>
    opts.bnorm
      ? [{ type: 'bnorm', name, weights: [backend.fill([channels], 1), backend.zeros([channels])], learningRate: [1, 1, 0.05], weightDecay: [0, 0, 0] }]
      : [];
  const biased = !opts.bnorm;
  return {
    layers: [
      conv('conv1', [5, 5, 1, 20], biased),
      ...bn('bn1', 20),
      { type: 'pool', name: 'pool1', method: 'max', pool: 2, stride: 2 },
      conv('conv2', [5, 5, 20, 50], biased),
      ...bn('bn2', 50),
      { type: 'pool', name: 'pool2', method: 'max', pool: 2, stride: 2 },
      conv('conv3', [4, 4, 50, 500], biased),
      ...bn('bn3', 500),
      { type: 'relu', name: 'relu1' },
      conv('conv4', [1, 1, 500, 10]),
      { type: 'softmaxloss', name: 'loss' },
    ],
    meta: { inputSize: [1, 28, 28, 1], classes: { name: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] } },
  };
}
