/**
 * The window attributes shared by ONNX Conv, ConvTranspose, MaxPool and
 * AveragePool (ONNX operator docs): `kernel_shape`, `strides`, `dilations`,
 * `pads` `[y_begin, x_begin, y_end, x_end]` and `auto_pad`, read for 2-D
 * windows and turned into convnet-ts's `pad [top, bottom, left, right]`.
 *
 * auto_pad (Conv, pools): `VALID` = no padding; `SAME_UPPER`/`SAME_LOWER` pad
 * a total of max(0, (⌈H/S⌉ − 1)·S + (K − 1)·D + 1 − H), the odd pixel at the
 * end (UPPER) or the beginning (LOWER).
 */
import { fail } from './import-plan.js';
import { readInts, readString } from './proto/attribute.js';
import type { NodeProto } from './proto/onnx-pb.js';

export type Pair = [number, number];
export type Pad4 = [number, number, number, number];

function pair(node: NodeProto, name: string, fallback: Pair, min: number): Pair {
  const v = readInts(node, name, fallback);
  if (v.length !== 2 || v.some((x) => !Number.isInteger(x) || x < min)) {
    fail('unsupported', node, `${name} must be 2 integers ≥ ${min} (2-D ${node.opType}), got [${v.join(', ')}]`);
  }
  return [v[0]!, v[1]!];
}

/** `kernel_shape` (required for pools; for Conv, from the weights when absent). */
export function kernelShape(node: NodeProto, fromWeights?: Pair): Pair {
  const k = pair(node, 'kernel_shape', fromWeights ?? [0, 0], 1);
  if (fromWeights && (k[0] !== fromWeights[0] || k[1] !== fromWeights[1])) {
    fail('shape', node, `kernel_shape [${k.join(', ')}] disagrees with the weights' spatial size [${fromWeights.join(', ')}]`);
  }
  if (k[0] === 0) fail('format', node, 'the required kernel_shape attribute is missing');
  return k;
}

export const strides = (node: NodeProto): Pair => pair(node, 'strides', [1, 1], 1);
export const dilations = (node: NodeProto): Pair => pair(node, 'dilations', [1, 1], 1);

/** Explicit or automatic pads as `[top, bottom, left, right]`, for an input `[h, w]` and effective kernel extents. */
export function pads(node: NodeProto, input: Pair, extent: Pair, stride: Pair): Pad4 {
  const auto = readString(node, 'auto_pad', 'NOTSET');
  if (auto === 'NOTSET') {
    const p = readInts(node, 'pads', [0, 0, 0, 0]);
    if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0)) {
      fail('unsupported', node, `pads must be 4 non-negative integers [y_begin, x_begin, y_end, x_end], got [${p.join(', ')}]`);
    }
    return [p[0]!, p[2]!, p[1]!, p[3]!];
  }
  if (auto === 'VALID') return [0, 0, 0, 0];
  if (auto !== 'SAME_UPPER' && auto !== 'SAME_LOWER') fail('format', node, `auto_pad must be NOTSET, VALID, SAME_UPPER or SAME_LOWER, got "${auto}"`);
  const out: number[] = [];
  for (const a of [0, 1] as const) {
    const total = Math.max(0, (Math.ceil(input[a] / stride[a]) - 1) * stride[a] + extent[a] - input[a]);
    const small = Math.floor(total / 2);
    out.push(...(auto === 'SAME_UPPER' ? [small, total - small] : [total - small, small]));
  }
  return out as Pad4;
}

/** floor((size + pads − extent)/stride) + 1, checked ≥ 1. */
export function outputSize(node: NodeProto, input: Pair, extent: Pair, pad: Pad4, stride: Pair): Pair {
  const out: Pair = [
    Math.floor((input[0] + pad[0] + pad[1] - extent[0]) / stride[0]) + 1,
    Math.floor((input[1] + pad[2] + pad[3] - extent[1]) / stride[1]) + 1,
  ];
  if (out[0] < 1 || out[1] < 1) {
    fail('shape', node, `the window [${extent.join(', ')}] does not fit the padded input [${input[0] + pad[0] + pad[1]}, ${input[1] + pad[2] + pad[3]}] (input [${input.join(', ')}], pads [${pad.join(', ')}] top, bottom, left, right)`);
  }
  return out;
}
