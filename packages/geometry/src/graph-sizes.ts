import { withContext } from './context.js';
import { GeometryError } from './errors.js';
import { type GraphLayer, inputGeometries, orderLayers } from './graph-order.js';
import { layerOutputSize } from './layer-geometry.js';
import { show } from './pair.js';
import { readVarSize, type VarSize, type VarSizeLike } from './var-size.js';

/** Sizes from `layer.outputSizes`, checked: one per output. */
function overridden(block: string, layer: GraphLayer, ins: readonly (VarSize | undefined)[]): (VarSize | undefined)[] {
  const where = `layer '${layer.name}'`;
  const given = withContext(block, 'layers', where, () => layer.outputSizes?.(ins));
  if (!Array.isArray(given) || given.length !== layer.outputs.length) {
    throw new GeometryError(
      'graph',
      block,
      'outputSizes',
      `${where}: outputSizes() must return one size per output (${layer.outputs.length}), got ${show(given)}`,
    );
  }
  return given.map((s, j) => (s === undefined ? undefined : readVarSize(s, block, `${layer.name}.outputSizes()[${j}]`)));
}

/** Every output gets `layerOutputSize` of the first input that has a geometry. */
function defaultSizes(block: string, layer: GraphLayer, ins: readonly (VarSize | undefined)[]): (VarSize | undefined)[] {
  const geometries = inputGeometries(block, layer);
  const i = geometries.findIndex((g) => g !== null);
  const geometry = geometries[i];
  const input = ins[i];
  const out =
    geometry && input
      ? withContext(block, 'layers', `layer '${layer.name}'`, () => layerOutputSize(geometry, input))
      : undefined;
  return layer.outputs.map(() => out);
}

/**
 * The size of every variable of a DAG (MatConvNet's `DagNN.getVarSizes`),
 * given the sizes of some input variables: layers are visited in
 * topological order, and each output gets `layer.outputSizes(inputSizes)`
 * when the layer has it, else `layerOutputSize` of its first input with a
 * geometry. Variables whose size cannot be known are left out of the map.
 * A layer whose output would be empty throws a `GeometryError` naming it.
 */
export function graphSizes(
  layers: readonly GraphLayer[],
  inputSizes: Readonly<Record<string, VarSizeLike>>,
): Map<string, VarSize> {
  const block = 'graphSizes';
  const order = orderLayers(layers, block);
  if (typeof inputSizes !== 'object' || inputSizes === null) {
    throw new GeometryError('graph', block, 'inputSizes', `inputSizes must be an object, got ${show(inputSizes)}`);
  }
  const sizes = new Map<string, VarSize>();
  for (const [name, size] of Object.entries(inputSizes)) {
    const known = order.some((layer) => layer.inputs.includes(name) || layer.outputs.includes(name));
    if (!known) {
      throw new GeometryError('graph', block, 'inputSizes', `inputSizes names '${name}', which is not a variable of the graph`);
    }
    sizes.set(name, readVarSize(size, block, `inputSizes.${name}`));
  }
  for (const layer of order) {
    const ins = layer.inputs.map((v) => sizes.get(v));
    const outs = layer.outputSizes === undefined ? defaultSizes(block, layer, ins) : overridden(block, layer, ins);
    layer.outputs.forEach((v, j) => {
      const s = outs[j];
      if (s !== undefined) sizes.set(v, s);
    });
  }
  return sizes;
}
