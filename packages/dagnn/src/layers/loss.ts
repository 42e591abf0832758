/**
 * `Loss` — a loss on predictions and labels (`dagnn.Loss`, api §3.3; block
 * `loss`, manual §4.7). Inputs `[prediction, label]`, or
 * `[prediction, label, instanceWeights]`; labels may be a tensor or plain
 * numbers (1..C, 0 = ignore; see the block's label forms). Output: the
 * 1-element loss `[1]`. Options: `loss` ('softmaxlog' and every other type of
 * the block), `topK` (5), `threshold` (0), `normalise` (true).
 *
 * Decision (api §9): MatConvNet's layer `normalise` property never reaches
 * vl_nnloss; FIXED, it is the block's `normalise` (divide by the batch size).
 * The running `average` bookkeeping of dagnn.Loss is left to the trainer
 * (it needs the value on the host, which a GPU network reads asynchronously).
 * No receptive field (`NO_FIELD`); no derivative for the labels or weights.
 */
import { LOSS_TYPES, type Labels, loss, lossBackward } from '@convnet-ts/blocks';
import type { LayerGeometry } from '@convnet-ts/geometry';
import type { LossType, Shape, Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { readOptions, toBool, toChoice, toNum } from './options.js';

export interface LossLayerOptions {
  loss?: LossType;
  topK?: number;
  threshold?: number;
  normalise?: boolean;
}

export class Loss extends Layer {
  readonly type = 'Loss';
  override readonly numInputs = [2, 3] as const;
  readonly loss: LossType;
  readonly topK: number;
  readonly threshold: number;
  readonly normalise: boolean;

  constructor(opts: LossLayerOptions = {}) {
    super();
    const o = readOptions('Loss', opts, ['loss', 'topK', 'threshold', 'normalise']);
    this.loss = toChoice('Loss', 'loss', o.loss ?? 'softmaxlog', LOSS_TYPES);
    this.topK = toNum('Loss', 'topK', o.topK, 5, 1);
    this.threshold = toNum('Loss', 'threshold', o.threshold, 0);
    this.normalise = toBool('Loss', 'normalise', o.normalise, true);
  }

  #opts(inputs: readonly VarValue[]) {
    const w = inputs[2] as Labels | undefined;
    return { loss: this.loss, topK: this.topK, threshold: this.threshold, normalise: this.normalise, instanceWeights: w ?? null };
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    return [loss(asTensor(this, inputs[0], 0), inputs[1] as Labels, this.#opts(inputs))];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    const dx = lossBackward(asTensor(this, inputs[0], 0), inputs[1] as Labels, derOutputs[0]!, this.#opts(inputs));
    return { derInputs: inputs.map((_, i) => (i === 0 ? dx : null)), derParams: [] };
  }

  override geometry(): readonly (LayerGeometry | null)[] {
    return [{ kind: 'none' }, null, null];
  }

  override getOutputSizes(): Shape[] {
    return [[1]];
  }

  options(): Record<string, unknown> {
    return { loss: this.loss, topK: this.topK, threshold: this.threshold, normalise: this.normalise };
  }
}
