/**
 * `fromSimpleNN` — the DagNN of a SimpleNN chain (MatConvNet's
 * `DagNN.fromSimpleNN`, api §3.4). The network is tidied first; layer l reads
 * `x<l>` and writes `x<l+1>` (the input is `x0`); loss layers read a second
 * variable, `label` (then `label1`, …). Parameters are `<name>f`, `<name>b`
 * (conv, convt; no bias parameter when the bias is null) and `<name>m`,
 * `<name>b`, `<name>x` (bnorm: multipliers, biases, moments), with the
 * factors a layer gives in `learningRate` and `weightDecay` (fromSimpleNN.m
 * lines 85-90, 153-161), else the DagNN layers' own: bnorm moments averaged
 * with learning rate 0.1 (`dagnn.BatchNorm.attach`, BatchNorm.m lines
 * 47-52) and always weight decay 0. The parameter values are the SimpleNN's
 * tensors, shared (not copied, never disposed by the DagNN).
 *
 * Options (fromSimpleNN.m lines 36-48; unknown names throw): `backend`
 * (default: the weights' backend); `canonicalNames` (false): as MatConvNet
 * (lines 190-215), the input is renamed `input`, each SoftMax's output
 * `prob` (then `prob1`, …) and its input `prediction` (`prediction1`, …),
 * each Loss's output `objective` and its input, unless it starts with
 * `prob`, `prediction`; a second Loss's output becomes `objective1` (MatConvNet
 * renames it onto `objective` too, which its `renameVar` refuses).
 * `meta.inputs[0].name` follows the input's name.
 *
 * Mapping: conv → Conv, convt → ConvTranspose, pool → Pooling, lrn → LRN,
 * spnorm → SpatialNorm, bnorm → BatchNorm (with its epsilon), relu → ReLU,
 * sigmoid → Sigmoid, noffset → NormOffset, dropout → DropOut, softmax →
 * SoftMax, softmaxloss → Loss('softmaxlog'), loss → Loss (its options),
 * pdist → PDist (the target as the second input). Decisions (api §9):
 * MatConvNet rejects loss, pdist, spnorm and noffset and drops the bnorm
 * epsilon; FIXED, all are converted. Still rejected, naming the layer:
 * custom layers (their functions are not DagNN layers), conv with identity
 * filters (f null), layers with labels or weights stored in the layer
 * (`class`, `instanceWeights`: give them to `eval` instead).
 */
import { type SimpleNNSpec, tidy } from '@convnet-ts/simplenn';
import { type Backend, OptionError, type Tensor } from '@convnet-ts/tensor';
import { DagNN } from './dag-nn.js';
import type { Layer } from './layer.js';
import { BatchNorm } from './layers/batch-norm.js';
import { Conv } from './layers/conv.js';
import { ConvTranspose } from './layers/conv-transpose.js';
import { DropOut } from './layers/dropout.js';
import { Loss } from './layers/loss.js';
import { LRN } from './layers/lrn.js';
import { NormOffset } from './layers/norm-offset.js';
import { PDist } from './layers/pdist.js';
import { Pooling } from './layers/pooling.js';
import { ReLU } from './layers/relu.js';
import { Sigmoid } from './layers/sigmoid.js';
import { SoftMax } from './layers/softmax.js';
import { SpatialNorm } from './layers/spatial-norm.js';

type Tidy = ReturnType<typeof tidy>['layers'][number];

interface Converted {
  block: Layer;
  /** Parameter name suffixes and values, in the layer's parameter order. */
  params: [string, Tensor][];
  /** Reads a label / target variable as second input. */
  label: boolean;
}

function unsupported(l: Tidy, why: string): never {
  throw new OptionError('fromSimpleNN', `layers.${l.name}`, `layer '${l.name}' (${l.type}) must be convertible to a DagNN layer, got ${why}`);
}

function convert(l: Tidy): Converted {
  const plain = (block: Layer): Converted => ({ block, params: [], label: false });
  switch (l.type) {
    case 'conv': {
      const [f, b] = l.weights;
      if (!f) unsupported(l, 'identity filters (f null)');
      const block = new Conv({ size: [...f.shape], pad: l.pad, stride: l.stride, dilate: l.dilate, hasBias: b !== null });
      return { block, params: b ? [['f', f], ['b', b]] : [['f', f]], label: false };
    }
    case 'convt': {
      const [f, b] = l.weights;
      const block = new ConvTranspose({ size: [...f.shape], upsample: l.upsample, crop: l.crop, numGroups: l.numGroups, hasBias: b !== null });
      return { block, params: b ? [['f', f], ['b', b]] : [['f', f]], label: false };
    }
    case 'pool':
      return plain(new Pooling({ poolSize: l.pool, method: l.method, pad: l.pad, stride: l.stride }));
    case 'lrn':
      return plain(new LRN({ param: l.param }));
    case 'spnorm':
      return plain(new SpatialNorm({ param: l.param }));
    case 'bnorm': {
      const [g, b, m] = l.weights;
      return { block: new BatchNorm({ numChannels: g.size, epsilon: l.epsilon }), params: [['m', g], ['b', b], ['x', m]], label: false };
    }
    case 'relu':
      return plain(new ReLU({ leak: l.leak }));
    case 'sigmoid':
      return plain(new Sigmoid());
    case 'noffset':
      return plain(new NormOffset({ param: l.param }));
    case 'dropout':
      return plain(new DropOut({ rate: l.rate }));
    case 'softmax':
      return plain(new SoftMax());
    case 'softmaxloss':
      if (l.class !== undefined) unsupported(l, 'labels stored in the layer (class)');
      return { block: new Loss({ loss: 'softmaxlog' }), params: [], label: true };
    case 'loss':
      if (l.class !== undefined || (l.instanceWeights ?? null) !== null) unsupported(l, 'labels or instanceWeights stored in the layer');
      return { block: new Loss({ loss: l.loss, topK: l.topK, threshold: l.threshold, normalise: l.normalise }), params: [], label: true };
    case 'pdist':
      if (l.class !== undefined || l.instanceWeights !== null) unsupported(l, 'a target (class) or instanceWeights stored in the layer');
      return { block: new PDist({ p: l.p, noRoot: l.noRoot, epsilon: l.epsilon, aggregate: l.aggregate }), params: [], label: true };
    default:
      return unsupported(l, `type '${l.type}', which has no DagNN layer`);
  }
}

export interface FromSimpleNNOptions {
  /** The DagNN's backend (default: the weights' backend). */
  backend?: Backend;
  /** MatConvNet's `canonicalNames` (default false): `input`, `prediction`, `prob`, `objective`. */
  canonicalNames?: boolean;
}

function isBackend(v: unknown): v is Backend {
  return typeof v === 'object' && v !== null && typeof (v as Backend).run === 'function' && typeof (v as Backend).tensor === 'function';
}

function parseOptions(opts: Backend | FromSimpleNNOptions | undefined): { backend: Backend | undefined; canonicalNames: boolean } {
  if (opts === undefined || isBackend(opts)) return { backend: opts, canonicalNames: false };
  if (typeof opts !== 'object' || opts === null) throw new OptionError('fromSimpleNN', 'opts', `opts must be a backend or { backend?, canonicalNames? }, got ${String(opts)}`);
  for (const k of Object.keys(opts)) {
    if (k !== 'backend' && k !== 'canonicalNames') throw new OptionError('fromSimpleNN', k, `unknown option '${k}'; known options are backend, canonicalNames`);
  }
  if (opts.backend !== undefined && !isBackend(opts.backend)) throw new OptionError('fromSimpleNN', 'backend', `backend must be a convnet-ts backend, got ${String(opts.backend)}`);
  const canonicalNames = opts.canonicalNames ?? false;
  if (typeof canonicalNames !== 'boolean') throw new OptionError('fromSimpleNN', 'canonicalNames', `canonicalNames must be true or false, got ${String(canonicalNames)}`);
  return { backend: opts.backend, canonicalNames };
}

/** `prefix`, else `prefix1`, `prefix2`, … : the first name no variable has (fromSimpleNN.m's getNewVarName). */
function newVarName(dag: DagNN, prefix: string): string {
  let name = prefix;
  for (let t = 1; dag.vars.has(name); t++) name = `${prefix}${t}`;
  return name;
}

/** MatConvNet's canonical names (fromSimpleNN.m lines 190-215, see the file's doc comment). */
function canonicalise(dag: DagNN): void {
  dag.layers.forEach((_, i) => {
    const l = dag.layers[i]!;
    if (i === 0) dag.renameVar(l.inputs[0]!, 'input');
    if (l.block instanceof SoftMax) {
      dag.renameVar(l.outputs[0]!, newVarName(dag, 'prob'));
      dag.renameVar(dag.layers[i]!.inputs[0]!, newVarName(dag, 'prediction'));
    }
    if (l.block instanceof Loss) {
      dag.renameVar(l.outputs[0]!, newVarName(dag, 'objective'));
      const input = dag.layers[i]!.inputs[0]!;
      if (!/^prob/.test(input)) dag.renameVar(input, newVarName(dag, 'prediction'));
    }
  });
  const inputs = (dag.meta as { inputs?: unknown }).inputs;
  if (Array.isArray(inputs) && typeof inputs[0] === 'object' && inputs[0] !== null) {
    dag.meta = { ...dag.meta, inputs: [{ ...inputs[0], name: dag.layers[0]!.inputs[0] }, ...inputs.slice(1)] };
  }
}

/**
 * The DagNN of a SimpleNN chain (see the file's doc comment). The second
 * argument is the options, or (the former form) the backend.
 */
export function fromSimpleNN(net: SimpleNNSpec, options?: Backend | FromSimpleNNOptions): DagNN {
  const { backend, canonicalNames } = parseOptions(options);
  const given = Array.isArray(net?.layers) ? net.layers : [];
  const { layers, meta } = tidy(net);
  const converted = layers.map(convert);
  const be = backend ?? converted.flatMap((c) => c.params.map(([, t]) => t.backend))[0];
  if (!be) throw new OptionError('fromSimpleNN', 'backend', 'backend must be given when the network has no weights, got none');
  const dag = new DagNN(be);
  dag.meta = { ...meta };
  let labels = 0;
  converted.forEach((c, i) => {
    const l = layers[i]!;
    const inputs = [`x${i}`];
    if (c.label) inputs.push(labels++ === 0 ? 'label' : `label${labels - 1}`);
    dag.addLayer(l.name, c.block, inputs, `x${i + 1}`, c.params.map(([s]) => `${l.name}${s}`));
    c.params.forEach(([s, t], j) => {
      const p = dag.getParam(`${l.name}${s}`);
      dag.setParam(p.name, t);
      const spec = given[i] as { learningRate?: unknown; weightDecay?: unknown } | undefined;
      if (spec?.learningRate !== undefined) p.learningRate = l.learningRate[j] ?? p.learningRate;
      if (spec?.weightDecay !== undefined && !(l.type === 'bnorm' && j === 2)) p.weightDecay = l.weightDecay[j] ?? p.weightDecay;
    });
    if (l.precious) dag.getVar(`x${i + 1}`).precious = true;
  });
  if (canonicalNames) canonicalise(dag);
  return dag;
}
