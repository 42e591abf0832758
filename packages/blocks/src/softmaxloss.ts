/**
 * `softmaxloss` — MatConvNet's deprecated vl_nnsoftmaxloss (manual §4.7.1,
 * eq. 4.7; derivative §6.7.1; api §1.14), still used by SimpleNN's
 * `softmaxloss` layers:
 *
 *   y = (1/N) Σ_{n,i,j} w_{nij} (log Σ_k e^{x_{nijk}} − x_{nijc}),
 *   dz/dx_{nijk} = (p/N) w_{nij} (softmax(x_{nij:})_k − δ_{k=c}).
 *
 * Labels: N (one per image), `[N, H, W, 1]` (one per pixel), or
 * `[N, H, W, 2]` whose second channel holds per-pixel weights w (else w = 1).
 * Class labels are 1..C; 0 = ignore. Always divided by N (no options, as in
 * MatConvNet). Equal to `loss(x, c, { loss: 'softmaxlog' })` with the weight
 * channel as instanceWeights.
 */
import { isTensor, type LossAttrs, scope, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectRank } from './checks.js';
import { type Labels, toKernelLabels, toScalarTensor } from './labels.js';

const ATTRS: LossAttrs = { loss: 'softmaxlog', topK: 5, threshold: 0, normalise: true };

/** The softmax log-loss, a 1-element tensor `[1]`. */
export function softmaxloss(x: Tensor, labels: Labels): Tensor {
  return scope(() => {
    const backend = backendOf('softmaxloss', { x, labels: isTensor(labels) ? labels : null });
    expectRank('softmaxloss', 'x', x, 4);
    const k = toKernelLabels('softmaxloss', backend, x, labels, 'categorical', true);
    return backend.run('Loss', { x, labels: k.labels, weights: k.weights }, ATTRS);
  });
}

/** dz/dx for the projection `dzdy` (a number or a 1-element tensor); x's shape. */
export function softmaxlossBackward(x: Tensor, labels: Labels, dzdy: number | Tensor): Tensor {
  return scope(() => {
    const block = 'softmaxlossBackward';
    const backend = backendOf(block, {
      x,
      labels: isTensor(labels) ? labels : null,
      dzdy: isTensor(dzdy) ? dzdy : null,
    });
    expectRank(block, 'x', x, 4);
    const k = toKernelLabels(block, backend, x, labels, 'categorical', true);
    const p = toScalarTensor(block, backend, dzdy);
    return backend.run('LossBackward', { x, labels: k.labels, weights: k.weights, dzdy: p }, ATTRS);
  });
}
