/**
 * `softmax` — softmax over channels (MatConvNet `vl_nnsoftmax`, manual
 * §4.6.4; derivative §6.6.4), at every pixel of x `[N, H, W, C]`:
 *
 *   y_k = e^(x_k − m) / Σ_t e^(x_t − m),   m = max_t x_t,
 *   dz/dx_d = y_d (dz/dy_d − Σ_k dz/dy_k y_k).
 *
 * Subtracting the maximum (§6.6.4) leaves y unchanged and keeps every
 * exponent ≤ 0, so scores such as ±1000 give exact 0s and 1s instead of
 * NaN. Special values, on every backend: a row whose maximum is not finite
 * (a NaN, a +∞, or all −∞) is NaN everywhere, as the formula gives
 * (∞ − ∞); a −∞ score has probability 0. Takes no options, as in MatConvNet. The backward mode takes x
 * (MatConvNet's `vl_nnsoftmax(X, DY)`) and recomputes y from it.
 */
import { OptionError, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectRank, expectShape } from './checks.js';
import { checkOptionNames } from './options.js';

/** softmax has no options; the parameter exists so that a misspelt option is an error, not ignored. */
export type SoftmaxOptions = Record<string, never>;

/** Softmax over the channels (last axis) of x `[N, H, W, C]`, max-subtracted. */
export function softmax(x: Tensor, opts: SoftmaxOptions = {}): Tensor {
  checkNoOptions('softmax', opts);
  const backend = backendOf('softmax', { x });
  expectRank('softmax', 'x', x, 4);
  return backend.run('Softmax', { x }, {});
}

/** Derivative of `softmax` with respect to x, projected onto `dzdy` (the shape of x). */
export function softmaxBackward(x: Tensor, dzdy: Tensor, opts: SoftmaxOptions = {}): Tensor {
  checkNoOptions('softmaxBackward', opts);
  const backend = backendOf('softmaxBackward', { x, dzdy });
  expectRank('softmaxBackward', 'x', x, 4);
  expectShape('softmaxBackward', 'dzdy', dzdy, x.shape, 'the shape of x');
  return backend.run('SoftmaxBackward', { x, dy: dzdy }, {});
}

/** Rejects any option name (via checkOptionNames for a non-object). */
function checkNoOptions(block: string, opts: object | undefined): void {
  if (opts !== null && typeof opts === 'object' && !Array.isArray(opts)) {
    const name = Object.keys(opts)[0];
    if (name !== undefined) throw new OptionError(block, name, `unknown option '${name}'; ${block} takes no options`);
  }
  checkOptionNames(block, opts, []);
}
