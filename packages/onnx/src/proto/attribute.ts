/**
 * NodeProto and AttributeProto builders and typed attribute readers. An ONNX
 * attribute holds one value whose kind `type` names (`INT`, `INTS`, `FLOAT`,
 * `FLOATS`, `STRING`, `TENSOR`, …); integers are int64 (onnx.proto3, `AttributeProto`).
 */
import { create } from '@bufbuild/protobuf';
import { OnnxError } from '../errors.js';
import {
  type AttributeProto,
  AttributeProto_AttributeType as AttrType,
  AttributeProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  type TensorProto,
} from './onnx-pb.js';
import type { Where } from './tensor.js';

export function intAttr(name: string, value: number): AttributeProto {
  checkInts('intAttr', name, [value]);
  return create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(value) });
}

export function intsAttr(name: string, values: readonly number[]): AttributeProto {
  checkInts('intsAttr', name, values);
  return create(AttributeProtoSchema, { name, type: AttrType.INTS, ints: values.map(BigInt) });
}

export function floatAttr(name: string, value: number): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: value });
}

export function floatsAttr(name: string, values: readonly number[]): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttrType.FLOATS, floats: [...values] });
}

export function stringAttr(name: string, value: string): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: new TextEncoder().encode(value) });
}

export function tensorAttr(name: string, value: TensorProto): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttrType.TENSOR, t: value });
}

function checkInts(block: string, name: string, values: readonly number[]): void {
  if (!values.every((v) => Number.isSafeInteger(v))) {
    throw new OnnxError('value', block, name, `expected integers, got [${values.join(', ')}]`);
  }
}

/** A NodeProto of the `ai.onnx` domain. */
export function makeNode(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  name: string,
  attributes: readonly AttributeProto[] = [],
): NodeProto {
  return create(NodeProtoSchema, { opType, input: [...inputs], output: [...outputs], name, attribute: [...attributes] });
}

/** `node "conv1" (Conv)`: how errors name a node. */
export function nodeLabel(node: NodeProto): string {
  return `node "${node.name}" (${node.opType})`;
}

export function findAttribute(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

function attributeOf(node: NodeProto, name: string, kind: AttrType, where: Where | undefined, block: string): AttributeProto | undefined {
  const a = findAttribute(node, name);
  if (a === undefined) return undefined;
  // Files written before IR version 0.0.2 may leave `type` unset.
  if (a.type !== kind && a.type !== AttrType.UNDEFINED) {
    throw new OnnxError(
      'format',
      where?.block ?? block,
      `${where?.path ?? nodeLabel(node)}.${name}`,
      `expected attribute type ${AttrType[kind]}, got ${AttrType[a.type] ?? a.type}`,
    );
  }
  return a;
}

function missing(node: NodeProto, name: string, kind: string, where: Where | undefined, block: string): OnnxError {
  return new OnnxError('format', where?.block ?? block, `${where?.path ?? nodeLabel(node)}.${name}`, `the required ${kind} attribute is missing`);
}

function toInt(v: bigint, node: NodeProto, name: string, where: Where | undefined, block: string): number {
  const x = Number(v);
  if (!Number.isSafeInteger(x)) {
    throw new OnnxError('unsupported', where?.block ?? block, `${where?.path ?? nodeLabel(node)}.${name}`, `${v} is beyond ±2^53`);
  }
  return x;
}

/** An INT attribute; `fallback` when absent (ONNX's default), else an error. */
export function readInt(node: NodeProto, name: string, fallback?: number, where?: Where): number {
  const a = attributeOf(node, name, AttrType.INT, where, 'readInt');
  if (a === undefined) {
    if (fallback === undefined) throw missing(node, name, 'INT', where, 'readInt');
    return fallback;
  }
  return toInt(a.i, node, name, where, 'readInt');
}

/** An INTS attribute; `fallback` when absent, else an error. */
export function readInts(node: NodeProto, name: string, fallback?: readonly number[], where?: Where): number[] {
  const a = attributeOf(node, name, AttrType.INTS, where, 'readInts');
  if (a === undefined) {
    if (fallback === undefined) throw missing(node, name, 'INTS', where, 'readInts');
    return [...fallback];
  }
  return a.ints.map((v) => toInt(v, node, name, where, 'readInts'));
}

/** A FLOAT attribute; `fallback` when absent, else an error. */
export function readFloat(node: NodeProto, name: string, fallback?: number, where?: Where): number {
  const a = attributeOf(node, name, AttrType.FLOAT, where, 'readFloat');
  if (a === undefined) {
    if (fallback === undefined) throw missing(node, name, 'FLOAT', where, 'readFloat');
    return fallback;
  }
  return a.f;
}

/** A FLOATS attribute; `fallback` when absent, else an error. */
export function readFloats(node: NodeProto, name: string, fallback?: readonly number[], where?: Where): number[] {
  const a = attributeOf(node, name, AttrType.FLOATS, where, 'readFloats');
  if (a === undefined) {
    if (fallback === undefined) throw missing(node, name, 'FLOATS', where, 'readFloats');
    return [...fallback];
  }
  return [...a.floats];
}

/** A STRING attribute decoded as UTF-8; `fallback` when absent, else an error. */
export function readString(node: NodeProto, name: string, fallback?: string, where?: Where): string {
  const a = attributeOf(node, name, AttrType.STRING, where, 'readString');
  if (a === undefined) {
    if (fallback === undefined) throw missing(node, name, 'STRING', where, 'readString');
    return fallback;
  }
  return new TextDecoder().decode(a.s);
}

/** A TENSOR attribute (Constant's `value`); `undefined` when absent. */
export function readTensor(node: NodeProto, name: string, where?: Where): TensorProto | undefined {
  const a = attributeOf(node, name, AttrType.TENSOR, where, 'readTensor');
  if (a === undefined) return undefined;
  if (a.t === undefined) throw missing(node, name, 'TENSOR', where, 'readTensor');
  return a.t;
}
