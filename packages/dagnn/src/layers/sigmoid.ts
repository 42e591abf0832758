/**
 * `Sigmoid` — y = 1/(1 + e^−x) (`dagnn.Sigmoid`, api §3.3; block `sigmoid`,
 * manual §4.4). No options. Element-wise: identity receptive field, same size.
 */
import { sigmoid, sigmoidBackward } from '@convnet-ts/blocks';
import type { Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { readOptions } from './options.js';

export class Sigmoid extends Layer {
  readonly type = 'Sigmoid';

  constructor(opts: Record<string, never> = {}) {
    super();
    readOptions('Sigmoid', opts, []);
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    return [sigmoid(asTensor(this, inputs[0], 0))];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    return { derInputs: [sigmoidBackward(asTensor(this, inputs[0], 0), derOutputs[0]!)], derParams: [] };
  }

  options(): Record<string, unknown> {
    return {};
  }
}
