import { stridesOf, type Shape } from '@convnet-ts/tensor';

/**
 * WGSL that splits the row-major index `i` of a rank-`rank` tensor whose
 * sizes are the uniforms `n0 … n{rank−1}` into coordinates `c0 … c{rank−1}`
 * (innermost first). Text depends on the rank only, never on sizes.
 */
export function splitIndex(rank: number, prefix = 'n'): string {
  const lines = ['  var rem = i;'];
  for (let d = rank - 1; d >= 0; d--) {
    lines.push(`  let c${d} = rem % u.${prefix}${d};`);
    lines.push(`  rem = rem / u.${prefix}${d};`);
  }
  return lines.join('\n');
}

/** Uniforms `{ n0: shape[0], … }` (or with another prefix). */
export function sizeUniforms(shape: Shape, prefix = 'n'): Record<string, number> {
  return Object.fromEntries(shape.map((d, k) => [`${prefix}${k}`, d]));
}

/** Uniforms `{ s0: stride[0], … }`: row-major strides of `shape` (or `strides` given). */
export function strideUniforms(shape: Shape, prefix = 's', strides: readonly number[] = stridesOf(shape)): Record<string, number> {
  return Object.fromEntries(shape.map((_, k) => [`${prefix}${k}`, strides[k]!]));
}
