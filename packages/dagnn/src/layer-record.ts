/**
 * The checks a layer record must pass before it enters a `DagNN`
 * (`addLayer`, `setLayerInputs`/`Outputs`/`Params`): a `Layer` instance, the
 * number of inputs, outputs and parameters its class takes, and no output
 * that is also one of its inputs. The graph-wide checks (one producer per
 * variable, no cycle, shared parameter shapes) follow in `DagNN`'s commit.
 */
import { OptionError, ValueError } from '@convnet-ts/tensor';
import { Layer } from './layer.js';
import type { DagLayer } from './structure.js';

/** A name or a list of names, as a fresh array; throws unless every name is a non-empty string. */
export function nameList(v: string | readonly string[], where: string, what: string): string[] {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? [...v] : null;
  if (!list?.every((n) => typeof n === 'string' && n !== '')) {
    throw new OptionError(where, what, `${what} must be a name or an array of non-empty names, got ${JSON.stringify(v)}`);
  }
  return list;
}

/** Throws unless `layer` fits its block (see the file's doc comment). */
export function checkLayerRecord(layer: DagLayer, where: string): void {
  const { name, block } = layer;
  if (!(block instanceof Layer)) throw new OptionError(where, 'layer', `layer '${name}' must be a Layer instance, got ${typeof block}`);
  const [lo, hi] = block.numInputs;
  const count = (what: string, got: number, expected: string) =>
    new OptionError(where, what, `layer '${name}' (${block.type}) must have ${expected} ${what}, got ${got}`);
  if (layer.inputs.length < lo || layer.inputs.length > hi) throw count('inputs', layer.inputs.length, lo === hi ? `${lo}` : `${lo} to ${hi}`);
  if (layer.outputs.length !== block.numOutputs) throw count('outputs', layer.outputs.length, `${block.numOutputs}`);
  const roles = block.paramNames();
  if (layer.params.length !== roles.length) throw count('params', layer.params.length, `${roles.length} (${roles.join(', ') || 'none'})`);
  for (const v of layer.outputs) {
    if (layer.inputs.includes(v)) throw new ValueError(where, 'outputs', `layer '${name}' must not write its own input, got '${v}' in both`);
  }
}
