/**
 * ONNX Conv and ConvTranspose → DagNN `Conv` / `ConvTranspose`.
 *
 * - Conv: X `[N, C, H, W]`, W `[M, C/group, kH, kW]`, B `[M]` → filters
 *   `[kH, kW, C/group, M]` (F[h, w, c, m] = W[m, c, h, w]); the group count
 *   follows from C / (C/group) as in MatConvNet; pads, strides and
 *   dilations map one to one.
 * - ConvTranspose: W `[C, M/group, kH, kW]` → convt filters `[kH, kW, M/group, C]`
 *   (F[h, w, k, d] = W[d, k, h, w]), `upsample` = strides, `numGroups` = group.
 *   ONNX's output H = S·(H − 1) + output_padding + kH − p_begin − p_end and
 *   MatConvNet's U·(H − 1) + kH − crop_top − crop_bottom agree with crop =
 *   [p_top, p_bottom − op_y, p_left, p_right − op_x]; a negative crop (more
 *   output padding than end padding) or dilations ≠ 1 have no convt
 *   equivalent and are refused.
 */
import { Conv, ConvTranspose } from '@convnet-ts/dagnn';
import { type ConstValue, fail, type Planner } from './import-plan.js';
import { dilations, kernelShape, outputSize, type Pad4, type Pair, pads, strides } from './import-window.js';
import { readInt, readInts, readString } from './proto/attribute.js';
import type { NodeProto } from './proto/onnx-pb.js';

/** Weights of rank 4 from input 1; their dims. */
function weights(p: Planner, node: NodeProto): { w: ConstValue; dims: [number, number, number, number] } {
  const w = p.constInput(node, 1, 'the weights');
  if (w.dims.length !== 4) fail('unsupported', node, `the weights must be 4-D (2-D convolution), got dims [${w.dims.join(', ')}]`);
  return { w, dims: w.dims as [number, number, number, number] };
}

/** Input 2, the biases, checked to hold `m` values. */
function biases(p: Planner, node: NodeProto, m: number): string | undefined {
  if (!p.hasInput(node, 2)) return undefined;
  const b = p.constInput(node, 2, 'the biases');
  if (b.data.length !== m) fail('shape', node, `the biases must hold ${m} values (one per output channel), got dims [${b.dims.join(', ')}]`);
  return p.addParam(b.initializer ?? `${node.name || node.output[0]}_bias`, [m], Float32Array.from(b.data), b.fixed ? 0 : 1);
}

/** Permutes 4-D row-major `data` of `dims` by `perm` (output axis a takes input axis perm[a]). */
export function permute4(data: ArrayLike<number>, dims: readonly number[], perm: readonly number[]): Float32Array {
  const outDims = perm.map((a) => dims[a]!);
  const inStrides = [dims[1]! * dims[2]! * dims[3]!, dims[2]! * dims[3]!, dims[3]!, 1];
  const s = perm.map((a) => inStrides[a]!);
  const out = new Float32Array(data.length);
  let k = 0;
  for (let i = 0; i < outDims[0]!; i++)
    for (let j = 0; j < outDims[1]!; j++)
      for (let l = 0; l < outDims[2]!; l++)
        for (let m = 0; m < outDims[3]!; m++) out[k++] = data[i * s[0]! + j * s[1]! + l * s[2]! + m * s[3]!]!;
  return out;
}

export function importConv(p: Planner, node: NodeProto): void {
  const x = p.varInput(node, 0);
  if (x.kind !== 'map') fail('unsupported', node, `input 0 must be a 4-D feature map [N, C, H, W], got features [N, ${x.c * x.h * x.w}]`);
  const { w, dims } = weights(p, node);
  const [m, cg, kh, kw] = dims;
  const group = readInt(node, 'group', 1);
  if (group < 1 || x.c !== cg * group || m % group !== 0) {
    fail('shape', node, `the weights [${dims.join(', ')}] with group ${group} need ${cg * group} input channels and ${group} | ${m} filters, got an input of ${x.c} channels`);
  }
  const kernel = kernelShape(node, [kh, kw]);
  const stride = strides(node);
  const dilate = dilations(node);
  const extent: Pair = [(kernel[0] - 1) * dilate[0] + 1, (kernel[1] - 1) * dilate[1] + 1];
  const pad = pads(node, [x.h, x.w], extent, stride);
  const [h, wo] = outputSize(node, [x.h, x.w], extent, pad, stride);
  const f = p.addParam(w.initializer ?? `${node.name || node.output[0]}_filters`, [kh, kw, cg, m], permute4(w.data, dims, [2, 3, 1, 0]), w.fixed ? 0 : 1);
  const b = biases(p, node, m);
  const block = new Conv({ size: [kh, kw, cg, m], pad, stride, dilate, hasBias: b !== undefined });
  const out = p.addLayer(node, block, [x.var], b === undefined ? [f] : [f, b]);
  p.setOutput(node, 0, { kind: 'map', var: out, n: x.n, c: m, h, w: wo });
}

export function importConvTranspose(p: Planner, node: NodeProto): void {
  const x = p.varInput(node, 0);
  if (x.kind !== 'map') fail('unsupported', node, `input 0 must be a 4-D feature map [N, C, H, W], got features [N, ${x.c * x.h * x.w}]`);
  const { w, dims } = weights(p, node);
  const [c, mg, kh, kw] = dims;
  const group = readInt(node, 'group', 1);
  if (group < 1 || c !== x.c || c % group !== 0) {
    fail('shape', node, `the weights [${dims.join(', ')}] need ${c} input channels divisible by group ${group}, got an input of ${x.c} channels`);
  }
  const kernel = kernelShape(node, [kh, kw]);
  const dilate = dilations(node);
  if (dilate[0] !== 1 || dilate[1] !== 1) fail('unsupported', node, `dilations [${dilate.join(', ')}]: convnet-ts's convt has no dilation (only dilations [1, 1] can be imported)`);
  if (node.attribute.some((a) => a.name === 'output_shape')) fail('unsupported', node, 'output_shape: give pads and output_padding instead (export the model with explicit pads)');
  const auto = readString(node, 'auto_pad', 'NOTSET');
  if (auto !== 'NOTSET' && auto !== 'VALID') fail('unsupported', node, `auto_pad ${auto}: only explicit pads (NOTSET) or VALID can be imported for ConvTranspose`);
  const stride = strides(node);
  const pad: Pad4 = auto === 'VALID' ? [0, 0, 0, 0] : pads(node, [x.h, x.w], kernel, stride);
  const op = readInts(node, 'output_padding', [0, 0]);
  if (op.length !== 2 || op.some((v) => !Number.isInteger(v) || v < 0)) fail('unsupported', node, `output_padding must be 2 non-negative integers, got [${op.join(', ')}]`);
  const crop: Pad4 = [pad[0], pad[1] - op[0]!, pad[2], pad[3] - op[1]!];
  if (crop.some((v) => v < 0)) {
    fail('unsupported', node, `output_padding [${op.join(', ')}] exceeds the end pads (${pad[1]}, ${pad[3]}): MatConvNet's convt can only crop, so it needs output_padding ≤ the end pad in each direction`);
  }
  const h = stride[0] * (x.h - 1) + kh - crop[0] - crop[1];
  const wo = stride[1] * (x.w - 1) + kw - crop[2] - crop[3];
  if (h < 1 || wo < 1) fail('shape', node, `the output would be ${h}×${wo}: the pads crop more than the upsampled input`);
  const f = p.addParam(w.initializer ?? `${node.name || node.output[0]}_filters`, [kh, kw, mg, c], permute4(w.data, dims, [2, 3, 1, 0]), w.fixed ? 0 : 1);
  const b = biases(p, node, mg * group);
  const block = new ConvTranspose({ size: [kh, kw, mg, c], upsample: stride, crop, numGroups: group, hasBias: b !== undefined });
  const out = p.addLayer(node, block, [x.var], b === undefined ? [f] : [f, b]);
  p.setOutput(node, 0, { kind: 'map', var: out, n: x.n, c: mg * group, h, w: wo });
}
