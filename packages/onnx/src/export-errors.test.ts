import { BatchNorm, Conv, DagNN, Loss, ReLU, SpatialNorm, Sum } from '@convnet-ts/dagnn';
import type { SimpleNNSpec } from '@convnet-ts/simplenn';
import { Rng, randnTensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { OnnxError } from './errors.js';
import { type ExportOnnxOptions, exportOnnx, exportOnnxSync } from './export.js';
import { decodeModel } from './proto/model.js';
import { backend, evalDag, expectAgree, randomInput, runOrt } from './test-export-ort.js';

const rng = new Rng(9);

function expectRefusal(run: () => unknown, code: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(OnnxError);
  expect((caught as OnnxError).code).toBe(code);
  expect((caught as OnnxError).message).toMatch(pattern);
}

function convNet(): SimpleNNSpec {
  return { layers: [{ type: 'conv', name: 'c', weights: [randnTensor(backend, [3, 3, 2, 4], rng), null] }], meta: { inputSize: [1, 6, 6, 2] } };
}

describe('exportOnnx refuses what it cannot write exactly', () => {
  it('an unsupported DagNN layer: its index, name, type and what it would need', () => {
    const net = new DagNN(backend);
    net.addLayer('relu', new ReLU(), 'x', 'r');
    net.addLayer('sp', new SpatialNorm(), 'r', 'y');
    expectRefusal(() => exportOnnxSync(net, { inputSize: [4, 4, 2] }), 'unsupported', /^exportOnnx: layers\[1\] "sp" \(SpatialNorm\): .*would need a Mul, AveragePool/);
  });

  it('custom layers, identity filters and a loss followed by layers in a SimpleNN', () => {
    const custom: SimpleNNSpec = {
      layers: [{ type: 'custom', name: 'mine', forward: (_l, x) => x, backward: (_l, _x, _y, dzdy) => ({ dzdx: dzdy }) }],
    };
    expectRefusal(() => exportOnnxSync(custom, { inputSize: [2, 2, 1] }), 'unsupported', /layers\[0\] "mine" \(custom\): a custom layer has no ONNX mapping/);
    expectRefusal(() => exportOnnxSync({ layers: [{ type: 'conv', name: 'id', weights: [null, null] }] }, { inputSize: [2, 2, 1] }), 'unsupported', /"id" \(conv\): identity filters/);
    const middle: SimpleNNSpec = { layers: [{ type: 'softmaxloss', name: 'l' }, ...convNet().layers] };
    expectRefusal(() => exportOnnxSync(middle, { inputSize: [6, 6, 2] }), 'unsupported', /layers\[0\] "l" \(softmaxloss\): a loss layer followed by other layers/);
  });

  it('a DagNN layer that reads a loss output', () => {
    const net = new DagNN(backend);
    net.addLayer('loss', new Loss(), ['x', 'label'], 'objective');
    net.addLayer('after', new ReLU(), 'objective', 'y');
    expectRefusal(() => exportOnnxSync(net, { inputSize: { x: [1, 1, 3] } }), 'unsupported', /"after" \(ReLU\): reads 'objective', the output of the loss layers\[0\] "loss" \(Loss\)/);
  });

  it('sizes: missing, malformed, or layers whose sizes do not agree', () => {
    const net = convNet();
    net.meta = {};
    expectRefusal(() => exportOnnxSync(net), 'value', /the size of input 'input' is needed/);
    expectRefusal(() => exportOnnxSync(net, { inputSize: [6, 6] }), 'value', /opts\.inputSize: expected an input size \[H, W, C\]/);
    expectRefusal(() => exportOnnxSync(net, { inputSize: [6, 6, 3] }), 'shape', /layers\[0\] "c" \(Conv\): its input sizes do not fit it/);
    const dag = new DagNN(backend);
    dag.addLayer('sum', new Sum(), ['a', 'b'], 'y');
    expectRefusal(() => exportOnnxSync(dag, { inputSize: { a: [4, 4, 2], b: [4, 5, 2] } }), 'shape', /"sum" \(Sum\)/);
  });

  it('options, parameters without values, unknown outputs, non-networks', () => {
    expectRefusal(() => exportOnnxSync(convNet(), { colour: true } as ExportOnnxOptions), 'value', /unknown option 'colour'/);
    expectRefusal(() => exportOnnxSync(convNet(), { layout: 'chwn' as 'nchw' }), 'value', /layout must be 'nhwc' or 'nchw'/);
    expectRefusal(() => exportOnnxSync(convNet(), { outputs: ['nope'] }), 'value', /'nope' is not the output of an exported layer/);
    const dag = new DagNN(backend);
    dag.addLayer('c', new Conv({ size: [1, 1, 2, 2] }), 'x', 'y', ['f', 'b']);
    expectRefusal(() => exportOnnxSync(dag, { inputSize: [2, 2, 2] }), 'value', /"c" \(Conv\): parameter 'f' has no value/);
    expectRefusal(() => exportOnnxSync(42 as unknown as SimpleNNSpec), 'value', /net must be a SimpleNN/);
    expectRefusal(() => exportOnnxSync({ layers: [{ type: 'pool', pool: 2 }] }, { inputSize: [4, 4, 1] }), 'value', /pass opts\.backend/);
  });
});

describe('exportOnnx output', () => {
  it('async and sync give the same bytes; losses and their label inputs are dropped; meta is kept', async () => {
    const net = new DagNN(backend);
    net.addLayer('c', new Conv({ size: [3, 3, 2, 4] }), 'x', 'scores', ['f', 'b']);
    net.addLayer('loss', new Loss(), ['scores', 'label'], 'objective');
    net.initParams(new Rng(1));
    net.meta = { classes: { name: ['a', 'b', 'c', 'd'] } };
    const bytes = await exportOnnx(net, { inputSize: [3, 3, 2], docString: 'test' });
    expect(exportOnnxSync(net, { inputSize: [3, 3, 2], docString: 'test' })).toEqual(bytes);
    const model = decodeModel(bytes);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    expect(model.graph!.input.map((v) => v.name)).toEqual(['x']);
    expect(model.graph!.output.map((v) => v.name)).toEqual(['scores']);
    const props = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(props['convnet-ts.layout']).toBe('NHWC');
    expect(JSON.parse(props['convnet-ts.meta']!)).toEqual(net.meta);
  });

  it('BatchNorm whose σ² is below ε: epsilon 0 and var = σ², still exact in ONNX Runtime', async () => {
    const net = new DagNN(backend);
    net.addLayer('bn', new BatchNorm({ numChannels: 3, epsilon: 1e-3 }), 'x', 'y', ['g', 'b', 'm']);
    net.initParams(new Rng(2));
    net.setParam('m', backend.tensor([0.1, 0.01, -0.2, 0.02, 0.3, 2], [3, 2]));
    const bytes = exportOnnxSync(net, { inputSize: [2, 2, 3] });
    const bn = decodeModel(bytes).graph!.node.find((n) => n.opType === 'BatchNormalization')!;
    expect(bn.attribute.find((a) => a.name === 'epsilon')!.f).toBe(0);
    const { tensor, feed } = randomInput([1, 2, 2, 3], 3);
    const out = await runOrt(bytes, { x: feed });
    console.log('bnorm eps-0 rel', expectAgree(out.y!, evalDag(net, { x: tensor }, ['y']).y!));
  });
});
