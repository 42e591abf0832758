import { GeometryError } from './errors.js';
import { type Field, type FieldLike, NO_FIELD, type ReceptiveField, toField } from './field.js';

/** Strides agree when they differ by no more than this fraction (fractional strides carry rounding). */
const STRIDE_TOLERANCE = 1e-9;

function sameStride(a: number, b: number): boolean {
  return Math.abs(a - b) <= STRIDE_TOLERANCE * Math.max(a, b);
}

/**
 * The receptive field of a block's output that depends on the same input
 * along several paths (a sum, a concatenation along channels, a residual
 * connection), manual §5.6. The fields are *compatible* only if their strides
 * agree; then the result is the smallest sliding window enclosing them all:
 *
 *     a = min_k (β_k − (Δ_k − 1)/2),   b = max_k (β_k + (Δ_k − 1)/2),
 *     α = α_k,   β = (a + b)/2,   Δ = b − a + 1.
 *
 * Decision: incompatible strides are not an error but `NO_FIELD` (as
 * MatConvNet's `NaN`): a network may legally combine paths of different
 * strides, it simply has no single receptive field. Any `NO_FIELD` argument
 * also gives `NO_FIELD`. Strides are compared with a relative tolerance of
 * 1e-9, since strides below 1 are not exact in floating point. At least one
 * field is required.
 */
export function overlay(...fields: readonly FieldLike[]): Field {
  if (fields.length === 0) {
    throw new GeometryError('option', 'overlay', 'fields', 'fields must hold at least one field, got none');
  }
  const checked = fields.map((field) => toField(field, 'overlay'));
  if (checked.includes(NO_FIELD)) return NO_FIELD;
  const real = checked as ReceptiveField[];
  const first = real[0]!;
  const axis = (i: 0 | 1) => {
    let a = Number.POSITIVE_INFINITY;
    let b = Number.NEGATIVE_INFINITY;
    for (const f of real) {
      if (!sameStride(f.stride[i], first.stride[i])) return undefined;
      a = Math.min(a, f.offset[i] - (f.size[i] - 1) / 2);
      b = Math.max(b, f.offset[i] + (f.size[i] - 1) / 2);
    }
    return { offset: (a + b) / 2, size: b - a + 1 };
  };
  const h = axis(0);
  const w = axis(1);
  if (h === undefined || w === undefined) return NO_FIELD;
  return { size: [h.size, w.size], stride: first.stride, offset: [h.offset, w.offset] };
}
