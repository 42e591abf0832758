/**
 * `loss` — MatConvNet's vl_nnloss (manual §4.7, derivatives §6.7; options api §1.13).
 *
 * For scores `x` `[N, H, W, C]` and labels `c`, the output is the 1-element tensor
 *
 *   y = (1/N) Σ_{n,i,j} w_{nij} ℓ(x_{nij:}, c_{nij})        categorical losses (4.3)
 *   y = (1/N) Σ_{n,i,j,k} w_{nijk} ℓ(x_{nijk}, c_{nijk})     attribute losses (4.10)
 *
 * (the 1/N only with `normalise`, the default), with ℓ one of
 * - `classerror`  [c ≠ argmax_k x_k] (4.4), `topkerror` [c not among the K largest] (4.5);
 * - `log`         −log x_c (4.6), derivative −p/max(x_c, 1e−8) at c;
 * - `softmaxlog`  log Σ_k e^{x_k} − x_c (4.7), max-subtracted; derivative p(softmax(x) − δ_c);
 * - `mhinge`      max(0, 1 − x_c) (4.8); `mshinge` max(0, 1 − x_c + max_{k≠c} x_k) (4.9);
 * - `binaryerror` [sign(x − τ) ≠ c] (4.11); `binarylog` −log(c(x − ½) + ½) (4.13);
 * - `logistic`    log(1 + e^{−cx}) (4.14), computed without overflow; `hinge` max(0, 1 − cx) (4.15).
 * Class labels are 1..C as in MatConvNet; attribute labels are ±1; 0 means
 * ignore (weight 0). Label forms and instance weights: see `labels.ts`.
 *
 * Decisions on MatConvNet's quirks:
 * - ties (classerror, topkerror, mshinge's runner-up) go to the lowest class
 *   index, as MatConvNet's `max`/stable `sort` do (follow: deterministic,
 *   unlike the manual's "broken randomly");
 * - mshinge's derivative moves to the best class other than c (follow the
 *   code; the manual's t* = argmax over all classes is wrong when c wins);
 * - `normalise` divides by N always (MatConvNet only when x is 4-D, i.e. N > 1
 *   after MATLAB drops the singleton; dividing by 1 is the same — follow);
 * - `classWeights` is parsed but never used by MatConvNet: rejected here with
 *   an error pointing to `instanceWeights` (fix: silently ignoring a weight
 *   the user asked for is worse than refusing it);
 * - `instanceWeights` broadcast as vl_nnloss.m's bsxfun (lines 202–209):
 *   y = (1/N) Σ w ℓ with w broadcast to the labels' shape, dz/dx scaled by
 *   the same broadcast w (lines 263–264, 274–275) — follow; shapes bsxfun
 *   would grow the labels with are a ShapeError (MatConvNet fails later, in
 *   its `instanceWeights(:)' * t(:)`);
 * - ignored instances contribute exactly 0, even where ℓ would be ∞ or NaN
 *   (fix: MatConvNet multiplies 0·ℓ);
 * - NaN scores (a diverged network) are errors: a pixel with a NaN among its
 *   scores counts 1 for classerror and topkerror, and mhinge/mshinge of a row
 *   with a NaN are NaN, on every backend (fix: MatConvNet's `max` skips NaN
 *   and its `sort` ranks it, so a NaN network can report 0 % error).
 */
import { type LossAttrs, type LossInputs, type LossType, OptionError, scope, Tensor } from '@convnet-ts/tensor';
import { backendOf, expectRank } from './checks.js';
import { type InstanceWeights, type Labels, toKernelLabels, toKernelWeights, toScalarTensor } from './labels.js';
import { checkOptionNames, describe, toChoice, toFlag, toNumber } from './options.js';

export interface LossOptions {
  /** The loss (default 'softmaxlog'). */
  loss?: LossType;
  /**
   * Weights of the instances, broadcast to the labels' full shape
   * (`[N, H, W, 1]` categorical, `[N, H, W, C]` attribute) as vl_nnloss's
   * bsxfun: a tensor whose sizes are each 1 or the labels' (`[1, H, W, 1]` is
   * MATLAB's H×W), `[N]` or N numbers (one per image), a number, or the full
   * shape as plain numbers. See `toKernelWeights` in labels.ts.
   */
  instanceWeights?: InstanceWeights | null;
  /** K of `topkerror` (default 5). */
  topK?: number;
  /** τ of `binaryerror` (default 0). */
  threshold?: number;
  /** Divide by the batch size N (default true). */
  normalise?: boolean;
  /** Not supported (MatConvNet parses it and ignores it): put class weights into `instanceWeights`. */
  classWeights?: never;
}

export const LOSS_TYPES: readonly LossType[] = [
  'softmaxlog',
  'classerror',
  'topkerror',
  'log',
  'mhinge',
  'mshinge',
  'binaryerror',
  'binarylog',
  'logistic',
  'hinge',
];
const ATTRIBUTE_LOSSES: readonly LossType[] = ['binaryerror', 'binarylog', 'logistic', 'hinge'];
const OPTION_NAMES = ['loss', 'instanceWeights', 'topK', 'threshold', 'normalise', 'classWeights'] as const;

/** The loss, a 1-element tensor `[1]`. */
export function loss(x: Tensor, labels: Labels, opts: LossOptions = {}): Tensor {
  return scope(() => {
    const { backend, inputs, attrs } = prepare('loss', x, labels, opts, null);
    return backend.run('Loss', inputs, attrs);
  });
}

/** dz/dx for the projection `dzdy` of the loss (a number or a 1-element tensor); x's shape. */
export function lossBackward(x: Tensor, labels: Labels, dzdy: number | Tensor, opts: LossOptions = {}): Tensor {
  return scope(() => {
    const { backend, inputs, attrs } = prepare('lossBackward', x, labels, opts, dzdy);
    return backend.run('LossBackward', { ...inputs, dzdy: toScalarTensor('lossBackward', backend, dzdy) }, attrs);
  });
}

function prepare(block: string, x: Tensor, labels: Labels, opts: LossOptions, dzdy: number | Tensor | null) {
  const attrs = parseLossOptions(block, opts);
  const weights = opts?.instanceWeights;
  const backend = backendOf(block, {
    x,
    labels: labels instanceof Tensor ? labels : null,
    instanceWeights: weights instanceof Tensor ? weights : null,
    dzdy: dzdy instanceof Tensor ? dzdy : null,
  });
  expectRank(block, 'x', x, 4);
  const kind = ATTRIBUTE_LOSSES.includes(attrs.loss) ? 'attribute' : 'categorical';
  const k = toKernelLabels(block, backend, x, labels, kind);
  const inputs: LossInputs = { x, labels: k.labels, weights: toKernelWeights(block, backend, weights, k.labels.shape) };
  return { backend, inputs, attrs };
}

/** Options → kernel attributes; throws on unknown names and bad values. */
function parseLossOptions(block: string, opts: LossOptions): LossAttrs {
  checkOptionNames(block, opts, OPTION_NAMES);
  if (opts.classWeights !== undefined) {
    throw new OptionError(
      block,
      'classWeights',
      `classWeights must be left out (MatConvNet parses it but never applies it; fold class weights into instanceWeights), got ${describe(opts.classWeights)}`,
    );
  }
  return {
    loss: toChoice(block, 'loss', opts.loss, 'softmaxlog', LOSS_TYPES),
    topK: toNumber(block, 'topK', opts.topK, 5, { min: 1, integer: true }),
    threshold: toNumber(block, 'threshold', opts.threshold, 0),
    normalise: toFlag(block, 'normalise', opts.normalise, true),
  };
}
