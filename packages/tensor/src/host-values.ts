/**
 * Host copies of small tensors made from host values, so that blocks can
 * check labels, ROIs and instance weights on backends that cannot read
 * synchronously (WebGPU; issue 13, item 3). A backend without `readSync`
 * calls `rememberHostValues` in `tensor(values, shape)` with the copy it
 * uploads; tensors of at most `HOST_VALUES_LIMIT` elements keep it (a weak
 * reference from the tensor: at most 4 MiB of host memory per float32 tensor,
 * freed with the tensor). Tensors computed on the device have no host copy.
 */
import type { Tensor } from './tensor.js';

/** The most elements whose host copy is kept: 2^20 (4 MiB of float32). */
export const HOST_VALUES_LIMIT = 2 ** 20;

const copies = new WeakMap<Tensor, ArrayLike<number>>();

/** Keeps `values` (not copied; never written afterwards) as `t`'s host copy, if `t` is small enough. */
export function rememberHostValues(t: Tensor, values: ArrayLike<number>): void {
  if (values.length <= HOST_VALUES_LIMIT) copies.set(t, values);
}

/** Drops `t`'s host copy (its backend's `release`). */
export function forgetHostValues(t: Tensor): void {
  copies.delete(t);
}

/**
 * `t`'s values read without a round trip to a device: `readSync` where the
 * backend has it, else the host copy kept when `t` was made from host values,
 * else undefined (the values exist only on the device).
 */
export function hostValues(t: Tensor): ArrayLike<number> | undefined {
  return t.backend.readSync ? t.backend.readSync(t) : copies.get(t);
}
