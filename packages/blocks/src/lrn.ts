/**
 * `lrn` — cross-channel local response normalisation (MatConvNet
 * `vl_nnnormalize`, manual §4.6.1; derivative §6.6.1). With
 * `param = [n, kappa, alpha, beta]`, at every pixel of x `[N, H, W, C]`:
 *
 *   y_k = x_k · L_k^(−beta),   L_k = kappa + alpha Σ_{q∈Q(k)} x_q²,
 *   Q(k) = [max(1, k − ⌊(n−1)/2⌋), min(C, k + ⌈(n−1)/2⌉)]   (channels 1..C),
 *
 * MatConvNet's window: for even n it reaches one channel further up than down.
 * n ≥ 2C covers every channel (with kappa = 0, beta = 1/2 and alpha = 1 this is
 * L2 normalisation across channels). The derivative is
 *
 *   dz/dx_d = dz/dy_d · L_d^(−beta) − 2 alpha beta x_d Σ_{k: d∈Q(k)} dz/dy_k L_k^(−beta−1) x_k.
 *
 * Caffe's LRN layer divides its alpha by the window size, L = k + (alpha/n) Σ x²
 * (same window), so a Caffe layer `local_size: n, alpha: a, beta: b, k: k` is
 * `lrn(x, [n, k, a / n, b])` here — what MatConvNet's Caffe importer does, and
 * why SimpleNN/DagNN default to `[5, 1, 0.0001/5, 0.75]` for AlexNet's LRN.
 *
 * Validation beyond MatConvNet's (which only checks n ≥ 1): n must be an
 * integer and kappa, alpha ≥ 0, so that L ≥ 0 and L^(−beta) is real; beta is any
 * finite number. Each window is summed on its own (no running sum), so a NaN
 * or ∞ reaches only the channels whose window holds it, on every backend.
 * MatConvNet's only option, `Verbose`, has no counterpart: any
 * option name throws.
 *
 * Deliberate difference: L^(−beta) is computed with the exact `pow` on every
 * backend. MatConvNet's compiled LRN (matlab/src/bits/nnnormalize.cu, built
 * for CPU and GPU with `VL_NNNORMALIZE_FAST` defined, lines 39-130) uses
 * `fast_pow`, a cubic log2/exp2 approximation; the two differ by up to about
 * 3.3e-3 relative, so outputs of a network with LRN match MatConvNet's to
 * that tolerance, not to float rounding.
 */
import { OptionError, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectRank, expectShape } from './checks.js';
import { checkOptionNames, describe } from './options.js';

/** `[n, kappa, alpha, beta]`, MatConvNet's order. */
export type LrnParam = readonly number[];

/** `lrn` takes no options (MatConvNet's `Verbose` has no counterpart); any name throws. */
export type LrnOptions = Record<string, never>;

/** MatConvNet's parameters, parsed. */
export interface LrnAttrs {
  n: number;
  kappa: number;
  alpha: number;
  beta: number;
}

/** Cross-channel LRN, `y_k = x_k (kappa + alpha Σ_{q∈Q(k)} x_q²)^(−beta)`. */
export function lrn(x: Tensor, param: LrnParam, opts?: LrnOptions): Tensor {
  const attrs = parse('lrn', x, param, null, opts);
  return x.backend.run('Lrn', { x }, attrs);
}

/** Derivative of `lrn` w.r.t. x projected onto `dzdy`. */
export function lrnBackward(x: Tensor, param: LrnParam, dzdy: Tensor, opts?: LrnOptions): Tensor {
  const attrs = parse('lrnBackward', x, param, dzdy, opts);
  return x.backend.run('LrnBackward', { x, dy: dzdy }, attrs);
}

/** Checks `[n, kappa, alpha, beta]`: 4 finite numbers, n an integer ≥ 1, kappa ≥ 0, alpha ≥ 0. */
export function parseLrnParam(block: string, param: unknown): LrnAttrs {
  if (!Array.isArray(param) || param.length !== 4 || !param.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new OptionError(block, 'param', `param must be [n, kappa, alpha, beta] (4 finite numbers), got ${describe(param)}`);
  }
  const [n, kappa, alpha, beta] = param as [number, number, number, number];
  if (!Number.isInteger(n) || n < 1) throw new OptionError(block, 'param', `param n must be an integer ≥ 1, got ${n}`);
  if (kappa < 0) throw new OptionError(block, 'param', `param kappa must be ≥ 0, got ${kappa}`);
  if (alpha < 0) throw new OptionError(block, 'param', `param alpha must be ≥ 0, got ${alpha}`);
  return { n, kappa, alpha, beta };
}

/** For blocks without options: any option name throws. */
export function checkNoOptions(block: string, opts: object | undefined): void {
  const name = opts && typeof opts === 'object' && !Array.isArray(opts) ? Object.keys(opts)[0] : undefined;
  if (name !== undefined) throw new OptionError(block, name, `opts must be empty (${block} takes no options), got unknown option '${name}'`);
  checkOptionNames(block, opts, []);
}

function parse(block: string, x: Tensor, param: LrnParam, dzdy: Tensor | null, opts: LrnOptions | undefined): LrnAttrs {
  checkNoOptions(block, opts);
  const attrs = parseLrnParam(block, param);
  backendOf(block, { x, dzdy });
  expectRank(block, 'x', x, 4);
  if (dzdy) expectShape(block, 'dzdy', dzdy, x.shape, 'the shape of x');
  return attrs;
}
