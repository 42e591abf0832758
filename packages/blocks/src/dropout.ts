/**
 * `dropout` — inverted dropout (MatConvNet `vl_nndropout`, matconvnet-api §1.6;
 * DagNN `DropOut`, §3.3). In normal (training) mode
 *
 *   mask = 1/(1 − rate) · [u ≥ rate],   y = mask ⊙ x,   dz/dx = mask ⊙ dz/dy,
 *
 * with u uniform in [0, 1) per element, so E[y] = x and no test-time
 * rescaling is needed. Test mode is the identity (y is a new handle on x's
 * values, a view on the CPU) and returns `mask: null`.
 *
 * Randomness: u = `hashUniform(seed, i)` (the `DropoutMask` kernel), a pure
 * function of a 32-bit seed and the element's row-major index, so every
 * backend draws the same mask. `seed` makes a call reproducible; without it the
 * seed is the next `nextUint32()` of `opts.rng`, or of the exported
 * `dropoutRng` (a module-level `Rng(0)`): consecutive calls get different
 * masks, and a program that never passes seeds is still reproducible run to
 * run. Reseed it with `dropoutRng.setState(new Rng(s).getState())`.
 *
 * Decisions on MatConvNet's behaviour:
 * - A `mask` given to the forward pass is used as is (MatConvNet's `'mask'`
 *   option; DagNN's `frozen`): y = mask ⊙ x, `rate` and `seed` are ignored.
 * - Backward without a mask: MatConvNet only warns; FIXED, it throws (the
 *   derivative cannot be formed without the forward pass's mask).
 * - rate must lie in [0, 1): rate = 1 would make the scale 1/(1 − rate) infinite.
 */
import { OptionError, Rng, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectShape } from './checks.js';
import { checkOptionNames, describe, toChoice, toNumber } from './options.js';

export type DropoutMode = 'normal' | 'test';

export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1). Default 0.5. */
  rate?: number;
  /** 32-bit unsigned seed of the mask. Default: drawn from `rng`. */
  seed?: number;
  /** Generator the seed is drawn from when `seed` is absent. Default `dropoutRng`. */
  rng?: Rng;
  /** `'normal'` (training, default) or `'test'` (identity). */
  mode?: DropoutMode;
  /** A mask to reuse (from an earlier call) instead of drawing one. */
  mask?: Tensor | null;
}

export interface DropoutBackwardOptions {
  /** The mask returned by `dropout` (required in normal mode). */
  mask?: Tensor | null;
  /** `'normal'` (default) or `'test'` (dz/dx = dz/dy). */
  mode?: DropoutMode;
}

export interface DropoutResult {
  y: Tensor;
  /** `1/(1 − rate)` where kept, 0 where dropped; null in test mode. */
  mask: Tensor | null;
}

/** The generator that seeds masks when no `seed` or `rng` is given. */
export const dropoutRng = new Rng(0);

const MODES: readonly DropoutMode[] = ['normal', 'test'];

/** Inverted dropout: `{ y: mask ⊙ x, mask }`, or `{ y: x, mask: null }` in test mode. */
export function dropout(x: Tensor, opts: DropoutOptions = {}): DropoutResult {
  const block = 'dropout';
  checkOptionNames(block, opts, ['rate', 'seed', 'rng', 'mode', 'mask']);
  const rate = toNumber(block, 'rate', opts.rate, 0.5, { min: 0, max: 1, maxExclusive: true });
  const mode = toChoice(block, 'mode', opts.mode, 'normal', MODES);
  if (opts.seed !== undefined && opts.rng !== undefined) {
    throw new OptionError(block, 'seed', 'seed and rng must not both be given (the seed is drawn from rng), got both');
  }
  if (opts.seed !== undefined) toNumber(block, 'seed', opts.seed, 0, { min: 0, max: 0xffffffff, integer: true });
  if (opts.rng !== undefined && !(opts.rng instanceof Rng)) {
    throw new OptionError(block, 'rng', `rng must be an Rng, got ${describe(opts.rng)}`);
  }
  const given = opts.mask ?? null;
  const backend = backendOf(block, { x, mask: given });
  if (given) expectShape(block, 'mask', given, x.shape, 'the shape of x');
  if (mode === 'test') return { y: backend.run('Reshape', { x }, { shape: x.shape }), mask: null };
  const mask =
    given ?? backend.run('DropoutMask', {}, { shape: x.shape, rate, seed: opts.seed ?? (opts.rng ?? dropoutRng).nextUint32() });
  return { y: backend.run('Binary', { a: mask, b: x }, { op: 'mul' }), mask };
}

/** Derivative of `dropout` projected onto `dzdy`: `mask ⊙ dzdy` (`dzdy` in test mode). */
export function dropoutBackward(x: Tensor, dzdy: Tensor, opts: DropoutBackwardOptions = {}): Tensor {
  const block = 'dropoutBackward';
  checkOptionNames(block, opts, ['mask', 'mode']);
  const mode = toChoice(block, 'mode', opts.mode, 'normal', MODES);
  const mask = opts.mask ?? null;
  const backend = backendOf(block, { x, dzdy, mask });
  expectShape(block, 'dzdy', dzdy, x.shape, 'the shape of x');
  if (mode === 'test') return backend.run('Reshape', { x: dzdy }, { shape: dzdy.shape });
  if (!mask) {
    throw new OptionError(block, 'mask', `mask must be the mask returned by dropout in normal mode, got ${describe(opts.mask)}`);
  }
  expectShape(block, 'mask', mask, x.shape, 'the shape of x');
  return backend.run('Binary', { a: mask, b: dzdy }, { op: 'mul' });
}
