/**
 * `NormOffset` — y = x − kappa·L^beta with L the squared norm over channels
 * (`dagnn.NormOffset`, api §3.3; block `noffset`). Option `param`
 * `[kappa, beta]`, default `[1, 0.5]`. Identity receptive field.
 */
import { noffset, noffsetBackward } from '@convnet-ts/blocks';
import type { Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { readOptions, toNumbers } from './options.js';

export class NormOffset extends Layer {
  readonly type = 'NormOffset';
  readonly param: number[];

  constructor(opts: { param?: readonly number[] } = {}) {
    super();
    this.param = toNumbers('NormOffset', 'param', readOptions('NormOffset', opts, ['param']).param, [1, 0.5]);
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    return [noffset(asTensor(this, inputs[0], 0), this.param)];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    return { derInputs: [noffsetBackward(asTensor(this, inputs[0], 0), this.param, derOutputs[0]!)], derParams: [] };
  }

  options(): Record<string, unknown> {
    return { param: this.param };
  }
}
