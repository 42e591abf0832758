/**
 * `PDist` — p-distance between feature vectors (`dagnn.PDist`, api §3.3;
 * block `pdist`, manual §4.8.1). Inputs `[x, x0]` or `[x, x0, instanceWeights]`
 * (x0 of x's shape or `[N, 1, 1, C]`). Options: `p` (2), `aggregate` (true:
 * one number `[1]`; false: `[N, H, W, 1]`), `noRoot` (false), `epsilon`
 * (1e-6: the derivative bounds Σ_k |d_k|^p, not the distance, below by ε,
 * as vl_nnpdist.m lines 92, 98; see the block). Derivatives for x and x0
 * (summed back to x0's shape). No receptive field.
 */
import { pdist, pdistBackward } from '@convnet-ts/blocks';
import type { LayerGeometry } from '@convnet-ts/geometry';
import type { Shape, Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { readOptions, toBool, toNum } from './options.js';

export interface PDistLayerOptions {
  p?: number;
  aggregate?: boolean;
  noRoot?: boolean;
  epsilon?: number;
}

export class PDist extends Layer {
  readonly type = 'PDist';
  override readonly numInputs = [2, 3] as const;
  readonly p: number;
  readonly aggregate: boolean;
  readonly noRoot: boolean;
  readonly epsilon: number;

  constructor(opts: PDistLayerOptions = {}) {
    super();
    const o = readOptions('PDist', opts, ['p', 'aggregate', 'noRoot', 'epsilon']);
    this.p = toNum('PDist', 'p', o.p, 2, 1e-9);
    this.aggregate = toBool('PDist', 'aggregate', o.aggregate, true);
    this.noRoot = toBool('PDist', 'noRoot', o.noRoot, false);
    this.epsilon = toNum('PDist', 'epsilon', o.epsilon, 1e-6, 0);
  }

  #opts(inputs: readonly VarValue[]) {
    const w = inputs[2] === undefined ? null : asTensor(this, inputs[2], 2);
    return { aggregate: this.aggregate, noRoot: this.noRoot, epsilon: this.epsilon, instanceWeights: w };
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    return [pdist(asTensor(this, inputs[0], 0), asTensor(this, inputs[1], 1), this.p, this.#opts(inputs))];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    const x = asTensor(this, inputs[0], 0);
    const d = pdistBackward(x, asTensor(this, inputs[1], 1), this.p, derOutputs[0]!, this.#opts(inputs));
    return { derInputs: inputs.map((_, i) => (i === 0 ? d.dzdx : i === 1 ? d.dzdx0 : null)), derParams: [] };
  }

  override geometry(): readonly (LayerGeometry | null)[] {
    return [{ kind: 'none' }, { kind: 'none' }, null];
  }

  override getOutputSizes(inputSizes: readonly (Shape | undefined)[]): (Shape | undefined)[] {
    const x = inputSizes[0];
    if (this.aggregate) return [[1]];
    return [x && x.length === 4 ? [x[0]!, x[1]!, x[2]!, 1] : undefined];
  }

  options(): Record<string, unknown> {
    return { p: this.p, aggregate: this.aggregate, noRoot: this.noRoot, epsilon: this.epsilon };
  }
}
