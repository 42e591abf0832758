import { assertDerivative } from '@convnet-ts/blocks';
import { Rng, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import type { LayerSpec, SimpleNNSpec } from './layer-spec.js';
import { simplenn } from './simplenn.js';
import { alexLike, cpu64, randn } from './test-nets.js';

/** The net with weight j of layer l replaced by w. */
function withWeight(net: SimpleNNSpec, l: number, j: number, w: Tensor): SimpleNNSpec {
  const layers = net.layers.map((layer, i) => {
    if (i !== l || !('weights' in layer)) return layer;
    const weights = [...(layer.weights ?? [])];
    weights[j] = w;
    return { ...layer, weights } as LayerSpec;
  });
  return { ...net, layers };
}

/**
 * Whole-network numerical derivative check (float64): the output as a
 * function of the input and of every parameter, against res's dzdx and dzdw.
 * Dropout draws the same mask at every evaluation (same rng seed); bnorm runs
 * on batch statistics (mode 'normal'), whose derivative res gives.
 */
async function checkNet(net: SimpleNNSpec, x: Tensor, dzdy: Tensor, mode: 'normal' | 'test', labels?: number[]): Promise<void> {
  const run = (n: SimpleNNSpec, input: Tensor, d?: Tensor) =>
    simplenn(n, input, d ?? null, null, { mode, rng: new Rng(9), ...(labels ? { labels } : {}) });
  const res = run(net, x, dzdy);
  const out = (r: ReturnType<typeof run>) => r[r.length - 1]!.x!;
  await assertDerivative((input) => out(run(net, input)), x, dzdy, res[0]!.dzdx!, { name: `${mode}: dz/dx` });
  for (const [l, layer] of net.layers.entries()) {
    if (!('weights' in layer) || !layer.weights) continue;
    for (const [j, w] of layer.weights.entries()) {
      if (!w || (layer.type === 'bnorm' && j === 2)) continue; // bnorm's third "derivative" is its moments
      if (mode === 'normal' && net.layers[l + 1]?.type === 'bnorm' && j === 1) {
        // A bias right before batch norm has no effect (bnorm subtracts the batch mean): dz/db is 0.
        expect(Math.max(...Array.from(await res[l]!.dzdw[j]!.data(), Math.abs))).toBeLessThan(1e-12);
        continue;
      }
      await assertDerivative((v) => out(run(withWeight(net, l, j, v), x)), w, dzdy, res[l]!.dzdw[j]!, {
        name: `${mode}: dz/dw of layers[${l}] weight ${j}`,
      });
    }
  }
}

describe('simplenn: whole-network derivatives (float64)', () => {
  it('AlexNet-like chain with a loss, mode normal (dropout, bnorm batch moments)', async () => {
    await checkNet(alexLike(cpu64), randn(cpu64, [2, 5, 5, 2], 21), cpu64.tensor([0.7], [1]), 'normal', [2, 3]);
  });

  it('AlexNet-like chain without a loss and a random projection, mode test (bnorm frozen moments)', async () => {
    await checkNet(alexLike(cpu64, 4, false), randn(cpu64, [2, 5, 5, 2], 22), randn(cpu64, [2, 1, 1, 3], 23), 'test');
  });

  it('convt, sigmoid, spnorm, noffset, softmax and pdist', async () => {
    const w = (shape: number[], s: number) => randn(cpu64, shape, 300 + s, 0.5);
    const net: SimpleNNSpec = {
      layers: [
        { type: 'convt', weights: [w([3, 3, 2, 4], 1), w([4], 2)], upsample: 2, crop: [1, 0, 1, 0], numGroups: 2 },
        { type: 'sigmoid' },
        { type: 'spnorm', param: [3, 2, 0.5, 0.7] },
        { type: 'noffset', param: [0.3, 0.6] },
        { type: 'softmax' },
        { type: 'pdist', p: 2, class: w([1, 4, 4, 4], 3), noRoot: true },
      ],
    };
    await checkNet(net, randn(cpu64, [1, 2, 2, 4], 24), randn(cpu64, [1, 4, 4, 1], 25), 'normal');
  });
});
