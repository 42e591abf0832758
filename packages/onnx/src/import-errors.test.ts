import { create } from '@bufbuild/protobuf';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { describe, expect, it } from 'vitest';
import { OnnxError } from './errors.js';
import { importOnnx, nchwToNhwc, nhwcToNchw } from './import.js';
import { intAttr, intsAttr, makeNode } from './proto/attribute.js';
import { TensorProto_DataType, TensorProtoSchema } from './proto/onnx-pb.js';
import { makeFloatTensor, makeInt64Tensor, makeValueInfo } from './proto/tensor.js';
import { buildModel, type GraphSpec, output } from './test-import-graphs.js';
import { fixture } from './test-pytorch-fixtures.js';

const backend = createCpuBackend();

/** importOnnx throws an OnnxError of `code` matching `pattern`, and no tensor was allocated. */
function expectRefused(bytes: Uint8Array, code: string, pattern: RegExp): void {
  const before = backend.memory();
  let caught: unknown;
  try {
    importOnnx(bytes, backend);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(OnnxError);
  expect((caught as OnnxError).code).toBe(code);
  expect((caught as OnnxError).message).toMatch(/^importOnnx: |^decodeModel: /);
  expect((caught as OnnxError).message).toMatch(pattern);
  expect(backend.memory()).toEqual(before);
}

const conv = (extra: Partial<GraphSpec> = {}): GraphSpec => ({
  inputs: [makeValueInfo('x', ['N', 3, 8, 8])],
  outputs: [output('y')],
  initializers: [makeFloatTensor('w', [4, 3, 3, 3], new Float32Array(108).fill(0.1))],
  nodes: [makeNode('Conv', ['x', 'w'], ['y'], 'conv1', [intsAttr('pads', [1, 1, 1, 1])])],
  ...extra,
});

describe('importOnnx: bad files are refused before any tensor is allocated', () => {
  it('accepts the reference graph the other cases break', () => {
    const before = backend.memory().tensors;
    const net = importOnnx(buildModel(conv()), backend);
    expect(backend.memory().tensors).toBe(before + 1);
    expect(net.getParam('w').value?.shape).toEqual([3, 3, 3, 4]);
  });

  it('truncated and corrupt protobuf', () => {
    const { bytes } = fixture('vgg');
    expectRefused(bytes.subarray(0, 5000), 'format', /truncated or corrupt/);
    expectRefused(Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) % 256), 'format', /./);
    expectRefused(new Uint8Array(0), 'format', /empty input/);
    // A well-formed protobuf whose initializer holds fewer bytes than its dims need.
    const short = create(TensorProtoSchema, { name: 'w', dims: [4n, 3n, 3n, 3n], dataType: TensorProto_DataType.FLOAT, rawData: new Uint8Array(100) });
    expectRefused(buildModel(conv({ initializers: [short] })), 'format', /initializer "w".*raw_data has 100 bytes/);
  });

  it('an opset outside 9–21', () => {
    expectRefused(buildModel(conv({ opset: 30 })), 'unsupported', /opset 30 is outside the opsets 9–21/);
    expectRefused(buildModel(conv({ opset: 7 })), 'unsupported', /opset 7/);
  });

  it('an unsupported operator names its type, its node and what it would need', () => {
    const spec = conv({ nodes: [makeNode('Erf', ['x'], ['y'], 'gelu_erf')] });
    expectRefused(buildModel(spec), 'unsupported', /node "gelu_erf" \(Erf\): operator Erf has no convnet-ts equivalent.*would need a DagNN layer computing Erf/);
    const custom = conv({ nodes: [{ ...makeNode('Relu', ['x'], ['y'], 'r'), domain: 'com.microsoft' }] });
    expectRefused(buildModel(custom), 'unsupported', /node "r" \(Relu\): operator domain "com.microsoft"/);
  });

  it('attributes with no exact convnet-ts equivalent', () => {
    const pool = (attrs: ReturnType<typeof intAttr>[]) => conv({ initializers: [], nodes: [makeNode('MaxPool', ['x'], ['y'], 'pool1', [intsAttr('kernel_shape', [2, 2]), ...attrs])] });
    expectRefused(buildModel(pool([intsAttr('dilations', [2, 2])])), 'unsupported', /node "pool1" \(MaxPool\): dilations \[2, 2\]/);
    expectRefused(buildModel(pool([intsAttr('pads', [2, 0, 0, 0])])), 'unsupported', /must be smaller than the kernel/);
    const reshape = conv({
      initializers: [makeInt64Tensor('s', [4], [0, 8, 8, 3])],
      nodes: [makeNode('Reshape', ['x', 's'], ['y'], 'to_nhwc')],
    });
    expectRefused(buildModel(reshape), 'unsupported', /node "to_nhwc" \(Reshape\).*reorders data between layers/);
    const mul = conv({ initializers: [], nodes: [makeNode('Mul', ['x', 'x'], ['y'], 'square')] });
    expectRefused(buildModel(mul), 'unsupported', /node "square" \(Mul\): Mul of two feature maps/);
  });

  it('shapes that do not agree', () => {
    const wrongDepth = conv({ initializers: [makeFloatTensor('w', [4, 5, 3, 3], new Float32Array(180))] });
    expectRefused(buildModel(wrongDepth), 'shape', /node "conv1" \(Conv\): the weights \[4, 5, 3, 3\] with group 1 need 5 input channels.*got an input of 3 channels/);
    const declared = conv({ outputs: [makeValueInfo('y', ['N', 4, 6, 6])] });
    expectRefused(buildModel(declared), 'shape', /output "y" is \[N, 4, 8, 8\] by ONNX's shape rules, but the file declares \[N, 4, 6, 6\]/);
    const add = conv({
      nodes: [makeNode('Conv', ['x', 'w'], ['c'], 'conv1'), makeNode('Add', ['c', 'x'], ['y'], 'residual')],
    });
    expectRefused(buildModel(add), 'shape', /node "residual" \(Add\): input 1 \["N",3,8,8\] must have the shape of input 0 \["N",4,6,6\]/);
    const gemm = conv({
      initializers: [makeFloatTensor('w', [10, 100], new Float32Array(1000))],
      nodes: [makeNode('Flatten', ['x'], ['f'], 'flat'), makeNode('Gemm', ['f', 'w'], ['y'], 'fc', [intAttr('transB', 1)])],
    });
    expectRefused(buildModel(gemm), 'shape', /node "fc" \(Gemm\): the weights \[10, 100\] \(transB\) need 100 input features, got 192 \(3×8×8\)/);
  });

  it('graphs out of order or with missing inputs', () => {
    const missing = conv({ nodes: [makeNode('Relu', ['nowhere'], ['y'], 'relu1')] });
    expectRefused(buildModel(missing), 'format', /node "relu1" \(Relu\): input 0 "nowhere" is neither a graph input/);
    expectRefused(buildModel(conv({ inputs: [makeValueInfo('x', ['N', 3, 8])] })), 'unsupported', /graph.input "x": expected a declared shape \[N, C, H, W\]/);
  });

  it('bad arguments: the backend, unknown options, layout helpers', () => {
    const bytes = buildModel(conv());
    expect(() => importOnnx(bytes, {} as never)).toThrow('importOnnx: backend: backend must be a convnet-ts Backend, got object');
    expect(() => importOnnx(bytes, backend, { sed: 1 } as never)).toThrow('importOnnx: opts: unknown option "sed" (known: seed)');
    expect(() => nchwToNhwc(new Float32Array(5), [1, 2, 2, 1])).toThrow('nchwToNhwc: values: shape [1, 2, 2, 1] needs 4 values, got 5');
    expect(() => nhwcToNchw(new Float32Array(4), [2, 2])).toThrow('nhwcToNchw: shape: shape must be 4 sizes, got [2, 2]');
    expect(Array.from(nchwToNhwc([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(nhwcToNchw([1, 4, 2, 5, 3, 6], [1, 3, 1, 2]))).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
