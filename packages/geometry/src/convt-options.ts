import { checkOptions } from './filter-options.js';
import { type Pad4, type Pair, type PadLike, type PairLike, toPad4, toPair } from './pair.js';

/** A convolution transpose (manual §4.2, §5.3). */
export interface ConvtOptions {
  /** Filter size `H' × W'`. */
  readonly size: PairLike;
  /** Upsampling factor `U`; default 1. */
  readonly upsample?: PairLike;
  /** Output crop `C`, `[top, bottom, left, right]` or shorter; default 0. */
  readonly crop?: PadLike;
}

/** `ConvtOptions` checked and expanded. */
export interface Convt {
  readonly size: Pair;
  readonly upsample: Pair;
  readonly crop: Pad4;
}

/** Reads and checks `ConvtOptions` for the function `block`. */
export function readConvt(block: string, options: ConvtOptions): Convt {
  checkOptions(block, options);
  return {
    size: toPair(block, 'size', options.size, 'positive integer'),
    upsample: toPair(block, 'upsample', options.upsample ?? 1, 'positive integer'),
    crop: toPad4(block, 'crop', options.crop ?? 0),
  };
}
