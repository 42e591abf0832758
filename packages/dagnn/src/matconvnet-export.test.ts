import { matDouble, matSingle, readMat } from '@convnet-ts/matfile';
import { Rng, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { DagNN } from './dag-nn.js';
import { LAYER_TYPES } from './layers/registry.js';
import { saveMatConvNetDag, toMatConvNetDag } from './matconvnet-export.js';
import { loadMatConvNetDag } from './matconvnet-import.js';
import { dagStruct, type LayerSpec, row } from './test-matconvnet.js';
import { cpu32, cpu64, randn } from './test-nets.js';

const make = (type: string, options: Record<string, unknown> = {}) => LAYER_TYPES[type]!(options);

/** A network with every built-in layer class, its parameters set (BatchNorm moments to usable values). */
function everyLayer(): DagNN {
  const net = new DagNN(cpu32);
  net.addLayer('conv', make('Conv', { size: [3, 3, 3, 4], pad: 1, dilate: [1, 1] }), 'x', 'a', ['cf', 'cb']);
  net.addLayer('bn', make('BatchNorm', { numChannels: 4, epsilon: 1e-4 }), 'a', 'b', ['bm', 'bb', 'bmo']);
  net.addLayer('relu', make('ReLU', { leak: 0.1 }), 'b', 'c');
  net.addLayer('lrn', make('LRN', { param: [3, 2, 0.1, 0.75] }), 'c', 'd');
  net.addLayer('spnorm', make('SpatialNorm', { param: [3, 3, 0.5, 0.5] }), 'd', 'e');
  net.addLayer('noffset', make('NormOffset', { param: [0.1, 0.5] }), 'e', 'f');
  net.addLayer('drop', make('DropOut', { rate: 0.3 }), 'f', 'g');
  net.addLayer('scale', make('Scale', { size: [4], hasBias: true }), 'g', 'h', ['ss', 'sb']);
  net.addLayer('up', make('ConvTranspose', { size: [2, 2, 3, 4], upsample: 2, crop: [0, 1, 1, 0] }), 'h', 'i', ['tf', 'tb']);
  net.addLayer('crop', make('Crop', { crop: [1, 2] }), ['i', 'x'], 'j');
  net.addLayer('pool', make('Pooling', { poolSize: 2, stride: 2, method: 'avg', pad: [0, 1, 0, 1] }), 'j', 'k');
  net.addLayer('sig', make('Sigmoid'), 'k', 'l');
  net.addLayer('sum', make('Sum'), ['k', 'l'], 'm');
  net.addLayer('cat', make('Concat', { dim: 3 }), ['m', 'k'], 'n');
  net.addLayer('soft', make('SoftMax'), 'n', 'prob');
  net.addLayer('loss', make('Loss', { loss: 'softmaxlog', topK: 2, normalise: false }), ['n', 'label'], 'objective');
  net.addLayer('pdist', make('PDist', { p: 1, aggregate: false, noRoot: true, epsilon: 1e-3 }), ['n', 'target'], 'dist');
  net.addLayer('gpool', make('Pooling', { poolSize: 4, method: 'avg' }), 'n', 'gp');
  net.addLayer('theta', make('Conv', { size: [1, 1, 6, 6] }), 'gp', 'th', ['thf', 'thb']);
  net.addLayer('grid', make('AffineGridGenerator', { Ho: 3, Wo: 5 }), 'th', 'gr');
  net.addLayer('sampler', make('BilinearSampler'), ['x', 'gr'], 'warped');
  net.addLayer('roi', make('ROIPooling', { subdivisions: [2, 3], transform: [[0.5, 0, 1], [0, 0.5, 2]], flatten: true }), ['x', 'rois'], 'pooled');
  net.initParams(new Rng(3));
  net.setParam('bmo', cpu32.tensor([0.1, 1.5, -0.2, 2, 0.3, 0.7, 0, 1.1], [4, 2]));
  net.setParam('thb', cpu32.tensor([0.9, 0.1, 0.05, -0.1, 0.8, -0.05], [6]));
  net.getParam('thf').learningRate = 0.5;
  net.getParam('cb').weightDecay = 0;
  net.getVar('prob').precious = true;
  net.meta = { classes: { name: ['a', 'b'], description: ['A', 'B'] }, normalization: { imageSize: [8, 8, 3], averageImage: [1, 2, 3], averageImageSize: [1, 1, 3] } };
  return net;
}

async function outputs(net: DagNN): Promise<number[][]> {
  net.mode = 'test';
  net.conserveMemory = false;
  const x = randn(cpu32, [2, 8, 8, 3], 11);
  net.eval({ x, label: [1, 2], target: randn(cpu32, [2, 4, 4, 6], 12), rois: [[1, 1, 1, 6, 5], [2, 2, 3, 8, 8]] });
  return Promise.all(['prob', 'objective', 'dist', 'warped', 'pooled'].map(async (v) => Array.from(await (net.getVar(v).value as Tensor).data())));
}

const describeNet = (net: DagNN) => ({
  layers: net.layers.map((l) => [l.name, l.block.type, l.block.options(), l.inputs, l.outputs, l.params]),
  params: [...net.params.values()].map((p) => [p.name, p.learningRate, p.weightDecay, p.trainMethod, p.value?.shape]),
  vars: [...net.vars.values()].map((v) => [v.name, v.precious]),
  meta: net.meta,
});

describe('saveMatConvNetDag', () => {
  it('round-trips every layer class: the same structure, options, factors, meta and a bit-identical forward pass', async () => {
    const net = everyLayer();
    for (const compress of [true, false]) {
      const { net: again, notes } = loadMatConvNetDag(saveMatConvNetDag(net, { compress }), cpu32);
      expect(notes).toEqual([expect.stringMatching(/^AffineGridGenerator: the output channels of the Conv feeding it permuted/)]);
      expect(describeNet(again)).toEqual(describeNet(net));
      for (const p of net.params.values()) expect(Array.from(again.getParam(p.name).value!.dataSync())).toEqual(Array.from(p.value!.dataSync()));
      expect(await outputs(again)).toEqual(await outputs(net));
    }
  });

  it('writes MatConvNet’s layout: dagnn.* types, every property of the class, values single in MATLAB order', () => {
    const net = everyLayer();
    const file = readMat(saveMatConvNetDag(net));
    expect(file.variables.map((v) => v.name)).toEqual(['vars', 'params', 'layers', 'meta']);
    const s = toMatConvNetDag(net);
    const layers = s.layers!.type === 'struct' ? s.layers!.data : [];
    const conv = layers[0]!;
    expect(conv.type).toMatchObject({ text: 'dagnn.Conv' });
    const block = conv.block!.type === 'struct' ? conv.block!.data[0]! : {};
    expect(Object.keys(block)).toEqual(['size', 'hasBias', 'opts', 'pad', 'stride', 'dilate']);
    expect(block.pad).toMatchObject({ dims: [1, 4], data: Float64Array.from([1, 1, 1, 1]) });
    const params = s.params!.type === 'struct' ? s.params!.data : [];
    const bmo = params.find((p) => p.name!.type === 'char' && p.name!.text === 'bmo')!;
    // moments [4, 2] row-major → MATLAB 4×2 column-major: the mu column, then the sigma column.
    expect(bmo.value).toMatchObject({ class: 'single', dims: [4, 2], data: Float32Array.from([0.1, -0.2, 0.3, 0, 1.5, 2, 0.7, 1.1]) });
    expect(bmo.trainMethod).toMatchObject({ text: 'average' });
    const ss = params.find((p) => p.name!.type === 'char' && p.name!.text === 'ss')!;
    expect(ss.value).toMatchObject({ dims: [1, 1, 4] });
  });

  it('writes double values with precision double, and rejects unknown options and a network it cannot read synchronously', () => {
    const net = everyLayer();
    const s = toMatConvNetDag(net, { precision: 'double' });
    const params = s.params!.type === 'struct' ? s.params!.data : [];
    expect(params[0]!.value).toMatchObject({ class: 'double' });
    expect(() => saveMatConvNetDag(net, { level: 9 } as never)).toThrow("saveMatConvNetDag: unknown option 'level' (known: precision, compress)");
  });
});

describe('AffineGridGenerator across the two channel orders', () => {
  // MatConvNet: the 1×1×6 input c1…c6 is reshaped column-major to A = [c1 c3 c5; c2 c4 c6] and the grid is
  // (v', u') = (c1·v + c2·u + c5, c3·v + c4·u + c6) — see matconvnet-affine.ts.
  const c = [0.9, 0.2, -0.3, 0.7, 0.1, -0.4];
  const layers: LayerSpec[] = [
    { name: 'theta', type: 'dagnn.Conv', inputs: ['x'], outputs: ['th'], params: ['f', 'b'], block: { size: row([1, 1, 1, 6]), hasBias: matDouble(1) } },
    { name: 'grid', type: 'dagnn.AffineGridGenerator', inputs: ['th'], outputs: ['g'], block: { Ho: matDouble(2), Wo: matDouble(3) } },
  ];
  const struct = dagStruct(layers, [
    { name: 'f', value: matSingle(new Array(6).fill(0), [1, 1, 1, 6]) },
    { name: 'b', value: matSingle(c, [6, 1]) },
  ]);

  it('import permutes the feeding conv so the grid is MatConvNet’s; export restores MatConvNet’s order', async () => {
    const { net, notes } = loadMatConvNetDag(struct, cpu64);
    expect(notes).toContainEqual(expect.stringMatching(/^AffineGridGenerator: the output channels of the Conv feeding it permuted/));
    net.eval({ x: cpu64.tensor([1], [1, 1, 1, 1]) });
    const grid = Array.from(await (net.getVar('g').value as Tensor).data());
    const want: number[] = [];
    const k = Array.from(Float32Array.from(c)); // the file holds them as single
    for (const v of [-1, 1]) for (const u of [-1, 0, 1]) want.push(k[0]! * v + k[1]! * u + k[4]!, k[2]! * v + k[3]! * u + k[5]!);
    for (const [i, g] of grid.entries()) expect(g).toBeCloseTo(want[i]!, 12);
    const saved = toMatConvNetDag(net, { precision: 'double' });
    const b = saved.params!.type === 'struct' ? saved.params!.data[1]!.value : undefined;
    expect(Array.from((b as { data: Float64Array }).data)).toEqual(Array.from(Float32Array.from(c)));
  });

  it('refuses a generator fed by something other than a Conv, naming it', () => {
    const bad = dagStruct(
      [
        { name: 'relu', type: 'dagnn.ReLU', inputs: ['x'], outputs: ['th'], block: { leak: matDouble(0) } },
        { name: 'grid', type: 'dagnn.AffineGridGenerator', inputs: ['th'], outputs: ['g'], block: { Ho: matDouble(2), Wo: matDouble(3) } },
      ],
      [],
    );
    expect(() => loadMatConvNetDag(bad, cpu64)).toThrow("loadMatConvNetDag: net.layers: layer 'grid' (AffineGridGenerator): its input 'th' is written by layer 'relu' (ReLU), not by a Conv, so the order of its 6 affine parameters");
    expect(loadMatConvNetDag(dagStruct([layers[1]!], []), cpu64).notes[0]).toMatch(/is a network input; give the 6 affine parameters in convnet-ts's row-major order/);
  });
});
