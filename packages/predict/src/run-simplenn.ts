/**
 * A SimpleNN's class scores for a batch: `vl_simplenn(net, x, [], [], 'mode', 'test')`
 * on the layers before the trailing loss layers (`loss`, `softmaxloss`,
 * `pdist`, which need labels), as `cnn_imagenet_evaluate` turns a deployed
 * net back into one that ends in scores. Every tensor the evaluation made is
 * disposed before returning; `x` stays the caller's.
 */
import { type SimpleNNSpec, simplenn, tidy } from '@convnet-ts/simplenn';
import { ShapeError, type Tensor, ValueError } from '@convnet-ts/tensor';
import type { NetScores } from './net-scores.js';

const LOSSES: readonly string[] = ['loss', 'softmaxloss', 'pdist'];
const PROBABILITIES: readonly string[] = ['softmax', 'sigmoid'];

export async function simplennScores(where: string, spec: SimpleNNSpec, x: Tensor): Promise<NetScores> {
  const net = tidy(spec);
  let end = net.layers.length;
  while (end > 0 && LOSSES.includes(net.layers[end - 1]!.type)) end--;
  if (end === 0) throw new ValueError(where, 'net', `net must have a layer before its loss layers, got ${net.layers.length} layer(s), all losses`);
  const layers = net.layers.slice(0, end);
  const res = simplenn({ layers, meta: net.meta }, x, null, null, { mode: 'test', conserveMemory: true });
  try {
    const y = res[end]!.x!;
    const [N = 0, h = 0, w = 0, K = 0] = y.shape;
    if (y.shape.length !== 4 || h !== 1 || w !== 1) {
      throw new ShapeError(where, 'net', `the network's output must be class scores [N, 1, 1, K], got [${y.shape.join(', ')}] (from ${layers[end - 1]!.name}; is the input the size of meta.normalization.imageSize?)`);
    }
    const scores = Float32Array.from(await y.data());
    const last = layers[end - 1]!;
    return { scores, N, K, probabilities: PROBABILITIES.includes(last.type), output: last.name };
  } finally {
    for (const entry of res) {
      for (const t of [entry.x, entry.aux, ...entry.dzdw]) if (t && t !== x && !t.isDisposed) t.dispose();
    }
  }
}
