import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { importOnnx } from './import.js';
import { floatAttr, intAttr, intsAttr, makeNode, stringAttr } from './proto/attribute.js';
import { makeFloatTensor, makeInt64Tensor, makeValueInfo } from './proto/tensor.js';
import { buildModel, type GraphSpec, output, randomValues, runOrt } from './test-import-graphs.js';
import { ports, relativeError, runOnnxLayout } from './test-pytorch-fixtures.js';

const backend = createCpuBackend();

/** Imports `spec`, runs it and ONNX Runtime on one seeded input `[2, ...chw]`, and returns the relative difference. */
async function agreement(spec: GraphSpec, chw: number[], seed = 1): Promise<number> {
  const bytes = buildModel(spec);
  const shape = [2, ...chw];
  const x = randomValues(shape.reduce((a, b) => a * b, 1), seed);
  const expected = await runOrt(bytes, 'x', x, shape, 'y');
  const net = importOnnx(bytes, backend);
  const got = await runOnnxLayout(net, x, 2);
  expect(got.length).toBe(expected.length);
  return relativeError(got, expected);
}

const input = (chw: number[]) => makeValueInfo('x', ['N', ...chw]);
const weights = (name: string, dims: number[], seed: number) => makeFloatTensor(name, dims, randomValues(dims.reduce((a, b) => a * b, 1), seed));

describe('importOnnx operators, against ONNX Runtime', () => {
  it('AveragePool count_include_pad = 1 with pads (a fixed depthwise convolution), and ceil_mode without pads', async () => {
    const spec: GraphSpec = {
      inputs: [input([3, 7, 8])],
      outputs: [output('y')],
      nodes: [
        makeNode('AveragePool', ['x'], ['a'], 'avg_in', [intsAttr('kernel_shape', [3, 3]), intsAttr('strides', [2, 2]), intsAttr('pads', [1, 1, 1, 1]), intAttr('count_include_pad', 1)]),
        makeNode('AveragePool', ['a'], ['y'], 'avg_ceil', [intsAttr('kernel_shape', [2, 2]), intsAttr('strides', [2, 2]), intAttr('ceil_mode', 1)]),
      ],
    };
    expect(await agreement(spec, [3, 7, 8])).toBeLessThan(1e-5);
    const net = importOnnx(buildModel(spec), backend);
    expect([...net.params.values()].map((p) => p.learningRate)).toEqual([0]);
  });

  it('auto_pad SAME_UPPER / SAME_LOWER (Conv, MaxPool) and MaxPool ceil_mode with pads', async () => {
    const spec: GraphSpec = {
      inputs: [input([2, 9, 9])],
      outputs: [output('y')],
      initializers: [weights('w', [4, 2, 4, 4], 2)],
      nodes: [
        makeNode('Conv', ['x', 'w'], ['c'], 'conv_same', [stringAttr('auto_pad', 'SAME_LOWER'), intsAttr('strides', [2, 2])]),
        makeNode('MaxPool', ['c'], ['m'], 'pool_same', [stringAttr('auto_pad', 'SAME_UPPER'), intsAttr('kernel_shape', [2, 3])]),
        makeNode('MaxPool', ['m'], ['y'], 'pool_ceil', [intsAttr('kernel_shape', [3, 3]), intsAttr('strides', [2, 2]), intsAttr('pads', [1, 0, 1, 0]), intAttr('ceil_mode', 1)]),
      ],
    };
    expect(await agreement(spec, [2, 9, 9])).toBeLessThan(1e-5);
  });

  it('GlobalMaxPool, Squeeze, MatMul + Add (bias), Softmax over [N, K]', async () => {
    const spec: GraphSpec = {
      inputs: [input([4, 5, 5])],
      outputs: [output('y')],
      initializers: [weights('w', [4, 6], 3), weights('b', [6], 4), makeInt64Tensor('axes', [2], [2, 3])],
      nodes: [
        makeNode('GlobalMaxPool', ['x'], ['g'], 'gmax'),
        makeNode('Squeeze', ['g', 'axes'], ['s'], 'squeeze'),
        makeNode('MatMul', ['s', 'w'], ['m'], 'fc'),
        makeNode('Add', ['m', 'b'], ['a'], 'bias'),
        makeNode('Softmax', ['a'], ['y'], 'prob', [intAttr('axis', 1)]),
      ],
    };
    expect(await agreement(spec, [4, 5, 5])).toBeLessThan(1e-5);
  });

  it('Reshape [0, −1] + Gemm (α, β, transB = 0) + Unsqueeze + Conv 1×1: the C, H, W feature order is kept', async () => {
    const spec: GraphSpec = {
      inputs: [input([3, 4, 5])],
      outputs: [output('y')],
      initializers: [makeInt64Tensor('shape', [2], [0, -1]), weights('w', [60, 7], 5), weights('c', [1, 7], 6), makeInt64Tensor('axes', [2], [2, 3]), weights('k', [2, 7, 1, 1], 7)],
      nodes: [
        makeNode('Reshape', ['x', 'shape'], ['r'], 'flatten'),
        makeNode('Gemm', ['r', 'w', 'c'], ['g'], 'fc', [floatAttr('alpha', 0.5), floatAttr('beta', 2)]),
        makeNode('Unsqueeze', ['g', 'axes'], ['u'], 'unsqueeze'),
        makeNode('Conv', ['u', 'k'], ['y'], 'fc2'),
      ],
    };
    expect(await agreement(spec, [3, 4, 5])).toBeLessThan(1e-5);
  });

  it('Sum of three, Sub/Div/Mul/Add with constants (per channel, per position, scalar), Concat along W and C', async () => {
    const spec: GraphSpec = {
      inputs: [input([3, 4, 4])],
      outputs: [output('y')],
      initializers: [weights('g', [3, 1, 1], 8), weights('pos', [1, 3, 4, 4], 9), makeFloatTensor('two', [], [2]), makeFloatTensor('half', [1], [0.5])],
      nodes: [
        makeNode('Relu', ['x'], ['r'], 'relu'),
        makeNode('Sigmoid', ['x'], ['s'], 'sigmoid'),
        makeNode('Sum', ['x', 'r', 's'], ['sum'], 'sum3'),
        makeNode('Mul', ['sum', 'g'], ['m'], 'gain'),
        makeNode('Add', ['pos', 'm'], ['a'], 'offset'),
        makeNode('Sub', ['two', 'a'], ['d'], 'flip'),
        makeNode('Div', ['d', 'half'], ['q'], 'double'),
        makeNode('Concat', ['q', 'x'], ['cw'], 'cat_w', [intAttr('axis', 3)]),
        makeNode('Concat', ['cw', 'cw'], ['y'], 'cat_c', [intAttr('axis', 1)]),
      ],
    };
    expect(await agreement(spec, [3, 4, 4])).toBeLessThan(1e-5);
  });

  it('opset 11: Dropout(ratio), LeakyRelu default α, Pad (attribute-free input form), Softmax over [N, C·1·1], LRN', async () => {
    const spec: GraphSpec = {
      opset: 11,
      inputs: [input([6, 3, 3])],
      outputs: [output('y')],
      initializers: [makeInt64Tensor('pads', [8], [0, 0, 1, 0, 0, 0, 0, 2]), weights('w', [5, 6, 4, 5], 10)],
      nodes: [
        makeNode('LRN', ['x'], ['l'], 'lrn', [intAttr('size', 3), floatAttr('alpha', 0.3), floatAttr('beta', 0.6), floatAttr('bias', 1.5)]),
        makeNode('Dropout', ['l'], ['d'], 'drop', [floatAttr('ratio', 0.3)]),
        makeNode('LeakyRelu', ['d'], ['lr'], 'leaky'),
        makeNode('Pad', ['lr', 'pads'], ['p'], 'pad'),
        makeNode('Conv', ['p', 'w'], ['c'], 'conv'),
        makeNode('Flatten', ['c'], ['f'], 'flatten'),
        makeNode('Softmax', ['f'], ['y'], 'prob'),
      ],
    };
    expect(await agreement(spec, [6, 3, 3])).toBeLessThan(1e-5);
    const net = importOnnx(buildModel(spec), backend);
    expect(ports(net).outputs[0]).toMatchObject({ name: 'y', layout: 'flat', shape: ['N', 5], hwc: [1, 1, 5] });
  });

  it('grouped and dilated Conv, ConvTranspose with asymmetric pads', async () => {
    const spec: GraphSpec = {
      inputs: [input([4, 6, 7])],
      outputs: [output('y')],
      initializers: [weights('w', [6, 2, 3, 2], 11), weights('b', [6], 12), weights('t', [6, 2, 3, 3], 13)],
      nodes: [
        makeNode('Conv', ['x', 'w', 'b'], ['c'], 'conv_g', [intAttr('group', 2), intsAttr('dilations', [2, 1]), intsAttr('pads', [2, 0, 1, 1])]),
        makeNode('ConvTranspose', ['c', 't'], ['y'], 'convt', [intAttr('group', 3), intsAttr('strides', [2, 3]), intsAttr('pads', [1, 0, 2, 1])]),
      ],
    };
    expect(await agreement(spec, [4, 6, 7])).toBeLessThan(1e-5);
  });

  it('Sum with a constant adds it; a graph output that later nodes read keeps its value', async () => {
    const spec: GraphSpec = {
      inputs: [input([2, 3, 3])],
      outputs: [output('y'), output('r')],
      initializers: [weights('k', [2, 1, 1], 14)],
      nodes: [makeNode('Relu', ['x'], ['r'], 'relu'), makeNode('Sum', ['r', 'k'], ['y'], 'shift')],
    };
    expect(await agreement(spec, [2, 3, 3])).toBeLessThan(1e-6);
    const net = importOnnx(buildModel(spec), backend);
    await runOnnxLayout(net, randomValues(36, 2), 2);
    expect((net.getVar('r').value as Tensor).shape).toEqual([2, 3, 3, 2]);
  });
});
