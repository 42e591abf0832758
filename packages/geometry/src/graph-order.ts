import { GeometryError } from './errors.js';
import type { LayerGeometry } from './layer-geometry.js';
import { show } from './pair.js';
import type { VarSize, VarSizeLike } from './var-size.js';

/**
 * One layer of a DAG (DagNN) for the graph helpers: which variables it
 * reads and writes, and its geometry.
 */
export interface GraphLayer {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /**
   * One geometry for every input, or one per input. `null` marks an input
   * the outputs do not depend on spatially (the size reference of a crop, a
   * loss's labels when they should not count): it contributes no field.
   */
  readonly geometry: LayerGeometry | readonly (LayerGeometry | null)[];
  /**
   * Overrides the output sizes (a concatenation adds channels, a crop takes
   * its size from its second input, …). Gets one size per input (`undefined`
   * where unknown) and returns one per output. Without it, every output gets
   * `layerOutputSize` of the first input that has a geometry.
   */
  readonly outputSizes?: (inputSizes: readonly (VarSize | undefined)[]) => readonly (VarSizeLike | undefined)[];
}

/** The geometry of each input of `layer`, checked against its number of inputs. */
export function inputGeometries(block: string, layer: GraphLayer): readonly (LayerGeometry | null)[] {
  const { geometry, inputs } = layer;
  if (!Array.isArray(geometry)) return inputs.map(() => geometry as LayerGeometry);
  if (geometry.length !== inputs.length) {
    throw new GeometryError(
      'graph',
      block,
      'geometry',
      `layer '${layer.name}' has ${inputs.length} inputs but ${geometry.length} geometries`,
    );
  }
  return geometry;
}

function checkLayer(block: string, layer: unknown, index: number): GraphLayer {
  const l = layer as Partial<GraphLayer> | null;
  const names = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (typeof l !== 'object' || l === null || typeof l.name !== 'string' || !names(l.inputs) || !names(l.outputs)) {
    throw new GeometryError(
      'graph',
      block,
      `layers[${index}]`,
      `layers[${index}] must be { name, inputs, outputs, geometry } with string names, got ${show(layer)}`,
    );
  }
  return l as GraphLayer;
}

/**
 * The layers in an order where every layer comes after the producers of its
 * inputs (a topological order; among ready layers the given order is kept,
 * so a list already in execution order is returned as is). Throws a
 * `GeometryError` on duplicate layer names, a variable written by two
 * layers, or a cycle.
 */
export function graphOrder(layers: readonly GraphLayer[]): GraphLayer[] {
  return orderLayers(layers, 'graphOrder');
}

/** `graphOrder` for the function `block`, which its errors name. */
export function orderLayers(layers: readonly GraphLayer[], block: string): GraphLayer[] {
  if (!Array.isArray(layers)) {
    throw new GeometryError('graph', block, 'layers', `layers must be an array, got ${show(layers)}`);
  }
  const checked = layers.map((layer, i) => checkLayer(block, layer, i));
  const producer = new Map<string, GraphLayer>();
  const names = new Set<string>();
  for (const layer of checked) {
    if (names.has(layer.name)) {
      throw new GeometryError('graph', block, 'layers', `layer name '${layer.name}' is used twice`);
    }
    names.add(layer.name);
    for (const v of layer.outputs) {
      const other = producer.get(v);
      if (other !== undefined) {
        throw new GeometryError(
          'graph',
          block,
          'layers',
          `variable '${v}' is written by both layer '${other.name}' and layer '${layer.name}'`,
        );
      }
      producer.set(v, layer);
    }
  }
  const order: GraphLayer[] = [];
  const done = new Set<GraphLayer>();
  let pending = checked;
  while (pending.length > 0) {
    const ready = (layer: GraphLayer) =>
      layer.inputs.every((v) => {
        const p = producer.get(v);
        return p === undefined || done.has(p);
      });
    const next = pending.filter(ready);
    if (next.length === 0) {
      const stuck = pending.map((layer) => `'${layer.name}'`).join(', ');
      throw new GeometryError('graph', block, 'layers', `the graph has a cycle through layers ${stuck}`);
    }
    // Take ready layers one at a time, in the given order, so each sees its producers done.
    const first = next[0]!;
    order.push(first);
    done.add(first);
    pending = pending.filter((layer) => layer !== first);
  }
  return order;
}
