/**
 * One layer's forward mode: the switch of `vl_simplenn` over layer types
 * (matconvnet-api §2.1), calling the blocks with the layer's fields.
 *
 * Mode 'test': dropout is the identity and bnorm uses its stored moments
 * (`weights[2]`). In mode 'normal', dropout returns its mask and bnorm the
 * batch moments, both kept as the layer's `aux`.
 */
import {
  bnorm,
  conv,
  convt,
  dropout,
  type Labels,
  loss,
  lrn,
  noffset,
  pdist,
  pool,
  relu,
  sigmoid,
  softmax,
  softmaxloss,
  spnorm,
} from '@convnet-ts/blocks';
import { isTensor, type Rng, type Tensor, ValueError } from '@convnet-ts/tensor';
import type { Layer, LossLayer, PdistLayer, SoftmaxlossLayer } from './layer-types.js';

export interface LayerContext {
  mode: 'normal' | 'test';
  /** `opts.labels` of the call, for loss and pdist layers. */
  labels: Labels | undefined;
  /** Seeds dropout masks (the blocks' `dropoutRng` when undefined). */
  rng: Rng | undefined;
  /** How messages name the layer. */
  where: string;
  /** bnorm's `dzdw[2]` convention (backward only; default 'timesN'). */
  bnormMomentsDer?: 'timesN' | 'moments';
  /** Skip dz/dx where the layer's block can (backward only; `SimpleNNOptions.noDerInput` at the lowest layer). */
  noDerData?: boolean;
}

export interface ForwardResult {
  y: Tensor;
  /** Dropout mask or bnorm batch moments (mode 'normal'), else null. */
  aux: Tensor | null;
}

/** The labels of a loss layer: the call's `opts.labels`, else the layer's `class`. */
export function labelsOf(layer: LossLayer | SoftmaxlossLayer, ctx: LayerContext): Labels {
  const labels = ctx.labels ?? layer.class;
  if (labels === undefined || labels === null) {
    throw new ValueError('simplenn', 'labels', `${ctx.where} needs labels: pass opts.labels or set the layer's class, got none`);
  }
  return labels;
}

/** The target x0 of a pdist layer: the call's `opts.labels` (a tensor), else the layer's `class`. */
export function targetOf(layer: PdistLayer, ctx: LayerContext): Tensor {
  const x0 = ctx.labels ?? layer.class;
  if (!isTensor(x0)) {
    throw new ValueError(
      'simplenn',
      'labels',
      `${ctx.where} needs a target tensor x0: pass opts.labels or set the layer's class, got ${x0 === undefined ? 'none' : 'a non-tensor'}`,
    );
  }
  return x0;
}

export function lossOptions(layer: LossLayer) {
  const { loss: type, instanceWeights, topK, threshold, normalise } = layer;
  return { loss: type, instanceWeights, topK, threshold, normalise };
}

export function pdistOptions(layer: PdistLayer) {
  const { noRoot, epsilon, aggregate, instanceWeights } = layer;
  return { noRoot, epsilon, aggregate, instanceWeights };
}

/** `y = layer(x)`, and the layer's aux. */
export function forwardLayer(layer: Layer, x: Tensor, ctx: LayerContext): ForwardResult {
  const only = (y: Tensor): ForwardResult => ({ y, aux: null });
  switch (layer.type) {
    case 'conv': {
      const { pad, stride, dilate } = layer;
      return only(conv(x, layer.weights[0], layer.weights[1], { pad, stride, dilate }));
    }
    case 'convt': {
      const { upsample, crop, numGroups } = layer;
      return only(convt(x, layer.weights[0], layer.weights[1], { upsample, crop, numGroups }));
    }
    case 'pool':
      return only(pool(x, layer.pool, { method: layer.method, pad: layer.pad, stride: layer.stride }));
    case 'lrn':
      return only(lrn(x, layer.param));
    case 'spnorm':
      return only(spnorm(x, layer.param));
    case 'bnorm': {
      const [g, b, moments] = layer.weights;
      if (ctx.mode === 'test') {
        const r = bnorm(x, g, b, { epsilon: layer.epsilon, moments });
        if (r.moments !== moments) r.moments.dispose();
        return only(r.y);
      }
      const r = bnorm(x, g, b, { epsilon: layer.epsilon });
      return { y: r.y, aux: r.moments };
    }
    case 'relu':
      return only(relu(x, { leak: layer.leak }));
    case 'sigmoid':
      return only(sigmoid(x));
    case 'noffset':
      return only(noffset(x, layer.param));
    case 'dropout': {
      if (ctx.mode === 'test') return only(dropout(x, { mode: 'test' }).y);
      const r = dropout(x, ctx.rng ? { rate: layer.rate, rng: ctx.rng } : { rate: layer.rate });
      return { y: r.y, aux: r.mask };
    }
    case 'softmax':
      return only(softmax(x));
    case 'loss':
      return only(loss(x, labelsOf(layer, ctx), lossOptions(layer)));
    case 'softmaxloss':
      return only(softmaxloss(x, labelsOf(layer, ctx)));
    case 'pdist':
      return only(pdist(x, targetOf(layer, ctx), layer.p, pdistOptions(layer)));
    case 'custom':
      return only(layer.forward(layer, x, { mode: ctx.mode }));
  }
}
