/** Test helper: max |a − b| / max |b|, the error of a float32 path against its float64 reference. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    e = Math.max(e, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return e / scale;
}
