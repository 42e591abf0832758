/**
 * A convnet-ts SimpleNN as MatConvNet's beta25 net struct (matconvnet-api
 * §2.1, §7.1): `layers`, a `1×L` cell of `1×1` layer structs with every
 * field `vl_simplenn` reads (`name`, `type`, `weights` — `{}` for layers
 * without, as `vl_simplenn_tidy` leaves them —, options, `opts`, `precious`,
 * and `learningRate`/`weightDecay` for layers with weights), and `meta`
 * (`matconvnet-meta.ts`): the file is already tidy.
 *
 * Values and layouts, as MatConvNet's own examples write them
 * (`cnn_mnist_init.m`, `cnn_imagenet_init.m`): filters `single`
 * `H×W×D×K` (conv) or `H×W×K×D` (convt), column-major, element (h, w, d, k)
 * keeping its value (trailing singleton dims dropped, as MATLAB does);
 * biases `single 1×K`, `[]` for none; identity conv filters `[]`; bnorm
 * gains and biases `single K×1`, moments `single K×2`; `pad`/`crop` `1×4`
 * `[top bottom left right]` and pairs `1×2` as double (the MEX reads them
 * as double); flags as logical; `opts` `{}`. Loss layers get no `class`
 * (labels are given per batch, as `cnn_train` sets them). A `loss` layer
 * keeps its `loss` field, which MatConvNet's vl_simplenn ignores.
 *
 * Values of a float64 network are rounded to single, MatConvNet's class.
 * Custom layers are code and cannot be saved: saving one throws.
 */
import { type MatValue, matCell, matChar, matDouble, matLogical, matSingle, matStruct } from '@convnet-ts/matfile';
import { isTensor, type Tensor, ValueError } from '@convnet-ts/tensor';
import { layerLabel } from './layer-error.js';
import type { SimpleNNSpec } from './layer-spec.js';
import type { Layer } from './layer-types.js';
import { featureMapToMatlab, matlabDims, rowToColumnMajor } from './matconvnet-layout.js';
import { exportMeta } from './matconvnet-meta.js';
import { tidy } from './tidy.js';

const SAVE = 'saveMatConvNet';
const none = (): MatValue => matSingle([], [0, 0]);
const row = (values: readonly number[]): MatValue => matDouble(values, [1, values.length]);

/** A tensor as a MATLAB single array of the same dims, column-major. */
async function single(t: Tensor): Promise<MatValue> {
  return matSingle(rowToColumnMajor(await t.data(), t.shape), matlabDims(t.shape));
}

/** A `[K]` tensor as `single 1×K` (`orientation` 'row') or `K×1`. */
async function vector(t: Tensor | null, orientation: 'row' | 'column'): Promise<MatValue> {
  if (!t) return none();
  const data = Float32Array.from(await t.data());
  return matSingle(data, orientation === 'row' ? [1, data.length] : [data.length, 1]);
}

/** The variables `layers` and `meta` of MatConvNet's file for `net` (see the module doc). */
export async function toMatConvNet(net: SimpleNNSpec): Promise<{ layers: MatValue; meta: MatValue }> {
  const { layers, meta } = tidy(net);
  const structs: MatValue[] = [];
  for (const [i, layer] of layers.entries()) structs.push(matStruct(await exportLayer(layer, i)));
  return { layers: matCell(structs), meta: exportMeta(meta) };
}

async function exportLayer(layer: Layer, i: number): Promise<Record<string, MatValue>> {
  const head = { name: matChar(layer.name), type: matChar(layer.type) };
  const tail = (weighted: boolean): Record<string, MatValue> => ({
    precious: matLogical(layer.precious),
    ...(weighted ? { learningRate: row(layer.learningRate), weightDecay: row(layer.weightDecay) } : { weights: matCell([], [0, 0]) }),
  });
  const opts = matCell([], [0, 0]);
  switch (layer.type) {
    case 'conv': {
      const [f, b] = layer.weights;
      const weights = matCell([f ? await single(f) : none(), await vector(b, 'row')]);
      return { ...head, weights, pad: row(layer.pad), stride: row(layer.stride), dilate: row(layer.dilate), opts, ...tail(true) };
    }
    case 'convt': {
      const [f, b] = layer.weights;
      const weights = matCell([await single(f), await vector(b, 'row')]);
      return { ...head, weights, crop: row(layer.crop), upsample: row(layer.upsample), numGroups: matDouble(layer.numGroups), opts, ...tail(true) };
    }
    case 'pool':
      return { ...head, method: matChar(layer.method), pool: row(layer.pool), stride: row(layer.stride), pad: row(layer.pad), opts, ...tail(false) };
    case 'lrn':
    case 'spnorm':
    case 'noffset':
      return { ...head, param: row(layer.param), ...tail(false) };
    case 'bnorm': {
      const [g, b, m] = layer.weights;
      const moments = matSingle(rowToColumnMajor(await m.data(), m.shape), [m.shape[0]!, 2]);
      const weights = matCell([await vector(g, 'column'), await vector(b, 'column'), moments]);
      return { ...head, weights, epsilon: matDouble(layer.epsilon), ...tail(true) };
    }
    case 'relu':
      return { ...head, leak: matDouble(layer.leak), ...tail(false) };
    case 'dropout':
      return { ...head, rate: matDouble(layer.rate), ...tail(false) };
    case 'sigmoid':
    case 'softmax':
    case 'softmaxloss':
      return { ...head, ...tail(false) };
    case 'loss': {
      const extra = { loss: matChar(layer.loss), topK: matDouble(layer.topK), threshold: matDouble(layer.threshold), normalise: matLogical(layer.normalise) };
      return { ...head, ...extra, ...(await instanceWeights(layer.instanceWeights, i, layer)), ...tail(false) };
    }
    case 'pdist': {
      const extra = { p: matDouble(layer.p), noRoot: matLogical(layer.noRoot), epsilon: matDouble(layer.epsilon), aggregate: matLogical(layer.aggregate) };
      return { ...head, ...extra, ...(await instanceWeights(layer.instanceWeights, i, layer)), ...tail(false) };
    }
    case 'custom':
      throw new ValueError(SAVE, `layers[${i}]`, `${layerLabel(layer, i)} must be a built-in layer type to be saved, got a custom layer (its functions are code, which MAT-files for vl_simplenn cannot hold)`);
  }
}

/** `instanceWeights`: `[]` when null, a scalar, or a `[N, H, W, C]` tensor as `H×W×C×N`. */
async function instanceWeights(w: unknown, i: number, layer: Layer): Promise<Record<string, MatValue>> {
  if (w === null || w === undefined) return { instanceWeights: matDouble([], [0, 0]) };
  if (typeof w === 'number') return { instanceWeights: matDouble(w) };
  if (isTensor(w) && w.rank === 4) {
    const { data, dims } = featureMapToMatlab(await w.data(), w.shape as [number, number, number, number]);
    return { instanceWeights: matSingle(data, dims) };
  }
  throw new ValueError(SAVE, `layers[${i}].instanceWeights`, `${layerLabel(layer, i)}: instanceWeights must be null, a number or a [N, H, W, C] tensor to be saved, got another value`);
}
