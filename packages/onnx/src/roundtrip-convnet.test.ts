/**
 * convnet-ts → ONNX → convnet-ts gives the same network: native networks
 * (the MNIST LeNet, LeNet with bnorm, an AlexNet-shaped chain, the DagNN
 * ResNet and GoogLeNet fixtures, a DAG of Scale, Crop, Concat, Sum) are
 * exported with `layout: 'nhwc'` (the default: boundary Transposes, which
 * come back as no layer) and `'nchw'`, imported on the CPU backend, and compared
 * layer by layer (class, options, parameter values element for element) and
 * on seeded inputs in test mode (outputs equal bit for bit), on float32 and
 * on float64.
 *
 * Where the mapping is not one-to-one: DropOut is omitted (the identity at
 * inference) and losses dropped; a negative σ
 * (possible in a loaded file only) comes back as |σ| with the multiplier
 * negated — the same function, exactly.
 */
import { BatchNorm, Crop, type DagLayer, type DagNN, loadMatConvNetDag } from '@convnet-ts/dagnn';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { loadMatConvNet, type SimpleNNSpec, simplenn } from '@convnet-ts/simplenn';
import { type Backend, type FloatArray, Rng, randnTensor, type Shape, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { exportOnnx, exportOnnxSync } from './export.js';
import { parseExportOptions } from './export-options.js';
import { planExport } from './export-plan.js';
import { importOnnx } from './import.js';
import { makeNode } from './proto/attribute.js';
import { decodeModel, encodeModel } from './proto/model.js';
import { makeValueInfo } from './proto/tensor.js';
import { fixture } from './test-export-ort.js';
import { alexnet as alexnetNet, lenetBnorm as lenetBnormNet, scaleConcatDag } from './test-nets.js';

const cpu = createCpuBackend();
const cpu64 = createCpuBackend({ dtype: 'float64' });
const rng = new Rng(29);

type Net = SimpleNNSpec | DagNN;

type Layout = 'nchw' | 'nhwc';
const LAYOUTS: readonly Layout[] = ['nhwc', 'nchw'];

/** Exports `net` (`layout`), imports it on `backend`; `dag` is the DagNN the exporter wrote (fromSimpleNN of a chain, less its losses). */
function roundTrip(net: Net, inputs: Record<string, Shape>, layout: Layout, backend: Backend = cpu): { dag: DagNN; back: DagNN; bytes: Uint8Array } {
  const sizes = Object.entries(inputs).map(([k, v]) => [k, v.slice(1)] as const);
  const opts = { layout, inputSize: sizes.length === 1 ? sizes[0]![1] : Object.fromEntries(sizes) };
  const dag = planExport(net, parseExportOptions(opts)).dag;
  const bytes = exportOnnxSync(net, opts);
  return { dag, back: importOnnx(bytes, backend), bytes };
}

/** Layers the export keeps (DropOut is omitted). */
const kept = (net: DagNN): DagLayer[] => net.layers.filter((l) => l.block.type !== 'DropOut');

/** The parameters of a layer as the round trip must give them back: a BatchNorm's negative σ as |σ| with the multiplier negated. */
function expectedParams(net: DagNN, l: DagLayer): number[][] {
  const values = l.params.map((p) => Array.from(net.getParam(p).value!.dataSync()));
  if (l.block.type !== 'BatchNorm') return values;
  const [g, b, m] = values as [number[], number[], number[]];
  for (let k = 0; k < g.length; k++) {
    if (m[2 * k + 1]! < 0) {
      m[2 * k + 1] = -m[2 * k + 1]!;
      g[k] = -g[k]!;
    }
  }
  return [g, b, m];
}

/** Same layer classes, names, inputs, outputs and options, in order; every parameter equal element for element (`round`: to float32 first). */
function expectSameNetwork(dag: DagNN, back: DagNN, round = false): void {
  const a = kept(dag);
  const b = back.layers;
  // A layer after an omitted DropOut reads the DropOut's input.
  const alias = new Map(dag.layers.filter((l) => l.block.type === 'DropOut').map((l) => [l.outputs[0]!, l.inputs[0]!]));
  const source = (v: string): string => (alias.has(v) ? source(alias.get(v)!) : v);
  expect(b.map((l) => [l.name, l.block.type, l.inputs, l.outputs])).toEqual(a.map((l) => [l.name, l.block.type, l.inputs.map(source), l.outputs]));
  for (let i = 0; i < a.length; i++) {
    expect(b[i]!.block.options(), a[i]!.name).toEqual(a[i]!.block.options());
    const want = expectedParams(dag, a[i]!).map((v) => (round ? v.map(Math.fround) : v));
    expect(b[i]!.params.map((p) => Array.from(back.getParam(p).value!.dataSync())), a[i]!.name).toEqual(want);
    expect(b[i]!.params.map((p) => back.getParam(p).value!.shape)).toEqual(a[i]!.params.map((p) => dag.getParam(p).value!.shape));
  }
}

function evalVars(net: DagNN, inputs: Record<string, Tensor>, vars: readonly string[]): FloatArray[] {
  net.mode = 'test';
  for (const v of vars) net.getVar(v).precious = true;
  net.eval(inputs);
  return vars.map((v) => (net.getVar(v).value as Tensor).dataSync());
}

/** Seeded normal inputs on `backend`. */
function inputsOf(shapes: Record<string, Shape>, seed: number, backend: Backend = cpu, std = 1): Record<string, Tensor> {
  const r = new Rng(seed);
  return Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, randnTensor(backend, s, r, std)]));
}

/** Number of elements that differ (0: bit-identical, NaN aside, which no test input produces). */
function differing(a: FloatArray, b: FloatArray): number {
  expect(b.length).toBe(a.length);
  expect(b.constructor).toBe(a.constructor);
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

/** A chain's test-mode output through simplenn (the original) and through the imported DagNN: the same bits. */
function expectSameChainOutput(net: SimpleNNSpec, back: DagNN, x: Tensor): void {
  const res = simplenn({ layers: net.layers.filter((l) => l.type !== 'softmaxloss'), meta: net.meta ?? {} }, x, null, null, { mode: 'test' });
  const y = res[res.length - 1]!.x!;
  const [z] = evalVars(back, { input: x }, [back.getOutputs()[0]!]);
  expect(back.getOutputs()).toHaveLength(1);
  expect(differing(y.dataSync(), z!)).toBe(0);
}

const nets = { backend: cpu, rng };
const lenetBnorm = (): SimpleNNSpec => lenetBnormNet(nets, { inputSize: [1, 28, 28, 1], classes: { name: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] } });
/** AlexNet-shaped with leaky ReLU, an even LRN window (an ONNX subgraph) and padded average pooling. */
const alexnet = (): SimpleNNSpec =>
  alexnetNet(nets, { leak: 0.1, norm2Size: 4, pool5: { type: 'pool', name: 'pool5', method: 'avg', pool: 2, stride: 1, pad: [0, 1, 1, 0] }, fc6Size: 3 });

/** The DAG of Scale ([4] and [1, 1, 4]), Crop, Concat, Sum, …: see `scaleConcatDag`. */
const dagNet = async (): Promise<DagNN> => scaleConcatDag(nets, { scale: [4], scale2: [1, 1, 4] });

for (const layout of LAYOUTS) {
  describe(`convnet-ts → ONNX → convnet-ts (CPU, float32, layout ${layout})`, () => {
    it('LeNet trained by the MNIST job: the same layers, weights and meta; outputs bit-identical', () => {
      const { net } = loadMatConvNet(fixture('matconvnet/lenet-roundtrip/lenet.mat'), cpu);
      const { dag, back } = roundTrip(net, { input: [3, 28, 28, 1] }, layout);
      expect(back.layers.map((l) => l.block.type)).toEqual(['Conv', 'Pooling', 'Conv', 'Pooling', 'Conv', 'ReLU', 'Conv']); // softmaxloss dropped
      expectSameNetwork(dag, back);
      expect(back.meta).toMatchObject(JSON.parse(JSON.stringify(dag.meta)));
      expectSameChainOutput(net, back, inputsOf({ x: [3, 28, 28, 1] }, 1, cpu, 50).x!);
    });

    it('LeNet with bnorm: σ comes back bit for bit (var chosen so that sqrt(var + ε) rounds to σ), epsilon 1e-4 as a double', () => {
      const net = lenetBnorm();
      const { dag, back } = roundTrip(net, { input: [3, 28, 28, 1] }, layout);
      expectSameNetwork(dag, back);
      expect(back.layers.filter((l) => l.block instanceof BatchNorm).map((l) => (l.block as BatchNorm).epsilon)).toEqual([1e-4, 1e-4, 1e-4]);
      expect(back.meta.classes).toEqual(net.meta!.classes);
      expectSameChainOutput(net, back, inputsOf({ x: [3, 28, 28, 1] }, 2).x!);
    });

    it('AlexNet-shaped: groups, LRN params [5, 1, 0.01, 0.75] and [4, 2, 0.02, 0.75] (the even window from its subgraph) and leak 0.1 as doubles, avg pooling with pads; dropout omitted', () => {
      const net = alexnet();
      const { dag, back, bytes } = roundTrip(net, { input: [2, 35, 35, 3] }, layout);
      expect(decodeModel(bytes).graph!.node.filter((n) => n.name.startsWith('norm2')).map((n) => n.opType)).toEqual(['Mul', 'Conv', 'Add', 'Pow', 'Div']);
      expect(dag.layers.length - back.layers.length).toBe(2);
      expectSameNetwork(dag, back);
      expect((back.getLayer('norm1').block.options() as { param: number[] }).param).toEqual([5, 1, 0.01, 0.75]);
      expect((back.getLayer('norm2').block.options() as { param: number[] }).param).toEqual([4, 2, 0.02, 0.75]);
      expectSameChainOutput(net, back, inputsOf({ x: [2, 35, 35, 3] }, 3, cpu, 20).x!);
    });

    for (const name of ['dagnn-resnet', 'dagnn-googlenet']) {
      it(`${name}.v7.mat: the same DagNN, prob bit-identical`, () => {
        const { net } = loadMatConvNetDag(fixture(`matconvnet/${name}.v7.mat`), cpu);
        const { dag, back } = roundTrip(net, { data: [2, 12, 12, 3] }, layout);
        expectSameNetwork(dag, back);
        const x = inputsOf({ data: [2, 12, 12, 3] }, 4, cpu, 50);
        const [a] = evalVars(net, x, ['prob']);
        const [b] = evalVars(back, x, ['prob']);
        expect(differing(a!, b!)).toBe(0);
      });
    }

    it('a DAG of Scale, BatchNorm, Crop, Concat, Sum: Crop comes back from the Slice, a Scale with a bias from the Mul and Add, sizes as they were; outputs bit-identical', async () => {
      const net = await dagNet();
      const inputs = { a: [2, 9, 10, 3], b: [2, 6, 6, 4] };
      const { back } = roundTrip(net, inputs, layout);
      expectSameNetwork(net, back);
      expect(back.getLayer('crop').block).toBeInstanceOf(Crop);
      expect(back.getLayer('crop').inputs).toEqual(['n', 'b']);
      expect(back.getLayer('crop').block.options()).toEqual({ crop: [1, 2] });
      expect(back.getLayer('scale').block.options()).toEqual({ size: [4], hasBias: true });
      expect(back.getLayer('scale2').block.options()).toEqual({ size: [1, 1, 4], hasBias: false });
      const x = inputsOf(inputs, 5);
      const a = evalVars(net, x, ['prob', 'gate']);
      const b = evalVars(back, x, ['prob', 'gate']);
      expect(a.map((v, i) => differing(v, b[i]!))).toEqual([0, 0]);
    });

    it('exportOnnx (async) writes the same bytes as exportOnnxSync', async () => {
      const net = alexnet();
      const opts = { layout, inputSize: [35, 35, 3] };
      expect(await exportOnnx(net, opts)).toEqual(exportOnnxSync(net, opts));
    });
  });
}

for (const layout of LAYOUTS) {
  describe(`convnet-ts → ONNX → convnet-ts (CPU, float64, layout ${layout})`, () => {
    it('LeNet with bnorm and the ResNet DagNN on a float64 backend: float32-valued weights come back exactly, outputs bit-identical', async () => {
      const chain = lenetBnorm();
      const { dag: dag32 } = roundTrip(chain, { input: [2, 28, 28, 1] }, layout);
      await dag32.move(cpu64); // float32 values held in float64
      const { net: resnet } = loadMatConvNetDag(fixture('matconvnet/dagnn-resnet.v7.mat'), cpu64);
      for (const [net, shape, input] of [
        [dag32, [2, 28, 28, 1], 'input'],
        [resnet, [2, 12, 12, 3], 'data'],
      ] as const) {
        const { dag, back } = roundTrip(net, { [input]: shape }, layout, cpu64);
        expect(back.params.values().next().value!.value!.dtype).toBe('float64');
        expectSameNetwork(dag, back, true); // the export rounds a float64 network's weights to float32
        const x = inputsOf({ [input]: shape }, 6, cpu64);
        const out = back.getOutputs()[0]!;
        const [a] = evalVars(net, x, [out]);
        const [b] = evalVars(back, x, [out]);
        // Both networks' weights are float32 values (the fixture is single precision), so nothing was rounded.
        expect([...net.params.values()].every((p) => p.value!.dataSync().every((v) => Math.fround(v) === v))).toBe(true);
        expect(differing(a!, b!)).toBe(0);
      }
    });
  });
}

describe('the exact options (metadata convnet-ts.options) are advisory', () => {
  it('an attribute edited after export wins over the recorded double; without the record, LRN takes alpha / size', () => {
    const net: SimpleNNSpec = { layers: [{ type: 'lrn', name: 'norm', param: [5, 1, 0.01, 0.75] }] };
    const bytes = exportOnnxSync(net, { layout: 'nchw', inputSize: [3, 4, 6], backend: cpu });
    const model = decodeModel(bytes);
    expect(JSON.parse(model.metadataProps.find((m) => m.key === 'convnet-ts.options')!.value)).toEqual({ norm: { param: [5, 1, 0.01, 0.75] } });
    const alpha = model.graph!.node[0]!.attribute.find((a) => a.name === 'alpha')!;
    alpha.f = 0.1;
    const edited = importOnnx(encodeModel(model), cpu).getLayer('norm').block.options() as { param: number[] };
    expect(edited.param).toEqual([5, 1, Math.fround(0.1) / 5, 0.75]);
    model.metadataProps = model.metadataProps.filter((m) => m.key !== 'convnet-ts.options');
    alpha.f = 0.05;
    expect((importOnnx(encodeModel(model), cpu).getLayer('norm').block.options() as { param: number[] }).param).toEqual([5, 1, Math.fround(0.05) / 5, 0.75]);
  });

  it('an even-window LRN subgraph is one LRN only as recorded and as computed: without the record, or with κ, β or the window edited, the Mul is refused', () => {
    const net: SimpleNNSpec = { layers: [{ type: 'lrn', name: 'norm', param: [4, 1, 0.01, 0.75] }] };
    const exported = () => decodeModel(exportOnnxSync(net, { inputSize: [3, 4, 6], backend: cpu }));
    const whole = importOnnx(encodeModel(exported()), cpu);
    expect(whole.layers.map((l) => [l.name, l.block.options()])).toEqual([['norm', { param: [4, 1, 0.01, 0.75] }]]);
    const refused = 'importOnnx: node "norm/square" (Mul): Mul of two feature maps';
    const unrecorded = exported();
    unrecorded.metadataProps = unrecorded.metadataProps.filter((m) => m.key !== 'convnet-ts.options');
    expect(() => importOnnx(encodeModel(unrecorded), cpu)).toThrow(refused);
    for (const [init, at, value] of [
      ['norm_kappa', 0, 2],
      ['norm_beta', 0, 0.5],
      ['norm_window', 3, 0.01], // outside channel 0's window [0, 2]
    ] as const) {
      const edited = exported();
      const t = edited.graph!.initializer.find((i) => i.name === init)!;
      new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength).setFloat32(4 * at, value, true);
      expect(() => importOnnx(encodeModel(edited), cpu), init).toThrow(refused);
    }
    // An intermediate value that another node reads: not the exporter's subgraph.
    const read = exported();
    read.graph!.node.push(makeNode('Relu', ['norm_window_sum'], ['seen'], 'seen'));
    read.graph!.output.push(makeValueInfo('seen', ['N', 4, 6, 3]));
    expect(() => importOnnx(encodeModel(read), cpu)).toThrow(refused);
  });

  it('a Scale with a bias is one Scale only as recorded: without the record, Mul then Add come back as two Scales (the same values)', async () => {
    const net = await dagNet();
    const inputs = { a: [2, 9, 10, 3], b: [2, 6, 6, 4] };
    const model = decodeModel(roundTrip(net, inputs, 'nhwc').bytes);
    const options = model.metadataProps.find((m) => m.key === 'convnet-ts.options')!;
    const { 'scale/mul': scale, scale2, ...others } = JSON.parse(options.value) as Record<string, unknown>;
    expect([scale, scale2]).toEqual([{ subgraph: 'Scale', layer: 'scale', size: [4] }, { size: [1, 1, 4] }]);
    options.value = JSON.stringify(others);
    const back = importOnnx(encodeModel(model), cpu);
    const [mul, add] = [back.getLayer('scale/mul'), back.getLayer('scale/add')];
    expect([mul.block.options(), add.block.options()]).toEqual([
      { size: [4], hasBias: false },
      { size: [4], hasBias: true },
    ]);
    expect(back.getLayer('scale2').block.options()).toEqual({ size: [4], hasBias: false }); // the recorded [1, 1, 4] is gone too
    expect(Array.from(back.getParam(mul.params[0]!).value!.dataSync())).toEqual(Array.from(net.getParam('sw').value!.dataSync()));
    expect(Array.from(back.getParam(add.params[0]!).value!.dataSync())).toEqual([1, 1, 1, 1]);
    expect(Array.from(back.getParam(add.params[1]!).value!.dataSync())).toEqual(Array.from(net.getParam('sb').value!.dataSync()));
    const x = inputsOf(inputs, 5);
    const a = evalVars(net, x, ['prob', 'gate']);
    const b = evalVars(back, x, ['prob', 'gate']);
    expect(a.map((v, i) => differing(v, b[i]!))).toEqual([0, 0]);
  });

  it('a Slice of a feature map that the exporter did not write for a Crop is refused, naming the node', async () => {
    const model = decodeModel(roundTrip(await dagNet(), { a: [2, 9, 10, 3], b: [2, 6, 6, 4] }, 'nchw').bytes);
    model.metadataProps = model.metadataProps.filter((m) => m.key !== 'convnet-ts.options');
    expect(() => importOnnx(encodeModel(model), cpu)).toThrow('importOnnx: node "crop" (Slice): importOnnx converts a Slice of a feature map only where the convnet-ts exporter wrote it for a Crop');
  });
});

describe('the boundary Transposes of layout nhwc', () => {
  it('are no layers: the graph input is the DagNN input, each output the variable of its name; the ports are recorded as nhwc', async () => {
    const net = await dagNet();
    const opts = { inputSize: { a: [9, 10, 3], b: [6, 6, 4] }, outputs: ['r', 'prob', 'gate'] };
    const model = decodeModel(exportOnnxSync(net, opts));
    expect(model.graph!.node.filter((n) => n.opType === 'Transpose').map((n) => n.name)).toEqual(['a/to_nchw', 'b/to_nchw', 'r/to_nhwc', 'prob/to_nhwc', 'gate/to_nhwc']);
    const back = importOnnx(encodeModel(model), cpu);
    expect(back.layers.some((l) => l.name.includes('to_nchw') || l.name.includes('to_nhwc'))).toBe(false);
    // 'r', an output that conv2 also reads, keeps its name.
    expect(back.getLayer('relu').outputs).toEqual(['r']);
    expect(back.getLayer('conv2').inputs).toEqual(['r']);
    expect(back.getInputs().sort()).toEqual(['a', 'b']);
    expect(back.meta.onnx).toMatchObject({
      inputs: [
        { name: 'a', var: 'a', shape: ['N', 9, 10, 3], layout: 'nhwc', hwc: [9, 10, 3] },
        { name: 'b', var: 'b', shape: ['N', 6, 6, 4], layout: 'nhwc', hwc: [6, 6, 4] },
      ],
      outputs: [
        { name: 'r', var: 'r', shape: ['N', 6, 6, 4], layout: 'nhwc', hwc: [6, 6, 4] },
        { name: 'prob', var: 'prob', shape: ['N', 6, 6, 7], layout: 'nhwc', hwc: [6, 6, 7] },
        { name: 'gate', var: 'gate', shape: ['N', 6, 6, 8], layout: 'nhwc', hwc: [6, 6, 8] },
      ],
    });
    const x = inputsOf({ a: [2, 9, 10, 3], b: [2, 6, 6, 4] }, 7);
    const a = evalVars(net, x, ['r', 'prob', 'gate']);
    const b = evalVars(back, x, ['r', 'prob', 'gate']);
    expect(a.map((v, i) => differing(v, b[i]!))).toEqual([0, 0, 0]);
  });

  it('any other Transpose of a feature map is refused, naming the node', () => {
    const lenet = () => decodeModel(exportOnnxSync(lenetBnorm(), { inputSize: [28, 28, 1] }));
    const perm = (model: ReturnType<typeof decodeModel>, name: string, p: number[]) => {
      const attr = model.graph!.node.find((n) => n.name === name)!.attribute[0]!;
      attr.ints = p.map(BigInt);
    };
    const refused = 'importOnnx: node "%s" (Transpose): Transpose (perm [0, 3, 2, 1]) of a feature map: importOnnx takes a Transpose only at the graph\'s boundary';
    const inputSide = lenet();
    perm(inputSide, 'input/to_nchw', [0, 3, 2, 1]);
    expect(() => importOnnx(encodeModel(inputSide), cpu)).toThrow(refused.replace('%s', 'input/to_nchw'));
    const model = lenet();
    const out = model.graph!.output[0]!.name;
    perm(model, `${out}/to_nhwc`, [0, 3, 2, 1]);
    expect(() => importOnnx(encodeModel(model), cpu)).toThrow(refused.replace('%s', `${out}/to_nhwc`));
    // A node reading the NHWC output would take NHWC for NCHW.
    const read = lenet();
    read.graph!.node.push(makeNode('Relu', [out], ['after'], 'after'));
    read.graph!.output.push(makeValueInfo('after', ['N', 1, 1, 10]));
    expect(() => importOnnx(encodeModel(read), cpu)).toThrow(`importOnnx: node "after" (Relu): input 0 "${out}" is the [N, H, W, C] graph output of a boundary Transpose`);
    // An input that another node also reads is an NCHW input, and its Transpose an ordinary one.
    const both = lenet();
    both.graph!.node.unshift(makeNode('Relu', ['input'], ['seen'], 'seen'));
    both.graph!.output.push(makeValueInfo('seen', ['N', 28, 28, 1]));
    expect(() => importOnnx(encodeModel(both), cpu)).toThrow(refused.replace('%s', 'input/to_nchw').replace('[0, 3, 2, 1]', '[0, 3, 1, 2]'));
  });
});
