/**
 * Comparison of two runs of the smoke chain, field by field. The error of a
 * field is scale-relative: `max_i |a_i − b_i| / max(max_i |b_i|, 1e-30)`,
 * so a field of tiny derivatives is judged against its own size, not 1.
 */
import type { ChainValues } from './smoke-chain.js';

export interface FieldError {
  field: keyof ChainValues;
  length: number;
  error: number;
}

/** The error of each field of `got` against `want`; lengths must agree (a length mismatch is an infinite error). */
export function compareValues(got: ChainValues, want: ChainValues): FieldError[] {
  return (Object.keys(want) as (keyof ChainValues)[]).map((field) => {
    const a = got[field];
    const b = want[field];
    if (a.length !== b.length || b.length === 0) return { field, length: b.length, error: Number.POSITIVE_INFINITY };
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < b.length; i++) {
      diff = Math.max(diff, Math.abs((a[i] ?? Number.NaN) - (b[i] ?? Number.NaN)));
      scale = Math.max(scale, Math.abs(b[i] ?? 0));
    }
    return { field, length: b.length, error: Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff / Math.max(scale, 1e-30) };
  });
}

/** `'dzdx 2.1e-3 > 1e-4, …'` for the fields over `tolerance`, or '' when all pass. */
export function describeFailures(errors: readonly FieldError[], tolerance: number): string {
  return errors
    .filter((e) => !(e.error <= tolerance))
    .map((e) => `${e.field} ${e.error.toExponential(2)} > ${tolerance}`)
    .join(', ');
}
