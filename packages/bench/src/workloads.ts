import { Rng } from '@convnet-ts/tensor';
import type { Workload } from './args.js';

/** A tensor's values and shape, shared by every engine so all compute on the same data. */
export interface HostTensor {
  values: Float32Array;
  shape: number[];
}

/** W1/W2: input 32×56×56×64 (NHWC), filters 3×3×64×64, pad 1, stride 1. */
export const CONV = { n: 32, h: 56, w: 56, c: 64, hf: 3, wf: 3, k: 64, pad: 1 } as const;
/** W4: SGEMM 1024 × 1024 × 1024. */
export const GEMM_SIZE = 1024;
/** W3: MatConvNet's MNIST LeNet (cnn_mnist_init), batch 100, SGD learning rate 0.001. */
export const LENET_BATCH = 100;
export const LENET_RATE = 0.001;

/** One conv layer of LeNet: filters `[hf, wf, c, k]`, then an optional 2×2/2 max pool or ReLU. */
export interface LenetLayer {
  filter: [number, number, number, number];
  after: 'pool' | 'relu' | null;
}

/** conv 5×5×1×20 → pool → conv 5×5×20×50 → pool → conv 4×4×50×500 → relu → conv 1×1×500×10 → softmaxloss. */
export const LENET: readonly LenetLayer[] = [
  { filter: [5, 5, 1, 20], after: 'pool' },
  { filter: [5, 5, 20, 50], after: 'pool' },
  { filter: [4, 4, 50, 500], after: 'relu' },
  { filter: [1, 1, 500, 10], after: null },
];

/** Multiply-adds ×2 of the convolution W1. */
export const CONV_FLOPS = 2 * CONV.n * CONV.h * CONV.w * CONV.k * CONV.hf * CONV.wf * CONV.c;

/** Forward flops of LeNet's convolutions at the given batch (pools, ReLU and loss are negligible). */
export function lenetForwardFlops(batch: number): number {
  let size = 28;
  let flops = 0;
  for (const { filter, after } of LENET) {
    const [hf, wf, c, k] = filter;
    size = size - hf + 1;
    flops += 2 * batch * size * size * hf * wf * c * k;
    if (after === 'pool') size /= 2;
  }
  return flops;
}

/** Flops of each timed operation, by row of the table. */
export const FLOPS: Record<string, number> = {
  W1: CONV_FLOPS,
  'W2 dzdx': CONV_FLOPS,
  'W2 dzdf': CONV_FLOPS,
  // Forward, then dzdx and dzdf of every layer but dzdx of the first: about 3× forward.
  W3: 3 * lenetForwardFlops(LENET_BATCH),
  W4: 2 * GEMM_SIZE ** 3,
};

/** The rows of the table each workload produces. */
export const ROWS: Record<Workload, string[]> = {
  W1: ['W1'],
  W2: ['W2 dzdx', 'W2 dzdf'],
  W3: ['W3'],
  W4: ['W4'],
};

function host(rng: Rng, shape: number[], std: number): HostTensor {
  const values = Float32Array.from(rng.randn(shape.reduce((a, b) => a * b, 1)));
  for (let i = 0; i < values.length; i++) values[i]! *= std;
  return { values, shape };
}

/** Seeded inputs of every workload. */
export interface BenchData {
  x: HostTensor;
  f: HostTensor;
  dy: HostTensor;
  gemmA: HostTensor;
  gemmB: HostTensor;
  lenetX: HostTensor;
  /** Class labels 1..10, as MatConvNet. */
  lenetLabels: number[];
  /** Filters (0.01·randn, as cnn_mnist_init) and biases (0.05·randn rather than zeros, so no ReLU input sits on its kink) of each LeNet layer. */
  lenetParams: { f: HostTensor; b: HostTensor }[];
}

export function makeData(seed = 8): BenchData {
  const rng = new Rng(seed);
  const { n, h, w, c, hf, wf, k } = CONV;
  const labels = Array.from(rng.rand(LENET_BATCH), (u) => 1 + Math.min(9, Math.floor(10 * u)));
  return {
    x: host(rng, [n, h, w, c], 1),
    f: host(rng, [hf, wf, c, k], 0.05),
    dy: host(rng, [n, h, w, k], 1),
    gemmA: host(rng, [GEMM_SIZE, GEMM_SIZE], 1),
    gemmB: host(rng, [GEMM_SIZE, GEMM_SIZE], 1),
    lenetX: host(rng, [LENET_BATCH, 28, 28, 1], 1),
    lenetLabels: labels,
    lenetParams: LENET.map(({ filter }) => ({ f: host(rng, [...filter], 0.01), b: host(rng, [filter[3]], 0.05) })),
  };
}
