import {
  bnorm,
  bnormBackward,
  conv,
  convBackward,
  dropout,
  dropoutBackward,
  loss,
  lossBackward,
  lrn,
  lrnBackward,
  pdist,
  pool,
  poolBackward,
  relu,
  reluBackward,
  softmaxloss,
  softmaxlossBackward,
} from '@convnet-ts/blocks';
import { Rng, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import type { ConvLayerSpec } from './layer-spec.js';
import { simplenn } from './simplenn.js';
import { alexLike, cpu32, cpu64, expectClose, lenet, randn } from './test-nets.js';

const labels = [1, 3];

describe('simplenn: values against the blocks called by hand', () => {
  it('AlexNet-like chain, mode normal, forward and backward', async () => {
    const net = alexLike(cpu64);
    const x = randn(cpu64, [2, 5, 5, 2], 7);
    const res = simplenn(net, x, 1, null, { labels, rng: new Rng(5) });
    expect(res).toHaveLength(10);
    const w = net.layers.map((l) => ('weights' in l ? (l.weights as Tensor[]) : []));
    const [f1, b1] = w[0]!;
    const [f2, b2] = w[4]!;
    const [g, bb] = w[5]!;
    const [f3, b3] = w[7]!;
    const y1 = conv(x, f1!, b1!, { pad: 1 });
    const y2 = relu(y1, { leak: 0.1 });
    const y3 = lrn(y2, [3, 1, 0.5, 0.75]);
    const y4 = pool(y3, 2, { stride: 2, pad: [0, 1, 0, 1] });
    const y5 = conv(y4, f2!, b2!, { pad: 1 });
    const y6 = bnorm(y5, g!, bb!, { epsilon: 1e-5 }).y;
    const drop = dropout(y6, { rate: 0.3, rng: new Rng(5) });
    const y8 = conv(drop.y, f3!, b3!);
    const z = softmaxloss(y8, labels);
    for (const [i, t] of [y1, y2, y3, y4, y5, y6, drop.y, y8, z].entries()) await expectClose(res[i + 1]!.x, t);
    await expectClose(res[6]!.aux, drop.mask);

    const d8 = softmaxlossBackward(y8, labels, 1);
    const c3 = convBackward(drop.y, f3!, b3!, d8);
    const d6 = dropoutBackward(y6, c3.dzdx!, { mask: drop.mask });
    const bn = bnormBackward(y5, g!, bb!, d6, { epsilon: 1e-5 });
    const c2 = convBackward(y4, f2!, b2!, bn.dzdx, { pad: 1 });
    const d3 = poolBackward(y3, 2, c2.dzdx!, { stride: 2, pad: [0, 1, 0, 1] });
    const d2 = lrnBackward(y2, [3, 1, 0.5, 0.75], d3);
    const d1 = reluBackward(y1, d2, { leak: 0.1 });
    const c1 = convBackward(x, f1!, b1!, d1, { pad: 1 });
    await expectClose(res[0]!.dzdx, c1.dzdx);
    await expectClose(res[0]!.dzdw[0], c1.dzdf);
    await expectClose(res[0]!.dzdw[1], c1.dzdb);
    await expectClose(res[4]!.dzdw[0], c2.dzdf);
    await expectClose(res[5]!.dzdw[0], bn.dzdg);
    await expectClose(res[5]!.dzdw[1], bn.dzdb);
    // dzdw[2] of bnorm: the batch moments times the batch size (MatConvNet's convention).
    const m = await bn.moments.data();
    expect(Array.from(await res[5]!.dzdw[2]!.data())).toEqual(Array.from(m, (v) => v * 2));
    await expectClose(res[7]!.dzdw[1], c3.dzdb);
    expect(res[8]!.dzdw).toEqual([]);
    expect(res.every((e) => e.time >= 0 && e.backwardTime >= 0)).toBe(true);
  });

  it('LeNet: output sizes and the loss against softmaxloss by hand', async () => {
    const net = lenet(cpu32);
    const x = randn(cpu32, [2, 28, 28, 1], 3);
    const res = simplenn(net, x, null, null, { labels: [4, 9] });
    expect(res.map((e) => e.x?.shape)).toEqual([
      [2, 28, 28, 1],
      [2, 24, 24, 20],
      [2, 12, 12, 20],
      [2, 8, 8, 50],
      [2, 4, 4, 50],
      [2, 1, 1, 500],
      [2, 1, 1, 500],
      [2, 1, 1, 10],
      [1],
    ]);
    await expectClose(res[8]!.x, softmaxloss(res[7]!.x!, [4, 9]), 1e-6);
    expect(res.every((e) => e.dzdx === null)).toBe(true);
  });

  it('honours the loss type of a loss layer (fix of MatConvNet quirk) and takes labels from layer.class', async () => {
    const x = randn(cpu64, [2, 1, 1, 4], 11);
    const net = { layers: [{ type: 'loss' as const, loss: 'mhinge' as const, class: [2, 4] }] };
    const res = simplenn(net, x, 1);
    await expectClose(res[1]!.x, loss(x, [2, 4], { loss: 'mhinge' }));
    await expectClose(res[0]!.dzdx, lossBackward(x, [2, 4], 1, { loss: 'mhinge' }));
    // opts.labels overrides layer.class.
    await expectClose(simplenn(net, x, null, null, { labels: [1, 1] })[1]!.x, loss(x, [1, 1], { loss: 'mhinge' }));
  });

  it('pdist takes its target from opts.labels', async () => {
    const x = randn(cpu64, [1, 2, 2, 3], 12);
    const x0 = randn(cpu64, [1, 2, 2, 3], 13);
    const res = simplenn({ layers: [{ type: 'pdist', aggregate: true }] }, x, null, null, { labels: x0 });
    await expectClose(res[1]!.x, pdist(x, x0, 2, { aggregate: true, epsilon: 1e-3 }));
  });

  it('runs custom layers with their forward and backward functions', async () => {
    const scale = cpu64.tensor([3], [1]);
    const net = {
      layers: [
        {
          type: 'custom' as const,
          weights: [scale],
          forward: (_l: unknown, x: Tensor) => x.backend.run('Unary', { x }, { op: 'scale', alpha: 3 }),
          backward: (_l: unknown, x: Tensor, _y: Tensor, dzdy: Tensor) => ({
            dzdx: dzdy.backend.run('Unary', { x: dzdy }, { op: 'scale', alpha: 3 }),
            dzdw: [x.backend.tensor([(x.dataSync() as Float64Array).reduce((s, v, i) => s + v * dzdy.dataSync()[i]!, 0)], [1])],
          }),
        },
      ],
    };
    const x = cpu64.tensor([1, 2], [1, 1, 1, 2]);
    const res = simplenn(net, x, cpu64.tensor([1, 10], [1, 1, 1, 2]));
    expect(Array.from(await res[1]!.x!.data())).toEqual([3, 6]);
    expect(Array.from(await res[0]!.dzdx!.data())).toEqual([3, 30]);
    expect(Array.from(await res[0]!.dzdw[0]!.data())).toEqual([21]);
  });
});

describe('simplenn: modes', () => {
  it("mode 'test': dropout is the identity and bnorm uses the stored moments", async () => {
    const net = alexLike(cpu64);
    const x = randn(cpu64, [2, 5, 5, 2], 7);
    const test = simplenn(net, x, null, null, { mode: 'test', labels });
    const [g, b, moments] = (net.layers[5] as { weights: readonly Tensor[] }).weights;
    await expectClose(test[6]!.x, bnorm(test[5]!.x!, g!, b!, { moments: moments! }).y);
    await expectClose(test[7]!.x, test[6]!.x);
    expect(test[6]!.aux).toBeNull();
    const normal = simplenn(net, x, null, null, { labels, rng: new Rng(1) });
    await expectClose(normal[5]!.x, test[5]!.x);
    await expect(expectClose(normal[6]!.x, test[6]!.x)).rejects.toThrow(/element/);
  });

  it("mode 'test' backward is the frozen-moments derivative of bnorm", async () => {
    const net = alexLike(cpu64);
    const x = randn(cpu64, [2, 5, 5, 2], 7);
    const res = simplenn(net, x, 1, null, { mode: 'test', labels });
    const [g, b, moments] = (net.layers[5] as { weights: readonly Tensor[] }).weights;
    const r = bnormBackward(res[5]!.x!, g!, b!, res[6]!.dzdx!, { moments: moments!, frozenMoments: true });
    await expectClose(res[5]!.dzdx, r.dzdx);
    expect(res[5]!.dzdw[2]).toBeNull();
    await expectClose(res[6]!.dzdx, res[7]!.dzdx);
  });
});

describe('simplenn: options', () => {
  const x = randn(cpu64, [2, 5, 5, 2], 7);

  it('backPropDepth backpropagates through the last layers only', async () => {
    const net = alexLike(cpu64);
    const full = simplenn(net, x, 1, null, { labels, rng: new Rng(3) });
    const part = simplenn(net, x, 1, null, { labels, rng: new Rng(3), backPropDepth: 3 });
    for (let l = 0; l < 6; l++) {
      expect(part[l]!.dzdx).toBeNull();
      expect(part[l]!.dzdw).toEqual([]);
    }
    await expectClose(part[6]!.dzdx, full[6]!.dzdx);
    await expectClose(part[7]!.dzdw[0], full[7]!.dzdw[0]);
    expect(() => simplenn(net, x, 1, null, { labels, backPropDepth: 0 })).toThrow(
      'simplenn: backPropDepth must be an integer ≥ 1 or Infinity, got 0',
    );
  });

  it('noDerInput leaves the lowest layer\'s dz/dx null, skips its data-derivative product and keeps every dz/dw', async () => {
    const net = alexLike(cpu64);
    const full = simplenn(net, x, 1, null, { labels, rng: new Rng(3) });
    const kernels: string[] = [];
    const run = cpu64.run.bind(cpu64);
    const spy: typeof cpu64.run = (kernel, inputs, attrs) => {
      kernels.push(kernel);
      return run(kernel, inputs, attrs);
    };
    cpu64.run = spy;
    let lean: ReturnType<typeof simplenn>;
    try {
      lean = simplenn(net, x, 1, null, { labels, rng: new Rng(3), noDerInput: true });
    } finally {
      cpu64.run = run;
    }
    expect(lean[0]!.dzdx).toBeNull();
    await expectClose(lean[1]!.dzdx, full[1]!.dzdx);
    for (const l of [0, 4, 5, 7]) {
      for (const [j, d] of full[l]!.dzdw.entries()) await expectClose(lean[l]!.dzdw[j], d);
    }
    // Three conv layers, data derivatives of the upper two only.
    expect(kernels.filter((k) => k === 'ConvBackwardData')).toHaveLength(2);
    expect(kernels.filter((k) => k === 'ConvBackwardFilter')).toHaveLength(3);
    // With backPropDepth the limit layer (here the dropout, index 6) is the one skipped.
    const part = simplenn(net, x, 1, null, { labels, rng: new Rng(3), backPropDepth: 3, noDerInput: true });
    expect(part[6]!.dzdx).toBeNull();
    await expectClose(part[7]!.dzdx, full[7]!.dzdx);
    await expectClose(part[7]!.dzdw[0], full[7]!.dzdw[0]);
    expect(() => simplenn(net, x, 1, null, { labels, noDerInput: 1 as unknown as boolean })).toThrow('simplenn: noDerInput must be true or false, got 1');
  });

  it('skipForward with accumulate adds the parameter derivatives', async () => {
    const net = alexLike(cpu64);
    const res = simplenn(net, x, 1, null, { labels, rng: new Rng(3) });
    const once = Array.from(await res[0]!.dzdw[0]!.data());
    const dx = Array.from(await res[0]!.dzdx!.data());
    simplenn(net, x, 1, res, { labels, skipForward: true, accumulate: true });
    expect(Array.from(await res[0]!.dzdw[0]!.data())).toEqual(once.map((v) => 2 * v));
    expect(Array.from(await res[0]!.dzdx!.data())).toEqual(dx);
    simplenn(net, x, 1, res, { labels, skipForward: true });
    expect(Array.from(await res[0]!.dzdw[0]!.data())).toEqual(once);
  });

  it('rejects bad calls with clear errors', () => {
    const net = alexLike(cpu64);
    expect(() => simplenn(net, x, 1, null, { labels, skipForward: true })).toThrow(
      'simplenn: skipForward needs the res of an earlier forward pass, got none',
    );
    expect(() => simplenn(net, x, null, [], { labels, skipForward: true })).toThrow('simplenn: skipForward needs dzdy (a backward pass), got none');
    expect(() => simplenn(net, x, null, [], { labels })).toThrow('simplenn: res must have 10 entries (one per variable), got 0');
    expect(() => simplenn(net, x, 1)).toThrow(
      "simplenn: layers[8] (loss, softmaxloss) needs labels: pass opts.labels or set the layer's class, got none",
    );
    expect(() => simplenn(net, x, cpu64.zeros([2]), null, { labels })).toThrow(
      "simplenn: dzdy must be a number or a tensor of the output's shape [1], got [2]",
    );
    expect(() => simplenn(net, x, 1, null, { labels, conserve: true } as object)).toThrow("simplenn: unknown option 'conserve'");
    const big: ConvLayerSpec = { type: 'conv', name: 'big', weights: [cpu64.zeros([9, 9, 2, 1]), null] };
    expect(() => simplenn({ layers: [big] }, x)).toThrow(/^simplenn: layers\[0\] \(big, conv\): conv: f must fit in the padded input 5×5/);
  });
});
