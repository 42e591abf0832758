/**
 * `sigmoid` — the logistic function (MatConvNet `vl_nnsigmoid`, manual §4.4;
 * derivative §6.4.2), element-wise on a tensor of any shape:
 *
 *   y = σ(x) = 1 / (1 + e^−x),   dz/dx = dz/dy ⊙ y ⊙ (1 − y).
 *
 * Takes no options, as in MatConvNet. Very negative x gives y = 0 and very
 * positive x gives y = 1 (never NaN); σ(NaN) = NaN, on every backend. The backward mode takes x (MatConvNet's
 * `vl_nnsigmoid(X, DY)`) and recomputes y from it.
 */
import { OptionError, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectShape } from './checks.js';
import { checkOptionNames } from './options.js';

/** sigmoid has no options; the parameter exists so that a misspelt option is an error, not ignored. */
export type SigmoidOptions = Record<string, never>;

/** The logistic sigmoid `1 / (1 + e^−x)`, element-wise. */
export function sigmoid(x: Tensor, opts: SigmoidOptions = {}): Tensor {
  checkNoOptions('sigmoid', opts);
  const backend = backendOf('sigmoid', { x });
  return backend.run('Sigmoid', { x }, {});
}

/** Derivative of `sigmoid` with respect to x, projected onto `dzdy` (the shape of x). */
export function sigmoidBackward(x: Tensor, dzdy: Tensor, opts: SigmoidOptions = {}): Tensor {
  checkNoOptions('sigmoidBackward', opts);
  const backend = backendOf('sigmoidBackward', { x, dzdy });
  expectShape('sigmoidBackward', 'dzdy', dzdy, x.shape, 'the shape of x');
  return backend.run('SigmoidBackward', { x, dy: dzdy }, {});
}

/** Rejects any option name (via checkOptionNames for a non-object). */
function checkNoOptions(block: string, opts: object | undefined): void {
  if (opts !== null && typeof opts === 'object' && !Array.isArray(opts)) {
    const name = Object.keys(opts)[0];
    if (name !== undefined) throw new OptionError(block, name, `unknown option '${name}'; ${block} takes no options`);
  }
  checkOptionNames(block, opts, []);
}
