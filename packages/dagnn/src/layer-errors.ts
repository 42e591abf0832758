/**
 * Errors thrown inside a layer, re-thrown naming the layer, its class and
 * its variables, with the same error class (so `instanceof ShapeError` still
 * works): `DagNN.eval: layer 'conv2' (Conv, inputs 'x1'): conv: f depth …`.
 */
import {
  BackendError,
  type ConvnetError,
  DisposedError,
  isConvnetError,
  OptionError,
  ShapeError,
  ValueError,
} from '@convnet-ts/tensor';
import type { DagLayer } from './structure.js';

type Ctor = new (block: string, argument: string, message: string) => ConvnetError;
const CLASSES: Record<string, Ctor> = { shape: ShapeError, option: OptionError, value: ValueError, backend: BackendError, disposed: DisposedError };

/** Describes a layer for messages: `layer 'conv2' (Conv, inputs 'x1')`. */
export function describeLayer(l: DagLayer): string {
  return `layer '${l.name}' (${l.block.type}, inputs ${l.inputs.map((v) => `'${v}'`).join(', ')})`;
}

/** Runs `fn`, re-throwing convnet-ts errors with the layer named. */
export function inLayer<T>(where: string, l: DagLayer, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!isConvnetError(e)) throw e;
    const C = CLASSES[e.code] ?? ValueError;
    throw new C(where, e.argument ?? 'layer', `${describeLayer(l)}: ${e.message}`);
  }
}
