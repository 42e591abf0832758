/**
 * Typed errors shared by every convnet-ts package.
 *
 * Messages name the block (or function), the argument, what was expected and
 * what was given: `conv: filter depth 4 does not divide input channels 6`.
 * Each error carries a `Symbol.for` marker so `isConvnetError` works across
 * two installed copies of the package.
 */
const MARKER = Symbol.for('convnet-ts.error');

export type ConvnetErrorCode = 'shape' | 'option' | 'value' | 'backend' | 'disposed' | 'device';

export class ConvnetError extends Error {
  readonly [MARKER] = true;
  /** What kind of mistake this is. */
  readonly code: ConvnetErrorCode;
  /** The block, kernel or function that rejected its input (`conv`, `pool`, …). */
  readonly block: string;
  /** The argument at fault (`x`, `f`, `pad`, …), when there is one. */
  readonly argument: string | undefined;

  constructor(code: ConvnetErrorCode, block: string, argument: string | undefined, message: string) {
    super(`${block}: ${message}`);
    this.name = new.target.name;
    this.code = code;
    this.block = block;
    this.argument = argument;
  }
}

/** A tensor has the wrong rank or sizes, or two tensors disagree. */
export class ShapeError extends ConvnetError {
  constructor(block: string, argument: string, message: string) {
    super('shape', block, argument, message);
  }
}

/** An option is unknown, of the wrong type, or out of range. */
export class OptionError extends ConvnetError {
  constructor(block: string, argument: string, message: string) {
    super('option', block, argument, message);
  }
}

/** A tensor's values are invalid (labels out of range, non-integer indices, …). */
export class ValueError extends ConvnetError {
  constructor(block: string, argument: string, message: string) {
    super('value', block, argument, message);
  }
}

/** Tensors from two different backends met in one call, or a backend lacks something. */
export class BackendError extends ConvnetError {
  constructor(block: string, argument: string | undefined, message: string) {
    super('backend', block, argument, message);
  }
}

/** A tensor was used after `dispose()`. */
export class DisposedError extends ConvnetError {
  constructor(block: string, argument: string | undefined, message: string) {
    super('disposed', block, argument, message);
  }
}

/** A compute device failed: out of memory, lost, shader compilation. */
export class DeviceError extends ConvnetError {
  constructor(block: string, message: string) {
    super('device', block, undefined, message);
  }
}

/** True for any convnet-ts error, even one thrown by another copy of this package. */
export function isConvnetError(value: unknown): value is ConvnetError {
  return typeof value === 'object' && value !== null && (value as { [MARKER]?: unknown })[MARKER] === true;
}
