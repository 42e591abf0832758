/**
 * One layer's backward mode: dz/dx and dz/dw (one entry per weight, null
 * where there is none) projected onto dz/dy (matconvnet-api §2.1).
 *
 * Decisions:
 * - bnorm, mode 'normal' (FOLLOW MatConvNet): the full batch-norm derivative
 *   with the batch's moments, and `dzdw[2]` is the batch moments multiplied by
 *   the batch size N (not a gradient: what trainers average into the stored
 *   moments; the factor N makes sub-batch accumulation additive, as in
 *   1.0-beta25's vl_simplenn, line 483), or the batch moments alone with
 *   `bnormMomentsDer: 'moments'` (later MatConvNet, which dropped the ×N).
 * - bnorm, mode 'test' (FIX): the exact derivative of the test-mode forward
 *   (`frozenMoments`: dz/dx = g/sigma · dz/dy with the stored moments);
 *   MatConvNet uses the batch moments there, which is not the derivative of
 *   what was computed. `dzdw[2]` is then null.
 * - pdist: the derivative with respect to the target x0 is not returned (x0
 *   is data, not a parameter).
 */
import {
  bnormBackward,
  convBackward,
  convtBackward,
  dropoutBackward,
  lossBackward,
  lrnBackward,
  noffsetBackward,
  pdistBackward,
  poolBackward,
  reluBackward,
  sigmoidBackward,
  softmaxBackward,
  softmaxlossBackward,
  spnormBackward,
} from '@convnet-ts/blocks';
import { isTensor, type Tensor, ValueError } from '@convnet-ts/tensor';
import { type LayerContext, labelsOf, lossOptions, pdistOptions, targetOf } from './layer-forward.js';
import type { BnormLayer, CustomLayer, Layer } from './layer-types.js';

export interface BackwardResult {
  dzdx: Tensor | null;
  dzdw: (Tensor | null)[];
}

/** Derivatives of `layer` at input x (output y) projected onto dzdy; `aux` is what its forward returned. */
export function backwardLayer(layer: Layer, x: Tensor, y: Tensor | null, dzdy: Tensor, aux: Tensor | null, ctx: LayerContext): BackwardResult {
  const only = (dzdx: Tensor): BackwardResult => ({ dzdx, dzdw: [] });
  switch (layer.type) {
    case 'conv': {
      const { pad, stride, dilate } = layer;
      const r = convBackward(x, layer.weights[0], layer.weights[1], dzdy, { pad, stride, dilate, noDerData: ctx.noDerData === true });
      return { dzdx: r.dzdx, dzdw: [r.dzdf, r.dzdb] };
    }
    case 'convt': {
      const { upsample, crop, numGroups } = layer;
      const r = convtBackward(x, layer.weights[0], layer.weights[1], dzdy, { upsample, crop, numGroups, noDerData: ctx.noDerData === true });
      return { dzdx: r.dzdx, dzdw: [r.dzdf, r.dzdb] };
    }
    case 'pool':
      return only(poolBackward(x, layer.pool, dzdy, { method: layer.method, pad: layer.pad, stride: layer.stride }));
    case 'lrn':
      return only(lrnBackward(x, layer.param, dzdy));
    case 'spnorm':
      return only(spnormBackward(x, layer.param, dzdy));
    case 'bnorm':
      return bnormDerivatives(layer, x, dzdy, ctx);
    case 'relu':
      return only(reluBackward(x, dzdy, { leak: layer.leak }));
    case 'sigmoid':
      return only(sigmoidBackward(x, dzdy));
    case 'noffset':
      return only(noffsetBackward(x, layer.param, dzdy));
    case 'dropout':
      if (ctx.mode === 'test') return only(dropoutBackward(x, dzdy, { mode: 'test' }));
      if (!aux) {
        throw new ValueError('simplenn', 'res', `${ctx.where} needs the dropout mask of its forward pass (res aux), got none`);
      }
      return only(dropoutBackward(x, dzdy, { mask: aux }));
    case 'softmax':
      return only(softmaxBackward(x, dzdy));
    case 'loss':
      return only(lossBackward(x, labelsOf(layer, ctx), dzdy, lossOptions(layer)));
    case 'softmaxloss':
      return only(softmaxlossBackward(x, labelsOf(layer, ctx), dzdy));
    case 'pdist': {
      const r = pdistBackward(x, targetOf(layer, ctx), layer.p, dzdy, pdistOptions(layer));
      r.dzdx0.dispose();
      return only(r.dzdx);
    }
    case 'custom':
      return customDerivatives(layer, x, y, dzdy, ctx);
  }
}

function bnormDerivatives(layer: BnormLayer, x: Tensor, dzdy: Tensor, ctx: LayerContext): BackwardResult {
  const [g, b, stored] = layer.weights;
  if (ctx.mode === 'test') {
    const r = bnormBackward(x, g, b, dzdy, { epsilon: layer.epsilon, moments: stored, frozenMoments: true });
    if (r.moments !== stored) r.moments.dispose();
    return { dzdx: r.dzdx, dzdw: [r.dzdg, r.dzdb, null] };
  }
  const r = bnormBackward(x, g, b, dzdy, { epsilon: layer.epsilon });
  if (ctx.bnormMomentsDer === 'moments') return { dzdx: r.dzdx, dzdw: [r.dzdg, r.dzdb, r.moments] };
  const n = x.shape[0] ?? 1;
  const moments = r.moments.backend.run('Unary', { x: r.moments }, { op: 'scale', alpha: n });
  r.moments.dispose();
  return { dzdx: r.dzdx, dzdw: [r.dzdg, r.dzdb, moments] };
}

function customDerivatives(layer: CustomLayer, x: Tensor, y: Tensor | null, dzdy: Tensor, ctx: LayerContext): BackwardResult {
  if (!y) throw new ValueError('simplenn', 'res', `${ctx.where} (custom) needs its output in res for backward, got none`);
  const r = layer.backward(layer, x, y, dzdy, { mode: ctx.mode });
  const dzdw = [...(r?.dzdw ?? [])];
  const bad = (r?.dzdx !== null && !isTensor(r?.dzdx)) || dzdw.some((w) => w !== null && !isTensor(w));
  if (bad || dzdw.length > layer.weights.length) {
    throw new ValueError(
      'simplenn',
      'backward',
      `${ctx.where}: backward must return { dzdx: Tensor | null, dzdw?: (Tensor | null)[] } with at most ${layer.weights.length} dzdw, got ${dzdw.length} dzdw`,
    );
  }
  while (dzdw.length < layer.weights.length) dzdw.push(null);
  return { dzdx: r.dzdx, dzdw };
}
