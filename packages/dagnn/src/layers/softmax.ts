/**
 * `SoftMax` — softmax over channels at every pixel (`dagnn.SoftMax`, api
 * §3.3; block `softmax`, manual §4.6.4). No options. Identity receptive
 * field along the spatial axes (it mixes channels only), same size.
 */
import { softmax, softmaxBackward } from '@convnet-ts/blocks';
import type { Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { readOptions } from './options.js';

export class SoftMax extends Layer {
  readonly type = 'SoftMax';

  constructor(opts: Record<string, never> = {}) {
    super();
    readOptions('SoftMax', opts, []);
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    return [softmax(asTensor(this, inputs[0], 0))];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    return { derInputs: [softmaxBackward(asTensor(this, inputs[0], 0), derOutputs[0]!)], derParams: [] };
  }

  options(): Record<string, unknown> {
    return {};
  }
}
