import { filterOutputSize } from './conv-output-size.js';
import { GeometryError } from './errors.js';
import { readFilter } from './filter-options.js';
import type { Pad4, PadLike, Pair, PairLike } from './pair.js';

/** A MatConvNet pooling window (`vl_nnpool`): no dilation. */
export interface PoolOptions {
  /** Pooling window size `H' × W'`. */
  readonly size: PairLike;
  /** Stride `S`; default 1. */
  readonly stride?: PairLike;
  /** Padding `[top, bottom, left, right]` or shorter; default 0. Each side must be smaller than the window. */
  readonly pad?: PadLike;
}

const SIDES = ['top', 'bottom', 'left', 'right'] as const;

/**
 * Checks that every side of `pad` is smaller than the window along its axis,
 * as `vl_nnpool` requires (otherwise a window could fall entirely in the
 * padding). Used by `poolOutputSize` and the chain helpers.
 */
export function checkPoolPad(block: string, size: Pair, pad: Pad4): void {
  pad.forEach((p, side) => {
    const window = size[side < 2 ? 0 : 1];
    if (p >= window) {
      throw new GeometryError(
        'option',
        block,
        'pad',
        `pad ${p} (${SIDES[side]}) must be smaller than size ${window}`,
      );
    }
  });
}

/**
 * Output size of MatConvNet pooling: the filter formula of §5.2 (eq. 5.3),
 *
 *     H'' = ⌊(H − H' + P⁻ + P⁺)/S⌋ + 1,
 *
 * plus `vl_nnpool`'s rule that padding is smaller than the window. For
 * Caffe's ceil-mode pooling see `caffePoolOutputSize`.
 */
export function poolOutputSize(inputSize: PairLike, options: PoolOptions): Pair {
  const block = 'poolOutputSize';
  const filter = readFilter(block, { ...options, dilate: 1 });
  checkPoolPad(block, filter.size, filter.pad);
  return filterOutputSize(block, inputSize, filter);
}
