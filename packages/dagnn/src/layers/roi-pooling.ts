/**
 * `ROIPooling` — Fast R-CNN region pooling (`dagnn.ROIPooling`, api §3.3;
 * block `roiPool`). Inputs `[x [N, H, W, C], rois]`, rois a `[K, 5]` tensor
 * or K rows `(t, u0, v0, u1, v1)` (1-based). Output `[K, Sh, Sw, C]`, or with
 * `flatten` `[K, 1, 1, Sh·Sw·C]`. Options: `method` ('max'), `subdivisions`
 * ([6, 6]), `transform` (1, `[Tu, Tv]` or a 2×3 matrix), `flatten` (false).
 * Derivative for x only. No receptive field (`NO_FIELD`).
 */
import { type Rois, type RoiTransform, roiPool, roiPoolBackward } from '@convnet-ts/blocks';
import type { LayerGeometry } from '@convnet-ts/geometry';
import { OptionError, type Shape, type Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { type Pair, readOptions, toBool, toChoice, toPair } from './options.js';

export class ROIPooling extends Layer {
  readonly type = 'ROIPooling';
  override readonly numInputs = [2, 2] as const;
  readonly method: 'max' | 'avg';
  readonly subdivisions: Pair;
  readonly transform: RoiTransform;
  readonly flatten: boolean;

  constructor(opts: { method?: 'max' | 'avg'; subdivisions?: number | readonly number[]; transform?: RoiTransform; flatten?: boolean } = {}) {
    super();
    const o = readOptions('ROIPooling', opts, ['method', 'subdivisions', 'transform', 'flatten']);
    this.method = toChoice('ROIPooling', 'method', o.method, ['max', 'avg'] as const);
    this.subdivisions = toPair('ROIPooling', 'subdivisions', o.subdivisions, 6);
    const t = o.transform ?? 1;
    const ok = (v: unknown): boolean => typeof v === 'number' || (Array.isArray(v) && v.every(ok));
    if (!ok(t)) throw new OptionError('ROIPooling', 'transform', `transform must be a number, [Tu, Tv] or a 2×3 matrix, got ${JSON.stringify(t)}`);
    this.transform = t as RoiTransform;
    this.flatten = toBool('ROIPooling', 'flatten', o.flatten, false);
  }

  #opts() {
    return { method: this.method, subdivisions: this.subdivisions, transform: this.transform };
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    const y = roiPool(asTensor(this, inputs[0], 0), inputs[1] as Rois, this.#opts());
    return [this.flatten ? y.reshape([y.shape[0]!, 1, 1, y.size / y.shape[0]!]) : y];
  }

  backward(inputs: readonly VarValue[], _p: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    const x = asTensor(this, inputs[0], 0);
    let dy = derOutputs[0]!;
    if (this.flatten) dy = dy.reshape([dy.shape[0]!, this.subdivisions[0], this.subdivisions[1], x.shape[3]!]);
    return { derInputs: [roiPoolBackward(x, inputs[1] as Rois, dy, this.#opts()), null], derParams: [] };
  }

  override geometry(): readonly (LayerGeometry | null)[] {
    return [{ kind: 'none' }, null];
  }

  override getOutputSizes(inputSizes: readonly (Shape | undefined)[]): (Shape | undefined)[] {
    const [x, rois] = inputSizes;
    if (!x || !rois) return [undefined];
    const [sh, sw] = this.subdivisions;
    const k = rois[0]!;
    return [this.flatten ? [k, 1, 1, sh * sw * x[3]!] : [k, sh, sw, x[3]!]];
  }

  options(): Record<string, unknown> {
    return { method: this.method, subdivisions: this.subdivisions, transform: this.transform, flatten: this.flatten };
  }
}
