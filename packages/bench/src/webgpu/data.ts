import { CONV, FLOPS, GEMM_SIZE, type HostTensor, LENET, LENET_BATCH, LENET_RATE, makeData } from '../workloads.js';
import { alexnet, type ChainData, type ChainNet, type ChainLayer, makeChainData, stepFlops } from './nets.js';

/** Everything the WebGPU rows compute on, shared by both engines so they compute on the same values. */
export interface WebgpuData {
  /** W1/W2: x `[N, H, W, C]`, filters `[Hf, Wf, C, K]`, dz/dy of W1's output, symmetric padding (stride 1). */
  conv: { x: HostTensor; f: HostTensor; dy: HostTensor; pad: number };
  /** W4: A `[M, K]` · B `[K, N]`. */
  gemm: { a: HostTensor; b: HostTensor };
  /** W3 (MNIST LeNet) and AlexNet: one SGD step each. Step flops: `stepFlops` (W3 in full size: packages/bench's FLOPS.W3). */
  nets: Record<NetRow, { net: ChainNet; data: ChainData }>;
  /** Flops of each row's operation. */
  flops: Record<string, number>;
  /** A note per row whose size differs from the workload's definition (reduced sizes), shown in the table. */
  notes: Record<string, string>;
}

export type NetRow = 'W3' | 'AlexNet';
export const NET_ROWS: readonly NetRow[] = ['W3', 'AlexNet'];

/** Every row, in table order; `W2` selects both derivatives. */
export const WEBGPU_ROWS = ['W1', 'W2 dzdx', 'W2 dzdf', 'W3', 'W4', 'AlexNet'] as const;
export type WebgpuRow = (typeof WEBGPU_ROWS)[number];

/** MatConvNet's MNIST LeNet (packages/bench's LENET) at `batch`. */
export function lenet(batch: number): ChainNet {
  const layers: ChainLayer[] = LENET.flatMap(({ filter, after }): ChainLayer[] => [
    { kind: 'conv', filter },
    ...(after === 'pool' ? [{ kind: 'pool', size: 2, stride: 2 } as const] : after === 'relu' ? [{ kind: 'relu' } as const] : []),
  ]);
  return { name: 'LeNet', input: [batch, 28, 28, 1], layers, classes: 10, rate: LENET_RATE };
}

const convFlops = (x: HostTensor, f: HostTensor): number => {
  const [n = 0, h = 0, w = 0] = x.shape;
  const [hf = 0, wf = 0, c = 0, k = 0] = f.shape;
  return 2 * n * h * w * k * hf * wf * c;
};

export interface DataOptions {
  /** Sizes small enough for a unit test on SwiftShader (W1/W2 2×9×9×8 ∗ 3×3×8×16, W4 64³, LeNet batch 4 with `makeChainData`'s weights, AlexNet 67×67 batch 1 with fc 64). */
  tiny?: boolean;
  /** AlexNet's batch (default 128, cnn_imagenet_init's). */
  alexnetBatch?: number;
  /** Why AlexNet's batch is not 128, for the table. */
  alexnetNote?: string;
}

/** The workloads of packages/bench/src/workloads.ts (same seeded values as `pnpm bench`) plus AlexNet, or their tiny versions. */
export function webgpuData(opts: DataOptions = {}): WebgpuData {
  const notes: Record<string, string> = {};
  if (opts.tiny) {
    const tiny = tinyData();
    const lenetNet = lenet(4);
    const alex = alexnet(1, 67, 64, 10);
    const nets = {
      W3: { net: lenetNet, data: makeChainData(lenetNet) },
      AlexNet: { net: alex, data: makeChainData(alex) },
    };
    for (const r of WEBGPU_ROWS) notes[r] = 'tiny sizes (test)';
    return { ...tiny, nets, flops: flopsOf(tiny.conv, tiny.gemm.a.shape[0] ?? 0, nets), notes };
  }
  // makeData draws 15 M values with the exact Rng.randn: seconds, so not for the tiny sizes.
  const bench = makeData();
  const alexBatch = opts.alexnetBatch ?? 128;
  if (opts.alexnetNote) notes.AlexNet = opts.alexnetNote;
  const alex = alexnet(alexBatch);
  const nets = {
    W3: { net: lenet(LENET_BATCH), data: { x: bench.lenetX, labels: bench.lenetLabels, params: bench.lenetParams } },
    AlexNet: { net: alex, data: makeChainData(alex) },
  };
  const conv = { x: bench.x, f: bench.f, dy: bench.dy, pad: CONV.pad };
  // W3 as packages/bench counts it (3 × forward, the CPU table's figure).
  const flops = { ...flopsOf(conv, GEMM_SIZE, nets), W3: FLOPS.W3 ?? Number.NaN };
  return { conv, gemm: { a: bench.gemmA, b: bench.gemmB }, nets, flops, notes };
}

function flopsOf(conv: WebgpuData['conv'], gemm: number, nets: WebgpuData['nets']): Record<string, number> {
  const c = convFlops(conv.x, conv.f);
  return { W1: c, 'W2 dzdx': c, 'W2 dzdf': c, W3: stepFlops(nets.W3.net), W4: 2 * gemm ** 3, AlexNet: stepFlops(nets.AlexNet.net) };
}

function tinyData(): Pick<WebgpuData, 'conv' | 'gemm'> {
  let s = 12345;
  // A small LCG in [-1, 1): tiny tensors need no normal variates.
  const host = (shape: number[], scale: number): HostTensor => {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      values[i] = scale * (s / 2 ** 31 - 1);
    }
    return { values, shape };
  };
  return {
    conv: { x: host([2, 9, 9, 8], 1), f: host([3, 3, 8, 16], 0.2), dy: host([2, 9, 9, 16], 1), pad: 1 },
    gemm: { a: host([64, 64], 1), b: host([64, 64], 1) },
  };
}
