/**
 * Which tensors a network made (layer outputs, derivatives, parameter
 * values) and may therefore dispose; tensors a caller passed in (inputs,
 * output derivatives) are never disposed by the network.
 */
import type { Tensor } from '@convnet-ts/tensor';

const owned = new WeakSet<Tensor>();

/** Marks `t` as the network's; returns it. */
export function own<T extends Tensor | null>(t: T): T {
  if (t) owned.add(t);
  return t;
}

/** Disposes `t` if the network made it. */
export function release(t: unknown): void {
  if (t && typeof t === 'object' && owned.has(t as Tensor)) {
    owned.delete(t as Tensor);
    (t as Tensor).dispose();
  }
}
