import { Rng } from '@convnet-ts/tensor';
import type { HostTensor } from '../workloads.js';

/** One layer of a chain network, as a SimpleNN layer without its weights. */
export type ChainLayer =
  /** Filters `[Hf, Wf, C/groups, K]` (groups = input channels / C′), symmetric zero padding, equal strides. */
  | { kind: 'conv'; filter: [number, number, number, number]; stride?: number; pad?: number }
  | { kind: 'relu' }
  /** Max pooling, no padding. */
  | { kind: 'pool'; size: number; stride: number }
  /** Inverted dropout (training mode). */
  | { kind: 'dropout'; rate: number };

/** A chain network ending in softmaxloss (averaged over the batch: vl_nnsoftmaxloss divides by N), trained by plain SGD. */
export interface ChainNet {
  name: string;
  /** Input `[N, H, W, C]`. */
  input: [number, number, number, number];
  layers: readonly ChainLayer[];
  classes: number;
  /** SGD step: w ← w − rate · dz/dw. */
  rate: number;
}

/** Seeded data of one SGD step: the input, class labels 1..classes, and filters and biases of each conv layer in order. */
export interface ChainData {
  x: HostTensor;
  labels: number[];
  params: { f: HostTensor; b: HostTensor }[];
}

/**
 * MatConvNet's `cnn_imagenet_init` AlexNet (examples/imagenet/cnn_imagenet_init.m) without its two LRN
 * layers: conv 11×11×3×96 /4 → relu → pool 3/2 → conv 5×5×48×256 (2 groups) pad 2 → relu → pool 3/2 →
 * conv 3×3×256×384 pad 1 → relu → conv 3×3×192×384 (2 groups) pad 1 → relu → conv 3×3×192×256 (2 groups)
 * pad 1 → relu → pool 3/2 → fc6 (k×k×256×fc) → relu → dropout → fc7 (1×1×fc×fc) → relu → dropout →
 * fc8 (1×1×fc×classes) → softmaxloss. `size` 227 and `fc` 4096 are MatConvNet's; k follows from `size`
 * (6 at 227). SGD rate 0.01, cnn_imagenet_init's first.
 */
export function alexnet(batch: number, size = 227, fc = 4096, classes = 1000): ChainNet {
  const body: ChainLayer[] = [
    { kind: 'conv', filter: [11, 11, 3, 96], stride: 4 },
    { kind: 'relu' },
    { kind: 'pool', size: 3, stride: 2 },
    { kind: 'conv', filter: [5, 5, 48, 256], pad: 2 },
    { kind: 'relu' },
    { kind: 'pool', size: 3, stride: 2 },
    { kind: 'conv', filter: [3, 3, 256, 384], pad: 1 },
    { kind: 'relu' },
    { kind: 'conv', filter: [3, 3, 192, 384], pad: 1 },
    { kind: 'relu' },
    { kind: 'conv', filter: [3, 3, 192, 256], pad: 1 },
    { kind: 'relu' },
    { kind: 'pool', size: 3, stride: 2 },
  ];
  const k = spatialSizes({ name: '', input: [batch, size, size, 3], layers: body, classes, rate: 0 }).at(-1) ?? 0;
  if (k < 1) throw new RangeError(`alexnet: input size ${size} leaves no pixel for fc6 (use at least 67)`);
  return {
    name: 'AlexNet',
    input: [batch, size, size, 3],
    layers: [
      ...body,
      { kind: 'conv', filter: [k, k, 256, fc] },
      { kind: 'relu' },
      { kind: 'dropout', rate: 0.5 },
      { kind: 'conv', filter: [1, 1, fc, fc] },
      { kind: 'relu' },
      { kind: 'dropout', rate: 0.5 },
      { kind: 'conv', filter: [1, 1, fc, classes] },
    ],
    classes,
    rate: 0.01,
  };
}

/** The spatial size (height = width) after each layer, MatConvNet's ⌊(H + 2P − F)/S⌋ + 1 (manual §5.2). */
export function spatialSizes(net: ChainNet): number[] {
  let h = net.input[1];
  return net.layers.map((l) => {
    if (l.kind === 'conv') h = Math.floor((h + 2 * (l.pad ?? 0) - l.filter[0]) / (l.stride ?? 1)) + 1;
    else if (l.kind === 'pool') h = Math.floor((h - l.size) / l.stride) + 1;
    return h;
  });
}

/**
 * Flops of one SGD step, counted as packages/bench counts its AlexNet row (W5): the forward convolutions'
 * 2·N·Ho·Wo·K·Hf·Wf·C′, times 3 (forward, dz/dx, dz/df) less the first layer's dz/dx, which is not
 * computed (pools, ReLU, dropout, loss and update left out).
 */
export function stepFlops(net: ChainNet): number {
  const sizes = spatialSizes(net);
  let total = 0;
  let first = Number.NaN;
  for (const [i, l] of net.layers.entries()) {
    if (l.kind !== 'conv') continue;
    const [hf, wf, c, k] = l.filter;
    const h = sizes[i] ?? 0;
    const flops = 2 * net.input[0] * h * h * k * hf * wf * c;
    if (Number.isNaN(first)) first = flops;
    total += flops;
  }
  return 3 * total - (Number.isNaN(first) ? 0 : first);
}

/**
 * `n` values std·N(0, 1) by Box–Muller on a xorshift32 stream seeded from `rng`: AlexNet has 61 M
 * weights, and `Rng.randn` (exact, MATLAB's) takes about a second per million on a loaded machine.
 */
function fastRandn(rng: Rng, shape: number[], std: number): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  let s = (Math.floor((rng.rand(1)[0] ?? 0.5) * 2 ** 32) | 1) >>> 0;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 1) / 4294967297; // in (0, 1)
  };
  for (let i = 0; i < n; i += 2) {
    const r = std * Math.sqrt(-2 * Math.log(next()));
    const t = 2 * Math.PI * next();
    values[i] = r * Math.cos(t);
    if (i + 1 < n) values[i + 1] = r * Math.sin(t);
  }
  return { values, shape };
}

/** Seeded input (N(0, 1), `fastRandn`), labels, filters randn·√(2/(Hf·Wf·C′)) (cnn_imagenet_init's xavierimproved) and zero biases. */
export function makeChainData(net: ChainNet, seed = 20): ChainData {
  const rng = new Rng(seed);
  const randn = (shape: number[], std: number): HostTensor => fastRandn(rng, shape, std);
  const x = randn([...net.input], 1);
  const labels = Array.from(rng.rand(net.input[0]), (u) => 1 + Math.min(net.classes - 1, Math.floor(net.classes * u)));
  const params = net.layers.flatMap((l) => {
    if (l.kind !== 'conv') return [];
    const [hf, wf, c, k] = l.filter;
    return [{ f: randn([hf, wf, c, k], Math.sqrt(2 / (hf * wf * c))), b: { values: new Float32Array(k), shape: [k] } }];
  });
  return { x, labels, params };
}
