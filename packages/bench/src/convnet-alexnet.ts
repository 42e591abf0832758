import { type SimpleNNSpec, simplenn } from '@convnet-ts/simplenn';
import type { Backend, Tensor } from '@convnet-ts/tensor';
import { ALEXNET, ALEXNET_RATE, type BenchData } from './workloads.js';

type Layer = SimpleNNSpec['layers'][number];

/**
 * W5 on convnet-ts: cnn_imagenet_init's AlexNet (no LRN) as a SimpleNN of
 * @convnet-ts/simplenn's layers on `be`, and one SGD step of it — `simplenn`
 * forward and backward (conserveMemory, as cnn_train; noDerInput: no dz/dx of
 * the image, which cnn_train never reads and PyTorch does not compute for an
 * input without requires_grad), then w ← w − rate·dzdw
 * with Axpby for every filter and bias. Returns the step and a disposer.
 */
export function alexnetStep(be: Backend, data: NonNullable<BenchData['alexnet']>): { step: () => Promise<void>; dispose: () => void } {
  const x = be.tensor(data.x.values, data.x.shape);
  const weights: [Tensor, Tensor][] = data.params.map((p) => [be.tensor(p.f.values, p.f.shape), be.tensor(p.b.values, p.b.shape)]);
  const spec = (): SimpleNNSpec => {
    const layers: Layer[] = [];
    for (const [i, l] of ALEXNET.entries()) {
      const n = i + 1;
      layers.push({ type: 'conv', name: `conv${n}`, weights: weights[i]!, stride: l.stride, pad: l.pad });
      if (l.relu) layers.push({ type: 'relu', name: `relu${n}` });
      if (l.pool) layers.push({ type: 'pool', name: `pool${n}`, method: 'max', pool: 3, stride: 2 });
      if (l.dropout) layers.push({ type: 'dropout', name: `dropout${n}`, rate: 0.5 });
    }
    layers.push({ type: 'softmaxloss', name: 'loss' });
    return { layers };
  };
  const convAt = spec().layers.flatMap((l, j) => (l.type === 'conv' ? [j] : []));
  const step = async (): Promise<void> => {
    const res = simplenn(spec(), x, 1, null, { labels: data.labels, conserveMemory: true, noDerInput: true });
    for (const [i, j] of convAt.entries()) {
      const [f, b] = weights[i]!;
      const [df, db] = res[j]!.dzdw;
      weights[i] = [be.run('Axpby', { x: f, y: df! }, { alpha: 1, beta: -ALEXNET_RATE }), be.run('Axpby', { x: b, y: db! }, { alpha: 1, beta: -ALEXNET_RATE })];
      f.dispose();
      b.dispose();
    }
    const loss = res[res.length - 1]!.x!;
    await loss.data();
    for (const e of res.slice(1)) {
      for (const t of [e.x, e.dzdx, e.aux, ...e.dzdw]) t?.dispose();
    }
  };
  return {
    step,
    dispose: () => {
      x.dispose();
      for (const [f, b] of weights) {
        f.dispose();
        b.dispose();
      }
    },
  };
}
