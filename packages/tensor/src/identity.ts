/**
 * This copy's identity: its version, as in package.json (kept equal by
 * `scripts/sync-versions.mjs`, which the root `version-packages` script runs
 * after `changeset version`, and checked by `brand.test.ts`), and the
 * `Symbol.for` key under which every `Tensor` carries it — the same symbol in
 * every installed copy of the package.
 */
export const VERSION = '0.1.0';

export const TENSOR_BRAND: unique symbol = Symbol.for('@convnet-ts/tensor.Tensor');
