import { BackendError, OptionError, ShapeError } from './errors.js';
import { formatShape, type Shape, sizeOf } from './shape.js';

/**
 * A short description of any value for error messages: strings quoted
 * (`'1'`, so a string never reads as a number), arrays element by element,
 * objects by their class (`Object`, `Float32Array`), the rest as `String`.
 */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return String(value);
}

/**
 * Throws a `ShapeError` unless `values` is an array of numbers or a typed
 * array holding exactly `sizeOf(shape)` of them (NaN and ±∞ are numbers).
 * Every backend's `tensor(values, shape)` calls it.
 */
export function checkValues(block: string, values: ArrayLike<number>, shape: Shape): void {
  const isTyped = ArrayBuffer.isView(values) && !(values instanceof DataView);
  if (!isTyped && !Array.isArray(values)) {
    throw new ShapeError(block, 'values', `values must be an array or a typed array of numbers, got ${describeValue(values)}`);
  }
  if (values.length !== sizeOf(shape)) {
    throw new ShapeError(block, 'values', `expected ${sizeOf(shape)} values for shape ${formatShape(shape)}, got ${values.length}`);
  }
  if (isTyped) return;
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number') {
      throw new ShapeError(block, 'values', `values must be numbers, got ${describeValue(values[i])} at index ${i}`);
    }
  }
}

/** Throws an `OptionError` unless `value` is a number (NaN and ±∞ included): `fill`'s value. */
export function checkNumber(block: string, argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new OptionError(block, argument, `${argument} must be a number, got ${describeValue(value)}`);
}

/**
 * The most elements a CPU tensor may have: 2^31 − 1, the largest length every
 * JavaScript engine gives a typed array and the range of the 32-bit indices
 * the CPU kernels use (pooling's Int32Array index tables, WebAssembly's
 * 32-bit addresses).
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/**
 * Throws a `BackendError` before anything is allocated when a tensor `what`
 * of `elements` elements of `bytesPerElement` bytes needs more than
 * `limitBytes` (`limitName` says whose limit):
 * `conv: y [1, 65537, 65537, 1] of at most 17179869176 bytes expected (the cpu float64 backend's largest tensor), got 34360786952 bytes (4295098369 elements × 8)`.
 * Every backend's allocation and the blocks that size outputs from options (conv, convt, pool) call it.
 */
export function checkAllocation(block: string, what: string, elements: number, bytesPerElement: number, limitBytes: number, limitName: string): void {
  const bytes = elements * bytesPerElement;
  if (!(bytes <= limitBytes)) {
    throw new BackendError(block, what, `${what} of at most ${limitBytes} bytes expected (${limitName}), got ${bytes} bytes (${elements} elements × ${bytesPerElement})`);
  }
}
