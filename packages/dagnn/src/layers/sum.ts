/**
 * `Sum` — element-wise sum of any number of inputs (`dagnn.Sum`, api §3.3;
 * block `sum`): y = Σ x_i, dz/dx_i = dz/dy. Every input must have the same
 * shape (MatConvNet only warns and broadcasts; FIXED, see the block).
 * No options. Identity receptive field for every input.
 */
import { sum, sumBackward } from '@convnet-ts/blocks';
import { formatShape, type Shape, ShapeError, shapesEqual, type Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { readOptions } from './options.js';

export class Sum extends Layer {
  readonly type = 'Sum';
  override readonly numInputs = [1, Number.POSITIVE_INFINITY] as const;

  constructor(opts: Record<string, never> = {}) {
    super();
    readOptions('Sum', opts, []);
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    return [sum(inputs.map((x, i) => asTensor(this, x, i)))];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    return { derInputs: sumBackward(inputs.map((x, i) => asTensor(this, x, i)), derOutputs[0]!), derParams: [] };
  }

  override getOutputSizes(inputSizes: readonly (Shape | undefined)[]): (Shape | undefined)[] {
    const known = inputSizes.findIndex((s) => s !== undefined);
    const first = inputSizes[known];
    inputSizes.forEach((s, i) => {
      if (s && first && !shapesEqual(s, first)) {
        throw new ShapeError('Sum', `inputs[${i}]`, `inputs[${i}] must have the shape of inputs[${known}] ${formatShape(first)}, got ${formatShape(s)}`);
      }
    });
    return [inputSizes.every((s) => s !== undefined) ? first : undefined];
  }

  options(): Record<string, unknown> {
    return {};
  }
}
