/**
 * `SpatialNorm` — spatial normalisation y = x (1 + alpha·n²)^(−beta)
 * (`dagnn.SpatialNorm`, api §3.3; block `spnorm`, manual §4.6.3). Option
 * `param` `[ph, pw, alpha, beta]`, default `[2, 2, 10, 2]` (DagNN's).
 *
 * Receptive field: MatConvNet declares it element-wise (size 1), although n²
 * averages a ph×pw window; FIXED here: the field is that window's (a stride-1
 * filter with the block's "same" padding), so brute-force dependency checks
 * agree with `getVarReceptiveFields`.
 */
import { spnorm, spnormBackward } from '@convnet-ts/blocks';
import type { LayerGeometry } from '@convnet-ts/geometry';
import type { Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { readOptions, toNumbers } from './options.js';

function same(p: number): [number, number] {
  const before = Math.floor((p - 1) / 2);
  return [before, p - 1 - before];
}

export class SpatialNorm extends Layer {
  readonly type = 'SpatialNorm';
  readonly param: number[];

  constructor(opts: { param?: readonly number[] } = {}) {
    super();
    this.param = toNumbers('SpatialNorm', 'param', readOptions('SpatialNorm', opts, ['param']).param, [2, 2, 10, 2]);
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    return [spnorm(asTensor(this, inputs[0], 0), this.param)];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    return { derInputs: [spnormBackward(asTensor(this, inputs[0], 0), this.param, derOutputs[0]!)], derParams: [] };
  }

  override geometry(): LayerGeometry {
    const [ph, pw] = this.param as [number, number];
    return { kind: 'filter', size: [ph, pw], pad: [...same(ph), ...same(pw)] };
  }

  options(): Record<string, unknown> {
    return { param: this.param };
  }
}
