/**
 * Test helpers for the LeNet training run (lenet-training.test.ts):
 * MatConvNet's `cnn_mnist_init` LeNet and one plain SGD step with momentum
 * done with backend kernels (`Axpby`), so a whole step stays on the backend.
 *
 * The update is MatConvNet's `cnn_train` SGD as `@convnet-ts/train` issues
 * it (update.ts, solvers.ts; the softmax loss is summed over the batch,
 * hence the 1/N), three `Axpby`s per parameter:
 *   g = (1/N)·dz/dw + λ·w,   v ← μ·v − g,   w ← w + η·v.
 */
import { type SimpleNN, simplenn, tidy } from '@convnet-ts/simplenn';
import { type Backend, type Rng, randnTensor, scope, type Tensor } from '@convnet-ts/tensor';

/** MatConvNet's cnn_mnist_init LeNet: filters 0.01·randn, zero biases. */
export function lenet(backend: Backend, rng: Rng): SimpleNN {
  const w = (shape: number[]): Tensor => randnTensor(backend, shape, rng, 0.01);
  return tidy({
    layers: [
      { type: 'conv', name: 'conv1', weights: [w([5, 5, 1, 20]), backend.zeros([20])] },
      { type: 'pool', name: 'pool1', pool: 2, stride: 2 },
      { type: 'conv', name: 'conv2', weights: [w([5, 5, 20, 50]), backend.zeros([50])] },
      { type: 'pool', name: 'pool2', pool: 2, stride: 2 },
      { type: 'conv', name: 'conv3', weights: [w([4, 4, 50, 500]), backend.zeros([500])] },
      { type: 'relu', name: 'relu3' },
      { type: 'conv', name: 'conv4', weights: [w([1, 1, 500, 10]), backend.zeros([10])] },
      { type: 'softmaxloss', name: 'loss' },
    ],
    meta: { inputSize: [1, 28, 28, 1] },
  });
}

export interface SgdOptions {
  learningRate: number;
  momentum: number;
  /** λ (cnn_train's weightDecay; 0 by default). */
  weightDecay?: number;
}

/** The conv layers' weight arrays, in order (the only layers with parameters here). */
function paramSlots(net: SimpleNN): (Tensor | null)[][] {
  return net.layers.filter((l) => l.type === 'conv').map((l) => l.weights as (Tensor | null)[]);
}

/** Zero momentum buffers, one per parameter of `net`. */
export function zeroVelocity(net: SimpleNN): Tensor[][] {
  return paramSlots(net).map((ws) => ws.map((w) => (w ? w.backend.zeros(w.shape) : null)).filter((v) => v !== null));
}

/**
 * One SGD step on `(x, labels)`: forward, backward, and the update of every
 * weight in `net` and buffer in `velocity` (replaced in place; the old
 * tensors are disposed). Returns the loss of the forward pass (before the
 * update), a scalar tensor the caller disposes.
 */
export function sgdStep(net: SimpleNN, velocity: Tensor[][], x: Tensor, labels: readonly number[], opts: SgdOptions): Tensor {
  const slots = paramSlots(net);
  const n = x.shape[0] ?? 1;
  const { loss, updates } = scope(() => {
    const res = simplenn(net, x, 1, null, { labels });
    const updates: { w: Tensor; v: Tensor }[] = [];
    let convIndex = 0;
    net.layers.forEach((layer, l) => {
      if (layer.type !== 'conv') return;
      const ws = slots[convIndex] ?? [];
      const vs = velocity[convIndex] ?? [];
      convIndex++;
      ws.forEach((w, j) => {
        const g = res[l]?.dzdw[j];
        const v = vs[j];
        if (!w || !g || !v) throw new Error(`sgdStep: layer ${layer.name} weight ${j} has no derivative`);
        const v2 = scope(() => {
          const decayed = w.backend.run('Axpby', { x: g, y: w }, { alpha: 1 / n, beta: opts.weightDecay ?? 0 });
          return w.backend.run('Axpby', { x: v, y: decayed }, { alpha: opts.momentum, beta: -1 });
        });
        updates.push({ w: w.backend.run('Axpby', { x: w, y: v2 }, { alpha: 1, beta: opts.learningRate }), v: v2 });
      });
    });
    const loss = res[res.length - 1]?.x;
    if (!loss) throw new Error('sgdStep: the network has no output');
    return { loss, updates };
  });
  let k = 0;
  slots.forEach((ws, i) => {
    ws.forEach((w, j) => {
      const u = updates[k++];
      const v = velocity[i]?.[j];
      if (!w || !u || !v) return;
      w.dispose();
      v.dispose();
      ws[j] = u.w;
      (velocity[i] as Tensor[])[j] = u.v;
    });
  });
  return loss;
}

/** Every parameter's values, flattened in layer order (to compare two runs). */
export async function readParams(net: SimpleNN): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const ws of paramSlots(net)) for (const w of ws) if (w) out.push(Float32Array.from(await w.data()));
  return out;
}
