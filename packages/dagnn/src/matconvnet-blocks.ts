/**
 * MatConvNet's DagNN layer classes (`matlab/+dagnn/*.m`) ↔ the convnet-ts
 * layer options, one codec per class: `read` turns a saved `block` struct
 * into options (filling what older files lack as the class's constructor
 * would, and noting it), `write` gives the struct MatConvNet's current
 * `save()` writes (every non-transient property, so `load()` accepts it),
 * and `layouts` says how each parameter's MATLAB array maps onto its tensor.
 */
import { type MatValue, matCell, matChar, matDouble, matLogical } from '@convnet-ts/matfile';
import { asNumbers, asText } from '@convnet-ts/matfile';
import { type BlockFields, fail, IMPORTER } from './matconvnet-fields.js';
import { mapShapeFromMatlab, mapShapeToMatlab, type ParamLayout, padDims } from './matconvnet-layout.js';

/** What a codec sees of the layer beyond its block. */
export interface ReadContext {
  /** MATLAB dims of the value of the layer's parameter `i` (undefined: absent or empty). */
  paramDims(i: number): readonly number[] | undefined;
  /** The layer's parameter names; a codec may remove one it cannot use (noting it). */
  params: string[];
  readonly inputs: readonly string[];
}

export interface BlockCodec {
  read(b: BlockFields, ctx: ReadContext): Record<string, unknown>;
  write(options: Record<string, unknown>): Record<string, MatValue>;
  /** Layout of each parameter (default `same`). */
  layouts?: readonly ParamLayout[];
}

const row = (xs: readonly number[]): MatValue => matDouble(xs, [1, xs.length]);
const nums = (o: Record<string, unknown>, k: string): number[] => {
  const v = o[k];
  return typeof v === 'number' ? [v] : (v as number[]);
};
const num = (o: Record<string, unknown>, k: string): number => o[k] as number;
const bool = (o: Record<string, unknown>, k: string): MatValue => matLogical(o[k] as boolean);
const opts = (...xs: (string | MatValue)[]): MatValue => matCell(xs.map((x) => (typeof x === 'string' ? matChar(x) : x)));

/** Options with the values of an `opts` cell laid over them (MatConvNet passes opts last). */
function withOpts(o: Record<string, unknown>, values: ReadonlyMap<string, MatValue>, path: string, map: Readonly<Record<string, (v: MatValue, p: string) => unknown>>): Record<string, unknown> {
  for (const [k, v] of values) o[k] = map[k]!(v, `${path}.opts`);
  return o;
}
const numbersOf = (v: MatValue, p: string) => asNumbers(v, p, IMPORTER);
const scalarOf = (v: MatValue, p: string) => {
  const xs = asNumbers(v, p, IMPORTER);
  if (xs.length !== 1) fail(p, `expected a scalar, got ${xs.length} numbers`);
  return xs[0]!;
};
const flagOf = (v: MatValue, p: string) => scalarOf(v, p) !== 0;

/** Conv's and ConvTranspose's `size`: MatConvNet's setter pads to four; the filters' own dims win when they differ. */
function filterSize(b: BlockFields, ctx: ReadContext): number[] {
  const given = b.numbers('size');
  const size = given ? [...given, 1, 1, 1, 1].slice(0, 4) : undefined;
  const dims = ctx.paramDims(0);
  const actual = dims ? padDims(dims, 4) : null;
  if (dims && !actual) fail(`${b.path}`, `the filters (${ctx.params[0]}) must have at most 4 dims, got ${dims.join('×')}`);
  if (actual) {
    if (!size) b.filled('size', `(the filters' dims ${actual.join('×')})`, 'absent');
    else if (size.some((d, i) => d !== actual[i])) {
      const why = size.every((d) => d === 0) ? 'the unset default [0 0 0 0]' : `[${size.join(' ')}], which differs`;
      b.notes.add(`${b.type}: block.size is ${why}; the filters' dims are used (MatConvNet computes with the filters, size only sizes initParams)`, b.layer);
    }
    return actual;
  }
  if (!size || size.some((d) => d < 1)) fail(`${b.path}.size`, `expected the filter size [H W D K] (the layer's filters have no value), got ${size ? `[${size.join(' ')}]` : 'nothing'}`);
  return size;
}

/** `hasBias` against the parameters the layer lists (MatConvNet would fail on a missing bias and ignore a surplus one). */
function biasParams(b: BlockFields, ctx: ReadContext): boolean {
  let hasBias = b.flag('hasBias', 'true') ?? true;
  // An empty bias beside set filters is vl_nnconv's "no bias"; both empty is a net before initParams.
  const noBias = ctx.params.length < 2 || (ctx.paramDims(1) === undefined && ctx.paramDims(0) !== undefined);
  if (hasBias && noBias) {
    b.notes.add(`${b.type}: hasBias is true but the layer has no bias ${ctx.params.length < 2 ? 'parameter' : 'value'}; read as hasBias false`, b.layer);
    hasBias = false;
  }
  if (!hasBias && ctx.params.length > 1) {
    b.notes.add(`${b.type}: hasBias is false; the unused bias parameter is dropped`, b.layer);
    ctx.params.splice(1);
  }
  return hasBias;
}

const CONV_OPTS = { pad: numbersOf, stride: numbersOf, dilate: numbersOf };
const POOL_OPTS = { pad: numbersOf, stride: numbersOf, method: (v: MatValue, p: string) => asText(v, p, IMPORTER) };
const LOSS_OPTS = { topK: scalarOf, threshold: scalarOf, normalise: flagOf, classWeights: numbersOf };
const PDIST_OPTS = { noRoot: flagOf, epsilon: scalarOf, aggregate: flagOf };

const param = (name: string, fallback: readonly number[]) => ({
  read: (b: BlockFields) => ({ param: b.numbers(name, `[${fallback.join(' ')}]`) }),
  write: (o: Record<string, unknown>) => ({ param: row(nums(o, 'param')) }),
});
const none: BlockCodec = { read: () => ({}), write: () => ({}) };

/** The codec of every MatConvNet class convnet-ts has, by its bare name (`Conv` for `dagnn.Conv`). */
export const BLOCK_CODECS: Readonly<Record<string, BlockCodec>> = {
  Conv: {
    layouts: ['same', 'vector'],
    read(b, ctx) {
      const size = filterSize(b, ctx);
      const o: Record<string, unknown> = { size, hasBias: biasParams(b, ctx), pad: b.numbers('pad', '0'), stride: b.numbers('stride', '1'), dilate: b.numbers('dilate', '[1 1]') };
      return withOpts(o, b.opts(Object.keys(CONV_OPTS), 'vl_nnconv', 'cuDNN').values, b.path, CONV_OPTS);
    },
    write: (o) => ({ size: row(nums(o, 'size')), hasBias: bool(o, 'hasBias'), opts: opts('cuDNN'), pad: row(nums(o, 'pad')), stride: row(nums(o, 'stride')), dilate: row(nums(o, 'dilate')) }),
  },
  ConvTranspose: {
    layouts: ['same', 'vector'],
    read(b, ctx) {
      const size = filterSize(b, ctx);
      const o = { size, hasBias: biasParams(b, ctx), upsample: b.numbers('upsample', '1'), crop: b.numbers('crop', '0'), numGroups: b.scalar('numGroups', '1') };
      b.opts([], 'vl_nnconvt', 'cuDNN');
      return o;
    },
    write: (o) => ({
      size: row(nums(o, 'size')),
      hasBias: bool(o, 'hasBias'),
      upsample: row(nums(o, 'upsample')),
      crop: row(nums(o, 'crop')),
      numGroups: matDouble(num(o, 'numGroups')),
      opts: opts('cuDNN'),
    }),
  },
  Pooling: {
    read(b) {
      const o: Record<string, unknown> = { method: b.text('method', "'max'"), poolSize: b.numbers('poolSize', '[1 1]'), pad: b.numbers('pad', '0'), stride: b.numbers('stride', '1') };
      const dilate = b.numbers('dilate');
      if (dilate?.some((d) => d !== 1)) b.notes.add(`Pooling: block.dilate [${dilate.join(' ')}] dropped (MatConvNet's Pooling never passes it to vl_nnpool)`, b.layer);
      return withOpts(o, b.opts(Object.keys(POOL_OPTS), 'vl_nnpool', 'cuDNN').values, b.path, POOL_OPTS);
    },
    write: (o) => ({ method: matChar(o.method as string), poolSize: row(nums(o, 'poolSize')), opts: opts('cuDNN'), pad: row(nums(o, 'pad')), stride: row(nums(o, 'stride')), dilate: row([1, 1]) }),
  },
  ReLU: {
    read(b) {
      const o: Record<string, unknown> = { leak: b.scalar('leak', '0') };
      b.take('useShortCircuit');
      return withOpts(o, b.opts(['leak'], 'vl_nnrelu').values, b.path, { leak: scalarOf });
    },
    write: (o) => ({ useShortCircuit: matLogical(true), leak: matDouble(num(o, 'leak')), opts: matCell([], [0, 0]) }),
  },
  BatchNorm: {
    layouts: ['vector', 'vector', 'same'],
    read(b, ctx) {
      let numChannels = b.scalar('numChannels');
      const mult = ctx.paramDims(0);
      if (numChannels === undefined && mult) {
        numChannels = mult.reduce((a, d) => a * d, 1);
        b.filled('numChannels', `(the multipliers' length ${numChannels})`, 'files from import-caffe.py lack it');
      }
      const epsilon = b.scalar('epsilon', '1e-5');
      b.opts([], 'vl_nnbnorm', 'NoCuDNN');
      return { numChannels, epsilon };
    },
    write: (o) => ({ numChannels: matDouble(num(o, 'numChannels')), epsilon: matDouble(num(o, 'epsilon')), opts: opts('NoCuDNN') }),
  },
  LRN: param('param', [5, 1, 0.0001 / 5, 0.75]),
  SpatialNorm: param('param', [2, 2, 10, 2]),
  NormOffset: param('param', [1, 0.5]),
  DropOut: {
    read: (b) => ({ rate: b.scalar('rate', '0.5'), frozen: b.flag('frozen', 'false') }),
    write: (o) => ({ rate: matDouble(num(o, 'rate')), frozen: bool(o, 'frozen') }),
  },
  Concat: {
    read(b) {
      const dim = b.scalar('dim', '3');
      b.take('numInputs');
      return { dim };
    },
    write: (o) => ({ dim: matDouble(num(o, 'dim')) }),
  },
  Sum: {
    read(b) {
      b.take('numInputs');
      return {};
    },
    write: () => ({}),
  },
  Crop: {
    read: (b) => ({ crop: b.numbers('crop', '[0 0]') }),
    write: (o) => ({ crop: row(nums(o, 'crop')) }),
  },
  Scale: {
    layouts: ['map', 'map'],
    read(b, ctx) {
      if (ctx.inputs.length !== 1) fail(b.path, `Scale with its factors as input variables (${ctx.inputs.length} inputs) is not supported; convnet-ts's Scale takes them as parameters`);
      const given = b.numbers('size');
      const dims = ctx.paramDims(0) ?? given;
      if (!dims) fail(`${b.path}.size`, 'expected the factors size (the layer has no factor value), got nothing');
      if (!given) b.filled('size', `(the factors' dims ${dims.join('×')})`, 'absent');
      const size = mapShapeFromMatlab(dims) ?? fail(`${b.path}.size`, `expected at most 4 dims, got ${dims.join('×')}`);
      const hasBias = b.flag('hasBias', 'true') ?? true;
      if (!hasBias && ctx.params.length > 1) {
        b.notes.add('Scale: hasBias is false; the unused bias parameter is dropped', b.layer);
        ctx.params.splice(1);
      }
      return { size, hasBias };
    },
    write: (o) => ({ size: row(mapShapeToMatlab(nums(o, 'size'))), hasBias: bool(o, 'hasBias') }),
  },
  Loss: {
    read(b) {
      // vl_nnloss divides by the batch size since MatConvNet's 2017-12 "Normalise loss" change, whose
      // files also have the layer property `normalise` (it only scales the running average); older
      // files sum. An explicit opts 'normalise' wins.
      const modern = b.has('normalise');
      b.take('normalise');
      b.take('ignoreAverage');
      const loss = b.text('loss', "'softmaxlog'")?.toLowerCase();
      const o: Record<string, unknown> = { loss, normalise: modern };
      withOpts(o, b.opts(Object.keys(LOSS_OPTS), 'vl_nnloss').values, b.path, LOSS_OPTS);
      if (!modern && o.normalise === false) b.notes.add('Loss: a file from before MatConvNet 2017-12 (no block.normalise), whose vl_nnloss sums over the batch: normalise false', b.layer);
      if (o.classWeights !== undefined) {
        b.notes.add("Loss: opts 'classWeights' dropped (vl_nnloss parses it but never uses it)", b.layer);
        delete o.classWeights;
      }
      return o;
    },
    write(o) {
      const extra: (string | MatValue)[] = [];
      if (o.topK !== 5) extra.push('topK', matDouble(num(o, 'topK')));
      if (o.threshold !== 0) extra.push('threshold', matDouble(num(o, 'threshold')));
      if (o.normalise === false) extra.push('normalise', matLogical(false));
      return { loss: matChar(o.loss as string), ignoreAverage: matLogical(false), normalise: matLogical(true), opts: extra.length ? opts(...extra) : matCell([], [0, 0]) };
    },
  },
  PDist: {
    read(b) {
      for (const f of ['loss', 'ignoreAverage', 'normalise']) b.take(f);
      const o: Record<string, unknown> = { p: b.scalar('p', '2'), aggregate: b.flag('aggregate'), noRoot: b.flag('noRoot'), epsilon: b.scalar('epsilon') };
      return withOpts(o, b.opts(Object.keys(PDIST_OPTS), 'vl_nnpdist').values, b.path, PDIST_OPTS);
    },
    write: (o) => ({
      p: matDouble(num(o, 'p')),
      aggregate: bool(o, 'aggregate'),
      noRoot: bool(o, 'noRoot'),
      epsilon: matDouble(num(o, 'epsilon')),
      loss: matChar('pdist'),
      ignoreAverage: matLogical(false),
      normalise: matLogical(true),
      opts: matCell([], [0, 0]),
    }),
  },
  ROIPooling: {
    read(b) {
      const t = b.take('transform');
      let transform: unknown;
      if (t !== undefined) {
        const xs = asNumbers(t, `${b.path}.transform`, IMPORTER);
        // A 2×3 matrix is column-major in MATLAB; convnet-ts takes its rows.
        transform = xs.length === 6 && t.dims[0] === 2 ? [[xs[0], xs[2], xs[4]], [xs[1], xs[3], xs[5]]] : xs.length === 1 ? xs[0] : xs;
      }
      return { method: b.text('method', "'max'"), subdivisions: b.numbers('subdivisions', '[6 6]'), transform, flatten: b.flag('flatten', 'false') };
    },
    write(o) {
      const t = o.transform;
      const transform = Array.isArray(t) && Array.isArray(t[0]) ? matDouble([t[0][0], t[1][0], t[0][1], t[1][1], t[0][2], t[1][2]], [2, 3]) : row(typeof t === 'number' ? [t] : (t as number[]));
      return { method: matChar(o.method as string), subdivisions: row(nums(o, 'subdivisions')), transform, flatten: bool(o, 'flatten') };
    },
  },
  AffineGridGenerator: {
    read: (b) => ({ Ho: b.scalar('Ho'), Wo: b.scalar('Wo') }),
    write: (o) => ({ Ho: matDouble(num(o, 'Ho')), Wo: matDouble(num(o, 'Wo')) }),
  },
  BilinearSampler: none,
  Sigmoid: none,
  SoftMax: none,
};

/** Options without the `undefined` entries (the layer's constructor fills its defaults). */
export function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
