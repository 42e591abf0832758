/**
 * The SimpleNN adapter (`cnn_train.m`'s SimpleNN path, matconvnet-api §5.2):
 * every non-null weight of conv, convt, bnorm and custom layers is a
 * parameter named `layers.<l>.weights.<j>` with the layer's
 * `learningRate[j]` and `weightDecay[j]` (default 1); bnorm's third weight
 * (the moments) is trained by moving average. The last layer must be a
 * loss (`softmaxloss`, `loss` or `pdist` with a 1-element output); its
 * input is the predictions. Backward starts from dzdy = N when the loss
 * divides by N (softmaxloss, loss with `normalise`), else 1, so
 * derivatives are sums over the images (see `adapter.ts`). The loss's
 * output, as the layer computes it, is `outputs.objective` (for
 * `extractStatsFn`).
 */
import type { Labels } from '@convnet-ts/blocks';
import { loadSimpleNN, type SimpleNN, type SimpleNNSpec, saveSimpleNN, simplenn, tidy } from '@convnet-ts/simplenn';
import { type Backend, type Rng, scope, type Tensor, ValueError } from '@convnet-ts/tensor';
import type { NetworkAdapter, SubBatchResult, TrainParam } from './adapter.js';

interface Slot {
  layer: number;
  weight: number;
}

const LOSSES = ['softmaxloss', 'loss', 'pdist'];

/** Wraps a SimpleNN network (tidied once; its layers are then updated in place) for `train`. */
export function simpleNNAdapter(spec: SimpleNNSpec): NetworkAdapter<SimpleNN> {
  let net = tidy(spec);
  const last = net.layers[net.layers.length - 1];
  if (net.layers.length < 2 || !last || !LOSSES.includes(last.type)) {
    throw new ValueError('train', 'net', `the last layer of net must be a loss (softmaxloss, loss or pdist) after at least one layer, got ${last ? `'${last.type}'` : 'no layers'}`);
  }
  const slotsOf = (n: SimpleNN): Slot[] =>
    n.layers.flatMap((layer, l) =>
      'weights' in layer ? (layer.weights as (Tensor | null)[]).flatMap((w, j) => (w ? [{ layer: l, weight: j }] : [])) : [],
    );
  let slots = slotsOf(net);
  const first = slots[0];
  if (!first) throw new ValueError('train', 'net', 'net must have at least one weight to train, got none');
  const weightsOf = (s: Slot): (Tensor | null)[] => (net.layers[s.layer] as { weights: (Tensor | null)[] }).weights;
  const backend: Backend = weightsOf(first)[first.weight]!.backend;
  return {
    kind: 'simplenn',
    get net() {
      return net;
    },
    backend,
    params(): TrainParam[] {
      return slots.map((s) => {
        const layer = net.layers[s.layer]!;
        return {
          name: `layers.${s.layer}.weights.${s.weight}`,
          value: weightsOf(s)[s.weight]!,
          learningRate: layer.learningRate[s.weight] ?? 1,
          weightDecay: layer.weightDecay[s.weight] ?? 1,
          trainMethod: layer.type === 'bnorm' && s.weight === 2 ? 'average' : 'gradient',
        };
      });
    },
    setParam(index: number, value: Tensor): void {
      const s = slots[index]!;
      weightsOf(s)[s.weight] = value;
    },
    evaluate(images: Tensor, labels: Labels, mode: 'normal' | 'test', rng: Rng): SubBatchResult {
      return scope(() => {
        const n = images.shape[0]!;
        const top = net.layers[net.layers.length - 1]!;
        const factor = top.type === 'softmaxloss' || (top.type === 'loss' && top.normalise) ? n : 1;
        const res = simplenn(net, images, mode === 'normal' ? factor : null, null, { mode, labels, rng, noDerInput: true });
        const out = res[net.layers.length]!.x!;
        if (out.size !== 1) throw new ValueError('train', 'net', `the loss must give a 1-element objective, got shape [${out.shape.join(', ')}] (set aggregate for pdist)`);
        const objective = out.backend.run('Unary', { x: out }, { op: 'scale', alpha: factor });
        const predictions = res[net.layers.length - 1]!.x!;
        const ders = mode === 'normal' ? slots.map((s) => res[s.layer]!.dzdw[s.weight] ?? null) : null;
        return { objective, predictions, ders, outputs: { objective: out } };
      });
    },
    save: () => saveSimpleNN(net),
    restore(bytes: Uint8Array): void {
      const loaded = loadSimpleNN(bytes, backend);
      const newSlots = slotsOf(loaded);
      const names = (n: SimpleNN, ss: Slot[]) =>
        ss.map((s) => `${s.layer}.${s.weight}:${(n.layers[s.layer] as { weights: Tensor[] }).weights[s.weight]!.shape.join('x')}`).join();
      if (names(loaded, newSlots) !== names(net, slots) || loaded.layers.some((l, i) => l.type !== net.layers[i]?.type)) {
        for (const s of newSlots) (loaded.layers[s.layer] as { weights: Tensor[] }).weights[s.weight]!.dispose();
        throw new ValueError('train', 'checkpoint', 'the checkpoint must hold a network with the same layers and weights as net, got a different network');
      }
      // Keep the caller's layer objects (custom fields such as class) but take the saved weights.
      const old = net;
      net = { layers: old.layers.map((layer, i) => ('weights' in layer ? { ...layer, weights: (loaded.layers[i] as { weights: unknown }).weights } : layer)) as SimpleNN['layers'], meta: loaded.meta };
      slots = newSlots;
    },
  };
}
