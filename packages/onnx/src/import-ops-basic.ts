/**
 * Element-wise, normalisation and merging operators → DagNN layers:
 *
 * - Relu, LeakyRelu(α, default 0.01) → `ReLU` (leak α); Sigmoid → `Sigmoid`;
 *   Dropout(ratio) → `DropOut` (rate = ratio; the identity in test mode, as
 *   at inference); Identity → the same variable.
 * - Softmax over the channels (ONNX axis 1 of NCHW, or of `[N, C]`) → `SoftMax`.
 * - LRN(size, alpha, beta, bias): ONNX y = x / (bias + α/size · Σ x²)^β over
 *   the channels [c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉], MatConvNet's window
 *   → `LRN` param [size, bias, α/size, β].
 * - BatchNormalization (inference) → `BatchNorm` with mult = scale, bias = B
 *   and moments rows [mean, σ], σ = sqrt(var + ε) (MatConvNet stores σ with
 *   ε inside; test mode uses it as is), epsilon ε for training.
 * - Add/Sum of variables of one shape → `Sum`; Concat along channels, batch
 *   or a spatial axis → `Concat`.
 * - Add, Sub, Mul, Div of a variable and a constant that broadcasts per
 *   channel, per position or as a scalar → `Scale` (x·w + b).
 * - Pad (constant 0, spatial axes, non-negative) → a depthwise 1×1 `Conv`
 *   with weights 1 and the pads (exactly a zero padding).
 * - Slice of a feature map written by the convnet-ts exporter for a Crop
 *   (metadata `convnet-ts.options` names the reference input) → `Crop`.
 * Constants that came from Constant nodes keep learning rate 0; initializers train.
 * The doubles a convnet-ts export recorded (LRN's param, BatchNorm's epsilon,
 * LeakyRelu's leak: `Planner.exactOption`) replace the float32 attributes
 * they round to; a recorded Scale size replaces the per-channel `[C]` of the
 * same shape.
 */
import { BatchNorm, Concat, Conv, Crop, DropOut, LRN, ReLU, Scale, Sigmoid, SoftMax, Sum } from '@convnet-ts/dagnn';
import { type ConstValue, describeValue, fail, isVar, onnxShape, type Planner, type VarValue } from './import-plan.js';
import { readFloat, readInt, readInts, readString } from './proto/attribute.js';
import type { NodeProto } from './proto/onnx-pb.js';

export function importActivation(p: Planner, node: NodeProto): void {
  const x = p.varInput(node, 0);
  const alpha = readFloat(node, 'alpha', 0.01);
  const leak = node.opType === 'LeakyRelu' ? (p.exactOption(node, 'leak', isNumber, (v) => Math.fround(v) === alpha) ?? alpha) : 0;
  const block = node.opType === 'Sigmoid' ? new Sigmoid() : new ReLU({ leak });
  p.setOutput(node, 0, { ...x, var: p.addLayer(node, block, [x.var], []) });
}

export function importIdentity(p: Planner, node: NodeProto): void {
  p.setOutput(node, 0, p.input(node, 0));
}

export function importDropout(p: Planner, node: NodeProto): void {
  const x = p.varInput(node, 0);
  let ratio = 0.5;
  if (p.opset >= 12) {
    if (p.hasInput(node, 1)) ratio = p.constInput(node, 1, 'the ratio').data[0] ?? 0.5;
  } else ratio = readFloat(node, 'ratio', 0.5);
  if (node.output[1]) p.unavailable.set(node.output[1], "Dropout's mask output");
  p.setOutput(node, 0, { ...x, var: p.addLayer(node, new DropOut({ rate: ratio }), [x.var], []) });
}

/** True when the variable is one value per channel (a map or features with a 1×1 spatial size). */
const perChannel = (x: VarValue) => x.h === 1 && x.w === 1;

export function importSoftmax(p: Planner, node: NodeProto): void {
  const x = p.varInput(node, 0);
  const rank = x.kind === 'map' ? 4 : 2;
  const raw = readInt(node, 'axis', p.opset >= 13 ? -1 : 1);
  const axis = raw < 0 ? raw + rank : raw;
  // Before opset 13 Softmax normalises over every axis from `axis` on; from 13 over `axis` alone.
  const channels = axis === 1 && (p.opset >= 13 ? x.kind === 'map' || perChannel(x) : perChannel(x));
  if (!channels) fail('unsupported', node, `axis ${raw} of ${JSON.stringify(onnxShape(x))} (opset ${p.opset}): convnet-ts's softmax normalises over the channels only (axis 1 of [N, C, H, W], or of [N, C])`);
  p.setOutput(node, 0, { ...x, var: p.addLayer(node, new SoftMax(), [x.var], []) });
}

export function importLrn(p: Planner, node: NodeProto): void {
  const x = p.varInput(node, 0);
  if (x.kind !== 'map') fail('unsupported', node, `input 0 must be a 4-D feature map, got ${describeValue(x)}`);
  const size = readInt(node, 'size');
  const alpha = readFloat(node, 'alpha', 1e-4);
  const [bias, beta] = [readFloat(node, 'bias', 1), readFloat(node, 'beta', 0.75)];
  const agrees = (v: number[]) => v[0] === size && Math.fround(v[1]!) === bias && Math.fround(v[2]! * size) === alpha && Math.fround(v[3]!) === beta;
  const param = p.exactOption(node, 'param', isNumbers(4), agrees) ?? [size, bias, alpha / size, beta];
  const block = new LRN({ param });
  p.setOutput(node, 0, { ...x, var: p.addLayer(node, block, [x.var], []) });
}

export function importBatchNorm(p: Planner, node: NodeProto): void {
  const x = p.varInput(node, 0);
  if (x.kind === 'flat' && !perChannel(x)) fail('unsupported', node, `BatchNormalization of ${x.c * x.h * x.w} flattened features of a ${x.c}×${x.h}×${x.w} map normalises per position and channel; convnet-ts's bnorm is per channel`);
  if (readInt(node, 'training_mode', 0) !== 0) fail('unsupported', node, 'training_mode = 1: export the model in eval mode (the batch statistics are computed by convnet-ts in normal mode)');
  if (p.opset < 9 && readInt(node, 'spatial', 1) !== 1) fail('unsupported', node, 'spatial = 0 (per position statistics): convnet-ts normalises per channel');
  if (node.output.slice(1).some((o) => o !== '')) fail('unsupported', node, 'the running mean/variance outputs (training) cannot be imported: export in eval mode');
  const eps = readFloat(node, 'epsilon', 1e-5);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => {
    const v = p.constInput(node, i, ['scale', 'B', 'input_mean', 'input_var'][i - 1]!);
    if (v.data.length !== x.c) fail('shape', node, `input ${i} must hold ${x.c} values (one per channel), got dims [${v.dims.join(', ')}]`);
    return v;
  }) as [ConstValue, ConstValue, ConstValue, ConstValue];
  const moments = new Float32Array(2 * x.c);
  for (let c = 0; c < x.c; c++) {
    if (!(variance.data[c]! + eps > 0)) fail('value', node, `input_var[${c}] + epsilon = ${variance.data[c]! + eps} must be positive`);
    moments[2 * c] = mean.data[c]!;
    moments[2 * c + 1] = Math.sqrt(variance.data[c]! + eps);
  }
  const base = node.name || node.output[0]!;
  const params = [
    p.addParam(scale.initializer ?? `${base}_mult`, [x.c], Float32Array.from(scale.data), scale.fixed ? 0 : 1),
    p.addParam(bias.initializer ?? `${base}_bias`, [x.c], Float32Array.from(bias.data), bias.fixed ? 0 : 1),
    p.addParam(`${mean.initializer ?? base}_moments`, [x.c, 2], moments, mean.fixed ? 0 : 1),
  ];
  // The exporter writes epsilon 0 when some σ² < ε (see ops-export/normalization.ts).
  const epsilon = p.exactOption(node, 'epsilon', isNumber, (v) => Math.fround(v) === eps || eps === 0) ?? eps;
  p.setOutput(node, 0, { ...x, var: p.addLayer(node, new BatchNorm({ numChannels: x.c, epsilon }), [x.var], params) });
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumbers =
  (n: number) =>
  (v: unknown): v is number[] =>
    Array.isArray(v) && v.length === n && v.every(isNumber);

/**
 * A Slice the convnet-ts exporter wrote for a Crop: `convnet-ts.options`
 * gives `crop` and the `reference` value, whose size the static starts and
 * ends must match (axes 2, 3, steps 1). Any other Slice of a feature map is refused.
 */
export function importSlice(p: Planner, node: NodeProto): void {
  const x = p.varInput(node, 0);
  const why = 'importOnnx converts a Slice of a feature map only where the convnet-ts exporter wrote it for a Crop (its metadata names the reference input); another one would need a DagNN layer that slices by static indices';
  const ref = p.exactOption(node, 'reference', (v): v is string => typeof v === 'string', (v) => p.values.get(v)?.kind === 'map');
  const crop = p.exactOption(node, 'crop', isNumbers(2), (v) => v.every((c) => Number.isInteger(c) && c >= 0));
  if (x.kind !== 'map' || ref === undefined || crop === undefined || node.input.length < 4 || node.input.length > 5) fail('unsupported', node, why);
  const r = p.values.get(ref) as VarValue;
  const [starts, ends, axes] = [1, 2, 3].map((i) => p.constInput(node, i, ['starts', 'ends', 'axes'][i - 1]!).data);
  const steps = p.hasInput(node, 4) ? p.constInput(node, 4, 'steps').data : [1, 1];
  const top = Math.min(x.h - r.h, crop[0]!);
  const left = Math.min(x.w - r.w, crop[1]!);
  const expected = [top, left, top + r.h, left + r.w, 2, 3, 1, 1].join();
  if (x.h < r.h || x.w < r.w || [...starts!, ...ends!, ...axes!, ...steps].join() !== expected) fail('unsupported', node, why);
  const out = p.addLayer(node, new Crop({ crop }), [x.var, r.var], []);
  p.setOutput(node, 0, { ...x, var: out, h: r.h, w: r.w });
}

const sameShape = (a: VarValue, b: VarValue) => a.kind === b.kind && a.c === b.c && a.h === b.h && a.w === b.w;

export function importSum(p: Planner, node: NodeProto): void {
  const values = node.input.map((_, i) => p.input(node, i));
  if (values.some((v) => !isVar(v))) {
    importAffine(p, node);
    return;
  }
  const xs = values as VarValue[];
  const bad = xs.findIndex((v) => !sameShape(v, xs[0]!));
  if (bad >= 0) fail('shape', node, `input ${bad} ${JSON.stringify(onnxShape(xs[bad]!))} must have the shape of input 0 ${JSON.stringify(onnxShape(xs[0]!))} (convnet-ts's sum does not broadcast)`);
  p.setOutput(node, 0, xs.length === 1 ? xs[0]! : { ...xs[0]!, var: p.addLayer(node, new Sum(), xs.map((v) => v.var), []) });
}

/**
 * A constant broadcast against variable `x` (ONNX numpy broadcasting), in
 * NHWC: `size` `[1]`, `[C]` or `[H′, W′, C′]` (each 1 or full) and its values.
 */
export function broadcastConst(node: NodeProto, x: VarValue, k: ConstValue): { size: number[]; data: Float32Array } {
  const target = x.kind === 'map' ? [x.c, x.h, x.w] : [x.c * x.h * x.w];
  let dims = [...k.dims];
  while (dims.length > target.length && dims[0] === 1) dims = dims.slice(1);
  const aligned = [...Array(target.length - dims.length).fill(1), ...dims] as number[];
  const ok = dims.length <= target.length && aligned.every((d, i) => d === 1 || d === target[i]);
  if (!ok) fail('unsupported', node, `the constant of dims [${k.dims.join(', ')}] does not broadcast onto ${JSON.stringify(onnxShape(x))} without enlarging it or mixing the batch`);
  if (k.data.length === 1) return { size: [1], data: Float32Array.of(k.data[0]!) };
  // One value per ONNX (C, H, W) position, expanded where the constant is 1.
  const [c, h, w] = x.kind === 'map' ? aligned : [x.c, x.h, x.w];
  const full = x.kind === 'map' ? { c: c === 1 ? 1 : x.c, h: h === 1 ? 1 : x.h, w: w === 1 ? 1 : x.w } : { c: x.c, h: x.h, w: x.w };
  const at = (cc: number, hh: number, ww: number) => (x.kind === 'map' ? k.data[(cc * full.h + hh) * full.w + ww]! : k.data[(cc * x.h + hh) * x.w + ww]!);
  if (full.h === 1 && full.w === 1) return { size: [full.c], data: Float32Array.from({ length: full.c }, (_, i) => at(i, 0, 0)) };
  const data = new Float32Array(full.h * full.w * full.c);
  let o = 0;
  for (let hh = 0; hh < full.h; hh++) for (let ww = 0; ww < full.w; ww++) for (let cc = 0; cc < full.c; cc++) data[o++] = at(cc, hh, ww);
  return { size: [full.h, full.w, full.c], data };
}

/** Add/Sub/Mul/Div of a variable and a constant → Scale x·w + b. */
export function importAffine(p: Planner, node: NodeProto): void {
  const [a, b] = [p.input(node, 0), p.input(node, 1)];
  if (node.input.length !== 2) fail('unsupported', node, `${node.opType} of ${node.input.length} inputs with a constant: only a variable and one constant can be imported`);
  if (isVar(a) && isVar(b)) {
    if (node.opType === 'Add') {
      importSum(p, node);
      return;
    }
    const lrn = node.opType === 'Mul' ? " (exportOnnx's even-window LRN subgraph, Mul(x, x) … Div, is imported as one LRN where metadata convnet-ts.options records it and the nodes compute it)" : '';
    fail('unsupported', node, `${node.opType} of two feature maps: convnet-ts has element-wise sums (Add/Sum) of variables, not ${node.opType === 'Sub' ? 'differences' : 'products or quotients'}${lrn}`);
  }
  if (!isVar(a) && !isVar(b)) fail('unsupported', node, `${node.opType} of two constants should have been folded: internal error`);
  const swapped = !isVar(a);
  const x = (swapped ? b : a) as VarValue;
  const k = (swapped ? a : b) as ConstValue;
  const broadcast = broadcastConst(node, x, k);
  const data = broadcast.data;
  const size = node.opType === 'Mul' ? recordedScaleSize(p, node, broadcast.size) : broadcast.size;
  const one = new Float32Array(data.length).fill(1);
  const op = node.opType;
  if (op === 'Div' && swapped) fail('unsupported', node, 'a constant divided by a feature map: convnet-ts has no element-wise reciprocal layer');
  if (op === 'Div' && data.some((v) => v === 0)) fail('value', node, 'division by a constant that holds 0');
  const scale = op === 'Mul' ? data : op === 'Div' ? data.map((v) => 1 / v) : op === 'Sub' && swapped ? one.map(() => -1) : one;
  const bias = op === 'Add' || op === 'Sum' ? data : op === 'Sub' ? (swapped ? data : data.map((v) => -v)) : undefined;
  const lr = k.fixed ? 0 : 1;
  const base = k.initializer ?? (node.name || node.output[0]!);
  const params = [p.addParam(`${base}_scale`, size, scale, op === 'Mul' || op === 'Div' ? lr : 0)];
  if (bias) params.push(p.addParam(`${base}_bias`, size, bias, lr));
  p.setOutput(node, 0, { ...x, var: p.addLayer(node, new Scale({ size, hasBias: bias !== undefined }), [x.var], params) });
}

/**
 * The Scale `size` the convnet-ts exporter recorded for `node` where it is
 * the same shape as `size` (both padded to rank 4 on the left, so the values
 * are in the same order), else `size`: `[1, 1, C]` stays `[1, 1, C]`.
 */
export function recordedScaleSize(p: Planner, node: NodeProto, size: number[]): number[] {
  const rank4 = (s: readonly number[]) => [...Array(4 - s.length).fill(1), ...s].join();
  const isSize = (v: unknown): v is number[] => Array.isArray(v) && v.length >= 1 && v.length <= 4 && v.every((d) => Number.isInteger(d) && d >= 1);
  return p.exactOption(node, 'size', isSize, (v) => rank4(v) === rank4(size)) ?? size;
}

export function importConcat(p: Planner, node: NodeProto): void {
  const xs = node.input.map((_, i) => p.varInput(node, i));
  const x0 = xs[0]!;
  const rank = x0.kind === 'map' ? 4 : 2;
  const raw = readInt(node, 'axis');
  const axis = raw < 0 ? raw + rank : raw;
  // ONNX axis → MatConvNet dim of H×W×C×N.
  const dim = axis === 0 ? 4 : axis === 1 && (x0.kind === 'map' || xs.every(perChannel)) ? 3 : x0.kind === 'map' && axis === 2 ? 1 : x0.kind === 'map' && axis === 3 ? 2 : 0;
  if (dim === 0) fail('unsupported', node, `axis ${raw} of ${JSON.stringify(onnxShape(x0))}: only the batch, channel or spatial axes of feature maps (or the features of [N, C]) can be concatenated`);
  const key = (v: VarValue) => [v.kind, dim === 3 ? 0 : v.c, dim === 1 ? 0 : v.h, dim === 2 ? 0 : v.w].join();
  const bad = xs.findIndex((v) => key(v) !== key(x0));
  if (bad >= 0) fail('shape', node, `input ${bad} ${JSON.stringify(onnxShape(xs[bad]!))} must match input 0 ${JSON.stringify(onnxShape(x0))} except along axis ${raw}`);
  const total = (f: (v: VarValue) => number) => xs.reduce((s, v) => s + f(v), 0);
  const out = p.addLayer(node, new Concat({ dim: dim as 1 | 2 | 3 | 4 }), xs.map((v) => v.var), []);
  p.setOutput(node, 0, {
    ...x0,
    var: out,
    n: dim === 4 ? undefined : x0.n,
    c: dim === 3 ? total((v) => v.c) : x0.c,
    h: dim === 1 ? total((v) => v.h) : x0.h,
    w: dim === 2 ? total((v) => v.w) : x0.w,
  });
}

export function importPad(p: Planner, node: NodeProto): void {
  const x = p.varInput(node, 0);
  if (x.kind !== 'map') fail('unsupported', node, `input 0 must be a 4-D feature map, got ${describeValue(x)}`);
  const mode = readString(node, 'mode', 'constant');
  if (mode !== 'constant') fail('unsupported', node, `mode "${mode}": only zero (constant) padding has a convnet-ts equivalent`);
  let pads: number[];
  let value = 0;
  if (p.opset >= 11) {
    pads = p.constInput(node, 1, 'the pads').data;
    if (p.hasInput(node, 2)) value = p.constInput(node, 2, 'the constant value').data[0] ?? 0;
    if (p.hasInput(node, 3)) fail('unsupported', node, 'the axes input: give pads for all 4 axes');
  } else {
    pads = readInts(node, 'pads');
    value = readFloat(node, 'value', 0);
  }
  if (value !== 0) fail('unsupported', node, `constant_value ${value}: only zero padding has a convnet-ts equivalent`);
  if (pads.length !== 8 || pads[0] !== 0 || pads[1] !== 0 || pads[4] !== 0 || pads[5] !== 0 || pads.some((v) => v < 0)) {
    fail('unsupported', node, `pads [${pads.join(', ')}]: only non-negative padding of the spatial axes (H, W) of [N, C, H, W] can be imported`);
  }
  const pad: [number, number, number, number] = [pads[2]!, pads[6]!, pads[3]!, pads[7]!];
  if (pad.every((v) => v === 0)) {
    p.setOutput(node, 0, x);
    return;
  }
  const f = p.addParam(`${node.name || node.output[0]}_pad`, [1, 1, 1, x.c], new Float32Array(x.c).fill(1), 0);
  const out = p.addLayer(node, new Conv({ size: [1, 1, 1, x.c], pad, hasBias: false }), [x.var], [f]);
  p.setOutput(node, 0, { ...x, var: out, h: x.h + pad[0] + pad[1], w: x.w + pad[2] + pad[3] });
}
