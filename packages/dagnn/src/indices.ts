/**
 * MatConvNet's `getLayerIndex`, `getVarIndex`, `getParamIndex` (DagNN.m
 * lines 176-261): the position of a name, or of each name of a list.
 *
 * Decision: positions are 0-based and an absent name gives -1 (JavaScript's
 * `indexOf`), where MatConvNet gives 1-based indices and NaN. A layer index
 * indexes `net.layers`; a variable or parameter index is the position in
 * `net.vars` / `net.params` iteration order (`[...net.vars.values()][i]`),
 * MatConvNet's order of first use. Like MatConvNet's, indices hold until
 * the network is edited.
 */
import { OptionError } from '@convnet-ts/tensor';

export function indexOf(names: readonly string[], name: string | readonly string[], where: string): number | number[] {
  if (typeof name === 'string') return names.indexOf(name);
  if (Array.isArray(name) && name.every((n) => typeof n === 'string')) return name.map((n) => names.indexOf(n));
  throw new OptionError(where, 'name', `name must be a string or an array of strings, got ${JSON.stringify(name)}`);
}
