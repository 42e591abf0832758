import { matCell, matChar, matDouble, matLogical, matSingle, matStruct, type MatFile } from '@convnet-ts/matfile';
import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { Layer, type VarValue } from './layer.js';
import { loadMatConvNetDag } from './matconvnet-import.js';
import { cpu64 } from './test-nets.js';
import { dagStruct, digits, digitsAt, type LayerSpec, type ParamSpec, row } from './test-matconvnet.js';

const values = (t: Tensor | null) => Array.from(t!.dataSync());

/** Every multi-index of `shape`, row-major. */
function indices(shape: number[]): number[][] {
  return shape.reduceRight<number[][]>((rest, d) => Array.from({ length: d }, (_, i) => rest.map((r) => [i, ...r])).flat(), [[]]);
}

const conv = (block: Record<string, ReturnType<typeof row>>, params = ['f', 'b']): LayerSpec => ({ name: 'conv', type: 'dagnn.Conv', inputs: ['x'], outputs: ['y'], params, block });
const load = (layers: LayerSpec[], params: ParamSpec[]) => loadMatConvNetDag(dagStruct(layers, params), cpu64);

describe('loadMatConvNetDag: layouts', () => {
  it('conv filters H×W×D×K become [Hf, Wf, D, K] with every element in place; biases of either orientation become [K]', () => {
    for (const bias of [matSingle([1, 2, 3, 4], [1, 4]), matSingle([1, 2, 3, 4], [4, 1])]) {
      const { net } = load([conv({ size: row([2, 3, 2, 4]) })], [{ name: 'f', value: digits([2, 3, 2, 4]) }, { name: 'b', value: bias }]);
      const f = net.getParam('f').value!;
      expect(f.shape).toEqual([2, 3, 2, 4]);
      expect(values(f)).toEqual(indices([2, 3, 2, 4]).map(digitsAt));
      expect(net.getParam('b').value!.shape).toEqual([4]);
      expect(values(net.getParam('b').value)).toEqual([1, 2, 3, 4]);
    }
  });

  it('convt filters H×W×K×D become [Hf, Wf, K, D]; BatchNorm moments C×2 become [C, 2] rows [mu, sigma]; Scale factors 1×1×C become [C]', () => {
    const { net } = load(
      [
        { name: 'up', type: 'dagnn.ConvTranspose', inputs: ['x'], outputs: ['u'], params: ['tf', 'tb'], block: { size: row([2, 2, 3, 2]), upsample: row([2, 2]) } },
        { name: 'bn', type: 'dagnn.BatchNorm', inputs: ['u'], outputs: ['v'], params: ['m', 'b', 'mo'], block: { numChannels: matDouble(3), epsilon: matDouble(1e-4) } },
        { name: 'sc', type: 'dagnn.Scale', inputs: ['v'], outputs: ['w'], params: ['s', 'sb'], block: { size: row([1, 1, 3]), hasBias: matLogical(true) } },
      ],
      [
        { name: 'tf', value: digits([2, 2, 3, 2]) },
        { name: 'tb', value: matSingle([0, 0, 0]) },
        { name: 'm', value: matSingle([1, 2, 3], [1, 3]) },
        { name: 'b', value: matSingle([4, 5, 6]) },
        { name: 'mo', value: digits([3, 2]) },
        { name: 's', value: matSingle([7, 8, 9], [1, 1, 3]) },
        { name: 'sb', value: matSingle([0, 0, 0], [1, 1, 3]) },
      ],
    );
    expect(values(net.getParam('tf').value)).toEqual(indices([2, 2, 3, 2]).map(digitsAt));
    expect(values(net.getParam('mo').value)).toEqual([0, 1, 10, 11, 20, 21]);
    expect(net.getParam('m').value!.shape).toEqual([3]);
    expect(net.getLayer('sc').block.options()).toEqual({ size: [3], hasBias: true });
    expect(values(net.getParam('s').value)).toEqual([7, 8, 9]);
  });

  it('a conv computes what MatConvNet computes: x(h, w) and f(h, w) column-major, not transposed', async () => {
    // x = [1 3; 2 4], f = [10 30; 20 40] (MATLAB): y = 1·10 + 2·20 + 3·30 + 4·40 + 0.5 (transposed filters would give 290.5).
    const { net } = load([conv({ size: row([2, 2, 1, 1]) })], [{ name: 'f', value: matSingle([10, 20, 30, 40], [2, 2]) }, { name: 'b', value: matSingle(0.5) }]);
    net.eval({ x: cpu64.tensor([1, 3, 2, 4], [1, 2, 2, 1]) });
    expect(Array.from(await (net.getVar('y').value as Tensor).data())).toEqual([300.5]);
  });
});

describe('loadMatConvNetDag: older and variant files', () => {
  const bnParams: ParamSpec[] = [
    { name: 'm', value: matSingle([1, 1]) },
    { name: 'b', value: matSingle([0, 0]) },
    { name: 'mo', value: matSingle([0, 0, 1, 1], [2, 2]), learningRate: 0.1, weightDecay: 0 },
  ];

  it('BatchNorm without epsilon (before 2016-02) or numChannels (import-caffe.py) gets 1e-5 and the multipliers’ length; moments stay averaged', () => {
    const { net, notes } = load([{ name: 'bn', type: 'dagnn.BatchNorm', inputs: ['x'], outputs: ['y'], params: ['m', 'b', 'mo'], block: {} }], bnParams);
    expect(net.getLayer('bn').block.options()).toEqual({ numChannels: 2, epsilon: 1e-5 });
    expect(net.getParam('mo')).toMatchObject({ trainMethod: 'average', learningRate: 0.1, weightDecay: 0 });
    expect(notes).toEqual([
      "BatchNorm: block.numChannels missing (files from import-caffe.py lack it); MatConvNet's default (the multipliers' length 2) used — layer 'bn'",
      "BatchNorm: block.epsilon missing (older MatConvNet files lack it); MatConvNet's default 1e-5 used — layer 'bn'",
    ]);
  });

  it('Conv: size unset [0 0 0 0] or different → the filters’ dims; missing dilate/hasBias → defaults; device opts dropped', () => {
    const f = { name: 'f', value: matSingle(new Array(18).fill(1), [3, 3, 2]) };
    const b = { name: 'b', value: matSingle([0]) };
    for (const size of [row([0, 0, 0, 0]), row([5, 5, 2, 1])]) {
      const { net, notes } = load([conv({ size, pad: row([1, 2]), opts: matCell([matChar('NoCuDNN')]) } as never)], [f, b]);
      expect(net.getLayer('conv').block.options()).toEqual({ size: [3, 3, 2, 1], pad: [1, 1, 2, 2], stride: [1, 1], dilate: [1, 1], hasBias: true });
      expect(notes.join('\n')).toContain(size.data[0] === 0 ? 'block.size is the unset default [0 0 0 0]' : 'block.size is [5 5 2 1], which differs');
      expect(notes.join('\n')).toContain("block.opts 'NoCuDNN' dropped");
      expect(notes.join('\n')).toContain('block.dilate missing');
    }
  });

  it('Conv: hasBias true without a bias value reads as false; hasBias false drops a listed bias; opts pad/stride override', () => {
    const f = { name: 'f', value: matSingle([1], [1, 1]) };
    let r = load([conv({ size: row([1, 1, 1, 1]), hasBias: matLogical(true) } as never, ['f'])], [f]);
    expect(r.net.getLayer('conv').block.options()).toMatchObject({ hasBias: false });
    expect(r.notes[0]).toMatch(/hasBias is true but the layer has no bias parameter/);
    r = load([conv({ hasBias: matLogical(false), opts: matCell([matChar('stride'), matDouble(2)]) } as never)], [f, { name: 'b', value: matSingle([3]) }]);
    expect(r.net.getLayer('conv').params).toEqual(['f']);
    expect(r.net.getLayer('conv').block.options()).toMatchObject({ hasBias: false, stride: [2, 2] });
    expect(r.notes.join('\n')).toMatch(/unused bias parameter is dropped[\s\S]*params\(2\) 'b' dropped \(no layer uses it\)/);
  });

  it('Pooling without opts, ReLU without leak (before 2015-11) or with opts leak, Concat with the old numInputs', () => {
    const { net, notes } = load(
      [
        { name: 'pool', type: 'dagnn.Pooling', inputs: ['x'], outputs: ['p'], block: { method: matChar('avg'), poolSize: row([3, 3]), pad: row([1]), dilate: row([2, 2]) } },
        { name: 'relu', type: 'dagnn.ReLU', inputs: ['p'], outputs: ['r'], block: { useShortCircuit: matLogical(true) } },
        { name: 'leaky', type: 'dagnn.ReLU', inputs: ['r'], outputs: ['l'], block: { leak: matDouble(0), opts: matCell([matChar('leak'), matDouble(0.2)]) } },
        { name: 'cat', type: 'dagnn.Concat', inputs: ['l', 'r'], outputs: ['c'], block: { numInputs: matDouble(2) } },
      ],
      [],
    );
    expect(net.getLayer('pool').block.options()).toEqual({ poolSize: [3, 3], method: 'avg', pad: [1, 1, 1, 1], stride: [1, 1] });
    expect(net.getLayer('relu').block.options()).toEqual({ leak: 0 });
    expect(net.getLayer('leaky').block.options()).toEqual({ leak: 0.2 });
    expect(net.getLayer('cat').block.options()).toEqual({ dim: 3 });
    expect(notes).toEqual([
      "Pooling: block.stride missing (older MatConvNet files lack it); MatConvNet's default 1 used — layer 'pool'",
      "Pooling: block.dilate [2 2] dropped (MatConvNet's Pooling never passes it to vl_nnpool) — layer 'pool'",
      "ReLU: block.leak missing (older MatConvNet files lack it); MatConvNet's default 0 used — layer 'relu'",
      "Concat: block.dim missing (older MatConvNet files lack it); MatConvNet's default 3 used — layer 'cat'",
    ]);
  });

  it('Loss: files before 2017-12 (no normalise property) sum over the batch; newer ones divide; opts topK/normalise read, classWeights dropped', () => {
    const loss = (block: Record<string, ReturnType<typeof row>>): LayerSpec => ({ name: 'loss', type: 'dagnn.Loss', inputs: ['x', 'label'], outputs: ['obj'], block });
    expect(load([loss({ loss: matChar('softmaxlog') })], []).net.getLayer('loss').block.options()).toMatchObject({ normalise: false });
    expect(load([loss({ loss: matChar('SoftMaxLog'), normalise: matLogical(true) })], []).net.getLayer('loss').block.options()).toMatchObject({ loss: 'softmaxlog', normalise: true });
    const r = load([loss({ normalise: matLogical(true), opts: matCell([matChar('topK'), matDouble(3), matChar('normalise'), matLogical(false), matChar('classWeights'), row([1, 2])]) })], []);
    expect(r.net.getLayer('loss').block.options()).toEqual({ loss: 'softmaxlog', topK: 3, threshold: 0, normalise: false });
    expect(r.notes.join('\n')).toContain("Loss: opts 'classWeights' dropped (vl_nnloss parses it but never uses it)");
  });

  it('a net before initParams (empty values) keeps its layers; params without learningRate/weightDecay get the defaults; trainMethod and vars.precious are read', () => {
    const s = dagStruct([conv({ size: row([1, 1, 1, 1]) })], []);
    const fields = s.type === 'struct' ? s.data[0]! : {};
    fields.params = matStruct({ name: matChar('f'), value: matSingle([], [0, 0]), trainMethod: matChar('average') });
    const { net, notes } = loadMatConvNetDag(s, cpu64);
    expect(net.getParam('f')).toMatchObject({ value: null, learningRate: 1, weightDecay: 1, trainMethod: 'average' });
    expect(net.getParam('b').value).toBeNull();
    expect(notes).toContain("net.params: learningRate missing; the layer's default used (1, or BatchNorm's for moments)");
    expect(notes).toContain("net.params(1) 'f' has no value (initialise it with initParams)");
    fields.vars = matStruct({ name: matChar('y'), precious: matLogical(true) });
    expect(loadMatConvNetDag(s, cpu64).net.getVar('y').precious).toBe(true);
  });

  it('a checkpoint file (net-epoch-N.mat: net, state, stats) loads its net', () => {
    const net = dagStruct([{ name: 'r', type: 'dagnn.ReLU', inputs: ['x'], outputs: ['y'], block: { leak: matDouble(0) } }], []);
    const file: MatFile = { description: '', endian: 'little', variables: [{ name: 'net', value: net }, { name: 'state', value: matStruct({}) }, { name: 'stats', value: matStruct({}) }] };
    const r = loadMatConvNetDag(file, cpu64);
    expect(r.net.layers.map((l) => l.name)).toEqual(['r']);
    expect(r.notes).toEqual(["variables state, stats ignored (the net is variable 'net')"]);
  });
});

describe('loadMatConvNetDag: errors name the place', () => {
  const relu: LayerSpec = { name: 'r', type: 'dagnn.ReLU', inputs: ['x'], outputs: ['y'], block: { leak: matDouble(0) } };

  it('an unknown class names the layer and asks for a factory; with one, it loads from the block as JSON', () => {
    const foo: LayerSpec = { name: 'foo', type: 'mylib.Foo', inputs: ['y'], outputs: ['z'], block: { gain: matDouble(3) } };
    expect(() => load([relu, foo], [])).toThrow(/^loadMatConvNetDag: net\.layers\(2\): layer 'foo' has type 'mylib\.Foo', which is not a DagNN layer class convnet-ts knows \(dagnn\.Conv, .*\); pass a factory in opts\.layers/);
    class Gain extends Layer {
      readonly type = 'mylib.Foo';
      constructor(readonly gain: number) {
        super();
      }
      forward([x]: readonly VarValue[]) {
        const t = x as Tensor;
        return [t.backend.run('Unary', { x: t }, { op: 'scale', alpha: this.gain })];
      }
      backward(): never {
        throw new Error('unused');
      }
      options() {
        return { gain: this.gain };
      }
    }
    const { net } = loadMatConvNetDag(dagStruct([relu, foo], []), cpu64, { layers: { 'mylib.Foo': (o) => new Gain(o.gain as number) } });
    net.eval({ x: cpu64.tensor([-1, 2], [1, 1, 1, 2]) });
    expect(values(net.getVar('z').value as Tensor)).toEqual([0, 6]);
  });

  it('a parameter whose dims do not fit its layer, a bad option, an unsupported opts entry, a SimpleNN or a struct without layers', () => {
    expect(() => load([conv({ size: row([1, 1, 1, 2]) })], [{ name: 'f', value: matSingle([1, 2], [1, 1, 1, 2]) }, { name: 'b', value: matSingle([1, 2, 3]) }])).toThrow(
      "loadMatConvNetDag: net.params(2).value: parameter 'b' of layer 'conv' must be a MATLAB array fitting [2] (a vector), got single 3×1",
    );
    expect(() => load([{ name: 'pool', type: 'dagnn.Pooling', inputs: ['x'], outputs: ['y'], block: { method: matChar('median') } }], [])).toThrow(
      "loadMatConvNetDag: net.layers(1) 'pool': Pooling: method must be 'max' | 'avg', got 'median'",
    );
    expect(() => load([{ name: 'pool', type: 'dagnn.Pooling', inputs: ['x'], outputs: ['y'], block: { opts: matCell([matChar('foo'), matDouble(1)]) } }], [])).toThrow(
      "loadMatConvNetDag: net.layers(1).block.opts{1}: option 'foo' of vl_nnpool is not supported here; supported: pad, stride, method",
    );
    expect(() => loadMatConvNetDag(matStruct({ layers: matCell([matStruct({ type: matChar('relu') })]) }), cpu64)).toThrow(/net\.layers: is a cell .*this is a SimpleNN file; load it with loadMatConvNet/);
    expect(() => loadMatConvNetDag(matStruct({ meta: matStruct({}) }), cpu64)).toThrow("loadMatConvNetDag: net: expected a DagNN struct with a 'layers' struct array, got fields meta");
  });
});
