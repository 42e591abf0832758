/**
 * What a layer exporter gets: the layer, the ONNX names of its inputs and
 * outputs (NCHW tensors), the NHWC sizes of its variables (batch 1), its
 * parameters' values, and the graph being built.
 */
import type { DagLayer, Layer } from '@convnet-ts/dagnn';
import type { FloatArray, Shape } from '@convnet-ts/tensor';
import { OnnxError } from '../errors.js';
import type { GraphBuilder } from '../export-graph.js';

export interface ParamValue {
  /** The DagNN parameter's name. */
  name: string;
  shape: Shape;
  values: FloatArray;
}

export interface LayerExport<B extends Layer = Layer> {
  layer: DagLayer;
  block: B;
  /** `layers[3] "conv1" (Conv)`: how errors name the layer. */
  label: string;
  /** ONNX names of the layer's inputs, NCHW. */
  inputs: string[];
  /** ONNX names the layer must write, NCHW. */
  outputs: string[];
  /** NHWC shapes (batch 1) of the inputs and outputs. */
  inShapes: Shape[];
  outShapes: Shape[];
  params: ParamValue[];
  graph: GraphBuilder;
}

/** Writes the layer's ONNX nodes (and initializers) into `graph`. */
export type LayerExporter<B extends Layer = Layer> = (e: LayerExport<B>) => void;

export function refuse(e: { label: string }, why: string): never {
  throw new OnnxError('unsupported', 'exportOnnx', e.label, why);
}

/** Parameter i, or an error naming the layer when it has no value. */
export function paramOf(e: LayerExport, i: number, what: string): ParamValue {
  const p = e.params[i];
  if (p === undefined) throw new OnnxError('value', 'exportOnnx', e.label, `the ${what} parameter (parameter ${i + 1}) is missing`);
  return p;
}

/** ONNX's 2-D `pads` `[top, left, bottom, right]` from convnet-ts's `[top, bottom, left, right]`. */
export function onnxPads(pad: readonly number[]): number[] {
  return [pad[0]!, pad[2]!, pad[1]!, pad[3]!];
}

/** The node name: the layer's, or `<layer>/<suffix>` for a second node of it. */
export function nodeName(e: LayerExport, suffix?: string): string {
  return suffix === undefined ? e.layer.name : `${e.layer.name}/${suffix}`;
}
