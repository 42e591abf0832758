import { Rng, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import type { CustomLayerSpec, SimpleNNSpec } from './layer-spec.js';
import { simplenn } from './simplenn.js';
import { alexLike, cpu64, expectClose, randn } from './test-nets.js';

const labels = [2, 1];

/** The AlexNet-like chain with a probe after relu1 that records the tensors it sees; conv2 precious. */
function probed(): { net: SimpleNNSpec; seen: Tensor[] } {
  const seen: Tensor[] = [];
  const probe: CustomLayerSpec = {
    type: 'custom',
    name: 'probe',
    forward: (_l, x) => {
      seen.push(x);
      return x.backend.run('Unary', { x }, { op: 'scale', alpha: 1 });
    },
    backward: (_l, _x, _y, dzdy) => ({ dzdx: dzdy.backend.run('Unary', { x: dzdy }, { op: 'scale', alpha: 1 }) }),
  };
  const base = alexLike(cpu64);
  const layers = [...base.layers.slice(0, 2), probe, ...base.layers.slice(2)].map((l) =>
    l.name === 'conv2' ? { ...l, precious: true } : l,
  );
  return { net: { layers, meta: {} }, seen };
}

describe('simplenn: conserveMemory', () => {
  const x = randn(cpu64, [2, 5, 5, 2], 31);

  it('forward only: same output; intermediates disposed except precious and loss outputs; x kept', async () => {
    const { net, seen } = probed();
    const full = simplenn(net, x, null, null, { labels, rng: new Rng(1) });
    const lean = simplenn(net, x, null, null, { labels, rng: new Rng(1), conserveMemory: true });
    await expectClose(lean[10]!.x, full[10]!.x);
    expect(lean[0]!.x).toBe(x);
    expect(x.isDisposed).toBe(false);
    // conv2 is layers[5]: its output res[6] is precious.
    expect(lean.map((e, i) => (e.x ? i : -1)).filter((i) => i >= 0)).toEqual([0, 6, 10]);
    await expectClose(lean[6]!.x, full[6]!.x);
    // The relu output the probe consumed was disposed; the weights were not.
    expect(seen[1]!.isDisposed).toBe(true);
    expect(seen[0]!.isDisposed).toBe(false);
    for (const l of net.layers) if ('weights' in l) for (const w of l.weights ?? []) expect(w?.isDisposed ?? false).toBe(false);
  });

  it('forward and backward: same derivatives; only res[0], res[n] and precious outputs survive', async () => {
    const { net } = probed();
    const full = simplenn(net, x, 1, null, { labels, rng: new Rng(1) });
    const lean = simplenn(net, x, 1, null, { labels, rng: new Rng(1), conserveMemory: true });
    await expectClose(lean[0]!.dzdx, full[0]!.dzdx);
    for (const [l, e] of lean.entries()) {
      for (const [j, d] of e.dzdw.entries()) await expectClose(d, full[l]!.dzdw[j]);
    }
    expect(lean.map((e, i) => (e.x ? i : -1)).filter((i) => i >= 0)).toEqual([0, 6, 10]);
    expect(lean.map((e, i) => (e.dzdx ? i : -1)).filter((i) => i >= 0)).toEqual([0, 6, 10]);
  });

  it('with backPropDepth: inputs below the limit are dropped during the forward pass', async () => {
    const net = alexLike(cpu64);
    const lean = simplenn(net, x, 1, null, { labels, rng: new Rng(1), conserveMemory: true, backPropDepth: 2 });
    const full = simplenn(net, x, 1, null, { labels, rng: new Rng(1), backPropDepth: 2 });
    await expectClose(lean[7]!.dzdw[0], full[7]!.dzdw[0]);
    expect(lean.map((e, i) => (e.x ? i : -1)).filter((i) => i >= 0)).toEqual([0, 9]);
  });
});
