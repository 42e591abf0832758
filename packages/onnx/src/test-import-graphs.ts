/**
 * Test helpers: small ONNX models built in code (for the operators and
 * errors the PyTorch fixtures do not reach), and ONNX Runtime's output for them.
 */
import { create } from '@bufbuild/protobuf';
import { Rng } from '@convnet-ts/tensor';
import * as ort from 'onnxruntime-node';
import { encodeModel } from './proto/model.js';
import {
  GraphProtoSchema,
  ModelProtoSchema,
  type NodeProto,
  OperatorSetIdProtoSchema,
  type TensorProto,
  TensorProto_DataType,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from './proto/onnx-pb.js';

export interface GraphSpec {
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers?: TensorProto[];
  valueInfo?: ValueInfoProto[];
  opset?: number;
}

/** A ModelProto (IR 8, ai.onnx `opset`, default 13) of one graph, serialized. */
export function buildModel(spec: GraphSpec): Uint8Array {
  const graph = create(GraphProtoSchema, {
    name: 'test',
    node: spec.nodes,
    input: spec.inputs,
    output: spec.outputs,
    initializer: spec.initializers ?? [],
    valueInfo: spec.valueInfo ?? [],
  });
  return encodeModel(
    create(ModelProtoSchema, {
      irVersion: 8n,
      producerName: 'convnet-ts tests',
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(spec.opset ?? 13) })],
      graph,
    }),
  );
}

/** A FLOAT output that declares no shape (left to inference). */
export const output = (name: string): ValueInfoProto =>
  create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType: TensorProto_DataType.FLOAT }) } }),
  });

/** `n` seeded values of N(0, 1) away from 0. */
export function randomValues(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => {
    const v = rng.normal();
    return Math.abs(v) < 0.05 ? v + 0.1 : v;
  });
}

/** ONNX Runtime's output `name` for input `x` (NCHW). */
export async function runOrt(bytes: Uint8Array, inputName: string, x: Float32Array, shape: number[], outputName: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ [inputName]: new ort.Tensor('float32', x, shape) });
  return out[outputName]!.data as Float32Array;
}
