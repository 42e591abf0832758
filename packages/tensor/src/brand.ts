/**
 * Tensor identity across installs. Every `Tensor` carries a `Symbol.for`
 * brand whose value is the version of the @convnet-ts/tensor that made it,
 * so a value that fails `instanceof Tensor` but has the brand is a tensor
 * from a second installed copy of this package (two versions, or one version
 * installed twice); `isTensor` then throws an error that says so instead of
 * letting a caller report "x must be a Tensor".
 */
import { BackendError } from './errors.js';
import { TENSOR_BRAND, VERSION } from './identity.js';
import { Tensor } from './tensor.js';

/** The version of the @convnet-ts/tensor that made `value`, or undefined when it is not a tensor of any copy. */
export function tensorBrand(value: unknown): string | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  const brand = (value as { [TENSOR_BRAND]?: unknown })[TENSOR_BRAND];
  return typeof brand === 'string' ? brand : undefined;
}

/**
 * True when `value` is a `Tensor` of this copy of @convnet-ts/tensor, false
 * when it is no tensor at all. A tensor made by another installed copy throws
 * a `BackendError` naming both versions and the fix, since this copy's
 * blocks and backends cannot use it. `where` and `argument` name the caller
 * in that error (`conv`, `x`).
 */
export function isTensor(value: unknown, where = 'isTensor', argument?: string): value is Tensor {
  if (value instanceof Tensor) return true;
  const other = tensorBrand(value);
  if (other === undefined) return false;
  throw new BackendError(
    where,
    argument,
    `${argument ?? 'the value'} is a Tensor of another copy of @convnet-ts/tensor: two copies of @convnet-ts/tensor (${VERSION} and ${other}) are installed. ` +
      'Every @convnet-ts package must share one: run `npm ls @convnet-ts/tensor`, then align the versions of the @convnet-ts packages and `npm dedupe`',
  );
}
