/**
 * Element-wise layers and layers that combine variables.
 *
 * - `ReLU` (vl_nnrelu): leak 0 → Relu; leak a → LeakyRelu(alpha = a), y = x for x > 0, a·x otherwise.
 * - `Sigmoid` → Sigmoid. `SoftMax` (vl_nnsoftmax: over the channels at each
 *   pixel) → Softmax(axis = 1), whose opset-13 meaning normalises axis 1 alone.
 * - `Sum` → Sum of all inputs. `Concat` (dim 1, 2, 3, 4 of H×W×C×N) → Concat
 *   (axis 2, 3, 1, 0 of NCHW).
 * - `Scale` (y = x ⊙ w + b, w and b broadcast from NHWC's trailing axes) →
 *   Mul (and Add) with w, b padded to rank 4 and laid out NCHW.
 * - `Crop` (dagnn.Crop: input 1 cropped to input 2's size, `crop` [top, left]
 *   taken first) → Slice over axes 2, 3 with the static starts and ends;
 *   the `crop` option and input 2's name go to `GraphBuilder.exact`, from
 *   which importOnnx builds the Crop again.
 * A LeakyRelu's double `leak` is recorded there too (alpha is a float32), and
 * a Scale's `size` (ONNX holds it as rank 4), with, for a Scale with a bias,
 * the layer's name under the Mul (`subgraph: 'Scale'`): importOnnx makes one
 * Scale of the Mul and Add again.
 */
import type { Concat, Crop, ReLU, Scale } from '@convnet-ts/dagnn';
import { permute, TO_NCHW } from '../export-layout.js';
import { floatAttr, intAttr } from '../proto/attribute.js';
import { type LayerExport, nodeName, paramOf, refuse } from './context.js';

export function exportReLU(e: LayerExport<ReLU>): void {
  if (e.block.leak === 0) e.graph.node('Relu', [e.inputs[0]!], e.outputs, nodeName(e));
  else {
    e.graph.node('LeakyRelu', [e.inputs[0]!], e.outputs, nodeName(e), [floatAttr('alpha', e.block.leak)]);
    e.graph.exact[nodeName(e)] = { leak: e.block.leak };
  }
}

export function exportSigmoid(e: LayerExport): void {
  e.graph.node('Sigmoid', [e.inputs[0]!], e.outputs, nodeName(e));
}

export function exportSoftMax(e: LayerExport): void {
  e.graph.node('Softmax', [e.inputs[0]!], e.outputs, nodeName(e), [intAttr('axis', 1)]);
}

export function exportSum(e: LayerExport): void {
  e.graph.node('Sum', e.inputs, e.outputs, nodeName(e));
}

const CONCAT_AXIS: Record<number, number> = { 1: 2, 2: 3, 3: 1, 4: 0 };

export function exportConcat(e: LayerExport<Concat>): void {
  e.graph.node('Concat', e.inputs, e.outputs, nodeName(e), [intAttr('axis', CONCAT_AXIS[e.block.dim]!)]);
}

/** w or b of a Scale as an NCHW-broadcastable rank-4 initializer. */
function scaleOperand(e: LayerExport, i: number, what: string): string {
  const p = paramOf(e, i, what);
  if (p.shape.length > 4) refuse(e, `the ${what} has rank ${p.shape.length}; at most 4 (NHWC) can be broadcast`);
  const nhwc = [...new Array<number>(4 - p.shape.length).fill(1), ...p.shape];
  const nchw = TO_NCHW.map((a) => nhwc[a]!);
  return e.graph.floatInit(`${p.name}|nchw4`, p.name, nchw, () => permute(p.values, nhwc, TO_NCHW));
}

export function exportScale(e: LayerExport<Scale>): void {
  const w = scaleOperand(e, 0, 'scale');
  const size = [...e.block.size];
  if (!e.block.hasBias) {
    e.graph.node('Mul', [e.inputs[0]!, w], e.outputs, nodeName(e));
    e.graph.exact[nodeName(e)] = { size };
    return;
  }
  const product = e.graph.fresh(`${e.layer.name}_scaled`);
  e.graph.node('Mul', [e.inputs[0]!, w], [product], nodeName(e, 'mul'));
  e.graph.node('Add', [product, scaleOperand(e, 1, 'bias')], e.outputs, nodeName(e, 'add'));
  // Mul then Add are one Scale layer: importOnnx makes it again (import-subgraphs.ts).
  e.graph.exact[nodeName(e, 'mul')] = { subgraph: 'Scale', layer: e.layer.name, size };
}

export function exportCrop(e: LayerExport<Crop>): void {
  const [, h1, w1] = e.inShapes[0]!;
  const [, h2, w2] = e.inShapes[1]!;
  const th = h1! - h2!;
  const tw = w1! - w2!;
  if (th < 0 || tw < 0) refuse(e, `input 2 [${e.inShapes[1]!.join(', ')}] is larger than input 1 [${e.inShapes[0]!.join(', ')}]`);
  const top = Math.min(th, e.block.crop[0]);
  const left = Math.min(tw, e.block.crop[1]);
  const G = e.graph;
  const inputs = [
    e.inputs[0]!,
    G.int64Init(`${e.layer.name}_starts`, [top, left]),
    G.int64Init(`${e.layer.name}_ends`, [top + h2!, left + w2!]),
    G.int64Init(`${e.layer.name}_axes`, [2, 3]),
  ];
  G.node('Slice', inputs, e.outputs, nodeName(e));
  // ONNX's Slice has static ends; the importer makes a Crop again from the reference input.
  G.exact[nodeName(e)] = { crop: [...e.block.crop], reference: e.inputs[1]! };
}
