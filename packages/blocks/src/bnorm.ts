/**
 * `bnorm` — batch normalisation (MatConvNet `vl_nnbnorm`, manual §4.6.2;
 * derivatives §6.6.2). For x `[N, H, W, C]` and per-channel multipliers g and
 * biases b (both `[C]`):
 *
 *   y_nhwk = g_k (x_nhwk − mu_k) / sigma_k + b_k,
 *   mu_k = (1/M) Σ_nhw x_nhwk,   sigma_k = sqrt((1/M) Σ_nhw (x_nhwk − mu_k)² + epsilon),   M = N·H·W
 *
 * (biased variance). Training mode computes the batch moments and returns them
 * as `moments` `[C, 2]`, rows `[mu_k, sigma_k]` — sigma, not the variance, with
 * epsilon already inside, exactly MatConvNet's layout (models store it as the
 * third bnorm parameter). Test mode (`moments` given) uses those moments and
 * ignores epsilon.
 *
 * Backward (§6.6.2): dz/dg_k = Σ dz/dy · x̂, dz/db_k = Σ dz/dy with
 * x̂ = (x − mu)/sigma, and
 *
 *   dz/dx = g_k/sigma_k · (dz/dy − (1/M) dz/db_k − x̂ (1/M) dz/dg_k).
 *
 * Decisions on MatConvNet's quirks (matconvnet-api §1.10, §9):
 * - epsilon defaults to 1e-5, the value of the SimpleNN and DagNN wrappers
 *   (and of the reference fixtures), not the MEX's 1e-4: nearly every
 *   MatConvNet model was trained and is evaluated through a wrapper, so 1e-5
 *   reproduces their numbers; pass `epsilon: 1e-4` to match direct vl_nnbnorm calls.
 * - Backward with given moments: FOLLOWED by default — the full batch-norm
 *   derivative above, evaluated with the given mu/sigma, as MatConvNet does.
 *   This is what lets a training loop reuse the forward pass's batch moments
 *   in the backward pass (both agree then). It is not the derivative of the
 *   test-mode forward, so `frozenMoments: true` FIXES it on request:
 *   dz/dx = g_k/sigma_k · dz/dy, the exact derivative when the moments are
 *   constants (fine-tuning with frozen statistics). dz/dg and dz/db are the same in both.
 * - bnormBackward also returns the moments it used, as MatConvNet's fourth
 *   output (DagNN's BatchNorm feeds them to the moments parameter's update).
 */
import { OptionError, ShapeError, scope, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectRank, expectShape } from './checks.js';
import { checkOptionNames, toFlag, toNumber } from './options.js';

export interface BnormOptions {
  /** Added to the variance before the square root. Default 1e-5 (the wrappers' value; MatConvNet's MEX uses 1e-4). */
  epsilon?: number;
  /** Test mode: moments `[C, 2]` rows `[mu, sigma]` to use instead of the batch's. */
  moments?: Tensor | null;
}

export interface BnormBackwardOptions extends BnormOptions {
  /**
   * With `moments`: true treats them as constants (dz/dx = g/sigma · dz/dy);
   * false (default, MatConvNet) uses the full batch-norm derivative evaluated with them.
   */
  frozenMoments?: boolean;
}

export interface BnormResult {
  y: Tensor;
  /** The moments used, `[C, 2]` rows `[mu, sigma]` (the batch's in training mode). */
  moments: Tensor;
}

export interface BnormBackwardResult {
  dzdx: Tensor;
  dzdg: Tensor;
  dzdb: Tensor;
  /** The moments used, `[C, 2]` rows `[mu, sigma]`. */
  moments: Tensor;
}

/** Default epsilon: SimpleNN's and DagNN's (see the decision above). */
export const BNORM_EPSILON = 1e-5;

const FORWARD_OPTIONS = ['epsilon', 'moments'] as const;
const BACKWARD_OPTIONS = ['epsilon', 'moments', 'frozenMoments'] as const;

/** Batch normalisation: `y = g (x − mu)/sigma + b` per channel, with the batch's moments or given ones. */
export function bnorm(x: Tensor, g: Tensor, b: Tensor, opts: BnormOptions = {}): BnormResult {
  const { backend, moments, epsilon } = parse('bnorm', x, g, b, null, opts, FORWARD_OPTIONS);
  return backend.run('Bnorm', { x, g, b, moments }, { epsilon });
}

/** Derivatives of `bnorm` projected onto `dzdy`: `dzdx`, `dzdg`, `dzdb`, and the moments used. */
export function bnormBackward(x: Tensor, g: Tensor, b: Tensor, dzdy: Tensor, opts: BnormBackwardOptions = {}): BnormBackwardResult {
  const { backend, moments, epsilon } = parse('bnormBackward', x, g, b, dzdy, opts, BACKWARD_OPTIONS);
  const frozen = toFlag('bnormBackward', 'frozenMoments', opts.frozenMoments);
  if (frozen && !moments) {
    throw new OptionError(
      'bnormBackward',
      'frozenMoments',
      'frozenMoments needs the moments option (the given moments to hold constant), got no moments',
    );
  }
  return scope(() => {
    const r = backend.run('BnormBackward', { x, g, b, dy: dzdy, moments }, { epsilon });
    if (!frozen) return { dzdx: r.dx, dzdg: r.dg, dzdb: r.db, moments: r.moments };
    // dz/dx = dz/dy · g/sigma, sigma being the second column of the moments.
    const c = g.size;
    const sigma = backend.run('Slice', { x: r.moments }, { begin: [0, 1], size: [c, 1] });
    const ratio = backend.run('Binary', { a: g, b: backend.run('Reshape', { x: sigma }, { shape: [c] }) }, { op: 'div' });
    const dzdx = backend.run('Binary', { a: dzdy, b: ratio }, { op: 'mul' });
    return { dzdx, dzdg: r.dg, dzdb: r.db, moments: r.moments };
  });
}

function parse(
  block: string,
  x: Tensor,
  g: Tensor,
  b: Tensor,
  dzdy: Tensor | null,
  opts: BnormBackwardOptions,
  known: readonly string[],
) {
  checkOptionNames(block, opts, known);
  const epsilon = toNumber(block, 'epsilon', opts.epsilon, BNORM_EPSILON, { min: 0 });
  const moments = opts.moments ?? null;
  const backend = backendOf(block, { x, g, b, moments, dzdy }, dzdy === null ? ['x', 'g', 'b'] : ['x', 'g', 'b', 'dzdy']);
  expectRank(block, 'x', x, 4);
  const c = x.shape[3]!;
  expectShape(block, 'g', g, [c], 'one multiplier per channel of x');
  expectShape(block, 'b', b, [c], 'one bias per channel of x');
  if (moments) expectShape(block, 'moments', moments, [c, 2], 'rows [mu, sigma], one per channel of x');
  else if (x.size === 0 && c > 0) {
    throw new ShapeError(
      block,
      'x',
      `x must have at least one value per channel to compute batch moments, got shape [${x.shape.join(', ')}]`,
    );
  }
  if (dzdy) expectShape(block, 'dzdy', dzdy, x.shape, 'the shape of x');
  return { backend, moments, epsilon };
}
