/**
 * `Concat` — concatenation of any number of inputs (`dagnn.Concat`, api
 * §3.3; block `concat`). Option `dim`: MatConvNet's 1-based dimension of
 * H×W×C×N (default 3, the channels; 4 is the batch). Inputs must agree on
 * every other axis. Receptive field: identity for dim 3 or 4; no field
 * (`NO_FIELD`, MatConvNet's NaN) for the spatial dims 1 and 2.
 */
import { concat, concatBackward } from '@convnet-ts/blocks';
import type { LayerGeometry } from '@convnet-ts/geometry';
import { formatShape, type Shape, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { readOptions, toChoice } from './options.js';

const AXIS: Record<string, number> = { '1': 1, '2': 2, '3': 3, '4': 0 };

export class Concat extends Layer {
  readonly type = 'Concat';
  override readonly numInputs = [1, Number.POSITIVE_INFINITY] as const;
  readonly dim: 1 | 2 | 3 | 4;

  constructor(opts: { dim?: 1 | 2 | 3 | 4 } = {}) {
    super();
    const o = readOptions('Concat', opts, ['dim']);
    const dim = toChoice('Concat', 'dim', o.dim === undefined ? '3' : String(o.dim), ['3', '4', '1', '2'] as const);
    this.dim = Number(dim) as 1 | 2 | 3 | 4;
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    return [concat(inputs.map((x, i) => asTensor(this, x, i)), { dim: this.dim })];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    const xs = inputs.map((x, i) => asTensor(this, x, i));
    return { derInputs: concatBackward(xs, derOutputs[0]!, { dim: this.dim }), derParams: [] };
  }

  override geometry(): LayerGeometry {
    return this.dim >= 3 ? { kind: 'identity' } : { kind: 'none' };
  }

  override getOutputSizes(inputSizes: readonly (Shape | undefined)[]): (Shape | undefined)[] {
    if (inputSizes.some((s) => s === undefined)) return [undefined];
    const shapes = inputSizes as readonly Shape[];
    const axis = AXIS[String(this.dim)]!;
    const first = shapes[0]!;
    shapes.forEach((s, i) => {
      if (s.length !== first.length || s.some((d, a) => a !== axis && d !== first[a])) {
        throw new ShapeError('Concat', `inputs[${i}]`, `inputs[${i}] must match inputs[0] ${formatShape(first)} except along dim ${this.dim}, got ${formatShape(s)}`);
      }
    });
    const out = [...first];
    out[axis] = shapes.reduce((n, s) => n + s[axis]!, 0);
    return [out];
  }

  options(): Record<string, unknown> {
    return { dim: this.dim };
  }
}
