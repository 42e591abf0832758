import { GeometryError } from './errors.js';
import { type Filter, type FilterOptions, readFilter } from './filter-options.js';
import { axisName, type Pair, type PairLike, toPair } from './pair.js';

/** Output size of an already-checked filter; shared with `poolOutputSize`. */
export function filterOutputSize(block: string, inputSize: PairLike, filter: Filter): Pair {
  const input = toPair(block, 'inputSize', inputSize, 'positive integer');
  const axis = (i: 0 | 1): number => {
    const before = filter.pad[2 * i]!;
    const after = filter.pad[2 * i + 1]!;
    const padded = input[i] + before + after;
    const extent = filter.extent[i];
    if (padded < extent) {
      const dilated = filter.dilate[i] === 1 ? '' : ` (size ${filter.size[i]} dilated by ${filter.dilate[i]})`;
      throw new GeometryError(
        'shape',
        block,
        'inputSize',
        `${axisName(i)} input size ${input[i]} plus padding ${before} + ${after} is smaller than the filter extent ${extent}${dilated}; the output would be empty`,
      );
    }
    return Math.floor((padded - extent) / filter.stride[i]) + 1;
  };
  return [axis(0), axis(1)];
}

/**
 * Output size of a convolution (manual §4.1 and eq. 5.3, §5.2):
 *
 *     H'' = ⌊(H − H'ₑ + P⁻ + P⁺)/S⌋ + 1,   H'ₑ = (H' − 1)·D + 1
 *
 * with `H'ₑ` the extent of the dilated filter. Throws a `GeometryError` when
 * the padded input is smaller than the filter extent (the output would be
 * empty). Padding may exceed the filter size, as in `vl_nnconv`; pooling
 * forbids that (`poolOutputSize`).
 *
 * `convOutputSize(28, { size: 5 })` is `[24, 24]`.
 */
export function convOutputSize(inputSize: PairLike, options: FilterOptions): Pair {
  return filterOutputSize('convOutputSize', inputSize, readFilter('convOutputSize', options));
}
