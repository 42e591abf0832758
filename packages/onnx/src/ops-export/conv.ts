/**
 * Conv and ConvTranspose.
 *
 * - `Conv` (vl_nnconv, manual §4.1): filters `[Hf, Wf, C/g, K]` → ONNX Conv
 *   `W [K, C/g, Hf, Wf]`, bias `[K]`, `pads [top, left, bottom, right]`,
 *   `strides`, `dilations`, `group = C / (C/g)`. Both floor their output size:
 *   Ho = ⌊(H + Pt + Pb − (Hf−1)·d − 1)/S⌋ + 1. A fully connected layer (a
 *   filter the size of its input) is a Conv with a 1 × 1 output.
 * - `ConvTranspose` (vl_nnconvt, manual §4.2): filters `[Hf, Wf, K, D]` →
 *   ONNX `W [D, K, Hf, Wf]` (input channels first), `group = numGroups`,
 *   `strides = upsample`, `pads = crop` as `[top, left, bottom, right]`:
 *   Ho = (H − 1)·U + Hf − Ct − Cb in both; bias `[K·numGroups]`.
 */
import type { Conv, ConvTranspose } from '@convnet-ts/dagnn';
import { CONV_FILTER_PERM, CONVT_FILTER_PERM, permute } from '../export-layout.js';
import { intAttr, intsAttr } from '../proto/attribute.js';
import { type LayerExport, nodeName, onnxPads, paramOf, refuse } from './context.js';

function weights(e: LayerExport, perm: readonly number[]): string[] {
  const f = paramOf(e, 0, 'filter');
  const dims = perm.map((p) => f.shape[p]!);
  const w = e.graph.floatInit(`${f.name}|filter`, f.name, dims, () => permute(f.values, f.shape, perm));
  const names = [e.inputs[0]!, w];
  if (e.params.length > 1) {
    const b = paramOf(e, 1, 'bias');
    names.push(e.graph.floatInit(`${b.name}|flat`, b.name, [b.values.length], () => b.values));
  }
  return names;
}

export function exportConv(e: LayerExport<Conv>): void {
  const [hf, wf, depth, k] = e.block.size as [number, number, number, number];
  const c = e.inShapes[0]![3]!;
  if (c % depth !== 0) refuse(e, `filter depth ${depth} does not divide the ${c} input channels`);
  const f = paramOf(e, 0, 'filter');
  if (f.shape.join() !== [hf, wf, depth, k].join()) refuse(e, `filter shape [${f.shape.join(', ')}] differs from the layer's size [${e.block.size.join(', ')}]`);
  e.graph.node('Conv', weights(e, CONV_FILTER_PERM), e.outputs, nodeName(e), [
    intsAttr('kernel_shape', [hf, wf]),
    intsAttr('pads', onnxPads(e.block.pad)),
    intsAttr('strides', e.block.stride),
    intsAttr('dilations', e.block.dilate),
    intAttr('group', c / depth),
  ]);
}

export function exportConvTranspose(e: LayerExport<ConvTranspose>): void {
  const [hf, wf] = e.block.size as [number, number, number, number];
  const d = e.inShapes[0]![3]!;
  const f = paramOf(e, 0, 'filter');
  if (f.shape[3] !== d) refuse(e, `filter depth ${f.shape[3]} differs from the ${d} input channels`);
  e.graph.node('ConvTranspose', weights(e, CONVT_FILTER_PERM), e.outputs, nodeName(e), [
    intsAttr('kernel_shape', [hf, wf]),
    intsAttr('pads', onnxPads(e.block.crop)),
    intsAttr('strides', e.block.upsample),
    intAttr('group', e.block.numGroups),
  ]);
}
