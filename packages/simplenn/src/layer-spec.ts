/**
 * Layers as a user writes them (MatConvNet's untidy `net.layers{}`): every
 * option optional, filled by `tidy` (see `layer-types.ts` for the tidy form
 * and the defaults). `'normalize'` is MatConvNet's older name of `'lrn'`.
 */
import type { Labels } from '@convnet-ts/blocks';
import type { LayerGeometry } from '@convnet-ts/geometry';
import type { LossType, PoolMethod, Tensor } from '@convnet-ts/tensor';
import type { CustomLayer, JsonValue, Meta } from './layer-types.js';

/** One number for both directions, or `[vertical, horizontal]`. */
export type PairSpec = number | readonly number[];
/** One number for all sides, or `[top, bottom, left, right]`. */
export type PadSpec = number | readonly number[];

export interface CommonSpec {
  name?: string;
  precious?: boolean;
  learningRate?: readonly number[];
  weightDecay?: readonly number[];
}

export interface ConvLayerSpec extends CommonSpec {
  type: 'conv';
  weights: readonly [Tensor | null, Tensor | null] | readonly [Tensor];
  pad?: PadSpec;
  stride?: PairSpec;
  dilate?: PairSpec;
}

export interface ConvtLayerSpec extends CommonSpec {
  type: 'convt';
  weights: readonly [Tensor, Tensor | null] | readonly [Tensor];
  upsample?: PairSpec;
  crop?: PadSpec;
  numGroups?: number;
}

export interface PoolLayerSpec extends CommonSpec {
  type: 'pool';
  pool: PairSpec;
  method?: PoolMethod;
  pad?: PadSpec;
  stride?: PairSpec;
}

export interface LrnLayerSpec extends CommonSpec {
  type: 'lrn' | 'normalize';
  param?: readonly number[];
}

export interface SpnormLayerSpec extends CommonSpec {
  type: 'spnorm';
  param?: readonly number[];
}

export interface BnormLayerSpec extends CommonSpec {
  type: 'bnorm';
  weights: readonly [Tensor, Tensor] | readonly [Tensor, Tensor, Tensor];
  epsilon?: number;
}

export interface ReluLayerSpec extends CommonSpec {
  type: 'relu';
  leak?: number;
}

export interface SigmoidLayerSpec extends CommonSpec {
  type: 'sigmoid';
}

export interface NoffsetLayerSpec extends CommonSpec {
  type: 'noffset';
  param?: readonly number[];
}

export interface DropoutLayerSpec extends CommonSpec {
  type: 'dropout';
  rate?: number;
}

export interface SoftmaxLayerSpec extends CommonSpec {
  type: 'softmax';
}

export interface LossLayerSpec extends CommonSpec {
  type: 'loss';
  loss?: LossType;
  class?: Labels;
  instanceWeights?: Labels | null;
  topK?: number;
  threshold?: number;
  normalise?: boolean;
}

export interface SoftmaxlossLayerSpec extends CommonSpec {
  type: 'softmaxloss';
  class?: Labels;
}

export interface PdistLayerSpec extends CommonSpec {
  type: 'pdist';
  class?: Tensor;
  p?: number;
  noRoot?: boolean;
  epsilon?: number;
  aggregate?: boolean;
  instanceWeights?: Tensor | number | null;
}

export interface CustomLayerSpec extends CommonSpec {
  type: 'custom';
  weights?: readonly Tensor[];
  forward: CustomLayer['forward'];
  backward: CustomLayer['backward'];
  geometry?: LayerGeometry;
}

/** A layer as written by a user; `tidy` turns it into a `Layer`. */
export type LayerSpec =
  | ConvLayerSpec
  | ConvtLayerSpec
  | PoolLayerSpec
  | LrnLayerSpec
  | SpnormLayerSpec
  | BnormLayerSpec
  | ReluLayerSpec
  | SigmoidLayerSpec
  | NoffsetLayerSpec
  | DropoutLayerSpec
  | SoftmaxLayerSpec
  | LossLayerSpec
  | SoftmaxlossLayerSpec
  | PdistLayerSpec
  | CustomLayerSpec;

/** A network as written by a user (a tidy `SimpleNN` is one too). */
export interface SimpleNNSpec {
  layers: readonly LayerSpec[];
  meta?: Meta | { [key: string]: JsonValue | undefined };
}
