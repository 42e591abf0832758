/**
 * `BatchNorm` — batch normalisation (`dagnn.BatchNorm`, api §3.3; block
 * `bnorm`, manual §4.6.2). Parameters `[mult [C], bias [C], moments [C, 2]]`,
 * the moments rows `[mu, sigma]` (MatConvNet's layout, epsilon inside sigma).
 * Options: `numChannels` C, `epsilon` (default 1e-5, the wrappers' value).
 *
 * - `normal` mode: the forward pass uses the batch's moments and keeps them;
 *   the backward pass uses them too and returns them, times the number of
 *   images N, as the derivative of the `moments` parameter (as MatConvNet
 *   1.0-beta25, so sub-batches add up; `net.bnormMomentsDer = 'moments'`
 *   gives later MatConvNet's batch moments alone), which is trained by averaging (`trainMethod
 *   'average'`, learning rate 0.1, weight decay 0: MatConvNet's `attach`); the
 *   trainer divides by N (and the fanout), so its moment update is
 *   `m ← (1 − lr)·m + lr·batch moments`.
 * - `test` mode: the `moments` parameter is used; the backward pass (rarely
 *   wanted) is the exact derivative of that frozen normalisation (`dzdx =
 *   dzdy·g/sigma`, as SimpleNN's test mode) rather than MatConvNet's full
 *   batch-norm formula, and returns no moments, so test-mode evaluations
 *   never move them.
 * Init: mult 1, bias 0, moments 0. Identity receptive field.
 */
import { bnorm, bnormBackward } from '@convnet-ts/blocks';
import type { Backend, Rng, Shape, Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerContext, type LayerDerivatives, type ParamDefaults, param, type VarValue } from '../layer.js';
import { readOptions, toNum } from './options.js';

export class BatchNorm extends Layer {
  readonly type = 'BatchNorm';
  readonly numChannels: number;
  readonly epsilon: number;
  #moments: Tensor | null = null;

  constructor(opts: { numChannels: number; epsilon?: number }) {
    super();
    const o = readOptions('BatchNorm', opts, ['numChannels', 'epsilon']);
    this.numChannels = toNum('BatchNorm', 'numChannels', o.numChannels, Number.NaN, 1);
    this.epsilon = toNum('BatchNorm', 'epsilon', o.epsilon, 1e-5, 0);
  }

  override paramNames(): readonly string[] {
    return ['mult', 'bias', 'moments'];
  }

  override paramShapes(): readonly Shape[] {
    const c = this.numChannels;
    return [[c], [c], [c, 2]];
  }

  override paramDefaults(): readonly ParamDefaults[] {
    const gradient = { trainMethod: 'gradient', learningRate: 1, weightDecay: 1 } as const;
    return [gradient, gradient, { trainMethod: 'average', learningRate: 0.1, weightDecay: 0 }];
  }

  forward(inputs: readonly VarValue[], params: readonly Tensor[], ctx: LayerContext): Tensor[] {
    const x = asTensor(this, inputs[0], 0);
    const test = ctx.mode === 'test';
    const r = bnorm(x, param(params, 0), param(params, 1), { epsilon: this.epsilon, moments: test ? param(params, 2) : null });
    if (test) {
      if (r.moments !== params[2]) r.moments.dispose();
    } else {
      this.#moments?.dispose();
      this.#moments = r.moments;
    }
    return [r.y];
  }

  backward(inputs: readonly VarValue[], params: readonly Tensor[], derOutputs: readonly Tensor[], ctx: LayerContext): LayerDerivatives {
    const x = asTensor(this, inputs[0], 0);
    const moments = ctx.mode === 'test' ? param(params, 2) : this.#moments;
    const r = bnormBackward(x, param(params, 0), param(params, 1), derOutputs[0]!, {
      epsilon: this.epsilon,
      moments,
      frozenMoments: ctx.mode === 'test',
    });
    if (r.moments !== moments) r.moments.dispose();
    // As MatConvNet 1.0-beta25's BatchNorm: the moments' "derivative" is the
    // batch moments times the number of images, so sub-batches add up; the
    // trainer divides by the batch size and the fanout. 'moments': later
    // MatConvNet's, the batch moments alone.
    let derMoments: Tensor | null = null;
    if (ctx.mode !== 'test' && moments) {
      if (ctx.bnormMomentsDer === 'moments') derMoments = moments;
      else {
        derMoments = moments.backend.run('Unary', { x: moments }, { op: 'scale', alpha: x.shape[0]! });
        moments.dispose();
      }
    }
    this.#moments = null;
    return { derInputs: [r.dzdx], derParams: [r.dzdg, r.dzdb, derMoments] };
  }

  override initParams(_rng: Rng, backend: Backend): Tensor[] {
    const c = this.numChannels;
    return [backend.fill([c], 1), backend.zeros([c]), backend.zeros([c, 2])];
  }

  override reset(): void {
    this.#moments?.dispose();
    this.#moments = null;
  }

  options(): Record<string, unknown> {
    return { numChannels: this.numChannels, epsilon: this.epsilon };
  }
}
