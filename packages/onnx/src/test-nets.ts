/**
 * Networks the export tests build: MatConvNet's cnn_mnist_init LeNet with
 * bnorm and a small AlexNet-shaped chain, with seeded random parameters.
 */
import { BatchNorm, Concat, Conv, Crop, DagNN, Pooling, ReLU, Scale, Sigmoid, SoftMax, Sum } from '@convnet-ts/dagnn';
import type { LayerSpec, SimpleNNSpec } from '@convnet-ts/simplenn';
import { type Backend, Rng, randnTensor, randTensor, type Shape, type Tensor } from '@convnet-ts/tensor';

/** Where a test net's parameters come from. */
export interface TestNetSource {
  backend: Backend;
  rng: Rng;
}

/** Moments [C, 2] rows [μ, σ]: μ ~ N(0, 0.5²), σ ∈ [0.3, 3] (many float32 σ whose σ² − ε does not come back to σ); the last σ negative (allowed by the block: σ' = |σ|, scale negated). */
export function moments({ backend, rng }: TestNetSource, c: number): Tensor {
  const m = new Float64Array(2 * c);
  for (let k = 0; k < c; k++) {
    m[2 * k] = 0.5 * rng.normal();
    m[2 * k + 1] = 0.3 + 2.7 * rng.uniform();
  }
  m[2 * c - 1] = -m[2 * c - 1]!;
  return backend.tensor(m, [c, 2]);
}

/** MatConvNet's cnn_mnist_init LeNet with bnorm (apps/examples/src/lenet.ts): random multipliers, biases and moments. */
export function lenetBnorm(src: TestNetSource, meta: SimpleNNSpec['meta'] = { inputSize: [1, 28, 28, 1] }): SimpleNNSpec {
  const randn = (shape: Shape, std: number): Tensor => randnTensor(src.backend, shape, src.rng, std);
  const bn = (name: string, c: number): LayerSpec => ({
    type: 'bnorm',
    name,
    weights: [randTensor(src.backend, [c], src.rng, 0.5, 2), randn([c], 0.5), moments(src, c)],
    epsilon: 1e-4,
  });
  return {
    layers: [
      { type: 'conv', name: 'conv1', weights: [randn([5, 5, 1, 20], 0.1), null] },
      bn('bn1', 20),
      { type: 'pool', name: 'pool1', method: 'max', pool: 2, stride: 2 },
      { type: 'conv', name: 'conv2', weights: [randn([5, 5, 20, 50], 0.05), null] },
      bn('bn2', 50),
      { type: 'pool', name: 'pool2', method: 'max', pool: 2, stride: 2 },
      { type: 'conv', name: 'conv3', weights: [randn([4, 4, 50, 500], 0.03), null] },
      bn('bn3', 500),
      { type: 'relu', name: 'relu1' },
      { type: 'conv', name: 'conv4', weights: [randn([1, 1, 500, 10], 0.05), randn([10], 0.1)] },
      { type: 'softmaxloss', name: 'loss' },
    ],
    meta,
  };
}

/** What differs between the AlexNet-shaped chains of the tests. */
export interface AlexnetVariant {
  /** relu1's leak (0: plain ReLU). */
  leak?: number;
  /** norm2's window size (an even size is an ONNX subgraph). */
  norm2Size?: number;
  /** pool5 (default: max 2×2, stride 1). */
  pool5?: LayerSpec;
  /** fc6's filter height and width, matching pool5's output. */
  fc6Size?: number;
}

/** A small AlexNet-shaped chain: conv1 stride 2, groups of 2 in conv2/4/5, LRNs (α that float32 cannot hold), overlapping max pooling, dropout, fully connected convs, softmax. */
export function alexnet(src: TestNetSource, variant: AlexnetVariant = {}): SimpleNNSpec {
  const conv = (name: string, shape: [number, number, number, number], pad = 0, stride = 1): LayerSpec => ({
    type: 'conv',
    name,
    weights: [randnTensor(src.backend, shape, src.rng, Math.sqrt(2 / (shape[0] * shape[1] * shape[2]))), randnTensor(src.backend, [shape[3]], src.rng, 0.1)],
    pad,
    stride,
  });
  const fc6 = variant.fc6Size ?? 2;
  return {
    layers: [
      conv('conv1', [7, 7, 3, 16], 0, 2),
      variant.leak === undefined ? { type: 'relu', name: 'relu1' } : { type: 'relu', name: 'relu1', leak: variant.leak },
      { type: 'lrn', name: 'norm1', param: [5, 1, 0.01, 0.75] },
      { type: 'pool', name: 'pool1', method: 'max', pool: 3, stride: 2 },
      conv('conv2', [5, 5, 8, 24], 2),
      { type: 'relu', name: 'relu2' },
      { type: 'lrn', name: 'norm2', param: [variant.norm2Size ?? 5, 2, 0.02, 0.75] },
      { type: 'pool', name: 'pool2', method: 'max', pool: 3, stride: 2 },
      conv('conv3', [3, 3, 24, 32], 1),
      { type: 'relu', name: 'relu3' },
      conv('conv4', [3, 3, 16, 32], 1),
      { type: 'relu', name: 'relu4' },
      conv('conv5', [3, 3, 16, 24], 1),
      { type: 'relu', name: 'relu5' },
      variant.pool5 ?? { type: 'pool', name: 'pool5', method: 'max', pool: 2, stride: 1 },
      conv('fc6', [fc6, fc6, 24, 64]),
      { type: 'relu', name: 'relu6' },
      { type: 'dropout', name: 'drop6', rate: 0.5 },
      conv('fc7', [1, 1, 64, 64]),
      { type: 'relu', name: 'relu7' },
      { type: 'dropout', name: 'drop7', rate: 0.5 },
      conv('fc8', [1, 1, 64, 10]),
      { type: 'softmax', name: 'prob' },
    ],
    meta: {},
  };
}

/**
 * Scale (with and without bias), BatchNorm, Crop, Concat along H, W and C,
 * Sum, SoftMax, Sigmoid; inputs `a` [N, H, W, 3] and `b` [N, 6, 6, 4],
 * outputs `prob` and `gate`. `scale` and `scale2` are the two Scales' sizes
 * (each a shape of the 4 channels: [4], [1, 1, 4], [1, 1, 1, 4]).
 */
export function scaleConcatDag(src: TestNetSource, sizes: { scale: Shape; scale2: Shape }): DagNN {
  const net = new DagNN(src.backend);
  net.addLayer('conv', new Conv({ size: [3, 3, 3, 4], pad: 1 }), 'a', 'c', ['cf', 'cb']);
  net.addLayer('scale', new Scale({ size: [...sizes.scale] }), 'c', 's', ['sw', 'sb']);
  net.addLayer('scale2', new Scale({ size: [...sizes.scale2], hasBias: false }), 's', 's2', ['sw2']);
  net.addLayer('bn', new BatchNorm({ numChannels: 4, epsilon: 1e-3 }), 's2', 'n', ['bm', 'bb', 'bx']);
  net.addLayer('crop', new Crop({ crop: [1, 2] }), ['n', 'b'], 'k');
  net.addLayer('cat3', new Concat({ dim: 3 }), ['k', 'b'], 'k3');
  net.addLayer('cat1', new Concat({ dim: 1 }), ['k', 'b'], 'k1');
  net.addLayer('cat2', new Concat({ dim: 2 }), ['k', 'b'], 'k2');
  net.addLayer('pool1', new Pooling({ poolSize: [2, 1], stride: [2, 1] }), 'k1', 'p1');
  net.addLayer('pool2', new Pooling({ poolSize: [1, 2], stride: [1, 2], method: 'avg' }), 'k2', 'p2');
  net.addLayer('sum', new Sum(), ['p1', 'p2', 'k'], 'sum');
  net.addLayer('relu', new ReLU(), 'sum', 'r');
  net.addLayer('conv2', new Conv({ size: [1, 1, 4, 7] }), 'r', 'y', ['c2f', 'c2b']);
  net.addLayer('prob', new SoftMax(), 'y', 'prob');
  net.addLayer('gate', new Sigmoid(), 'k3', 'gate');
  net.initParams(new Rng(3));
  const randn = (shape: Shape): Tensor => randnTensor(src.backend, shape, src.rng);
  for (const [name, t] of [
    ['cb', randn([4])],
    ['sw', randn(sizes.scale)],
    ['sb', randn(sizes.scale)],
    ['sw2', randn(sizes.scale2)],
    ['bm', randTensor(src.backend, [4], src.rng, 0.5, 2)],
    ['bb', randn([4])],
    ['bx', moments(src, 4)],
  ] as const) {
    net.setParam(name, t);
  }
  return net;
}
