import { describe, expect, it } from 'vitest';
import type { LayerSpec } from './layer-spec.js';
import { LRN_DEFAULT, tidy } from './tidy.js';
import { cpu32, randn } from './test-nets.js';

const one = (spec: LayerSpec) => tidy({ layers: [spec] }).layers[0]!;

describe('tidy', () => {
  it('fills MatConvNet defaults, names and per-weight factors', () => {
    const f = randn(cpu32, [3, 3, 1, 2], 1);
    expect(one({ type: 'conv', weights: [f] })).toEqual({
      type: 'conv', name: 'layer1', precious: false, learningRate: [1, 1], weightDecay: [1, 1],
      weights: [f, null], pad: [0, 0, 0, 0], stride: [1, 1], dilate: [1, 1],
    });
    expect(one({ type: 'conv', weights: [f, null], pad: [1, 2, 3, 4], stride: [2, 1], dilate: 2 })).toMatchObject({ pad: [1, 2, 3, 4], stride: [2, 1], dilate: [2, 2] });
    expect(one({ type: 'convt', weights: [f] })).toMatchObject({ upsample: [1, 1], crop: [0, 0, 0, 0], numGroups: 1 });
    expect(one({ type: 'relu' })).toMatchObject({ leak: 0 });
    expect(one({ type: 'dropout' })).toMatchObject({ rate: 0.5 });
    expect(one({ type: 'spnorm' })).toMatchObject({ param: [2, 2, 10, 2] });
    expect(one({ type: 'noffset' })).toMatchObject({ param: [1, 0.5] });
    expect(one({ type: 'loss' })).toMatchObject({ loss: 'softmaxlog', topK: 5, threshold: 0, normalise: true, instanceWeights: null });
    expect(one({ type: 'pdist' })).toMatchObject({ p: 2, noRoot: false, epsilon: 1e-3, aggregate: false, instanceWeights: null });
    const names = tidy({ layers: [{ type: 'relu' }, { type: 'sigmoid', name: 'sig' }, { type: 'softmax' }] }).layers.map((l) => l.name);
    expect(names).toEqual(['layer1', 'sig', 'layer3']);
  });

  it("upgrades 'normalize' to 'lrn' and defaults the pool method to 'max' (MatConvNet quirks)", () => {
    expect(one({ type: 'normalize' })).toMatchObject({ type: 'lrn', param: [...LRN_DEFAULT] });
    expect(one({ type: 'pool', pool: 3 })).toMatchObject({ type: 'pool', pool: [3, 3], method: 'max', pad: [0, 0, 0, 0], stride: [1, 1] });
  });

  it('adds zero bnorm moments [C, 2] and epsilon 1e-5', async () => {
    const g = cpu32.fill([3], 1);
    const layer = one({ type: 'bnorm', weights: [g, cpu32.zeros([3])] });
    expect(layer).toMatchObject({ epsilon: 1e-5, learningRate: [1, 1, 1] });
    const moments = (layer as { weights: unknown[] }).weights[2] as { shape: number[]; data(): Promise<ArrayLike<number>> };
    expect(moments.shape).toEqual([3, 2]);
    expect(Array.from(await moments.data())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('is idempotent and shares tensors', () => {
    const f = randn(cpu32, [3, 3, 1, 2], 1);
    const once = tidy({ layers: [{ type: 'conv', weights: [f], pad: 1 }, { type: 'pool', pool: 2, stride: 2 }], meta: { inputSize: [1, 8, 8, 1] } });
    expect(tidy(once)).toEqual(once);
    expect((once.layers[0] as { weights: unknown[] }).weights[0]).toBe(f);
  });

  it('rejects bad layers with messages naming the layer and field', () => {
    const bad = (spec: unknown) => () => tidy({ layers: [{ type: 'relu' }, spec as LayerSpec] });
    expect(bad({ type: 'fancy' })).toThrow("tidy: layers[1].type must be one of 'conv', 'convt'");
    expect(bad({ type: 'pool', pool: 2, strides: 2 })).toThrow("tidy: layers[1] (pool) has no field 'strides'; known fields are type, name, precious, learningRate, weightDecay, pool, method, pad, stride");
    expect(bad({ type: 'pool' })).toThrow('tidy: layers[1].pool must be the window size, one integer ≥ 1 or [height, width], got undefined');
    expect(bad({ type: 'pool', pool: 2, method: 'mean' })).toThrow("tidy: layers[1].method must be one of 'max', 'avg', got 'mean'");
    expect(bad({ type: 'conv', weights: [cpu32.zeros([1, 1, 1, 1])], pad: [1, 2] })).toThrow('tidy: layers[1].pad must be one integer ≥ 0 or [top, bottom, left, right], got [1, 2]');
    expect(bad({ type: 'conv' })).toThrow('tidy: layers[1].weights must be an array of 1 to 2 tensors, got undefined');
    expect(bad({ type: 'bnorm', weights: [cpu32.zeros([1]), null] })).toThrow('tidy: layers[1].weights must be an array of 2 to 3 tensors (weights[1] a tensor), got [a tensor [1], null]');
    expect(bad({ type: 'dropout', rate: 1 })).toThrow('tidy: layers[1].rate must be a finite number ≥ 0 and < 1, got 1');
    expect(bad({ type: 'loss', loss: 'l2' })).toThrow("tidy: layers[1].loss must be one of 'softmaxlog', 'classerror'");
    expect(bad({ type: 'conv', weights: [null], learningRate: [1] })).toThrow('tidy: layers[1].learningRate must be 2 finite numbers ≥ 0 (one per weight), got [1]');
    expect(bad({ type: 'lrn', param: [5, 1, 1] })).toThrow('tidy: layers[1].param must be 4 finite numbers, got [5, 1, 1]');
    expect(bad({ type: 'custom', forward: 1 })).toThrow('tidy: layers[1].forward must be a function (layer, x, ctx) => y, got 1');
    expect(() => tidy({ layers: 3 } as never)).toThrow('tidy: net must be { layers: Layer[], meta? }, got an object');
  });
});
