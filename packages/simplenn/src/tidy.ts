/**
 * `tidy(net)` — MatConvNet's `vl_simplenn_tidy` (matconvnet-api §2.2): checks
 * a network description and returns its tidy form with every default filled.
 *
 * Defaults (SimpleNN's): conv pad 0, stride 1, dilate 1; convt upsample 1,
 * crop 0, numGroups 1; pool method 'max', pad 0, stride 1; lrn param
 * `[5, 1, 0.0001/5, 0.75]`; bnorm epsilon 1e-5 and zero moments `[C, 2]` when
 * absent; relu leak 0; dropout rate 0.5; loss 'softmaxlog' (topK 5,
 * threshold 0, normalise true); pdist p 2, noRoot false, epsilon 1e-3,
 * aggregate false; name `layer<i>` (1-based); precious false; learningRate
 * and weightDecay 1 per weight. spnorm and noffset, which SimpleNN leaves
 * without defaults, get DagNN's `[2, 2, 10, 2]` and `[1, 0.5]`.
 *
 * Decisions on MatConvNet's quirks (api §9): `'normalize'` is upgraded to
 * `'lrn'`; pool `method` defaults to 'max' (MatConvNet's tidy never fills it);
 * a `loss` layer keeps its `loss` type (MatConvNet's SimpleNN ignores it).
 * Unlike MatConvNet, unknown field names throw (a typo such as `strides`
 * would otherwise be silently ignored). Tensors are not copied: the tidy net
 * shares its weights with the given one. Tidying a tidy net changes nothing.
 */
import { LOSS_TYPES } from '@convnet-ts/blocks';
import { OptionError, type Tensor } from '@convnet-ts/tensor';
import { FieldReader, show } from './fields.js';
import type { LayerSpec, SimpleNNSpec } from './layer-spec.js';
import type { CustomLayer, Layer, LayerCommon, Meta, SimpleNN } from './layer-types.js';

type Param4 = [number, number, number, number];

const COMMON = ['type', 'name', 'precious', 'learningRate', 'weightDecay'];
const FIELDS: Record<string, readonly string[]> = {
  conv: ['weights', 'pad', 'stride', 'dilate'],
  convt: ['weights', 'upsample', 'crop', 'numGroups'],
  pool: ['pool', 'method', 'pad', 'stride'],
  lrn: ['param'],
  normalize: ['param'],
  spnorm: ['param'],
  bnorm: ['weights', 'epsilon'],
  relu: ['leak'],
  sigmoid: [],
  noffset: ['param'],
  dropout: ['rate'],
  softmax: [],
  loss: ['class', 'loss', 'instanceWeights', 'topK', 'threshold', 'normalise'],
  softmaxloss: ['class'],
  pdist: ['class', 'p', 'noRoot', 'epsilon', 'aggregate', 'instanceWeights'],
  custom: [],
};

/** SimpleNN's LRN default, Caffe's AlexNet LRN (alpha divided by the window size). */
export const LRN_DEFAULT = [5, 1, 0.0001 / 5, 0.75] as const;

/** The tidy form of `net`: defaults filled, fields checked (see the module doc). */
export function tidy(net: SimpleNNSpec): SimpleNN {
  if (net === null || typeof net !== 'object' || !Array.isArray(net.layers)) {
    throw new OptionError('tidy', 'net', `net must be { layers: Layer[], meta? }, got ${show(net)}`);
  }
  const meta = net.meta ?? {};
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new OptionError('tidy', 'net.meta', `net.meta must be an object, got ${show(meta)}`);
  }
  return { layers: net.layers.map((spec, i) => tidyLayer(spec, i)), meta: { ...meta } as Meta };
}

/** The tidy form of one layer (`i` is its 0-based index). */
export function tidyLayer(spec: LayerSpec, i: number): Layer {
  const where = `layers[${i}]`;
  if (spec === null || typeof spec !== 'object') {
    throw new OptionError('tidy', where, `${where} must be a layer object, got ${show(spec)}`);
  }
  const r: FieldReader = new FieldReader(where, spec as unknown as Record<string, unknown>);
  const fields = FIELDS[spec.type];
  if (!fields) r.fail('type', `one of ${Object.keys(FIELDS).map((t) => `'${t}'`).join(', ')}`);
  // Custom layers may carry fields of their own (MatConvNet copies them untouched).
  if (spec.type !== 'custom') r.known([...COMMON, ...fields]);
  const common = (count: number): LayerCommon => {
    const name = spec.name ?? `layer${i + 1}`;
    if (typeof name !== 'string' || name === '') r.fail('name', 'a non-empty string');
    return {
      name,
      precious: r.flag('precious', false),
      learningRate: r.factors('learningRate', count),
      weightDecay: r.factors('weightDecay', count),
    };
  };
  switch (spec.type) {
    case 'conv': {
      const [f, b] = r.weights(1, 2, [true, true]);
      const stride = r.pair('stride', 1, 1);
      return { type: 'conv', ...common(2), weights: [f ?? null, b ?? null], pad: r.pad4('pad'), stride, dilate: r.pair('dilate', 1, 1) };
    }
    case 'convt': {
      const [f, b] = r.weights(1, 2, [false, true]);
      const numGroups = r.number('numGroups', 1, { integer: true, min: 1 });
      const upsample = r.pair('upsample', 1, 1);
      return { type: 'convt', ...common(2), weights: [f as Tensor, b ?? null], upsample, crop: r.pad4('crop'), numGroups };
    }
    case 'pool': {
      if (spec.pool === undefined) r.fail('pool', 'the window size, one integer ≥ 1 or [height, width]');
      const method = r.choice('method', 'max', ['max', 'avg'] as const);
      return { type: 'pool', ...common(0), pool: r.pair('pool', 1, 1), method, pad: r.pad4('pad'), stride: r.pair('stride', 1, 1) };
    }
    case 'lrn':
    case 'normalize':
      return { type: 'lrn', ...common(0), param: r.param('param', LRN_DEFAULT, 4) as Param4 };
    case 'spnorm':
      return { type: 'spnorm', ...common(0), param: r.param('param', [2, 2, 10, 2], 4) as Param4 };
    case 'bnorm': {
      const [g, b, m] = r.weights(2, 3, [false, false, false]) as Tensor[];
      const moments = m ?? g!.backend.zeros([g!.size, 2]);
      return { type: 'bnorm', ...common(3), weights: [g!, b!, moments], epsilon: r.number('epsilon', 1e-5, { min: 0 }) };
    }
    case 'relu':
      return { type: 'relu', ...common(0), leak: r.number('leak', 0) };
    case 'sigmoid':
    case 'softmax':
      return { type: spec.type, ...common(0) };
    case 'noffset':
      return { type: 'noffset', ...common(0), param: r.param('param', [1, 0.5], 2) as [number, number] };
    case 'dropout':
      return { type: 'dropout', ...common(0), rate: r.number('rate', 0.5, { min: 0, below: 1 }) };
    case 'loss':
      return {
        type: 'loss',
        ...common(0),
        class: spec.class,
        loss: r.choice('loss', 'softmaxlog', LOSS_TYPES),
        instanceWeights: spec.instanceWeights ?? null,
        topK: r.number('topK', 5, { integer: true, min: 1 }),
        threshold: r.number('threshold', 0),
        normalise: r.flag('normalise', true),
      };
    case 'softmaxloss':
      return { type: 'softmaxloss', ...common(0), class: spec.class };
    case 'pdist':
      return {
        type: 'pdist',
        ...common(0),
        class: spec.class,
        p: r.number('p', 2, { min: Number.MIN_VALUE }),
        noRoot: r.flag('noRoot', false),
        epsilon: r.number('epsilon', 1e-3, { min: 0 }),
        aggregate: r.flag('aggregate', false),
        instanceWeights: spec.instanceWeights ?? null,
      };
    case 'custom':
      return tidyCustom(r, spec, common);
  }
}

function tidyCustom(r: FieldReader, spec: LayerSpec & { type: 'custom' }, common: (count: number) => LayerCommon): CustomLayer {
  if (typeof spec.forward !== 'function') r.fail('forward', 'a function (layer, x, ctx) => y');
  if (typeof spec.backward !== 'function') r.fail('backward', 'a function (layer, x, y, dzdy, ctx) => { dzdx, dzdw }');
  const weights = r.weights(0, Number.MAX_SAFE_INTEGER, []) as Tensor[];
  // A copy: the user's own fields come along, reachable from forward/backward through `layer`.
  return { ...spec, ...common(weights.length), type: 'custom', weights } as CustomLayer;
}
