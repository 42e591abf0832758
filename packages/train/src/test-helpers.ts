/**
 * Tiny networks and data for the trainer's tests (not part of the build):
 * a 6×6×1 three-class problem (which third of the image is bright) and a
 * conv → bnorm → relu → pool → conv → softmaxloss chain.
 */
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import type { SimpleNNSpec } from '@convnet-ts/simplenn';
import { type Backend, Rng, type Shape, sizeOf, type Tensor } from '@convnet-ts/tensor';
import { ArrayBatchSource } from './batch-source.js';

export const cpu64 = createCpuBackend({ dtype: 'float64' });
export const cpu32 = createCpuBackend({ dtype: 'float32' });

export function randn(backend: Backend, shape: Shape, seed: number, std = 1): Tensor {
  return backend.tensor(new Rng(seed).randn(sizeOf(shape)).map((v) => v * std), shape);
}

/** `n` noisy 6×6 images; class k (1..3) has bright columns 2k−2, 2k−1. */
export function stripes(n: number, seed = 7): ArrayBatchSource {
  const rng = new Rng(seed);
  const images = new Float32Array(n * 36);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = 1 + rng.int(3);
    labels[i] = k;
    for (let p = 0; p < 36; p++) {
      const col = p % 6;
      images[i * 36 + p] = (Math.floor(col / 2) === k - 1 ? 1 : 0) + 0.5 * rng.normal();
    }
  }
  return new ArrayBatchSource({ images, imageShape: [6, 6, 1], labels });
}

/** conv 3×3×1×4 → [bnorm] → relu → max pool 2/2 → conv 2×2×4×3 → softmaxloss (input 6×6×1). */
export function tinyNet(backend: Backend, opts: { bnorm?: boolean; seed?: number } = {}): SimpleNNSpec {
  const s = opts.seed ?? 1;
  const layers: SimpleNNSpec['layers'] = [
    { type: 'conv', name: 'conv1', weights: [randn(backend, [3, 3, 1, 4], s, 0.3), backend.zeros([4])] },
    ...(opts.bnorm
      ? [{ type: 'bnorm' as const, name: 'bn1', weights: [backend.fill([4], 1), backend.zeros([4])] as const, learningRate: [1, 1, 0.1], weightDecay: [0, 0, 0] }]
      : []),
    { type: 'relu', name: 'relu1' },
    { type: 'pool', name: 'pool1', pool: 2, stride: 2 },
    { type: 'conv', name: 'conv2', weights: [randn(backend, [2, 2, 4, 3], s + 1, 0.3), backend.zeros([3])] },
    { type: 'softmaxloss', name: 'loss' },
  ];
  return { layers, meta: {} };
}

/** Every parameter's values, for bit-for-bit comparisons. */
export function weightsOf(net: { layers: readonly object[] }): number[][] {
  return net.layers.flatMap((l) =>
    'weights' in l ? (l.weights as (Tensor | null)[]).flatMap((w) => (w ? [Array.from(w.dataSync())] : [])) : [],
  );
}
