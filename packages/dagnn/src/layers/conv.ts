/**
 * `Conv` — convolution layer (`dagnn.Conv`, api §3.3; block `conv`, manual §4.1).
 * Parameters `[filters [Hf, Wf, C/groups, K], biases [K]]` (no biases when
 * `hasBias` is false). Options as DagNN's: `size` `[Hf, Wf, C/groups, K]`,
 * `pad` (1, 2 → [a a b b], or 4 values), `stride`, `dilate`, `hasBias`.
 *
 * Receptive field (manual §5.2): size (Hf − 1)·D + 1, stride S, offset
 * 1 − Pt + (extent − 1)/2. Initialisation (MatConvNet's He init):
 * filters ~ N(0, 2 / (Hf·Wf·C/groups)), biases 0.
 */
import { conv, convBackward } from '@convnet-ts/blocks';
import type { LayerGeometry } from '@convnet-ts/geometry';
import { type Backend, type Rng, randnTensor, type Shape, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, param, type VarValue } from '../layer.js';
import { type Pad4, type Pair, readOptions, toBool, toPad4, toPair, toShape } from './options.js';

export interface ConvLayerOptions {
  size: readonly number[];
  pad?: number | readonly number[];
  stride?: number | readonly number[];
  dilate?: number | readonly number[];
  hasBias?: boolean;
}

export class Conv extends Layer {
  readonly type = 'Conv';
  readonly size: number[];
  readonly pad: Pad4;
  readonly stride: Pair;
  readonly dilate: Pair;
  readonly hasBias: boolean;

  constructor(opts: ConvLayerOptions) {
    super();
    const o = readOptions('Conv', opts, ['size', 'pad', 'stride', 'dilate', 'hasBias']);
    this.size = toShape('Conv', 'size', o.size, 4, '[Hf, Wf, C/groups, K]');
    this.pad = toPad4('Conv', 'pad', o.pad);
    this.stride = toPair('Conv', 'stride', o.stride, 1);
    this.dilate = toPair('Conv', 'dilate', o.dilate, 1);
    this.hasBias = toBool('Conv', 'hasBias', o.hasBias, true);
  }

  override paramNames(): readonly string[] {
    return this.hasBias ? ['filters', 'biases'] : ['filters'];
  }

  override paramShapes(): readonly Shape[] {
    return this.hasBias ? [this.size, [this.size[3]!]] : [this.size];
  }

  #opts() {
    return { pad: this.pad, stride: this.stride, dilate: this.dilate };
  }

  forward(inputs: readonly VarValue[], params: readonly Tensor[]): Tensor[] {
    return [conv(asTensor(this, inputs[0], 0), param(params, 0), params[1] ?? null, this.#opts())];
  }

  backward(inputs: readonly VarValue[], params: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    const d = convBackward(asTensor(this, inputs[0], 0), param(params, 0), params[1] ?? null, derOutputs[0]!, this.#opts());
    return { derInputs: [d.dzdx], derParams: this.hasBias ? [d.dzdf, d.dzdb] : [d.dzdf] };
  }

  override initParams(rng: Rng, backend: Backend): Tensor[] {
    const [hf, wf, c, k] = this.size as [number, number, number, number];
    const f = randnTensor(backend, this.size, rng, Math.sqrt(2 / (hf * wf * c)));
    return this.hasBias ? [f, backend.zeros([k])] : [f];
  }

  override geometry(): LayerGeometry {
    const [hf, wf, , k] = this.size as [number, number, number, number];
    return { kind: 'filter', size: [hf, wf], pad: this.pad, stride: this.stride, dilate: this.dilate, channels: k };
  }

  override getOutputSizes(inputSizes: readonly (Shape | undefined)[]): (Shape | undefined)[] {
    const c = inputSizes[0]?.[3];
    const [, , depth, k] = this.size as [number, number, number, number];
    if (c !== undefined && (c % depth !== 0 || k % (c / depth) !== 0)) {
      throw new ShapeError('Conv', 'inputs[0]', `input channels must be filter depth ${depth} × a number of groups dividing the ${k} filters, got ${c} channels`);
    }
    return super.getOutputSizes(inputSizes);
  }

  options(): Record<string, unknown> {
    return { size: this.size, pad: this.pad, stride: this.stride, dilate: this.dilate, hasBias: this.hasBias };
  }
}
