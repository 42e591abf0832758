import type { ReceptiveField } from './field.js';
import { type FilterOptions, readFilter } from './filter-options.js';

/**
 * The receptive field of a simple filter — convolution, pooling, LRN, … —
 * (manual §5.2):
 *
 *     α = S,   β = (H' + 1)/2 − P⁻,   Δ = H'
 *
 * where `S` is the stride, `P⁻` the top (left) padding and `H'` the filter
 * size. With dilation `D`, `H'` is replaced by the dilated extent
 * `(H' − 1)·D + 1`, as in MatConvNet's `dagnn.Filter.getReceptiveFields`.
 * The bottom and right padding do not move the field; they only change the
 * output size (see `convOutputSize`).
 *
 * `filterField({ size: 5 })` is `{ size: [5, 5], stride: [1, 1], offset: [3, 3] }`.
 */
export function filterField(options: FilterOptions): ReceptiveField {
  const { extent, stride, pad } = readFilter('filterField', options);
  return {
    size: extent,
    stride,
    offset: [(extent[0] + 1) / 2 - pad[0], (extent[1] + 1) / 2 - pad[2]],
  };
}
