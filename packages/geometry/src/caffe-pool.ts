import { GeometryError } from './errors.js';
import { checkOptions } from './filter-options.js';
import { axisName, type Pad4, type Pair, type PairLike, toPair } from './pair.js';

/** Caffe's pooling parameters: symmetric padding only. */
export interface CaffePoolOptions {
  /** Pooling window size `H' × W'` (Caffe's `kernel_size`). */
  readonly size: PairLike;
  /** Stride `S`; default 1. */
  readonly stride?: PairLike;
  /** Symmetric padding `P` per axis (Caffe's `pad`); default 0; smaller than the window. */
  readonly pad?: PairLike;
}

interface CaffePool {
  readonly size: Pair;
  readonly stride: Pair;
  readonly pad: Pair;
}

function readCaffePool(block: string, options: CaffePoolOptions): CaffePool {
  checkOptions(block, options);
  const size = toPair(block, 'size', options.size, 'positive integer');
  const stride = toPair(block, 'stride', options.stride ?? 1, 'positive integer');
  const pad = toPair(block, 'pad', options.pad ?? 0, 'non-negative integer');
  for (const i of [0, 1] as const) {
    if (pad[i] >= size[i]) {
      throw new GeometryError(
        'option',
        block,
        'pad',
        `${axisName(i)} pad ${pad[i]} must be smaller than size ${size[i]}`,
      );
    }
  }
  return { size, stride, pad };
}

/**
 * Output size of Caffe's pooling (manual §5.2.1): the ceil formula
 *
 *     H'' = ⌈(H − H' + 2P)/S⌉ + 1,
 *
 * lowered by one where the last window would start in the bottom padding
 * (eq. 5.4: `S·(H'' − 1) ≥ H + P`). Like Caffe, that correction is applied
 * only when some padding is non-zero, so with no padding and a stride larger
 * than the window Caffe's last window may lie entirely past the input.
 */
export function caffePoolOutputSize(inputSize: PairLike, options: CaffePoolOptions): Pair {
  const block = 'caffePoolOutputSize';
  const { size, stride, pad } = readCaffePool(block, options);
  const input = toPair(block, 'inputSize', inputSize, 'positive integer');
  const padded = pad[0] > 0 || pad[1] > 0;
  const axis = (i: 0 | 1): number => {
    if (input[i] + 2 * pad[i] < size[i]) {
      throw new GeometryError(
        'shape',
        block,
        'inputSize',
        `${axisName(i)} input size ${input[i]} plus padding 2 × ${pad[i]} is smaller than the window ${size[i]}; the output would be empty`,
      );
    }
    let out = Math.ceil((input[i] + 2 * pad[i] - size[i]) / stride[i]) + 1;
    if (padded && (out - 1) * stride[i] >= input[i] + pad[i]) out -= 1;
    return out;
  };
  return [axis(0), axis(1)];
}

/**
 * MatConvNet padding `[top, bottom, left, right]` that makes `poolOutputSize`
 * equal to Caffe's `caffePoolOutputSize` (manual §5.2.1):
 *
 *     P⁻ = P,   P⁺ = min(P + S − 1, H' − 1).
 *
 * What we found checking both output-size formulas on every input size
 * 1…40, window 1…7, stride 1…8 and pad 0…window−1: the formula is exact
 * whenever the stride is at most the window or the Caffe pad is non-zero.
 * The manual's example after eq. (5.4) is wrong: a 3-wide window with
 * stride 1 and Caffe pad 0 needs `P⁺ = min(0 + 1 − 1, 2) = 0`, not 1
 * (input 5 gives 3 outputs in Caffe; MatConvNet pads 0 → 3, pad 1 → 4); with
 * stride 2 it needs 1. The only mismatches are Caffe windows lying entirely
 * past the input (stride > window, pad 0), which MatConvNet cannot express
 * (`P⁺ ≤ H' − 1`): there Caffe has one more output.
 */
export function caffePoolPad(options: CaffePoolOptions): Pad4 {
  const { size, stride, pad } = readCaffePool('caffePoolPad', options);
  const after = (i: 0 | 1) => Math.min(pad[i] + stride[i] - 1, size[i] - 1);
  return [pad[0], after(0), pad[1], after(1)];
}
