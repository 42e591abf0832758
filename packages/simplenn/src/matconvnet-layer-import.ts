/**
 * One MatConvNet SimpleNN layer struct (`net.layers{i}`, matconvnet-api §2.1)
 * → a convnet-ts layer spec whose weights are still plain arrays
 * (`WeightPlan`), so that a whole file is checked before any tensor is made.
 *
 * What `vl_simplenn_tidy` does is done here or by `tidy` afterwards: legacy
 * `filters`/`biases` → `weights`; `normalize` → `lrn`; bnorm moments zeros
 * `[C, 2]` when absent; every missing option takes SimpleNN's default. Fields
 * vl_simplenn does not read (`filtersLearningRate`, `biasesWeightDecay`,
 * `momentum`, a loss layer's `class` — the labels of the last training
 * batch —, non-empty `opts`, …) are dropped and noted, not rejected.
 *
 * Layouts: conv filters `H×W×D×K` → `[H, W, D, K]`, convt `H×W×K×D` →
 * `[H, W, K, D]` (element (h, w, d, k) keeps its value); biases, bnorm gains
 * and offsets of any orientation (`1×K`, `K×1`) → `[K]`, `[]` → no bias;
 * bnorm moments `C×2` (columns mean, deviation) → `[C, 2]`. An empty conv
 * filter `[]` means vl_nnconv's identity filters (bias only).
 */
import { describe, isEmpty, type MatValue, MatFileError } from '@convnet-ts/matfile';
import { MatLayerReader, type WeightPlan } from './matconvnet-fields.js';
import { columnToRowMajor, featureMapFromMatlab } from './matconvnet-layout.js';

const LOAD = 'loadMatConvNet';

/** SimpleNN layer types and the fields vl_simplenn reads for each (beside name, type, precious, learningRate, weightDecay). */
const FIELDS: Record<string, readonly string[]> = {
  conv: ['weights', 'pad', 'stride', 'dilate', 'opts'],
  convt: ['weights', 'crop', 'upsample', 'numGroups', 'opts'],
  pool: ['pool', 'method', 'pad', 'stride', 'opts'],
  normalize: ['param'],
  lrn: ['param'],
  spnorm: ['param'],
  bnorm: ['weights', 'epsilon'],
  relu: ['leak'],
  sigmoid: [],
  noffset: ['param'],
  dropout: ['rate'],
  softmax: [],
  loss: ['loss', 'topK', 'threshold', 'normalise', 'instanceWeights'],
  softmaxloss: [],
  pdist: ['p', 'noRoot', 'epsilon', 'aggregate', 'instanceWeights'],
};
const COMMON = ['name', 'type', 'precious', 'learningRate', 'weightDecay'];

/** A layer spec with weights as plans; `tidy` checks it once the tensors exist. */
export interface LayerPlan {
  spec: Record<string, unknown>;
  weights: (WeightPlan | null)[] | undefined;
  /** Tensor-valued fields other than weights (pdist's instanceWeights). */
  tensors: Record<string, WeightPlan>;
}

/** The plan of layer `index` (1-based) at `path` (`net.layers{3}`); notes appended. */
export function importLayer(value: MatValue, path: string, index: number, notes: string[]): LayerPlan {
  if (value.type !== 'struct' || value.data.length !== 1) {
    throw new MatFileError('value', LOAD, path, `expected a 1×1 layer struct, got ${describe(value)}`);
  }
  const r = new MatLayerReader(path, value.data[0]!);
  const type = r.text('type') ?? r.fail('type', "the layer type (a string such as 'conv')");
  const name = r.text('name') || `layer${index}`;
  const label = `${path} (${name}, ${type})`;
  if (type === 'custom') {
    throw new MatFileError('unsupported', LOAD, path, `layer type 'custom' (${name}) holds MATLAB function handles, which cannot be loaded; replace it by built-in layers, or load the others and add a convnet-ts custom layer in its place`);
  }
  const fields = FIELDS[type];
  if (!fields) {
    throw new MatFileError('unsupported', LOAD, path, `layer type '${type}' (${name}) is not a SimpleNN layer type; expected one of ${Object.keys(FIELDS).join(', ')}`);
  }
  const spec: Record<string, unknown> = { type: type === 'normalize' ? 'lrn' : type, name };
  if (type === 'normalize') notes.push(`${label}: type 'normalize' read as 'lrn' (its newer name)`);
  const tensors: Record<string, WeightPlan> = {};
  const set = (key: string, v: unknown): void => {
    if (v !== undefined) spec[key] = v;
  };
  set('precious', r.flag('precious'));

  let weights: (WeightPlan | null)[] | undefined;
  const legacy = new Set<string>();
  switch (type) {
    case 'conv':
    case 'convt':
      weights = filterWeights(r, type, notes, legacy);
      break;
    case 'bnorm':
      weights = bnormWeights(r, label, notes, legacy);
      set('epsilon', r.scalar('epsilon'));
      break;
  }
  switch (type) {
    case 'conv':
      set('pad', r.pad4('pad'));
      set('stride', r.pair('stride'));
      set('dilate', r.pair('dilate'));
      break;
    case 'convt':
      set('crop', r.pad4('crop'));
      set('upsample', r.pair('upsample'));
      set('numGroups', r.integers('numGroups', [1], 1, 'an integer ≥ 1')?.[0]);
      break;
    case 'pool': {
      const pool = r.pair('pool');
      if (pool === undefined) r.fail('pool', 'the window size, one integer ≥ 1 or [height width]');
      set('pool', pool);
      const method = r.text('method')?.toLowerCase();
      if (method !== undefined && method !== 'max' && method !== 'avg') r.fail('method', "'max' or 'avg'");
      if (method === undefined) notes.push(`${label}: no method; 'max' assumed (vl_simplenn_tidy leaves it unset and vl_simplenn would fail)`);
      set('method', method ?? 'max');
      set('pad', r.pad4('pad'));
      set('stride', r.pair('stride'));
      break;
    }
    case 'normalize':
    case 'lrn':
    case 'spnorm':
    case 'noffset': {
      const count = type === 'noffset' ? 2 : 4;
      const param = r.numbers('param', `${count} numbers`);
      if (param !== undefined && param.length !== count) r.fail('param', `${count} numbers`);
      if (param === undefined && (type === 'spnorm' || type === 'noffset')) notes.push(`${label}: no param; DagNN's default used (SimpleNN has none)`);
      set('param', param);
      break;
    }
    case 'relu':
      set('leak', r.scalar('leak'));
      break;
    case 'dropout':
      set('rate', r.scalar('rate'));
      break;
    case 'loss': {
      const loss = r.text('loss');
      if (loss !== undefined && loss !== 'softmaxlog') notes.push(`${label}: loss '${loss}' kept (MatConvNet's vl_simplenn ignores it and computes 'softmaxlog')`);
      set('loss', loss);
      set('topK', r.scalar('topK'));
      set('threshold', r.scalar('threshold'));
      set('normalise', r.flag('normalise'));
      instanceWeights(r, spec, tensors);
      break;
    }
    case 'pdist':
      set('p', r.scalar('p'));
      set('noRoot', r.flag('noRoot'));
      set('epsilon', r.scalar('epsilon'));
      set('aggregate', r.flag('aggregate'));
      instanceWeights(r, spec, tensors);
      break;
  }
  if (r.has('class')) {
    legacy.add('class');
    notes.push(`${label}: class (${describe(r.get('class')!)}, the labels of the last training batch) dropped; give labels per call`);
  }
  const opts = r.get('opts');
  if (opts !== undefined && !isEmpty(opts)) notes.push(`${label}: opts (${describe(opts)}) dropped (MEX options such as 'CuDNN' have no convnet-ts meaning)`);
  factors(r, 'learningRate', weights?.length ?? 0, spec, label, notes);
  factors(r, 'weightDecay', weights?.length ?? 0, spec, label, notes, type === 'bnorm');
  // vl_simplenn_tidy gives every layer a `weights` field, `{}` where it has none.
  const emptyWeights = !fields.includes('weights') && r.has('weights') && isEmpty(r.get('weights'));
  const dropped = Object.keys(r.record).filter((k) => !COMMON.includes(k) && !fields.includes(k) && !legacy.has(k) && !(k === 'weights' && emptyWeights));
  if (dropped.length > 0) notes.push(`${label}: ${dropped.join(', ')} dropped (not read by vl_simplenn)`);
  return { spec, weights, tensors };
}

function filterWeights(r: MatLayerReader, type: 'conv' | 'convt', notes: string[], legacy: Set<string>): (WeightPlan | null)[] {
  const { values, legacy: old } = r.weights(notes);
  if (old) for (const k of ['filters', 'biases']) legacy.add(k);
  const at = (j: number): string => (old ? `${r.path}.${j === 0 ? 'filters' : 'biases'}` : `${r.path}.weights{${j + 1}}`);
  if (values.length < 1 || values.length > 2) r.fail(old ? 'filters' : 'weights', `{filters, biases} (1 or 2 arrays)`);
  const what = type === 'conv' ? 'filters H×W×D×K' : 'filters H×W×K×D';
  const f = r.weight(values[0]!, at(0), 4, what);
  if (f) f.data = columnToRowMajor(f.data, f.shape);
  if (!f && type === 'convt') throw new MatFileError('value', LOAD, at(0), 'expected convt filters H×W×K×D, got an empty array (only conv has identity filters)');
  const biasCount = f ? f.shape[type === 'conv' ? 3 : 2]! : undefined;
  const b = values[1] === undefined ? null : vector(r, values[1], at(1), 'biases', type === 'conv' ? biasCount : undefined);
  return [f, b];
}

/** A vector of any orientation as `[K]` (null for `[]`); `count` checked when known. */
function vector(r: MatLayerReader, v: MatValue, at: string, what: string, count: number | undefined): WeightPlan | null {
  const w = r.weight(v, at, 2, what);
  if (!w) return null;
  if (w.shape[0] !== 1 && w.shape[1] !== 1) throw new MatFileError('value', LOAD, at, `expected ${what} as a vector (1×K or K×1), got ${describe(v)}`);
  if (count !== undefined && w.data.length !== count) throw new MatFileError('value', LOAD, at, `expected ${count} ${what} (one per filter), got ${describe(v)}`);
  return { ...w, data: Float32Array.from(w.data), shape: [w.data.length] };
}

function bnormWeights(r: MatLayerReader, label: string, notes: string[], legacy: Set<string>): WeightPlan[] {
  const { values, legacy: old } = r.weights(notes);
  if (old) for (const k of ['filters', 'biases']) legacy.add(k);
  if (values.length < 2 || values.length > 3) r.fail(old ? 'filters' : 'weights', '{gains, biases} or {gains, biases, moments}');
  const at = (j: number): string => (old ? `${r.path}.${j === 0 ? 'filters' : 'biases'}` : `${r.path}.weights{${j + 1}}`);
  const g = vector(r, values[0]!, at(0), 'bnorm gains', undefined);
  if (!g) throw new MatFileError('value', LOAD, at(0), `expected bnorm gains (a vector), got ${describe(values[0]!)}`);
  const c = g.data.length;
  const b = vector(r, values[1]!, at(1), 'bnorm biases', c);
  if (!b) throw new MatFileError('value', LOAD, at(1), `expected ${c} bnorm biases, got ${describe(values[1]!)}`);
  const m = values[2];
  if (m === undefined) {
    notes.push(`${label}: no moments; zeros ${c}×2 (as vl_simplenn_tidy)`);
    return [g, b, { data: new Float32Array(2 * c), shape: [c, 2], wasDouble: false }];
  }
  const moments = r.weight(m, at(2), 2, `bnorm moments ${c}×2`);
  if (!moments || moments.shape[0] !== c || moments.shape[1] !== 2) throw new MatFileError('value', LOAD, at(2), `expected bnorm moments ${c}×2 (columns: mean, deviation), got ${describe(m)}`);
  moments.data = columnToRowMajor(moments.data, moments.shape);
  return [g, b, moments];
}

function instanceWeights(r: MatLayerReader, spec: Record<string, unknown>, tensors: Record<string, WeightPlan>): void {
  const v = r.get('instanceWeights');
  if (v === undefined || isEmpty(v)) return;
  const n = v.dims.reduce((a, b) => a * b, 1);
  if (n === 1) {
    spec.instanceWeights = r.scalar('instanceWeights');
    return;
  }
  const w = r.weight(v, `${r.path}.instanceWeights`, 4, 'instance weights H×W×1×N');
  const map = w ? featureMapFromMatlab(w.data, w.shape) : null;
  if (!w || !map) r.fail('instanceWeights', 'instance weights H×W×1×N');
  tensors.instanceWeights = { data: map.data, shape: map.shape, wasDouble: w.wasDouble };
}

/**
 * learningRate / weightDecay: one factor per weight; another count is noted
 * and replaced by the defaults. A bnorm `weightDecay` of two factors
 * (MatConvNet's own `insertBnorm` writes `[0 0]`: cnn_train never reads the
 * moments' decay, they follow a moving average) gets 0 for the moments.
 */
function factors(r: MatLayerReader, name: string, count: number, spec: Record<string, unknown>, label: string, notes: string[], momentsDecay = false): void {
  let v = r.numbers(name, 'one number per weight');
  if (v === undefined) return;
  if (momentsDecay && count === 3 && v.length === 2) v = [...v, 0];
  if (v.length === count && v.every((x) => x >= 0)) spec[name] = v;
  else notes.push(`${label}: ${name} [${v.join(' ')}] does not give one factor ≥ 0 per weight (${count}); 1 each used`);
}
