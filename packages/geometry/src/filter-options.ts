import { GeometryError } from './errors.js';
import { type Pad4, type Pair, type PadLike, type PairLike, show, toPad4, toPair } from './pair.js';

/** A simple filter: convolution or pooling (manual §5.2). */
export interface FilterOptions {
  /** Filter or pooling window size `H' × W'`. */
  readonly size: PairLike;
  /** Subsampling stride `S`; default 1. */
  readonly stride?: PairLike;
  /** Zero padding `P`; default 0. Only top and left matter for the receptive field. */
  readonly pad?: PadLike;
  /** Dilation `D` of the filter taps; default 1. */
  readonly dilate?: PairLike;
}

/** `FilterOptions` checked and expanded. */
export interface Filter {
  /** Taps per axis, `H'`. */
  readonly size: Pair;
  /** Extent of the dilated filter, `(H' − 1)·D + 1`. */
  readonly extent: Pair;
  readonly stride: Pair;
  readonly pad: Pad4;
  readonly dilate: Pair;
}

/** Checks that `options` is an object; JavaScript callers may pass anything. */
export function checkOptions(block: string, options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GeometryError('option', block, 'options', `options must be an object, got ${show(options)}`);
  }
}

/** Reads and checks `FilterOptions` for the function `block`. */
export function readFilter(block: string, options: FilterOptions): Filter {
  checkOptions(block, options);
  const size = toPair(block, 'size', options.size, 'positive integer');
  const stride = toPair(block, 'stride', options.stride ?? 1, 'positive integer');
  const pad = toPad4(block, 'pad', options.pad ?? 0);
  const dilate = toPair(block, 'dilate', options.dilate ?? 1, 'positive integer');
  const extent: Pair = [(size[0] - 1) * dilate[0] + 1, (size[1] - 1) * dilate[1] + 1];
  return { size, extent, stride, pad, dilate };
}
