import { OptionError, ShapeError } from './errors.js';
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
