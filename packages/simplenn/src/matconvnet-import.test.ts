import { type MatFile, MatFileError, type MatValue, matCell, matCellOfStrings, matChar, matDouble, matLogical, matSingle, matStruct } from '@convnet-ts/matfile';
import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import type { BnormLayer, ConvLayer, ConvtLayer, LossLayer, PoolLayer } from './layer-types.js';
import { loadMatConvNet } from './matconvnet-import.js';
import { cpu32 } from './test-nets.js';
import { codedFilter, empty, layer, netStruct, row } from './test-matconvnet-values.js';

const conv = (fields: Record<string, MatValue | string | number> = {}) =>
  layer({ type: 'conv', name: 'c', weights: matCell([codedFilter([2, 3, 2, 2]), matSingle([0.5, -0.5], [1, 2])]), ...fields });

function expectMatError(fn: () => unknown, path: string, text: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MatFileError);
    expect((e as MatFileError).path).toBe(path);
    expect((e as Error).message).toMatch(text);
    return;
  }
  throw new Error('expected a MatFileError');
}

describe('loadMatConvNet: weights', () => {
  it('a 2×3×2×2 conv filter keeps element (h, w, d, k) = 1000h + 100w + 10d + k', async () => {
    const { net } = loadMatConvNet(netStruct([conv()]), cpu32);
    const f = (net.layers[0] as ConvLayer).weights[0]!;
    expect(f.shape).toEqual([2, 3, 2, 2]);
    const v = await f.data();
    for (let h = 1; h <= 2; h++)
      for (let w = 1; w <= 3; w++)
        for (let d = 1; d <= 2; d++) for (let k = 1; k <= 2; k++) expect(v[(((h - 1) * 3 + (w - 1)) * 2 + (d - 1)) * 2 + (k - 1)]).toBe(1000 * h + 100 * w + 10 * d + k);
    expect(Array.from(await (net.layers[0] as ConvLayer).weights[1]!.data())).toEqual([0.5, -0.5]);
  });

  it('convt filters H×W×K×D keep their order; biases of any orientation become [K]', async () => {
    const { net } = loadMatConvNet(
      netStruct([
        layer({ type: 'convt', weights: matCell([codedFilter([2, 3, 2, 2]), matSingle([1, 2], [2, 1])]), upsample: row([2, 2]), crop: row([0, 1, 0, 1]) }),
        layer({ type: 'conv', weights: matCell([codedFilter([1, 1, 2, 3]), matSingle([1, 2, 3], [3, 1])]) }),
      ]),
      cpu32,
    );
    const t = net.layers[0] as ConvtLayer;
    expect(t.weights[0].shape).toEqual([2, 3, 2, 2]);
    expect((await t.weights[0].data())[1]).toBe(1112);
    expect(t.upsample).toEqual([2, 2]);
    expect(t.crop).toEqual([0, 1, 0, 1]);
    expect((net.layers[1] as ConvLayer).weights[1]!.shape).toEqual([3]);
  });

  it('trailing singleton dims come back: a K = 1 filter saved as 5×5×3 is [5, 5, 3, 1]; a 1×1 filter 1×1 is [1, 1, 1, 1]', () => {
    const { net } = loadMatConvNet(
      netStruct([
        layer({ type: 'conv', weights: matCell([codedFilter([5, 5, 3, 1]), matSingle([0], [1, 1])]) }),
        layer({ type: 'conv', weights: matCell([matSingle([2], [1, 1]), empty()]) }),
      ]),
      cpu32,
    );
    expect((net.layers[0] as ConvLayer).weights[0]!.shape).toEqual([5, 5, 3, 1]);
    expect((net.layers[1] as ConvLayer).weights[0]!.shape).toEqual([1, 1, 1, 1]);
    expect((net.layers[1] as ConvLayer).weights[1]).toBeNull();
  });

  it('an empty filter is identity filters (bias only), an empty bias no bias', () => {
    const { net } = loadMatConvNet(netStruct([layer({ type: 'conv', weights: matCell([matSingle([], [0, 0]), matSingle([1, 2, 3], [1, 3])]) })]), cpu32);
    const c = net.layers[0] as ConvLayer;
    expect(c.weights[0]).toBeNull();
    expect(c.weights[1]!.shape).toEqual([3]);
  });

  it('double weights become float32 tensors, with a note', async () => {
    const { net, notes } = loadMatConvNet(netStruct([layer({ type: 'conv', weights: matCell([matDouble([0.1], [1, 1]), matDouble([0.2], [1, 1])]) })]), cpu32);
    expect((await (net.layers[0] as ConvLayer).weights[0]!.data())[0]).toBe(Math.fround(0.1));
    expect(notes).toContain('net.layers{1}: weights stored as double, rounded to float32');
  });

  it('bnorm: gains/biases K×1 or 1×K, moments K×2 (columns mean, deviation) → [K, 2] rows [mu, sigma]', async () => {
    const moments = matSingle([1, 2, 3, 10, 20, 30], [3, 2]);
    const { net } = loadMatConvNet(
      netStruct([layer({ type: 'bnorm', weights: matCell([matSingle([1, 1, 1], [3, 1]), matSingle([0, 0, 0], [1, 3]), moments]), epsilon: 1e-4 })]),
      cpu32,
    );
    const b = net.layers[0] as BnormLayer;
    expect(b.weights.map((w) => w.shape)).toEqual([[3], [3], [3, 2]]);
    expect(Array.from(await b.weights[2].data())).toEqual([1, 10, 2, 20, 3, 30]);
    expect(b.epsilon).toBe(1e-4);
  });

  it('bnorm without moments gets zeros [K, 2] and a note', async () => {
    const { net, notes } = loadMatConvNet(netStruct([layer({ type: 'bnorm', name: 'bn', weights: matCell([matSingle([1, 2], [2, 1]), matSingle([0, 0], [2, 1])]) })]), cpu32);
    expect(Array.from(await (net.layers[0] as BnormLayer).weights[2].data())).toEqual([0, 0, 0, 0]);
    expect((net.layers[0] as BnormLayer).epsilon).toBe(1e-5);
    expect(notes).toContain('net.layers{1} (bn, bnorm): no moments; zeros 2×2 (as vl_simplenn_tidy)');
  });
});

describe('loadMatConvNet: vl_simplenn_tidy rules', () => {
  it('legacy filters/biases → weights, legacy per-weight fields dropped with a note', () => {
    const legacy = layer({
      type: 'conv',
      name: 'conv1',
      filters: codedFilter([2, 3, 2, 2]),
      biases: matSingle([1, 2], [1, 2]),
      filtersLearningRate: 1,
      biasesLearningRate: 2,
      filtersWeightDecay: 1,
      biasesWeightDecay: 0,
      filtersMomentum: matSingle(new Float32Array(24), [2, 3, 2, 2]),
      biasesMomentum: matSingle([0, 0], [1, 2]),
      pad: row([1, 2, 1, 2]),
      stride: row([2, 2]),
    });
    const { net, notes } = loadMatConvNet(netStruct([legacy]), cpu32);
    const c = net.layers[0] as ConvLayer;
    expect(c.weights[0]!.shape).toEqual([2, 3, 2, 2]);
    expect(c.pad).toEqual([1, 2, 1, 2]);
    expect(c.stride).toEqual([2, 2]);
    expect(notes).toEqual([
      'net.layers{1}: filters/biases moved to weights (the pre-beta16 layout)',
      'net.layers{1} (conv1, conv): filtersLearningRate, biasesLearningRate, filtersWeightDecay, biasesWeightDecay, filtersMomentum, biasesMomentum dropped (not read by vl_simplenn)',
    ]);
  });

  it("every missing field takes MatConvNet's default", () => {
    const { net } = loadMatConvNet(
      netStruct([conv(), layer({ type: 'pool', pool: 2, method: 'avg' }), layer({ type: 'relu' }), layer({ type: 'lrn' }), layer({ type: 'dropout' }), layer({ type: 'softmaxloss' })]),
      cpu32,
    );
    const [c, p, r, l, d, s] = net.layers;
    expect(c).toMatchObject({ name: 'c', pad: [0, 0, 0, 0], stride: [1, 1], dilate: [1, 1], precious: false, learningRate: [1, 1], weightDecay: [1, 1] });
    expect(p).toMatchObject({ name: 'layer2', pool: [2, 2], method: 'avg', pad: [0, 0, 0, 0], stride: [1, 1] });
    expect(r).toMatchObject({ name: 'layer3', leak: 0 });
    expect(l).toMatchObject({ type: 'lrn', param: [5, 1, 0.0001 / 5, 0.75] });
    expect(d).toMatchObject({ rate: 0.5 });
    expect(s).toMatchObject({ type: 'softmaxloss', name: 'layer6' });
  });

  it("'normalize' becomes 'lrn'; a pool without method gets 'max'; both noted", () => {
    const { net, notes } = loadMatConvNet(netStruct([layer({ type: 'normalize', name: 'norm1', param: row([5, 1, 0.1, 0.75]) }), layer({ type: 'pool', name: 'p', pool: row([3, 3]) })]), cpu32);
    expect(net.layers[0]).toMatchObject({ type: 'lrn', param: [5, 1, 0.1, 0.75] });
    expect((net.layers[1] as PoolLayer).method).toBe('max');
    expect(notes).toEqual([
      "net.layers{1} (norm1, normalize): type 'normalize' read as 'lrn' (its newer name)",
      "net.layers{2} (p, pool): no method; 'max' assumed (vl_simplenn_tidy leaves it unset and vl_simplenn would fail)",
    ]);
  });

  it('all fields of the beta25 layout are read: precious, learningRate, weightDecay, dilate, leak, epsilon, opts {}', () => {
    const { net, notes } = loadMatConvNet(
      netStruct([
        conv({ pad: 1, stride: 2, dilate: row([2, 3]), learningRate: row([1, 2]), weightDecay: row([1, 0]), precious: matLogical(true), opts: matCell([], [0, 0]) }),
        layer({ type: 'relu', leak: 0.1, weights: matCell([], [0, 0]) }), // vl_simplenn_tidy adds weights {} everywhere
        layer({ type: 'pdist', p: 1, noRoot: matLogical(true), epsilon: 1e-6, aggregate: matLogical(true), instanceWeights: empty() }),
      ]),
      cpu32,
    );
    expect(net.layers[0]).toMatchObject({ pad: [1, 1, 1, 1], stride: [2, 2], dilate: [2, 3], learningRate: [1, 2], weightDecay: [1, 0], precious: true });
    expect(net.layers[1]).toMatchObject({ leak: 0.1 });
    expect(net.layers[2]).toMatchObject({ type: 'pdist', p: 1, noRoot: true, epsilon: 1e-6, aggregate: true, instanceWeights: null });
    expect(notes).toEqual([]);
  });

  it('non-empty opts, momentum, a loss class and factors of the wrong count are dropped with notes', () => {
    const { net, notes } = loadMatConvNet(
      netStruct([
        conv({ opts: matCellOfStrings(['CuDNN']), momentum: matCell([empty(), empty()]), learningRate: row([1]) }),
        layer({ type: 'softmaxloss', name: 'loss', class: row([3, 1, 2]) }),
        layer({ type: 'loss', name: 'l2', loss: 'hinge' }),
      ]),
      cpu32,
    );
    expect(net.layers[0]!.learningRate).toEqual([1, 1]);
    expect((net.layers[1] as LossLayer).class).toBeUndefined();
    expect((net.layers[2] as LossLayer).loss).toBe('hinge');
    expect(notes).toEqual([
      "net.layers{1} (c, conv): opts (cell 1×1) dropped (MEX options such as 'CuDNN' have no convnet-ts meaning)",
      'net.layers{1} (c, conv): learningRate [1] does not give one factor ≥ 0 per weight (2); 1 each used',
      'net.layers{1} (c, conv): momentum dropped (not read by vl_simplenn)',
      'net.layers{2} (loss, softmaxloss): class (double 1×3, the labels of the last training batch) dropped; give labels per call',
      "net.layers{3} (l2, loss): loss 'hinge' kept (MatConvNet's vl_simplenn ignores it and computes 'softmaxlog')",
    ]);
  });

  it("a bnorm weightDecay of two factors (MatConvNet's insertBnorm writes [0 0]) gets 0 for the moments", () => {
    const w = matCell([matSingle([1, 2], [2, 1]), matSingle([0, 0], [2, 1]), matSingle([0, 0, 1, 1], [2, 2])]);
    const { net, notes } = loadMatConvNet(netStruct([layer({ type: 'bnorm', weights: w, learningRate: row([2, 1, 0.05]), weightDecay: row([0, 0]) })]), cpu32);
    expect(net.layers[0]).toMatchObject({ learningRate: [2, 1, 0.05], weightDecay: [0, 0, 0] });
    expect(notes).toEqual([]);
  });

  it('spnorm and noffset without param take the DagNN defaults, noted', () => {
    const { net, notes } = loadMatConvNet(netStruct([layer({ type: 'spnorm' }), layer({ type: 'noffset', param: row([2, 0.5]) })]), cpu32);
    expect(net.layers[0]).toMatchObject({ param: [2, 2, 10, 2] });
    expect(net.layers[1]).toMatchObject({ param: [2, 0.5] });
    expect(notes).toEqual(["net.layers{1} (layer1, spnorm): no param; DagNN's default used (SimpleNN has none)"]);
  });
});

describe('loadMatConvNet: meta', () => {
  it('top-level normalization/classes (pre-beta16) move to meta; cropSize computed from border; averageImage H×W×3 as row-major [H, W, C]', () => {
    const avg = new Float32Array(2 * 3 * 3).map((_, i) => i); // column-major 2×3×3: A(h, w, c) = (h-1) + 2(w-1) + 6(c-1)
    const { net, notes } = loadMatConvNet(
      netStruct([conv()], {
        normalization: matStruct({ imageSize: row([224, 224, 3]), averageImage: matSingle(avg, [2, 3, 3]), border: row([32, 32]), interpolation: matChar('bilinear'), keepAspect: matDouble(1) }),
        classes: matStruct({ name: matCellOfStrings(['n01', 'n02']), description: matCellOfStrings(['tench', 'goldfish']) }),
      }),
      cpu32,
    );
    const n = net.meta.normalization!;
    expect(n.imageSize).toEqual([224, 224, 3]);
    expect(n.averageImageSize).toEqual([2, 3, 3]);
    // row-major [h][w][c] = (h) + 2w + 6c (0-based)
    expect(n.averageImage!.slice(0, 4)).toEqual([0, 6, 12, 2]);
    expect(n.cropSize).toEqual([224 / 256, 224 / 256]);
    expect(n.keepAspect).toBe(true);
    expect(n.interpolation).toBe('bilinear');
    expect(net.meta.classes).toEqual({ name: ['n01', 'n02'], description: ['tench', 'goldfish'] });
    expect(notes).toEqual([
      'net.classes moved to net.meta.classes (the pre-beta16 layout)',
      'net.normalization moved to net.meta.normalization (the pre-beta16 layout)',
      'net.meta.normalization.cropSize computed from border and imageSize as vl_simplenn_tidy does: [0.875 0.875]',
    ]);
  });

  it('a 3-vector averageImage is a mean colour [1, 1, 3]; inputSize [H W C N] becomes [N, H, W, C]; other fields as JSON', () => {
    const { net, notes } = loadMatConvNet(
      netStruct([conv()], {
        meta: matStruct({
          normalization: matStruct({ averageImage: matSingle([1, 2, 3], [3, 1]), cropSize: matDouble(0.875) }),
          inputSize: row([28, 28, 1, 100]),
          inputs: matStruct({ name: matChar('input'), size: row([16, 16, 3, 10]) }),
          trainOpts: matStruct({ learningRate: matDouble(0.001), jitter: matDouble([1, 3, 2, 4], [2, 2]), gpus: empty() }),
        }),
      }),
      cpu32,
    );
    expect(net.meta.normalization).toEqual({ averageImage: [1, 2, 3], averageImageSize: [1, 1, 3], cropSize: 0.875 });
    expect(net.meta.inputSize).toEqual([100, 28, 28, 1]);
    expect(net.meta.inputs).toEqual({ name: 'input', size: [16, 16, 3, 10] });
    expect(net.meta.trainOpts).toEqual({ learningRate: 0.001, jitter: [[1, 2], [3, 4]], gpus: null });
    expect(notes).toEqual(['net.meta.normalization.averageImage (single 3×1) read as a 1×1×3 mean colour']);
  });
});

describe('loadMatConvNet: sources and errors', () => {
  const file = (variables: Record<string, MatValue>): MatFile => ({ description: '', endian: 'little', variables: Object.entries(variables).map(([name, value]) => ({ name, value })) });

  it("reads -struct files (variables layers, meta) and checkpoints (variable net beside state, stats)", () => {
    const a = loadMatConvNet(file({ layers: matCell([conv()]), meta: matStruct({}) }), cpu32);
    expect(a.net.layers).toHaveLength(1);
    expect(a.notes).toEqual([]);
    const b = loadMatConvNet(file({ net: netStruct([conv()]), state: matStruct({}), stats: matStruct({}) }), cpu32);
    expect(b.net.layers[0]!.type).toBe('conv');
    expect(b.notes).toEqual(["variables state, stats ignored (the net is variable 'net')"]);
    expect(loadMatConvNet(file({ model: netStruct([conv()]) }), cpu32, { variable: 'model' }).net.layers).toHaveLength(1);
  });

  it('custom and unknown layer types name the layer', () => {
    const custom = netStruct([conv(), conv(), layer({ type: 'custom', name: 'mine' })]);
    expectMatError(() => loadMatConvNet(custom, cpu32), 'net.layers{3}', /layer type 'custom' \(mine\) holds MATLAB function handles/);
    expectMatError(() => loadMatConvNet(netStruct([layer({ type: 'magic' })]), cpu32), 'net.layers{1}', /layer type 'magic' \(layer1\) is not a SimpleNN layer type; expected one of conv, convt/);
  });

  it('bad fields name their MATLAB path', () => {
    expectMatError(() => loadMatConvNet(netStruct([conv({ pad: row([1, 2]) })]), cpu32), 'net.layers{1}.pad', /one integer ≥ 0 or \[top bottom left right\] \(MatConvNet refuses 2 elements\), got double 1×2/);
    expectMatError(() => loadMatConvNet(netStruct([conv({ stride: row([0]) })]), cpu32), 'net.layers{1}.stride', /one integer ≥ 1 or \[vertical horizontal\]/);
    expectMatError(() => loadMatConvNet(netStruct([layer({ type: 'conv', weights: matCell([codedFilter([2, 3, 2, 2]), matSingle([1, 2, 3], [1, 3])]) })]), cpu32), 'net.layers{1}.weights{2}', /expected 2 biases \(one per filter\), got single 1×3/);
    expectMatError(() => loadMatConvNet(netStruct([layer({ type: 'conv', weights: matCell([matChar('oops')]) })]), cpu32), 'net.layers{1}.weights{1}', /of class single or double, got char 1×4 'oops'/);
    expectMatError(() => loadMatConvNet(netStruct([layer({ type: 'bnorm', weights: matCell([matSingle([1, 2], [2, 1]), matSingle([0, 0], [2, 1]), matSingle([1, 2], [1, 2])]) })]), cpu32), 'net.layers{1}.weights{3}', /bnorm moments 2×2/);
    expectMatError(() => loadMatConvNet(netStruct([layer({ type: 'pool', method: 'max' })]), cpu32), 'net.layers{1}.pool', /the window size/);
    expectMatError(() => loadMatConvNet(netStruct([layer({ type: 'pool', pool: 2, method: 'median' })]), cpu32), 'net.layers{1}.method', /'max' or 'avg'/);
    expectMatError(() => loadMatConvNet(netStruct([layer({ name: 'x' })]), cpu32), 'net.layers{1}.type', /the layer type/);
    expectMatError(() => loadMatConvNet(netStruct([matCell([])]), cpu32), 'net.layers{1}', /a 1×1 layer struct, got cell 1×0/);
  });

  it('DagNN files and files without a net are refused with the reason', () => {
    const dag = matStruct({ layers: { type: 'struct', dims: [1, 1], fieldNames: ['name'], data: [{ name: matChar('conv1') }] }, vars: matStruct({}) });
    expectMatError(() => loadMatConvNet(dag, cpu32), 'net.layers', /this is a DagNN file; load it with loadDagNN/);
    expectMatError(() => loadMatConvNet(file({ x: matDouble(1) }), cpu32), '', /expected a SimpleNN file .*got variables x/);
  });

  it('nothing is left allocated when tidy rejects the net', () => {
    let made = 0;
    const counting = new Proxy(cpu32, {
      get(target, key) {
        if (key === 'tensor') return (v: ArrayLike<number>, s: number[]) => {
          made++;
          const t = target.tensor(v, s);
          disposed.push(t);
          return t;
        };
        return Reflect.get(target, key);
      },
    });
    const disposed: Tensor[] = [];
    // A loss layer's topK must be an integer ≥ 1: tidy refuses 0 after the conv's tensors exist.
    expect(() => loadMatConvNet(netStruct([conv(), layer({ type: 'loss', topK: 0 })]), counting)).toThrow(/topK/);
    expect(made).toBe(2);
    expect(disposed.every((t) => t.isDisposed)).toBe(true);
  });
});
