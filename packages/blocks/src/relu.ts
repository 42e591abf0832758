/**
 * `relu` — rectified linear unit, optionally leaky (MatConvNet `vl_nnrelu`,
 * manual §4.4; derivative §6.4.1), element-wise on a tensor of any shape:
 *
 *   y = x · (leak + (1 − leak)[x > 0])      (y = max(0, x) for leak = 0),
 *   dz/dx = dz/dy · (leak + (1 − leak)[x > 0]).
 *
 * Decisions (matconvnet-api §1.4): FOLLOW MatConvNet — the backward mask is
 * x > 0, so the derivative at exactly 0 is `leak` (0 for the plain ReLU), and
 * `leak` may be any finite number (MatConvNet does not restrict it; values in
 * [0, 1) are the usual leaky ReLU). As in MatConvNet, passing y instead of x
 * to `reluBackward` gives the same result when leak ≥ 0 (y > 0 exactly where x > 0).
 * With leak 0 the output is MatConvNet's max(x, 0): +0 for x ≤ 0, and 0 for NaN
 * (MATLAB's max ignores NaN); with a leak, NaN stays NaN (x·leak), as in MatConvNet.
 * The derivative at NaN is leak·dz/dy (the mask x > 0 is false). These hold on
 * every backend: WebGPU decides x > 0 on the bits, so a positive subnormal
 * passes as on the CPU even where the GPU flushes subnormals to 0.
 */
import type { Tensor } from '@convnet-ts/tensor';
import { backendOf, expectShape } from './checks.js';
import { checkOptionNames, toNumber } from './options.js';

export interface ReluOptions {
  /** Slope for x ≤ 0 (leaky ReLU). Default 0. */
  leak?: number;
}

const OPTIONS = ['leak'] as const;

/** Leaky ReLU: `y = x` where x > 0, `leak · x` elsewhere. */
export function relu(x: Tensor, opts: ReluOptions = {}): Tensor {
  checkOptionNames('relu', opts, OPTIONS);
  const leak = toNumber('relu', 'leak', opts.leak, 0);
  const backend = backendOf('relu', { x });
  return backend.run('Relu', { x }, { leak });
}

/** Derivative of `relu` with respect to x, projected onto `dzdy` (the shape of x). */
export function reluBackward(x: Tensor, dzdy: Tensor, opts: ReluOptions = {}): Tensor {
  checkOptionNames('reluBackward', opts, OPTIONS);
  const leak = toNumber('reluBackward', 'leak', opts.leak, 0);
  const backend = backendOf('reluBackward', { x, dzdy });
  expectShape('reluBackward', 'dzdy', dzdy, x.shape, 'the shape of x');
  return backend.run('ReluBackward', { x, dy: dzdy }, { leak });
}
