/**
 * `DropOut` — inverted dropout (`dagnn.DropOut`, api §3.3; block `dropout`,
 * api §1.6): in `normal` mode y = mask ⊙ x with mask = [u ≥ rate]/(1 − rate),
 * the mask drawn from the network's seeded `rng` and kept for the backward
 * pass; in `test` mode the identity. Options: `rate` (0.5), `frozen` (false:
 * with true, the first mask is reused until `reset()`, MatConvNet's frozen).
 * Identity receptive field.
 */
import { dropout, dropoutBackward } from '@convnet-ts/blocks';
import type { Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerContext, type LayerDerivatives, type VarValue } from '../layer.js';
import { readOptions, toBool, toNum } from './options.js';

export class DropOut extends Layer {
  readonly type = 'DropOut';
  readonly rate: number;
  readonly frozen: boolean;
  #mask: Tensor | null = null;

  constructor(opts: { rate?: number; frozen?: boolean } = {}) {
    super();
    const o = readOptions('DropOut', opts, ['rate', 'frozen']);
    this.rate = toNum('DropOut', 'rate', o.rate, 0.5, 0, 0.999999);
    this.frozen = toBool('DropOut', 'frozen', o.frozen, false);
  }

  forward(inputs: readonly VarValue[], _p: readonly Tensor[], ctx: LayerContext): Tensor[] {
    const x = asTensor(this, inputs[0], 0);
    if (ctx.mode === 'test') return [dropout(x, { mode: 'test' }).y];
    const reuse = this.frozen && this.#mask !== null;
    const r = dropout(x, reuse ? { mask: this.#mask } : { rate: this.rate, rng: ctx.rng });
    if (!reuse) {
      this.#mask?.dispose();
      this.#mask = r.mask;
    }
    return [r.y];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[], ctx: LayerContext): LayerDerivatives {
    const x = asTensor(this, inputs[0], 0);
    const dx = dropoutBackward(x, derOutputs[0]!, ctx.mode === 'test' ? { mode: 'test' } : { mask: this.#mask });
    return { derInputs: [dx], derParams: [] };
  }

  override reset(): void {
    this.#mask?.dispose();
    this.#mask = null;
  }

  options(): Record<string, unknown> {
    return { rate: this.rate, frozen: this.frozen };
  }
}
