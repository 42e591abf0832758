/**
 * `LRN` — cross-channel local response normalisation (`dagnn.LRN`, api
 * §3.3; block `lrn`, manual §4.6.1). Option `param` `[n, kappa, alpha, beta]`,
 * default `[5, 1, 0.0001/5, 0.75]` (DagNN's). Identity receptive field.
 */
import { lrn, lrnBackward } from '@convnet-ts/blocks';
import type { Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { readOptions, toNumbers } from './options.js';

export class LRN extends Layer {
  readonly type = 'LRN';
  readonly param: number[];

  constructor(opts: { param?: readonly number[] } = {}) {
    super();
    this.param = toNumbers('LRN', 'param', readOptions('LRN', opts, ['param']).param, [5, 1, 0.0001 / 5, 0.75]);
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    return [lrn(asTensor(this, inputs[0], 0), this.param)];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    return { derInputs: [lrnBackward(asTensor(this, inputs[0], 0), this.param, derOutputs[0]!)], derParams: [] };
  }

  options(): Record<string, unknown> {
    return { param: this.param };
  }
}
