/**
 * Constants and the shape arithmetic exporters leave in a graph (PyTorch's
 * F.pad and view(x.size(0), −1) emit Shape, Gather, Concat, Slice, Cast, …
 * on small int64 tensors): evaluated at import on plain arrays, so that the
 * operators consuming them (Pad, Reshape, Mul, …) see constants.
 *
 * Folded when every input is a constant: Constant, Identity, Cast,
 * ConstantOfShape, Shape (of a variable too), Gather, Unsqueeze, Squeeze,
 * Concat, Reshape, Transpose, Slice, Add, Sub, Mul, Div (numpy broadcasting,
 * ONNX semantics). A symbolic batch size (`N`) is carried as NaN: it may reach
 * a Reshape's first dimension, where it means "the batch"; any arithmetic on
 * it is refused by the consumer.
 */
import { type ConstValue, fail, onnxShape, type Planner } from './import-plan.js';
import { findAttribute, readInt, readInts, readTensor } from './proto/attribute.js';
import { type NodeProto, type TensorProto, TensorProto_DataType } from './proto/onnx-pb.js';
import { tensorDims, tensorToFloat32, tensorToInts } from './proto/tensor.js';

const INT_TYPES = new Set<number>([
  TensorProto_DataType.INT64,
  TensorProto_DataType.INT32,
  TensorProto_DataType.INT16,
  TensorProto_DataType.INT8,
  TensorProto_DataType.UINT8,
  TensorProto_DataType.BOOL,
]);

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const stridesOf = (dims: readonly number[]) => dims.map((_, i) => size(dims.slice(i + 1)));

function constant(dims: number[], data: number[], integer: boolean): ConstValue {
  return { kind: 'const', dims, data, integer, fixed: true };
}

/**
 * An initializer or Constant tensor as a constant value (FLOAT/DOUBLE as
 * float32, integers exactly). INT64 values beyond ±2^53 — exporters write
 * ±(2^63 − 1) for "to the end" in Slice — are clamped to ±(2^53 − 1), which
 * every consumer here treats the same way.
 */
export function tensorConst(t: TensorProto, path: string, fixed: boolean): ConstValue {
  const where = { block: 'importOnnx', path };
  const dims = tensorDims(t, where);
  const integer = t.dataType === TensorProto_DataType.INT64 || t.dataType === TensorProto_DataType.INT32;
  if (!integer) return { kind: 'const', dims, data: Array.from(tensorToFloat32(t, where)), integer, fixed };
  if (t.dataType === TensorProto_DataType.INT64) {
    const big = BigInt(Number.MAX_SAFE_INTEGER);
    const clamp = (v: bigint) => (v > big ? big : v < -big ? -big : v);
    const n = dims.reduce((a, b) => a * b, 1);
    if (t.rawData.length === 8 * n) {
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      const values = Array.from({ length: n }, (_, i) => clamp(view.getBigInt64(8 * i, true)));
      return { kind: 'const', dims, data: tensorToInts({ ...t, rawData: new Uint8Array(), int64Data: values }, where), integer, fixed };
    }
    if (t.rawData.length === 0 && t.int64Data.length === n) return { kind: 'const', dims, data: tensorToInts({ ...t, int64Data: t.int64Data.map(clamp) }, where), integer, fixed };
  }
  return { kind: 'const', dims, data: tensorToInts(t, where), integer, fixed };
}

function readConstant(node: NodeProto): ConstValue {
  const t = readTensor(node, 'value');
  if (t) return tensorConst(t, `${node.name ? `node "${node.name}"` : 'Constant'}.value`, true);
  const a = node.attribute[0];
  if (a?.name === 'value_float') return constant([], [a.f], false);
  if (a?.name === 'value_floats') return constant([a.floats.length], [...a.floats], false);
  if (a?.name === 'value_int') return constant([], [Number(a.i)], true);
  if (a?.name === 'value_ints') return constant([a.ints.length], a.ints.map(Number), true);
  return fail('unsupported', node, `Constant with attribute "${a?.name ?? '(none)'}": only value, value_float(s) and value_int(s) can be imported`);
}

/** Visits every index of `dims` in row-major order. */
function forEachIndex(dims: readonly number[], f: (idx: number[]) => void): void {
  const n = size(dims);
  const idx = dims.map(() => 0);
  for (let k = 0; k < n; k++) {
    f(idx);
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++idx[a]! < dims[a]!) break;
      idx[a] = 0;
    }
  }
}

function axisOf(node: NodeProto, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail('format', node, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

function binary(node: NodeProto, a: ConstValue, b: ConstValue): ConstValue {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (d: number[]) => [...Array(rank - d.length).fill(1), ...d] as number[];
  const [da, db] = [pad(a.dims), pad(b.dims)];
  const dims = da.map((x, i) => {
    const y = db[i]!;
    if (x !== y && x !== 1 && y !== 1) fail('shape', node, `dims [${a.dims.join(', ')}] and [${b.dims.join(', ')}] do not broadcast`);
    return Math.max(x, y);
  });
  const [sa, sb] = [stridesOf(da), stridesOf(db)];
  const integer = a.integer && b.integer;
  const op = node.opType;
  const out: number[] = [];
  forEachIndex(dims, (idx) => {
    const x = a.data[idx.reduce((s, i, k) => s + (da[k] === 1 ? 0 : i * sa[k]!), 0)]!;
    const y = b.data[idx.reduce((s, i, k) => s + (db[k] === 1 ? 0 : i * sb[k]!), 0)]!;
    const r = op === 'Add' ? x + y : op === 'Sub' ? x - y : op === 'Mul' ? x * y : integer ? Math.trunc(x / y) : x / y;
    out.push(integer ? r : Math.fround(r));
  });
  return constant(dims, out, integer);
}

function slice(p: Planner, node: NodeProto, x: ConstValue): ConstValue {
  const rank = x.dims.length;
  const list = (i: number, name: string): number[] | undefined =>
    p.opset >= 10 ? (p.hasInput(node, i) ? p.constInput(node, i, name).data : undefined) : findAttribute(node, name) ? readInts(node, name) : undefined;
  const starts = list(1, 'starts') ?? [];
  const ends = list(2, 'ends') ?? [];
  const axes = (list(3, 'axes') ?? starts.map((_, i) => i)).map((a) => axisOf(node, a, rank));
  const steps = list(4, 'steps') ?? starts.map(() => 1);
  const picks = x.dims.map((d) => Array.from({ length: d }, (_, i) => i));
  axes.forEach((a, k) => {
    const d = x.dims[a]!;
    const step = steps[k]!;
    if (step === 0) fail('format', node, 'steps must not be 0');
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    const s = step > 0 ? clamp(starts[k]!, 0, d) : clamp(starts[k]!, -1, d - 1);
    const e = step > 0 ? clamp(ends[k]!, 0, d) : clamp(ends[k]!, -1, d - 1);
    const idx: number[] = [];
    for (let i = s; step > 0 ? i < e : i > e; i += step) idx.push(i);
    picks[a] = idx;
  });
  const dims = picks.map((q) => q.length);
  const st = stridesOf(x.dims);
  const out: number[] = [];
  forEachIndex(dims, (idx) => out.push(x.data[idx.reduce((s, i, k) => s + picks[k]![i]! * st[k]!, 0)]!));
  return constant(dims, out, x.integer);
}

const FOLDING = new Set(['Identity', 'Cast', 'ConstantOfShape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Reshape', 'Transpose', 'Slice', 'Add', 'Sub', 'Mul', 'Div']);

/** Evaluates a node whose inputs are all constants (or a Shape); false when the op is not one of these. */
export function foldConstant(p: Planner, node: NodeProto): boolean {
  const op = node.opType;
  if (op === 'Constant') {
    p.setOutput(node, 0, readConstant(node));
    return true;
  }
  if (op === 'Shape') {
    const x = p.input(node, 0);
    let dims: number[] = x.kind === 'const' ? [...x.dims] : onnxShape(x).map((d) => (typeof d === 'number' ? d : Number.NaN));
    if (p.opset >= 15) dims = shapeRange(node, dims);
    p.setOutput(node, 0, constant([dims.length], dims, true));
    return true;
  }
  const inputs = node.input.filter((n) => n !== '').map((n) => p.values.get(n));
  if (!FOLDING.has(op) || inputs.length === 0 || inputs.some((v) => v?.kind !== 'const')) return false;
  const x = p.constInput(node, 0, 'the data');
  p.setOutput(node, 0, evaluate(p, node, x));
  return true;
}

function shapeRange(node: NodeProto, dims: number[]): number[] {
  const r = dims.length;
  const norm = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  return dims.slice(norm(readInt(node, 'start', 0)), norm(readInt(node, 'end', r)));
}

function evaluate(p: Planner, node: NodeProto, x: ConstValue): ConstValue {
  const op = node.opType;
  const rank = x.dims.length;
  switch (op) {
    case 'Identity':
      return x;
    case 'Cast': {
      const integer = INT_TYPES.has(readInt(node, 'to'));
      return constant(x.dims, x.data.map((v) => (integer ? Math.trunc(v) : Math.fround(v))), integer);
    }
    case 'ConstantOfShape': {
      const t = readTensor(node, 'value');
      const fill = t ? tensorConst(t, `node "${node.name}".value`, true) : constant([1], [0], false);
      if (x.data.some((d) => !Number.isInteger(d) || d < 0)) fail('unsupported', node, `the shape [${x.data.join(', ')}] must be known non-negative sizes`);
      return constant([...x.data], new Array(size(x.data)).fill(fill.data[0] ?? 0), fill.integer);
    }
    case 'Gather': {
      const axis = axisOf(node, readInt(node, 'axis', 0), rank);
      const ind = p.constInput(node, 1, 'the indices');
      const d = x.dims[axis]!;
      const outer = size(x.dims.slice(0, axis));
      const inner = size(x.dims.slice(axis + 1));
      const out: number[] = [];
      for (let o = 0; o < outer; o++)
        for (const raw of ind.data) {
          const i = raw < 0 ? raw + d : raw;
          if (i < 0 || i >= d) fail('value', node, `index ${raw} is out of range for a dimension of ${d}`);
          for (let k = 0; k < inner; k++) out.push(x.data[(o * d + i) * inner + k]!);
        }
      return constant([...x.dims.slice(0, axis), ...ind.dims, ...x.dims.slice(axis + 1)], out, x.integer);
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      const given = p.opset >= 13 ? (p.hasInput(node, 1) ? p.constInput(node, 1, 'the axes').data : undefined) : findAttribute(node, 'axes') ? readInts(node, 'axes') : undefined;
      if (op === 'Squeeze') {
        const axes = (given ?? x.dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => axisOf(node, a, rank));
        return constant(x.dims.filter((_, i) => !axes.includes(i)), x.data, x.integer);
      }
      const outRank = rank + (given?.length ?? 0);
      const axes = (given ?? []).map((a) => axisOf(node, a, outRank));
      const dims: number[] = [];
      let k = 0;
      for (let i = 0; i < outRank; i++) dims.push(axes.includes(i) ? 1 : x.dims[k++]!);
      return constant(dims, x.data, x.integer);
    }
    case 'Concat': {
      const xs = node.input.map((_, i) => p.constInput(node, i, 'a constant'));
      const axis = axisOf(node, readInt(node, 'axis'), rank);
      const outer = size(x.dims.slice(0, axis));
      const out: number[] = [];
      for (let o = 0; o < outer; o++)
        for (const v of xs) {
          const chunk = size(v.dims.slice(axis));
          out.push(...v.data.slice(o * chunk, (o + 1) * chunk));
        }
      const dims = [...x.dims];
      dims[axis] = xs.reduce((s, v) => s + v.dims[axis]!, 0);
      return constant(dims, out, xs.every((v) => v.integer));
    }
    case 'Reshape': {
      const target = p.constInput(node, 1, 'the shape').data.map((d, i) => (d === 0 ? x.dims[i]! : d));
      const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      const dims = target.map((d) => (d === -1 ? x.data.length / known : d));
      if (size(dims) !== x.data.length) fail('shape', node, `cannot reshape ${x.data.length} values to [${target.join(', ')}]`);
      return constant(dims, x.data, x.integer);
    }
    case 'Transpose': {
      const perm = readInts(node, 'perm', x.dims.map((_, i) => rank - 1 - i));
      const dims = perm.map((a) => x.dims[a]!);
      const st = stridesOf(x.dims);
      const out: number[] = [];
      forEachIndex(dims, (idx) => out.push(x.data[idx.reduce((s, i, k) => s + i * st[perm[k]!]!, 0)]!));
      return constant(dims, out, x.integer);
    }
    case 'Slice':
      return slice(p, node, x);
    default:
      return binary(node, x, p.constInput(node, 1, 'a constant'));
  }
}
