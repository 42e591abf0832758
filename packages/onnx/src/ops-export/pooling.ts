/**
 * Pooling (vl_nnpool, manual §4.3) → MaxPool / AveragePool, exactly.
 *
 * MatConvNet clips every window to the image: max pools the pixels inside
 * (padding acts as −∞), avg divides by the number of pixels inside, |Ω|.
 * ONNX MaxPool ignores padded positions, and AveragePool with
 * `count_include_pad = 0` divides by the number of non-padded positions: the
 * same Ω, since MatConvNet's pads are smaller than the window (no window lies
 * wholly in the padding). Both floor the output size (`ceil_mode = 0`):
 * Ho = ⌊(H + Pt + Pb − Ph)/S⌋ + 1, so a stride that does not divide drops the
 * same last rows. `pads` go as `[top, left, bottom, right]`.
 * A window covering the whole unpadded input (a 1 × 1 output) is written as
 * GlobalAveragePool / GlobalMaxPool, the same values.
 */
import type { Pooling } from '@convnet-ts/dagnn';
import { intAttr, intsAttr } from '../proto/attribute.js';
import { type LayerExport, nodeName, onnxPads } from './context.js';

export function exportPooling(e: LayerExport<Pooling>): void {
  const { poolSize, pad, stride, method } = e.block;
  const [, h, w] = e.inShapes[0]!;
  const global = poolSize[0] === h && poolSize[1] === w && pad.every((p) => p === 0);
  if (global) {
    e.graph.node(method === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool', [e.inputs[0]!], e.outputs, nodeName(e));
    return;
  }
  const attrs = [intsAttr('kernel_shape', poolSize), intsAttr('pads', onnxPads(pad)), intsAttr('strides', stride), intAttr('ceil_mode', 0)];
  if (method === 'avg') attrs.push(intAttr('count_include_pad', 0));
  e.graph.node(method === 'max' ? 'MaxPool' : 'AveragePool', [e.inputs[0]!], e.outputs, nodeName(e), attrs);
}
