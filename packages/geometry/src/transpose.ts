import { type Field, type FieldLike, NO_FIELD, toField } from './field.js';

/**
 * The receptive field of the transpose of a block (manual §5.4): if `f` has
 * field (α, β, Δ) and `g` is its transpose (as convolution transpose is of
 * convolution), then `g` has
 *
 *     α̂ = 1/α,   β̂ = (1 + α − β)/α,   Δ̂ = (Δ + α − 1)/α.
 *
 * (The manual's intermediate inequality has `2α` in one denominator where it
 * means 2; the result above is the one it states and MatConvNet uses.)
 * Transposing twice gives the field back; `transpose(NO_FIELD)` is `NO_FIELD`.
 */
export function transpose(field: FieldLike): Field {
  const f = toField(field, 'transpose');
  if (f === NO_FIELD) return NO_FIELD;
  const axis = (a: number, b: number, d: number) => ({
    stride: 1 / a,
    offset: (1 + a - b) / a,
    // (Δ + α − 1)/α written so that rounding never takes a size below 1.
    size: (d - 1) / a + 1,
  });
  const h = axis(f.stride[0], f.offset[0], f.size[0]);
  const w = axis(f.stride[1], f.offset[1], f.size[1]);
  return { size: [h.size, w.size], stride: [h.stride, w.stride], offset: [h.offset, w.offset] };
}
