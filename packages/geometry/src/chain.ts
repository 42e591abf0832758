import { compose } from './compose.js';
import { withContext } from './context.js';
import { GeometryError } from './errors.js';
import { type Field, identityField } from './field.js';
import { type LayerGeometry, layerField, layerOutputSize } from './layer-geometry.js';
import { show } from './pair.js';
import { readVarSize, type VarSize, type VarSizeLike } from './var-size.js';

/** The geometry of one variable of a chain, with respect to the chain's input. */
export interface ChainVar {
  /** Receptive field on the input (manual §5.5); `NO_FIELD` after a layer that has none. */
  readonly field: Field;
  /** Size, when an input size was given and every layer so far has a known output size. */
  readonly size: VarSize | undefined;
}

/**
 * Receptive fields and sizes of every variable of a chain of layers
 * (SimpleNN): entry 0 is the input (identity field), entry `l + 1` the
 * output of `layers[l]`. Fields compose in data-flow order (manual §5.5);
 * sizes follow `layerOutputSize`. Unlike `vl_simplenn_display`, convolution
 * transpose gets its own size formula (§5.3) rather than the filter one.
 *
 * An impossible layer (empty output, pad ≥ pool size, …) throws a
 * `GeometryError` naming the layer: `chainGeometry: layers[2] (pool): …`.
 */
export function chainGeometry(layers: readonly LayerGeometry[], inputSize?: VarSizeLike): ChainVar[] {
  const block = 'chainGeometry';
  if (!Array.isArray(layers)) {
    throw new GeometryError('option', block, 'layers', `layers must be an array of layer geometries, got ${show(layers)}`);
  }
  let field: Field = identityField();
  let size = inputSize === undefined ? undefined : readVarSize(inputSize, block, 'inputSize');
  const vars: ChainVar[] = [{ field, size }];
  layers.forEach((layer, l) => {
    const kind = layer?.kind;
    const where = `layers[${l}] (${typeof kind === 'string' ? kind : show(kind)})`;
    const argument = `layers[${l}]`;
    field = compose(field, withContext(block, argument, where, () => layerField(layer)));
    const input = size;
    size = input === undefined ? undefined : withContext(block, argument, where, () => layerOutputSize(layer, input));
    vars.push({ field, size });
  });
  return vars;
}
