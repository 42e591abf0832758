/**
 * `BilinearSampler` — samples input 1 at the grid of input 2
 * (`dagnn.BilinearSampler`, api §3.3; block `bilinearSampler`, manual §4.5).
 * Inputs `[x [N, H, W, C], grid [No, Ho, Wo, 2]]`, output `[No, Ho, Wo, C]`;
 * derivatives for both. No options. No receptive field (`NO_FIELD`: the
 * dependency is data-dependent; MatConvNet returns [], which breaks
 * getVarReceptiveFields — api §9).
 */
import { bilinearSampler, bilinearSamplerBackward } from '@convnet-ts/blocks';
import type { LayerGeometry } from '@convnet-ts/geometry';
import type { Shape, Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { readOptions } from './options.js';

export class BilinearSampler extends Layer {
  readonly type = 'BilinearSampler';
  override readonly numInputs = [2, 2] as const;

  constructor(opts: Record<string, never> = {}) {
    super();
    readOptions('BilinearSampler', opts, []);
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    return [bilinearSampler(asTensor(this, inputs[0], 0), asTensor(this, inputs[1], 1))];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    const d = bilinearSamplerBackward(asTensor(this, inputs[0], 0), asTensor(this, inputs[1], 1), derOutputs[0]!);
    return { derInputs: [d.dzdx, d.dzdgrid], derParams: [] };
  }

  override geometry(): readonly LayerGeometry[] {
    return [{ kind: 'none' }, { kind: 'none' }];
  }

  override getOutputSizes(inputSizes: readonly (Shape | undefined)[]): (Shape | undefined)[] {
    const [x, grid] = inputSizes;
    return [x && grid ? [grid[0]!, grid[1]!, grid[2]!, x[3]!] : undefined];
  }

  options(): Record<string, unknown> {
    return {};
  }
}
