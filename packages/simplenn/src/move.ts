/**
 * `move(net, backend)` — MatConvNet's `vl_simplenn_move` (matconvnet-api
 * §2.4): the tidy network with every tensor it holds (weights, bnorm moments,
 * pdist targets and instance weights, tensor labels) copied to `backend`
 * through `await t.data()`, so it works between any two backends (CPU ↔
 * WebGPU, float32 ↔ float64). Async because reading a GPU tensor is.
 *
 * Decision: the given network is left untouched (its tensors stay alive);
 * dispose them yourself if they are no longer needed. Custom layers keep
 * their functions and get their weights copied.
 */
import { type Backend, isTensor, type Tensor } from '@convnet-ts/tensor';
import type { SimpleNNSpec } from './layer-spec.js';
import type { Layer, SimpleNN } from './layer-types.js';
import { tidy } from './tidy.js';

async function copy(t: Tensor, backend: Backend): Promise<Tensor> {
  return backend.tensor(await t.data(), t.shape);
}

/** A copy of `net` whose tensors live on `backend`. */
export async function move(net: SimpleNNSpec, backend: Backend): Promise<SimpleNN> {
  const { layers, meta } = tidy(net);
  const moved: Layer[] = [];
  for (const layer of layers) {
    const out: Record<string, unknown> = { ...layer };
    for (const [key, value] of Object.entries(layer)) {
      if (isTensor(value)) out[key] = await copy(value, backend);
      else if (key === 'weights') {
        const weights: (Tensor | null)[] = [];
        for (const w of value as (Tensor | null)[]) weights.push(w ? await copy(w, backend) : null);
        out[key] = weights;
      }
    }
    moved.push(out as unknown as Layer);
  }
  return { layers: moved, meta };
}
