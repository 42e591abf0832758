import { type ConvtOptions, readConvt } from './convt-options.js';
import { GeometryError } from './errors.js';
import { axisName, type Pair, type PairLike, toPair } from './pair.js';

/**
 * Output size of a convolution transpose (manual §4.2, §5.3):
 *
 *     H'' = U·(H − 1) + H' − C⁻ − C⁺
 *
 * the smallest of the `U` sizes whose convolution gives back `H`: for any
 * input, `convOutputSize(convtOutputSize(H, t), { size, stride: U, pad: C })`
 * is `H` again. Throws a `GeometryError` when the crops leave nothing.
 *
 * `convtOutputSize(16, { size: 4, upsample: 2, crop: 1 })` is `[32, 32]`.
 */
export function convtOutputSize(inputSize: PairLike, options: ConvtOptions): Pair {
  const block = 'convtOutputSize';
  const { size, upsample, crop } = readConvt(block, options);
  const input = toPair(block, 'inputSize', inputSize, 'positive integer');
  const axis = (i: 0 | 1): number => {
    const before = crop[2 * i]!;
    const after = crop[2 * i + 1]!;
    const full = upsample[i] * (input[i] - 1) + size[i];
    if (full - before - after < 1) {
      throw new GeometryError(
        'shape',
        block,
        'crop',
        `${axisName(i)} crop ${before} + ${after} must be smaller than the uncropped output size ${full} (input ${input[i]}, upsample ${upsample[i]}, size ${size[i]}); the output would be empty`,
      );
    }
    return full - before - after;
  };
  return [axis(0), axis(1)];
}
