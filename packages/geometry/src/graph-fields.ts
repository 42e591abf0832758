import { compose } from './compose.js';
import { withContext } from './context.js';
import { GeometryError } from './errors.js';
import { type Field, identityField } from './field.js';
import { type GraphLayer, inputGeometries, orderLayers } from './graph-order.js';
import { layerField } from './layer-geometry.js';
import { overlay } from './overlay.js';
import { show } from './pair.js';

/**
 * The receptive field on variable `input` of every variable that depends on
 * it (MatConvNet's `DagNN.getVarReceptiveFields`, api §4): `input` itself
 * gets the identity field; then, in topological order, each layer's output
 * gets, for each input that depends on `input`, the input's field composed
 * with the layer's (manual §5.5), all overlaid (§5.6) with what the output
 * already has. Incompatible strides or a layer without a field give
 * `NO_FIELD` (MatConvNet's `NaN`).
 *
 * Variables that do not depend on `input` (MatConvNet's empty field) are
 * left out of the map, so `map.get(v) === undefined` means "independent".
 */
export function graphReceptiveFields(layers: readonly GraphLayer[], input: string): Map<string, Field> {
  const block = 'graphReceptiveFields';
  const order = orderLayers(layers, block);
  const known = order.some((layer) => layer.inputs.includes(input) || layer.outputs.includes(input));
  if (typeof input !== 'string' || !known) {
    throw new GeometryError('graph', block, 'input', `input ${show(input)} is not a variable of the graph`);
  }
  const fields = new Map<string, Field>([[input, identityField()]]);
  for (const layer of order) {
    const where = `layer '${layer.name}'`;
    const geometries = inputGeometries(block, layer);
    const paths: Field[] = [];
    layer.inputs.forEach((v, i) => {
      const before = fields.get(v);
      const geometry = geometries[i];
      if (before === undefined || geometry === null || geometry === undefined) return;
      paths.push(compose(before, withContext(block, 'layers', where, () => layerField(geometry))));
    });
    if (paths.length === 0) continue;
    for (const v of layer.outputs) {
      const existing = fields.get(v);
      const all: Field[] = existing === undefined ? paths : [...paths, existing];
      fields.set(v, overlay(...all));
    }
  }
  return fields;
}
