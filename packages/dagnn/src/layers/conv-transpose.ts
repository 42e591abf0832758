/**
 * `ConvTranspose` — convolution transpose (`dagnn.ConvTranspose`, api §3.3;
 * block `convt`, manual §4.2). Parameters `[filters [Hf, Wf, K, D], biases [K·G]]`.
 * Options: `size` `[Hf, Wf, K, D]`, `upsample`, `crop` (1, 2 or 4 values),
 * `numGroups` G, `hasBias`.
 *
 * Decision (api §9): MatConvNet's wrapper sizes the output depth and the
 * bias as K, ignoring `numGroups`; FIXED here, both are K·G, as the block
 * computes. Receptive field (manual §5.3): stride 1/U, size (Hf − 1)/U + 1,
 * offset (2·Ct − Hf + 1)/(2U) + 1. Init: filters ~ N(0, 2/(Hf·Wf·D)), biases 0.
 */
import { convt, convtBackward } from '@convnet-ts/blocks';
import type { LayerGeometry } from '@convnet-ts/geometry';
import { type Backend, type Rng, randnTensor, type Shape, type Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, param, type VarValue } from '../layer.js';
import { type Pad4, type Pair, readOptions, toBool, toNum, toPad4, toPair, toShape } from './options.js';

export interface ConvTransposeLayerOptions {
  size: readonly number[];
  upsample?: number | readonly number[];
  crop?: number | readonly number[];
  numGroups?: number;
  hasBias?: boolean;
}

export class ConvTranspose extends Layer {
  readonly type = 'ConvTranspose';
  readonly size: number[];
  readonly upsample: Pair;
  readonly crop: Pad4;
  readonly numGroups: number;
  readonly hasBias: boolean;

  constructor(opts: ConvTransposeLayerOptions) {
    super();
    const t = 'ConvTranspose';
    const o = readOptions(t, opts, ['size', 'upsample', 'crop', 'numGroups', 'hasBias']);
    this.size = toShape(t, 'size', o.size, 4, '[Hf, Wf, K, D]');
    this.upsample = toPair(t, 'upsample', o.upsample, 1);
    this.crop = toPad4(t, 'crop', o.crop);
    this.numGroups = toNum(t, 'numGroups', o.numGroups, 1, 1);
    this.hasBias = toBool(t, 'hasBias', o.hasBias, true);
  }

  get #depth(): number {
    return this.size[2]! * this.numGroups;
  }

  override paramNames(): readonly string[] {
    return this.hasBias ? ['filters', 'biases'] : ['filters'];
  }

  override paramShapes(): readonly Shape[] {
    return this.hasBias ? [this.size, [this.#depth]] : [this.size];
  }

  #opts() {
    return { upsample: this.upsample, crop: this.crop, numGroups: this.numGroups };
  }

  forward(inputs: readonly VarValue[], params: readonly Tensor[]): Tensor[] {
    return [convt(asTensor(this, inputs[0], 0), param(params, 0), params[1] ?? null, this.#opts())];
  }

  backward(inputs: readonly VarValue[], params: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    const d = convtBackward(asTensor(this, inputs[0], 0), param(params, 0), params[1] ?? null, derOutputs[0]!, this.#opts());
    return { derInputs: [d.dzdx], derParams: this.hasBias ? [d.dzdf, d.dzdb] : [d.dzdf] };
  }

  override initParams(rng: Rng, backend: Backend): Tensor[] {
    const [hf, wf, , d] = this.size as [number, number, number, number];
    const f = randnTensor(backend, this.size, rng, Math.sqrt(2 / (hf * wf * d)));
    return this.hasBias ? [f, backend.zeros([this.#depth])] : [f];
  }

  override geometry(): LayerGeometry {
    return { kind: 'convt', size: [this.size[0]!, this.size[1]!], upsample: this.upsample, crop: this.crop, channels: this.#depth };
  }

  options(): Record<string, unknown> {
    return { size: this.size, upsample: this.upsample, crop: this.crop, numGroups: this.numGroups, hasBias: this.hasBias };
  }
}
