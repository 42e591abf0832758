/**
 * `Pooling` — max or average pooling (`dagnn.Pooling`, api §3.3; block
 * `pool`, manual §4.3). No parameters. Options: `poolSize` (default [1 1]),
 * `method` ('max' | 'avg'), `pad` (1, 2 or 4 values), `stride`.
 * Receptive field: a filter's (manual §5.2) with the pooling window as size.
 */
import { pool, poolBackward } from '@convnet-ts/blocks';
import type { LayerGeometry } from '@convnet-ts/geometry';
import type { Tensor } from '@convnet-ts/tensor';
import { asTensor, Layer, type LayerDerivatives, type VarValue } from '../layer.js';
import { type Pad4, type Pair, readOptions, toChoice, toPad4, toPair } from './options.js';

export interface PoolingLayerOptions {
  poolSize?: number | readonly number[];
  method?: 'max' | 'avg';
  pad?: number | readonly number[];
  stride?: number | readonly number[];
}

export class Pooling extends Layer {
  readonly type = 'Pooling';
  readonly poolSize: Pair;
  readonly method: 'max' | 'avg';
  readonly pad: Pad4;
  readonly stride: Pair;

  constructor(opts: PoolingLayerOptions = {}) {
    super();
    const o = readOptions('Pooling', opts, ['poolSize', 'method', 'pad', 'stride']);
    this.poolSize = toPair('Pooling', 'poolSize', o.poolSize, 1);
    this.method = toChoice('Pooling', 'method', o.method, ['max', 'avg'] as const);
    this.pad = toPad4('Pooling', 'pad', o.pad);
    this.stride = toPair('Pooling', 'stride', o.stride, 1);
  }

  #opts() {
    return { method: this.method, pad: this.pad, stride: this.stride };
  }

  forward(inputs: readonly VarValue[]): Tensor[] {
    return [pool(asTensor(this, inputs[0], 0), this.poolSize, this.#opts())];
  }

  backward(inputs: readonly VarValue[], _params: readonly Tensor[], derOutputs: readonly Tensor[]): LayerDerivatives {
    return { derInputs: [poolBackward(asTensor(this, inputs[0], 0), this.poolSize, derOutputs[0]!, this.#opts())], derParams: [] };
  }

  override geometry(): LayerGeometry {
    return { kind: 'pool', size: this.poolSize, pad: this.pad, stride: this.stride };
  }

  options(): Record<string, unknown> {
    return { poolSize: this.poolSize, method: this.method, pad: this.pad, stride: this.stride };
  }
}
