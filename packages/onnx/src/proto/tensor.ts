/**
 * TensorProto ↔ typed arrays and ValueInfoProto builders. ONNX stores a tensor
 * row-major with `dims`, its values either in `raw_data` (little-endian bytes,
 * any host) or in the typed repeated field of its `data_type` (`float_data`,
 * `int64_data`, …) — ONNX IR §Tensors (onnx.proto3, `TensorProto`).
 * Every size is checked against `dims` before an array is allocated.
 */
import { create } from '@bufbuild/protobuf';
import { OnnxError } from '../errors.js';
import {
  type TensorProto,
  TensorProto_DataLocation,
  TensorProto_DataType,
  TensorProtoSchema,
  type TensorShapeProto_Dimension,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from './onnx-pb.js';

/** Who is asking and about what, for error messages: `block` is the public function, `path` the place in the model. */
export interface Where {
  block?: string;
  path?: string;
}

function whereOf(where: Where | undefined, block: string, t: { name: string }): { block: string; path: string } {
  return { block: where?.block ?? block, path: where?.path ?? `tensor "${t.name}"` };
}

/** The `TensorProto.DataType` name (`FLOAT`, `INT64`, …) of a numeric code. */
export function dataTypeName(code: number): string {
  return TensorProto_DataType[code] ?? `unknown data type ${code}`;
}

/** `dims` as numbers; throws when one is negative or beyond 2^53. */
export function tensorDims(t: TensorProto, where?: Where): number[] {
  const w = whereOf(where, 'tensorDims', t);
  return t.dims.map((d, i) => {
    if (d < 0n || d > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new OnnxError('format', w.block, w.path, `dims[${i}] = ${d} is not a size`);
    }
    return Number(d);
  });
}

/** Number of elements: the product of `dims` (1 for a scalar, `dims = []`). */
export function tensorSize(t: TensorProto, where?: Where): number {
  return tensorDims(t, where).reduce((a, b) => a * b, 1);
}

function checkStorage(t: TensorProto, w: { block: string; path: string }): void {
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL || t.externalData.length > 0) {
    throw new OnnxError(
      'unsupported',
      w.block,
      w.path,
      'the values are stored in an external file (data_location = EXTERNAL); save the model with its weights inside (onnx.save_model(..., save_as_external_data=False))',
    );
  }
  if (t.segment !== undefined) {
    throw new OnnxError('unsupported', w.block, w.path, 'segmented tensors (TensorProto.segment) are not supported');
  }
}

/**
 * The values of a FLOAT (or DOUBLE, rounded to float32) tensor, row-major.
 * Reads `raw_data` as little-endian when present, else `float_data` /
 * `double_data`; their length must be exactly the product of `dims`.
 */
export function tensorToFloat32(t: TensorProto, where?: Where): Float32Array {
  const w = whereOf(where, 'tensorToFloat32', t);
  checkStorage(t, w);
  const n = tensorSize(t, w);
  const type = t.dataType;
  if (type !== TensorProto_DataType.FLOAT && type !== TensorProto_DataType.DOUBLE) {
    throw new OnnxError('unsupported', w.block, w.path, `expected a FLOAT or DOUBLE tensor, got data_type ${dataTypeName(type)}`);
  }
  const width = type === TensorProto_DataType.FLOAT ? 4 : 8;
  if (t.rawData.length > 0) {
    if (t.rawData.length !== n * width) {
      throw new OnnxError(
        'format',
        w.block,
        w.path,
        `raw_data has ${t.rawData.length} bytes, dims [${t.dims.join(', ')}] need ${n} × ${width} = ${n * width}`,
      );
    }
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    const out = new Float32Array(n);
    if (width === 4) for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
    else for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
    return out;
  }
  const field = type === TensorProto_DataType.FLOAT ? t.floatData : t.doubleData;
  const name = type === TensorProto_DataType.FLOAT ? 'float_data' : 'double_data';
  if (field.length !== n) {
    throw new OnnxError('format', w.block, w.path, `${name} has ${field.length} values, dims [${t.dims.join(', ')}] need ${n}`);
  }
  return Float32Array.from(field);
}

/**
 * The values of an INT64 or INT32 tensor (shapes, pads, axes), row-major, as
 * numbers; throws when one is beyond ±2^53.
 */
export function tensorToInts(t: TensorProto, where?: Where): number[] {
  const w = whereOf(where, 'tensorToInts', t);
  checkStorage(t, w);
  const n = tensorSize(t, w);
  const type = t.dataType;
  if (type !== TensorProto_DataType.INT64 && type !== TensorProto_DataType.INT32) {
    throw new OnnxError('unsupported', w.block, w.path, `expected an INT64 or INT32 tensor, got data_type ${dataTypeName(type)}`);
  }
  const width = type === TensorProto_DataType.INT64 ? 8 : 4;
  let values: (bigint | number)[];
  if (t.rawData.length > 0) {
    if (t.rawData.length !== n * width) {
      throw new OnnxError('format', w.block, w.path, `raw_data has ${t.rawData.length} bytes, dims [${t.dims.join(', ')}] need ${n * width}`);
    }
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    values = [];
    for (let i = 0; i < n; i++) values.push(width === 8 ? view.getBigInt64(8 * i, true) : view.getInt32(4 * i, true));
  } else {
    values = type === TensorProto_DataType.INT64 ? t.int64Data : t.int32Data;
    if (values.length !== n) {
      const name = type === TensorProto_DataType.INT64 ? 'int64_data' : 'int32_data';
      throw new OnnxError('format', w.block, w.path, `${name} has ${values.length} values, dims [${t.dims.join(', ')}] need ${n}`);
    }
  }
  return values.map((v, i) => {
    const x = Number(v);
    if (!Number.isSafeInteger(x)) throw new OnnxError('unsupported', w.block, w.path, `value [${i}] = ${v} is beyond ±2^53`);
    return x;
  });
}

function checkDims(dims: readonly number[], n: number, block: string, name: string): void {
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new OnnxError('value', block, name, `dims must be non-negative integers, got [${dims.join(', ')}]`);
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== n) throw new OnnxError('shape', block, name, `dims [${dims.join(', ')}] hold ${size} values, got ${n}`);
}

/** A FLOAT TensorProto (an initializer) with the values in little-endian `raw_data`; float64 input is rounded to float32. */
export function makeFloatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  checkDims(dims, values.length, 'makeFloatTensor', name);
  const raw = new Uint8Array(4 * values.length);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: TensorProto_DataType.FLOAT, rawData: raw });
}

/** An INT64 TensorProto (shapes, pads, axes, starts/ends) in `int64_data`. */
export function makeInt64Tensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  checkDims(dims, values.length, 'makeInt64Tensor', name);
  if (!values.every((v) => Number.isSafeInteger(v))) {
    throw new OnnxError('value', 'makeInt64Tensor', name, `values must be integers, got [${values.join(', ')}]`);
  }
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: TensorProto_DataType.INT64, int64Data: values.map(BigInt) });
}

/** A ValueInfoProto of a tensor: element type (FLOAT by default) and shape; a string dimension is symbolic (`'N'`). */
export function makeValueInfo(
  name: string,
  shape: readonly (number | string)[],
  elemType: TensorProto_DataType = TensorProto_DataType.FLOAT,
): ValueInfoProto {
  const dim = shape.map(
    (d): TensorShapeProto_Dimension =>
      create(TensorShapeProto_DimensionSchema, {
        value: typeof d === 'string' ? { case: 'dimParam', value: d } : { case: 'dimValue', value: BigInt(d) },
      }),
  );
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType, shape: create(TensorShapeProtoSchema, { dim }) }) },
    }),
  });
}

/**
 * The declared shape of a tensor value: a number per known dimension, a
 * string per symbolic one, `undefined` per unknown one; `undefined` when the
 * value declares no tensor shape.
 */
export function valueInfoShape(v: ValueInfoProto): (number | string | undefined)[] | undefined {
  const type = v.type?.value;
  if (type?.case !== 'tensorType' || type.value.shape === undefined) return undefined;
  return type.value.shape.dim.map((d) => {
    if (d.value.case === 'dimValue') return Number(d.value.value);
    if (d.value.case === 'dimParam') return d.value.value;
    return undefined;
  });
}

/** The element type of a tensor value (`TensorProto.DataType`), or `undefined`. */
export function valueInfoElemType(v: ValueInfoProto): TensorProto_DataType | undefined {
  const type = v.type?.value;
  return type?.case === 'tensorType' ? type.value.elemType : undefined;
}
