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

/** W5: one SGD step of cnn_imagenet_init's AlexNet without LRN, batch 32, 224×224×3 input, 1000 classes. */
export const ALEXNET_BATCH = 32;
export const ALEXNET_SIZE = 224;
export const ALEXNET_CLASSES = 1000;
export const ALEXNET_RATE = 0.01;

/** One conv layer of AlexNet: filters `[hf, wf, c/groups, k]` (groups = input channels / c), stride, pad, then ReLU, a 3×3/2 max pool, dropout. */
export interface AlexLayer {
  filter: [number, number, number, number];
  stride: number;
  pad: number;
  relu: boolean;
  pool: boolean;
  dropout: boolean;
}

const alex = (filter: AlexLayer['filter'], o: Partial<AlexLayer> = {}): AlexLayer => ({ filter, stride: 1, pad: 0, relu: true, pool: false, dropout: false, ...o });

/**
 * cnn_imagenet_init's AlexNet (examples/imagenet/cnn_imagenet_init.m) without
 * its two LRN layers, at 224×224: conv 11×11×3×96 /4 → relu → pool 3/2 →
 * conv 5×5×48×256 (2 groups) pad 2 → relu → pool → conv 3×3×256×384 pad 1 →
 * relu → conv 3×3×192×384 (2 groups) → relu → conv 3×3×192×256 (2 groups) →
 * relu → pool → fc6 (5×5×256×4096) → relu → dropout → fc7 4096 → relu →
 * dropout → fc8 1000 → softmaxloss.
 */
export const ALEXNET: readonly AlexLayer[] = [
  alex([11, 11, 3, 96], { stride: 4, pool: true }),
  alex([5, 5, 48, 256], { pad: 2, pool: true }),
  alex([3, 3, 256, 384], { pad: 1 }),
  alex([3, 3, 192, 384], { pad: 1 }),
  alex([3, 3, 192, 256], { pad: 1, pool: true }),
  alex([5, 5, 256, 4096], { dropout: true }),
  alex([1, 1, 4096, 4096], { dropout: true }),
  alex([1, 1, 4096, ALEXNET_CLASSES], { relu: false }),
];

/** Forward flops of AlexNet's convolutions at the given batch, with each layer's input channels (for dzdx, which layer 1 skips). */
export function alexnetForwardFlops(batch: number): { total: number; first: number } {
  let size = ALEXNET_SIZE;
  let total = 0;
  let first = 0;
  for (const [i, { filter, stride, pad, pool }] of ALEXNET.entries()) {
    const [hf, wf, c, k] = filter;
    size = Math.floor((size + 2 * pad - hf) / stride) + 1;
    const flops = 2 * batch * size * size * hf * wf * c * k;
    total += flops;
    if (i === 0) first = flops;
    if (pool) size = Math.floor((size - 3) / 2) + 1;
  }
  return { total, first };
}

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
  // Forward, dzdf of every layer, dzdx of every layer but the first.
  W5: 3 * alexnetForwardFlops(ALEXNET_BATCH).total - alexnetForwardFlops(ALEXNET_BATCH).first,
};

/** Images per timed run, for rows reported in images/s. */
export const IMAGES: Record<string, number> = { W5: ALEXNET_BATCH };

/** The rows of the table each workload produces. */
export const ROWS: Record<Workload, string[]> = {
  W1: ['W1'],
  W2: ['W2 dzdx', 'W2 dzdf'],
  W3: ['W3'],
  W4: ['W4'],
  W5: ['W5'],
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
  /** W5's batch (randn images), labels 1..1000 and filters (randn·√(2/(hf·wf·c)), xavierimproved) and zero biases; null unless W5 is run. */
  alexnet: { x: HostTensor; labels: number[]; params: { f: HostTensor; b: HostTensor }[] } | null;
}

/**
 * `std`·N(0, 1) values, fast: a table of 2¹⁶ values of `rng.randn` read at
 * xorshift32 positions seeded from `rng` (the exact generator takes about a
 * second per million values on a loaded machine; W5 needs 66 million).
 */
function fastHost(rng: Rng, shape: number[], std: number, table: Float64Array): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  let state = (Math.floor(rng.rand(1)[0]! * 2 ** 32) | 1) >>> 0;
  for (let i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    values[i] = std * table[state & 0xffff]!;
  }
  return { values, shape };
}

/** W5's seeded data (its own generator, `fastHost`: 61 M weights, made only when W5 runs). */
export function makeAlexnetData(seed = 21): NonNullable<BenchData['alexnet']> {
  const rng = new Rng(seed);
  const labels = Array.from(rng.rand(ALEXNET_BATCH), (u) => 1 + Math.min(ALEXNET_CLASSES - 1, Math.floor(ALEXNET_CLASSES * u)));
  const table = rng.randn(1 << 16);
  return {
    x: fastHost(rng, [ALEXNET_BATCH, ALEXNET_SIZE, ALEXNET_SIZE, 3], 1, table),
    labels,
    params: ALEXNET.map(({ filter }) => ({
      f: fastHost(rng, [...filter], Math.sqrt(2 / (filter[0] * filter[1] * filter[2])), table),
      b: { values: new Float32Array(filter[3]), shape: [filter[3]] },
    })),
  };
}

export function makeData(seed = 8, withAlexnet = false): BenchData {
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
    alexnet: withAlexnet ? makeAlexnetData() : null,
  };
}
