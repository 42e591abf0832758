/**
 * The typed SimpleNN network description (MatConvNet's `net.layers{}` and
 * `net.meta`, matconvnet-api §2.1, §7.1).
 *
 * Two forms of every layer:
 * - `…Spec`: what a user writes — options optional, `pad`/`stride` as one
 *   number or a tuple, `'normalize'` accepted for `'lrn'`;
 * - the tidy form (`Layer`), returned by `tidy`: every default filled, pads as
 *   `[top, bottom, left, right]`, pairs as `[vertical, horizontal]`, and one
 *   `learningRate`/`weightDecay` factor per weight. `simplenn`, `display`,
 *   `move` and `saveSimpleNN` accept either form and tidy it first.
 *
 * Tensors follow the blocks: feature maps `[N, H, W, C]`, conv filters
 * `[Hf, Wf, C/groups, K]`, convt filters `[Hf, Wf, K, D]`.
 */
import type { Labels } from '@convnet-ts/blocks';
import type { LayerGeometry } from '@convnet-ts/geometry';
import type { LossType, Pad4, Pair, PoolMethod, Tensor } from '@convnet-ts/tensor';

/** Fields every tidy layer has. */
export interface LayerCommon {
  /** `layer<i>` (1-based, as MatConvNet) when not given. */
  name: string;
  /** Keep this layer's output under `conserveMemory`. */
  precious: boolean;
  /** Learning-rate factor per weight (default 1 each), read by trainers. */
  learningRate: number[];
  /** Weight-decay factor per weight (default 1 each), read by trainers. */
  weightDecay: number[];
}

export interface ConvLayer extends LayerCommon {
  type: 'conv';
  /** `[f, b]`: f `[Hf, Wf, C/groups, K]` (null: identity filters), b `[K]` or null. */
  weights: [Tensor | null, Tensor | null];
  pad: Pad4;
  stride: Pair;
  dilate: Pair;
}

export interface ConvtLayer extends LayerCommon {
  type: 'convt';
  /** `[f, b]`: f `[Hf, Wf, K, D]`, b `[K·numGroups]` or null. */
  weights: [Tensor, Tensor | null];
  upsample: Pair;
  crop: Pad4;
  numGroups: number;
}

export interface PoolLayer extends LayerCommon {
  type: 'pool';
  /** Window `[height, width]`. */
  pool: Pair;
  method: PoolMethod;
  pad: Pad4;
  stride: Pair;
}

export interface LrnLayer extends LayerCommon {
  type: 'lrn';
  /** `[n, kappa, alpha, beta]`, default `[5, 1, 0.0001/5, 0.75]`. */
  param: [number, number, number, number];
}

export interface SpnormLayer extends LayerCommon {
  type: 'spnorm';
  /** `[ph, pw, alpha, beta]`, default DagNN's `[2, 2, 10, 2]`. */
  param: [number, number, number, number];
}

export interface BnormLayer extends LayerCommon {
  type: 'bnorm';
  /** `[g, b, moments]`: g, b `[C]`, moments `[C, 2]` rows `[mu, sigma]` (zeros when not given). */
  weights: [Tensor, Tensor, Tensor];
  /** Default 1e-5 (SimpleNN's, not the MEX's 1e-4). */
  epsilon: number;
}

export interface ReluLayer extends LayerCommon {
  type: 'relu';
  leak: number;
}

export interface SigmoidLayer extends LayerCommon {
  type: 'sigmoid';
}

export interface NoffsetLayer extends LayerCommon {
  type: 'noffset';
  /** `[kappa, beta]`, default DagNN's `[1, 0.5]`. */
  param: [number, number];
}

export interface DropoutLayer extends LayerCommon {
  type: 'dropout';
  rate: number;
}

export interface SoftmaxLayer extends LayerCommon {
  type: 'softmax';
}

/** vl_nnloss. Unlike MatConvNet's SimpleNN (api §9), `loss` is honoured. */
export interface LossLayer extends LayerCommon {
  type: 'loss';
  loss: LossType;
  /** Labels, when not given per call as `opts.labels`. */
  class?: Labels | undefined;
  instanceWeights?: Labels | null | undefined;
  topK: number;
  threshold: number;
  normalise: boolean;
}

export interface SoftmaxlossLayer extends LayerCommon {
  type: 'softmaxloss';
  /** Labels, when not given per call as `opts.labels`. */
  class?: Labels | undefined;
}

/** vl_nnpdist(x, class, p): the distance of x to the target x0 = `class`. */
export interface PdistLayer extends LayerCommon {
  type: 'pdist';
  /** The target x0 (x's shape or `[N, 1, 1, C]`), when not given per call as `opts.labels`. */
  class?: Tensor | undefined;
  p: number;
  noRoot: boolean;
  /** Default 1e-3 (SimpleNN's, not vl_nnpdist's 1e-6). */
  epsilon: number;
  aggregate: boolean;
  instanceWeights: Tensor | number | null;
}

/** What a custom layer's functions receive besides the layer. */
export interface CustomContext {
  mode: 'normal' | 'test';
}

/**
 * A user layer (MatConvNet's `custom` type). `forward` returns the output;
 * `backward` returns dz/dx (null when not needed) and one derivative per
 * weight. `geometry` describes it to `display` (default: unknown field and size).
 */
export interface CustomLayer extends LayerCommon {
  type: 'custom';
  weights: Tensor[];
  forward: (layer: CustomLayer, x: Tensor, ctx: CustomContext) => Tensor;
  backward: (
    layer: CustomLayer,
    x: Tensor,
    y: Tensor,
    dzdy: Tensor,
    ctx: CustomContext,
  ) => { dzdx: Tensor | null; dzdw?: readonly (Tensor | null)[] };
  geometry?: LayerGeometry | undefined;
}

/** A tidy SimpleNN layer. */
export type Layer =
  | ConvLayer
  | ConvtLayer
  | PoolLayer
  | LrnLayer
  | SpnormLayer
  | BnormLayer
  | ReluLayer
  | SigmoidLayer
  | NoffsetLayer
  | DropoutLayer
  | SoftmaxLayer
  | LossLayer
  | SoftmaxlossLayer
  | PdistLayer
  | CustomLayer;

export type LayerType = Layer['type'];

/** JSON-serialisable values (what `meta` may hold, so that it can be saved). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

/** MatConvNet's `net.meta` (api §7.1); everything in it must be JSON-serialisable. */
export interface Meta {
  /** `[N, H, W, C]`, used by `display` when no inputSize is given. */
  inputSize?: number[];
  /**
   * MatConvNet's `meta.normalization`. `imageSize` is `[H, W, C]` as in
   * MatConvNet; `averageImage` is the mean subtracted from inputs, row-major
   * over `averageImageSize` `[H, W, C]` (channels last, like one image of a
   * feature map; `[1, 1, 3]` for a mean colour), as `loadMatConvNet` gives it.
   */
  normalization?: { imageSize?: number[]; averageImage?: number[]; averageImageSize?: number[]; [key: string]: JsonValue | undefined };
  classes?: { name: string[]; description?: string[] };
  [key: string]: JsonValue | undefined;
}

/** A tidy network. */
export interface SimpleNN {
  layers: Layer[];
  meta: Meta;
}
