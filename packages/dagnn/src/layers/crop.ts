/**
 * `Crop` — crops input 1 to the spatial size of input 2 (`dagnn.Crop`, api
 * §3.3; block `crop`), as FCNs align upsampled scores with the image. With
 * the excess t = H1 − H2 (likewise W), option `crop` `[top, left]` (default
 * [0, 0]) removes min(t, top) rows at the top and the rest at the bottom.
 * Input 2 only gives a size: it gets no derivative and no receptive field.
 * Receptive field of input 1: size 1, stride 1, offset 1 + crop (MatConvNet's).
 */
import { crop, cropBackward } from '@convnet-ts/blocks';
import type { LayerGeometry } from '@convnet-ts/geometry';
import { formatShape, type Shape, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { type Pair, readOptions, toPair } from './options.js';

export class Crop extends Layer {
  readonly type = 'Crop';
  override readonly numInputs = [2, 2] as const;
  readonly crop: Pair;

  constructor(opts: { crop?: number | readonly number[] } = {}) {
    super();
    this.crop = toPair('Crop', 'crop', readOptions('Crop', opts, ['crop']).crop, 0, 0);
  }

  #spec(x: Shape, ref: Shape): [number, number, number, number] {
    const th = x[1]! - ref[1]!;
    const tw = x[2]! - ref[2]!;
    if (x.length !== 4 || ref.length !== 4 || th < 0 || tw < 0) {
      throw new ShapeError('Crop', 'inputs[1]', `inputs[1] must be no larger than inputs[0] ${formatShape(x)}, got ${formatShape(ref)}`);
    }
    const top = Math.min(th, this.crop[0]);
    const left = Math.min(tw, this.crop[1]);
    return [top, th - top, left, tw - left];
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    const x = asTensor(this, inputs[0], 0);
    return [crop(x, this.#spec(x.shape, asTensor(this, inputs[1], 1).shape))];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    const x = asTensor(this, inputs[0], 0);
    const spec = this.#spec(x.shape, asTensor(this, inputs[1], 1).shape);
    return { derInputs: [cropBackward(x, spec, derOutputs[0]!), null], derParams: [] };
  }

  override geometry(): readonly (LayerGeometry | null)[] {
    const field = { size: 1, stride: 1, offset: [1 + this.crop[0], 1 + this.crop[1]] as const };
    return [{ kind: 'custom', field }, null];
  }

  override getOutputSizes(inputSizes: readonly (Shape | undefined)[]): (Shape | undefined)[] {
    const [x, ref] = inputSizes;
    if (!x || !ref) return [undefined];
    this.#spec(x, ref);
    return [[x[0]!, ref[1]!, ref[2]!, x[3]!]];
  }

  options(): Record<string, unknown> {
    return { crop: this.crop };
  }
}
