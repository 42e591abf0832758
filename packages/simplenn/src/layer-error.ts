/**
 * Errors raised inside a layer name the layer. A block's typed error
 * (`conv: f must fit in the padded input 4×4, …`) is rethrown as the same
 * class with `simplenn` as the block and the layer in front:
 * `simplenn: layers[2] (conv2, conv): conv: f must fit in the padded input 4×4, …`.
 * The original error is kept as `cause`. Other errors pass unchanged.
 */
import { BackendError, DisposedError, OptionError, ShapeError, ValueError } from '@convnet-ts/tensor';
import type { Layer } from './layer-types.js';

/** `layers[i] (name, type)`, how messages name a layer. */
export function layerLabel(layer: Layer, i: number): string {
  return `layers[${i}] (${layer.name}, ${layer.type})`;
}

function relabel(block: string, where: string, e: unknown): unknown {
  const wrap = (err: Error): Error => Object.defineProperty(err, 'cause', { value: e, enumerable: false });
  if (!(e instanceof Error)) return e;
  const message = `${where}: ${e.message}`;
  if (e instanceof ShapeError) return wrap(new ShapeError(block, e.argument ?? where, message));
  if (e instanceof OptionError) return wrap(new OptionError(block, e.argument ?? where, message));
  if (e instanceof ValueError) return wrap(new ValueError(block, e.argument ?? where, message));
  if (e instanceof BackendError) return wrap(new BackendError(block, e.argument, message));
  if (e instanceof DisposedError) return wrap(new DisposedError(block, e.argument, message));
  return e;
}

/** Runs `fn`, naming the layer `where` in any typed error it throws. */
export function inLayer<T>(block: string, where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw relabel(block, where, e);
  }
}
