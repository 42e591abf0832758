/**
 * `AffineGridGenerator` — the sampling grid of an affine transform
 * (`dagnn.AffineGridGenerator`, api §3.3; block `affineGrid`). Input: the
 * transforms, `[N, 2, 3]` (row-major A = [[a11 a12 a13], [a21 a22 a23]] on
 * (vertical, horizontal, 1)) or `[N, 1, 1, 6]` read row-major into the same
 * A — so a 6-channel conv output can drive it. (MatConvNet's 1×1×6×N is
 * ordered [c1 c2 c5; c3 c4 c6] instead; a deliberate, documented difference
 * that only permutes the learnt weights.) Output `[N, Ho, Wo, 2]`, the grid
 * of `BilinearSampler`. Options `Ho`, `Wo` (required). No receptive field.
 */
import { affineGrid, affineGridBackward } from '@convnet-ts/blocks';
import type { LayerGeometry } from '@convnet-ts/geometry';
import type { Shape, Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { readOptions, toPair } from './options.js';

export class AffineGridGenerator extends Layer {
  readonly type = 'AffineGridGenerator';
  readonly Ho: number;
  readonly Wo: number;

  constructor(opts: { Ho: number; Wo: number }) {
    super();
    const o = readOptions('AffineGridGenerator', opts, ['Ho', 'Wo']);
    this.Ho = toPair('AffineGridGenerator', 'Ho', o.Ho, Number.NaN)[0];
    this.Wo = toPair('AffineGridGenerator', 'Wo', o.Wo, Number.NaN)[0];
  }

  #theta(x: Tensor): Tensor {
    return x.rank === 4 ? x.reshape([x.shape[0]!, 2, 3]) : x;
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    return [affineGrid(this.#theta(asTensor(this, inputs[0], 0)), [this.Ho, this.Wo])];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    const x = asTensor(this, inputs[0], 0);
    const d = affineGridBackward(this.#theta(x), [this.Ho, this.Wo], derOutputs[0]!);
    return { derInputs: [x.rank === 4 ? d.reshape(x.shape) : d], derParams: [] };
  }

  override geometry(): LayerGeometry {
    return { kind: 'none' };
  }

  override getOutputSizes(inputSizes: readonly (Shape | undefined)[]): (Shape | undefined)[] {
    const x = inputSizes[0];
    return [x ? [x[0]!, this.Ho, this.Wo, 2] : undefined];
  }

  options(): Record<string, unknown> {
    return { Ho: this.Ho, Wo: this.Wo };
  }
}
