import { GeometryError } from './errors.js';
import { checkNumber, type Pair, type PairLike, show, toPair } from './pair.js';

/** The size of a variable (a feature map): spatial `[height, width]` and channels, when known. */
export interface VarSize {
  readonly size: Pair;
  /** Feature channels; `undefined` when not known. */
  readonly channels: number | undefined;
}

/** A `VarSize`, or just its spatial size (channels unknown). */
export type VarSizeLike =
  | PairLike
  | { readonly size: PairLike; readonly channels?: number | undefined };

/**
 * Checks a variable size and returns it as a `VarSize`: height, width and
 * (when given) channels must be positive integers.
 *
 * `varSize(28)` is `{ size: [28, 28], channels: undefined }`.
 */
export function varSize(value: VarSizeLike): VarSize {
  return readVarSize(value, 'varSize', 'size');
}

/** Reads a `VarSizeLike` argument `argument` of the function `block`. */
export function readVarSize(value: VarSizeLike, block: string, argument: string): VarSize {
  if (typeof value === 'number' || Array.isArray(value)) {
    return { size: toPair(block, argument, value, 'positive integer'), channels: undefined };
  }
  if (typeof value !== 'object' || value === null) {
    throw new GeometryError(
      'option',
      block,
      argument,
      `${argument} must be [h, w], a number or { size, channels }, got ${show(value)}`,
    );
  }
  const like = value as { readonly size: PairLike; readonly channels?: number | undefined };
  return {
    size: toPair(block, `${argument}.size`, like.size, 'positive integer'),
    channels:
      like.channels === undefined
        ? undefined
        : checkNumber(block, `${argument}.channels`, like.channels, 'positive integer'),
  };
}
