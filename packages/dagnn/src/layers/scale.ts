/**
 * `Scale` — y = x ⊙ w + b with w, b broadcast (`dagnn.Scale`, api §3.3;
 * block `scale`). Parameters `[scale, bias]` (`[scale]` without `hasBias`),
 * both of shape `size` (e.g. `[C]` or `[1, 1, 1, C]` for one factor per
 * channel). Derivatives of w and b are summed over the broadcast axes.
 * Init: scale 1, bias 0. Identity receptive field.
 */
import { scale, scaleBackward } from '@convnet-ts/blocks';
import type { Backend, Rng, Shape, Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, param, type VarValue } from '../layer.js';
import { readOptions, toBool, toShape } from './options.js';

export class Scale extends Layer {
  readonly type = 'Scale';
  readonly size: number[];
  readonly hasBias: boolean;

  constructor(opts: { size: readonly number[]; hasBias?: boolean }) {
    super();
    const o = readOptions('Scale', opts, ['size', 'hasBias']);
    const rank = Array.isArray(o.size) ? o.size.length : 1;
    this.size = toShape('Scale', 'size', o.size, Math.min(Math.max(rank, 1), 4), '(the shape of the factors)');
    this.hasBias = toBool('Scale', 'hasBias', o.hasBias, true);
  }

  override paramNames(): readonly string[] {
    return this.hasBias ? ['scale', 'bias'] : ['scale'];
  }

  override paramShapes(): readonly Shape[] {
    return this.hasBias ? [this.size, this.size] : [this.size];
  }

  forward(inputs: readonly VarValue[], params: readonly Tensor[]): Tensor[] {
    return [scale(asTensor(this, inputs[0], 0), param(params, 0), params[1] ?? null)];
  }

  backward(inputs: readonly VarValue[], params: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    const d = scaleBackward(asTensor(this, inputs[0], 0), param(params, 0), params[1] ?? null, derOutputs[0]!);
    return { derInputs: [d.dzdx], derParams: this.hasBias ? [d.dzdw, d.dzdb] : [d.dzdw] };
  }

  override initParams(_rng: Rng, backend: Backend): Tensor[] {
    return this.hasBias ? [backend.fill(this.size, 1), backend.zeros(this.size)] : [backend.fill(this.size, 1)];
  }

  options(): Record<string, unknown> {
    return { size: this.size, hasBias: this.hasBias };
  }
}
