import { asCell, asStruct, type MatNumeric, readMat } from '@convnet-ts/matfile';
import { ValueError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import type { SimpleNNSpec } from './layer-spec.js';
import type { BnormLayer, ConvLayer, Meta } from './layer-types.js';
import { saveMatConvNet } from './matconvnet-export.js';
import { loadMatConvNet } from './matconvnet-import.js';
import { simplenn } from './simplenn.js';
import { alexLike, cpu32, cpu64, lenet, randn } from './test-nets.js';
import { codedFilter } from './test-matconvnet-values.js';

async function output(net: SimpleNNSpec, seed: number, shape: number[]): Promise<Float32Array | Float64Array> {
  const x = randn(cpu32, shape, seed);
  const res = simplenn(net, x, null, null, { mode: 'test' });
  return res[res.length - 1]!.x!.data();
}

describe('saveMatConvNet', () => {
  it('writes the beta25 layout: layers cell of structs with MatConvNet’s fields, classes and dims', async () => {
    const file = readMat(await saveMatConvNet(lenet(cpu32)));
    expect(file.variables.map((v) => v.name)).toEqual(['layers', 'meta']);
    const layers = asCell(file.variables[0]!.value, 'layers', 'test').map((l, i) => asStruct(l, `layers{${i + 1}}`, 'test'));
    expect(layers.map((l) => (l.type as { text: string }).text)).toEqual(['conv', 'pool', 'conv', 'pool', 'conv', 'relu', 'conv', 'softmaxloss']);
    const c1 = layers[0]!;
    expect(Object.keys(c1)).toEqual(['name', 'type', 'weights', 'pad', 'stride', 'dilate', 'opts', 'precious', 'learningRate', 'weightDecay']);
    const [f, b] = asCell(c1.weights, 'w', 'test') as MatNumeric[];
    expect([f!.class, f!.dims]).toEqual(['single', [5, 5, 1, 20]]);
    expect([b!.class, b!.dims]).toEqual(['single', [1, 20]]);
    expect([c1.pad!.dims, (c1.pad as MatNumeric).class, c1.stride!.dims, c1.dilate!.dims]).toEqual([[1, 4], 'double', [1, 2], [1, 2]]);
    expect(c1.precious!.type).toBe('logical');
    expect(c1.opts).toMatchObject({ type: 'cell', dims: [0, 0] });
    expect(layers[1]).toMatchObject({ method: { text: 'max' }, pool: { dims: [1, 2] } });
    const meta = asStruct(file.variables[1]!.value, 'meta', 'test');
    expect(Array.from((meta.inputSize as MatNumeric<'double'>).data)).toEqual([28, 28, 1, 1]);
    expect(asCell(asStruct(meta.classes, 'c', 'test').name, 'n', 'test')).toHaveLength(10);
  });

  it('writes filters column-major: element (h, w, d, k) keeps its value', async () => {
    const coded = codedFilter([2, 3, 2, 2]) as MatNumeric<'single'>;
    const rowMajor: number[] = [];
    for (let h = 1; h <= 2; h++) for (let w = 1; w <= 3; w++) for (let d = 1; d <= 2; d++) for (let k = 1; k <= 2; k++) rowMajor.push(1000 * h + 100 * w + 10 * d + k);
    const net: SimpleNNSpec = { layers: [{ type: 'conv', weights: [cpu32.tensor(rowMajor, [2, 3, 2, 2]), null] }] };
    const file = readMat(await saveMatConvNet(net, { compress: false }));
    const layer = asStruct(asCell(file.variables[0]!.value, 'l', 'test')[0], 'l1', 'test');
    const [f, b] = asCell(layer.weights, 'w', 'test') as MatNumeric[];
    expect(f!.dims).toEqual([2, 3, 2, 2]);
    expect(Array.from(f!.data as Float32Array)).toEqual(Array.from(coded.data));
    expect(b!.dims).toEqual([0, 0]);
  });

  it('round trip: loadMatConvNet(saveMatConvNet(net)) has the same weights bit for bit and the same forward pass (v7 and v6)', async () => {
    const net = alexLike(cpu32, 3, false);
    const before = await output(net, 7, [2, 5, 5, 2]);
    for (const compress of [true, false]) {
      const { net: back, notes } = loadMatConvNet(await saveMatConvNet(net, { compress }), cpu32);
      expect(notes).toEqual([]);
      expect(back.layers.map((l) => [l.type, l.name])).toEqual(net.layers.map((l) => [l.type === 'normalize' ? 'lrn' : l.type, l.name]));
      for (const [i, l] of back.layers.entries()) {
        const orig = net.layers[i] as { weights?: readonly (unknown | null)[] };
        for (const [j, w] of ((l as ConvLayer).weights ?? []).entries()) {
          const o = orig.weights?.[j] as { data(): Promise<Float32Array> } | null;
          if (w && o) expect(Array.from(await w.data())).toEqual(Array.from(await o.data()));
        }
      }
      expect((back.layers[5] as BnormLayer).weights[2].shape).toEqual([4, 2]);
      expect(Array.from(await output(back, 7, [2, 5, 5, 2]))).toEqual(Array.from(before));
    }
  });

  it('round trip keeps the options of every layer type and meta', async () => {
    const f = (shape: number[], s: number) => randn(cpu32, shape, s, 0.3);
    const meta: Meta = {
      inputSize: [1, 8, 8, 4],
      normalization: { imageSize: [8, 8, 4], averageImage: [1, 2, 3], averageImageSize: [1, 1, 3], interpolation: 'bicubic', keepAspect: false, cropSize: [0.875, 0.875] },
      classes: { name: ['a', 'b'], description: ['first', 'second'] },
      trainOpts: { learningRate: [0.1, 0.01], note: 'x', nested: { m: [[1, 2], [3, 4]] } },
    };
    const net: SimpleNNSpec = {
      layers: [
        { type: 'conv', name: 'c', weights: [f([3, 3, 2, 4], 1), f([4], 2)], pad: [1, 0, 2, 1], stride: [1, 2], dilate: [2, 1], learningRate: [1, 2], weightDecay: [1, 0], precious: true },
        { type: 'convt', name: 't', weights: [f([2, 2, 3, 4], 3), f([6], 4)], upsample: [2, 1], crop: [0, 1, 1, 0], numGroups: 2 },
        { type: 'pool', name: 'p', pool: [3, 2], method: 'avg', pad: [1, 1, 0, 1], stride: 2 },
        { type: 'lrn', param: [3, 2, 0.5, 0.75] },
        { type: 'spnorm', param: [2, 3, 4, 5] },
        { type: 'noffset', param: [1, 0.25] },
        { type: 'relu', leak: 0.2 },
        { type: 'sigmoid' },
        { type: 'dropout', rate: 0.3 },
        { type: 'softmax' },
        { type: 'loss', loss: 'hinge', topK: 2, threshold: 0.5, normalise: false, instanceWeights: null },
        { type: 'pdist', p: 1, noRoot: true, epsilon: 1e-4, aggregate: true, instanceWeights: 2 },
      ],
      meta,
    };
    const { net: back, notes } = loadMatConvNet(await saveMatConvNet(net), cpu32);
    expect(notes).toEqual(["net.layers{11} (layer11, loss): loss 'hinge' kept (MatConvNet's vl_simplenn ignores it and computes 'softmaxlog')"]);
    const plain = (l: object) => Object.fromEntries(Object.entries(l).filter(([k]) => k !== 'weights'));
    const original = (await import('./tidy.js')).tidy(net);
    expect(back.layers.map(plain)).toEqual(original.layers.map(plain));
    expect(back.meta).toEqual(meta);
  });

  it('a float64 net is rounded to single; custom layers are refused', async () => {
    const net: SimpleNNSpec = { layers: [{ type: 'conv', weights: [cpu64.tensor([0.1], [1, 1, 1, 1]), null] }] };
    const { net: back } = loadMatConvNet(await saveMatConvNet(net), cpu64);
    expect((await (back.layers[0] as ConvLayer).weights[0]!.data())[0]).toBe(Math.fround(0.1));
    const custom: SimpleNNSpec = { layers: [{ type: 'custom', name: 'mine', forward: (_l, x) => x, backward: () => ({ dzdx: null }) }] };
    await expect(saveMatConvNet(custom)).rejects.toThrow(ValueError);
    await expect(saveMatConvNet(custom)).rejects.toThrow(/layers\[0\] \(mine, custom\) must be a built-in layer type/);
    await expect(saveMatConvNet({ layers: [], meta: { normalization: { averageImage: [1, 2] } } })).rejects.toThrow(/averageImageSize must be \[H, W, C\]/);
  });
});
