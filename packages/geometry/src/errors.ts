/**
 * The one error type of `@convnet-ts/geometry`.
 *
 * Messages name the function, the argument, what was expected and what was
 * given: `poolOutputSize: pad 3 must be smaller than size 3`.
 *
 * The error carries the `Symbol.for('convnet-ts.error')` marker shared by
 * every convnet-ts package (so `isConvnetError` from `@convnet-ts/tensor`
 * recognises it) and a geometry-specific marker, so `isGeometryError` works
 * across two installed copies of this package, where `instanceof` fails.
 * This package has no dependencies, so it does not extend `ConvnetError`; it
 * mirrors its fields (`code`, `block`, `argument`).
 */
const ERROR_MARKER = Symbol.for('convnet-ts.error');
const GEOMETRY_MARKER = Symbol.for('convnet-ts.geometry.error');

/**
 * `option`: a parameter is out of range (non-positive size, pad ≥ size, …).
 * `shape`: the parameters are fine but the data does not fit (empty output).
 * `graph`: a chain or graph description is inconsistent (cycle, unknown variable, …).
 */
export type GeometryErrorCode = 'option' | 'shape' | 'graph';

export class GeometryError extends Error {
  readonly [ERROR_MARKER] = true;
  readonly [GEOMETRY_MARKER] = true;
  /** What kind of mistake this is. */
  readonly code: GeometryErrorCode;
  /** The function that rejected its input (`convOutputSize`, `filterField`, …). */
  readonly block: string;
  /** The argument at fault (`pad`, `stride`, `inputSize`, …), when there is one. */
  readonly argument: string | undefined;

  constructor(
    code: GeometryErrorCode,
    block: string,
    argument: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${block}: ${message}`, options);
    this.name = 'GeometryError';
    this.code = code;
    this.block = block;
    this.argument = argument;
  }
}

/** True for a `GeometryError`, even one thrown by another copy of this package. */
export function isGeometryError(value: unknown): value is GeometryError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [GEOMETRY_MARKER]?: unknown })[GEOMETRY_MARKER] === true
  );
}
