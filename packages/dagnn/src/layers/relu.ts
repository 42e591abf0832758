/**
 * `ReLU` — rectified linear unit, optionally leaky (`dagnn.ReLU`, api §3.3;
 * block `relu`, manual §4.4): y = x·(leak + (1 − leak)[x > 0]). Option `leak`
 * (default 0). Element-wise: identity receptive field, same size.
 */
import { relu, reluBackward } from '@convnet-ts/blocks';
import type { Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { readOptions, toNum } from './options.js';

export class ReLU extends Layer {
  readonly type = 'ReLU';
  readonly leak: number;

  constructor(opts: { leak?: number } = {}) {
    super();
    this.leak = toNum('ReLU', 'leak', readOptions('ReLU', opts, ['leak']).leak, 0);
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    return [relu(asTensor(this, inputs[0], 0), { leak: this.leak })];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    return { derInputs: [reluBackward(asTensor(this, inputs[0], 0), derOutputs[0]!, { leak: this.leak })], derParams: [] };
  }

  options(): Record<string, unknown> {
    return { leak: this.leak };
  }
}
