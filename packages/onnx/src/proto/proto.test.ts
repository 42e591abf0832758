import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { OnnxError } from '../errors.js';
import { floatAttr, intAttr, intsAttr, makeNode, readFloat, readInt, readInts, readString, stringAttr } from './attribute.js';
import { decodeModel, encodeModel, onnxOpsetVersion } from './model.js';
import { GraphProtoSchema, ModelProtoSchema, OperatorSetIdProtoSchema, TensorProto_DataType, TensorProtoSchema } from './onnx-pb.js';
import { makeFloatTensor, makeInt64Tensor, makeValueInfo, tensorToFloat32, tensorToInts, valueInfoShape } from './tensor.js';

function tinyModel(): Uint8Array {
  const graph = create(GraphProtoSchema, {
    name: 'g',
    node: [makeNode('Relu', ['x'], ['y'], 'relu1')],
    input: [makeValueInfo('x', ['N', 3])],
    output: [makeValueInfo('y', ['N', 3])],
    initializer: [makeFloatTensor('w', [2, 2], [1, -2.5, 3e-8, 4])],
  });
  const model = create(ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: 17n })],
    graph,
  });
  return encodeModel(model);
}

function expectOnnxError(fn: () => unknown, code: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(OnnxError);
  expect((caught as OnnxError).code).toBe(code);
  expect((caught as OnnxError).message).toMatch(pattern);
}

describe('decodeModel / encodeModel', () => {
  it('round-trips a model', () => {
    const model = decodeModel(tinyModel());
    expect(model.irVersion).toBe(8n);
    expect(onnxOpsetVersion(model)).toBe(17);
    expect(model.graph!.node[0]!.opType).toBe('Relu');
    expect(valueInfoShape(model.graph!.input[0]!)).toEqual(['N', 3]);
    expect(Array.from(tensorToFloat32(model.graph!.initializer[0]!))).toEqual(Array.from(Float32Array.from([1, -2.5, 3e-8, 4])));
  });

  it('rejects truncated bytes at every cut, naming decodeModel', () => {
    const bytes = tinyModel();
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(() => decodeModel(bytes.subarray(0, cut)), `cut ${cut}`).toThrow(/^decodeModel: /);
    }
  });

  it('rejects empty, corrupt and non-ONNX bytes', () => {
    expectOnnxError(() => decodeModel(new Uint8Array(0)), 'format', /empty input/);
    const corrupt = tinyModel();
    corrupt[0] = 0xff; // a field tag with an invalid wire type 7
    expectOnnxError(() => decodeModel(corrupt), 'format', /not a valid ONNX protobuf/);
    expectOnnxError(() => decodeModel(new TextEncoder().encode('MATLAB 5.0 MAT-file, Platform: GLNXA64')), 'format', /decodeModel/);
    expectOnnxError(() => decodeModel(encodeModel(create(ModelProtoSchema, { irVersion: 8n }))), 'format', /no graph/);
    expectOnnxError(() => decodeModel([1, 2] as unknown as Uint8Array), 'value', /Uint8Array/);
  });
});

describe('tensors', () => {
  it('reads float_data and raw_data alike and checks sizes against dims', () => {
    const fromField = create(TensorProtoSchema, { name: 'a', dims: [3n], dataType: TensorProto_DataType.FLOAT, floatData: [1, 2, 3] });
    expect(Array.from(tensorToFloat32(fromField))).toEqual([1, 2, 3]);
    const raw = makeFloatTensor('b', [1, 3], [1, 2, 3]);
    expect(Array.from(raw.rawData.subarray(0, 4))).toEqual([0, 0, 0x80, 0x3f]); // 1.0f little-endian
    expect(Array.from(tensorToFloat32(raw))).toEqual([1, 2, 3]);
    const short = create(TensorProtoSchema, { name: 'c', dims: [4n], dataType: TensorProto_DataType.FLOAT, floatData: [1, 2, 3] });
    expectOnnxError(() => tensorToFloat32(short), 'format', /float_data has 3 values, dims \[4\] need 4/);
    const badRaw = create(TensorProtoSchema, { name: 'd', dims: [2n], dataType: TensorProto_DataType.FLOAT, rawData: new Uint8Array(7) });
    expectOnnxError(() => tensorToFloat32(badRaw, { block: 'importOnnx' }), 'format', /^importOnnx: tensor "d": raw_data has 7 bytes/);
    const ints = create(TensorProtoSchema, { name: 'e', dims: [2n], dataType: TensorProto_DataType.INT32, int32Data: [1, 2] });
    expectOnnxError(() => tensorToFloat32(ints), 'unsupported', /got data_type INT32/);
    expect(() => makeFloatTensor('f', [2, 2], [1, 2, 3])).toThrow(/makeFloatTensor: f: dims \[2, 2\] hold 4 values, got 3/);
  });

  it('reads int64 tensors from int64_data and raw_data', () => {
    expect(tensorToInts(makeInt64Tensor('s', [2], [-1, 6]))).toEqual([-1, 6]);
    const raw = new Uint8Array(16);
    new DataView(raw.buffer).setBigInt64(0, -1n, true);
    new DataView(raw.buffer).setBigInt64(8, 6n, true);
    expect(tensorToInts(create(TensorProtoSchema, { name: 's', dims: [2n], dataType: TensorProto_DataType.INT64, rawData: raw }))).toEqual([-1, 6]);
  });
});

describe('attributes', () => {
  const node = makeNode('Conv', ['x', 'w'], ['y'], 'conv1', [intAttr('group', 2), intsAttr('pads', [1, 0, 1, 0]), floatAttr('alpha', 0.5), stringAttr('auto_pad', 'NOTSET')]);
  it('reads each kind, with defaults', () => {
    expect(readInt(node, 'group')).toBe(2);
    expect(readInts(node, 'pads')).toEqual([1, 0, 1, 0]);
    expect(readInts(node, 'strides', [1, 1])).toEqual([1, 1]);
    expect(readFloat(node, 'alpha')).toBe(0.5);
    expect(readString(node, 'auto_pad')).toBe('NOTSET');
  });
  it('names the node and attribute when missing or of the wrong kind', () => {
    expectOnnxError(() => readInts(node, 'kernel_shape'), 'format', /node "conv1" \(Conv\)\.kernel_shape: the required INTS attribute is missing/);
    expectOnnxError(() => readInt(node, 'pads'), 'format', /expected attribute type INT, got INTS/);
  });
});
