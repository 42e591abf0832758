/**
 * The first half of `exportOnnx`: the network as a DagNN (a SimpleNN goes
 * through `fromSimpleNN`, its trailing loss layers removed first, its input
 * named `input` and its output `prob` after a softmax, else `prediction`), each
 * layer's role (ONNX nodes, dropped loss, identity, refused), the graph's
 * inputs and outputs, and the NHWC size of every variable. Everything here is
 * checked before any parameter value is read.
 */
import { type DagLayer, DagNN, fromSimpleNN } from '@convnet-ts/dagnn';
import { type SimpleNN, type SimpleNNSpec, tidy } from '@convnet-ts/simplenn';
import type { Backend, Shape } from '@convnet-ts/tensor';
import { OnnxError } from './errors.js';
import { inputSizes, type ParsedExportOptions } from './export-options.js';
import { type LayerRole, roleOf } from './ops-export/registry.js';

export interface PlannedLayer {
  layer: DagLayer;
  role: Exclude<LayerRole, { kind: 'loss' } | { kind: 'refused' }>;
  label: string;
}

export interface ExportPlan {
  dag: DagNN;
  layers: PlannedLayer[];
  inputs: string[];
  outputs: string[];
  /** NHWC, batch 1. */
  sizes: Map<string, Shape>;
}

const SIMPLENN_LOSSES: readonly string[] = ['loss', 'softmaxloss', 'pdist'];

function simpleLabel(i: number, l: { name: string; type: string }): string {
  return `layers[${i}] "${l.name}" (${l.type})`;
}

/** The DagNN of `net`: itself, or `fromSimpleNN` of a SimpleNN without its trailing losses. */
export function asDag(net: SimpleNN | SimpleNNSpec | DagNN, backend?: Backend): DagNN {
  if (net instanceof DagNN) return net;
  if (typeof net !== 'object' || net === null || !Array.isArray((net as { layers?: unknown }).layers)) {
    throw new OnnxError('value', 'exportOnnx', 'net', 'net must be a SimpleNN ({ layers, meta }) or a DagNN');
  }
  const t = tidy(net);
  let end = t.layers.length;
  while (end > 0 && SIMPLENN_LOSSES.includes(t.layers[end - 1]!.type)) end--;
  t.layers.slice(0, end).forEach((l, i) => {
    const label = simpleLabel(i, l);
    if (SIMPLENN_LOSSES.includes(l.type)) {
      throw new OnnxError('unsupported', 'exportOnnx', label, 'a loss layer followed by other layers: only trailing loss layers can be dropped from the exported graph');
    }
    if (l.type === 'custom') {
      throw new OnnxError('unsupported', 'exportOnnx', label, 'a custom layer has no ONNX mapping; replace it by standard layers, or export it yourself as an ONNX subgraph');
    }
    if (l.type === 'conv' && l.weights[0] === null) {
      throw new OnnxError('unsupported', 'exportOnnx', label, 'identity filters (f null) have no ONNX weights; give the layer explicit filters (an identity 1 × 1 × C × C filter bank)');
    }
  });
  if (end === 0) throw new OnnxError('value', 'exportOnnx', 'net.layers', 'the network has no layer besides its losses');
  const kept = t.layers.slice(0, end);
  const hasWeights = kept.some((l) => 'weights' in l && l.weights.some((w) => w !== null));
  if (!hasWeights && backend === undefined) {
    throw new OnnxError('value', 'exportOnnx', 'opts.backend', 'the SimpleNN has no weights, so fromSimpleNN cannot tell its backend: pass opts.backend');
  }
  const dag = fromSimpleNN({ layers: kept, meta: t.meta }, backend === undefined ? {} : { backend });
  // fromSimpleNN names the variables x0 … xn; name the graph's ends instead.
  const first = dag.layers[0]!.inputs[0]!;
  const last = dag.layers[dag.layers.length - 1]!.outputs[0]!;
  if (first !== 'input') dag.renameVar(first, 'input');
  dag.renameVar(last, kept[kept.length - 1]!.type === 'softmax' ? 'prob' : 'prediction');
  return dag;
}

function dagLabel(dag: DagNN, l: DagLayer): string {
  return `layers[${dag.layers.indexOf(l)}] "${l.name}" (${l.block.type})`;
}

export function planExport(net: SimpleNN | SimpleNNSpec | DagNN, opts: ParsedExportOptions): ExportPlan {
  const dag = asDag(net, opts.backend);
  const layers: PlannedLayer[] = [];
  const lossOutputs = new Map<string, string>();
  for (const layer of dag.getLayerExecutionOrder()) {
    const role = roleOf(layer.block);
    const label = dagLabel(dag, layer);
    if (role.kind === 'refused') throw new OnnxError('unsupported', 'exportOnnx', label, role.why);
    if (role.kind === 'loss') for (const v of layer.outputs) lossOutputs.set(v, label);
    else layers.push({ layer, role, label });
  }
  if (layers.length === 0) throw new OnnxError('value', 'exportOnnx', 'net.layers', 'the network has no layer besides its losses');
  const produced = new Set<string>();
  const read = new Set<string>();
  const inputs: string[] = [];
  for (const { layer, label } of layers) {
    for (const v of layer.inputs) {
      const loss = lossOutputs.get(v);
      if (loss !== undefined) {
        throw new OnnxError('unsupported', 'exportOnnx', label, `reads '${v}', the output of the loss ${loss}: losses are dropped from the exported graph, so nothing may depend on them`);
      }
      if (!produced.has(v) && !inputs.includes(v)) inputs.push(v);
      read.add(v);
    }
    for (const v of layer.outputs) produced.add(v);
  }
  const outputs = opts.outputs !== undefined ? [...opts.outputs] : [...produced].filter((v) => !read.has(v));
  for (const v of outputs) {
    if (!produced.has(v)) {
      throw new OnnxError('value', 'exportOnnx', 'opts.outputs', `'${v}' is not the output of an exported layer; expected one of ${[...produced].join(', ')}`);
    }
  }
  if (new Set(outputs).size !== outputs.length) throw new OnnxError('value', 'exportOnnx', 'opts.outputs', `outputs must not repeat a name, got ${outputs.join(', ')}`);
  const sizes = inputSizes(inputs, opts.inputSize, dag.meta);
  for (const { layer, role, label } of layers) {
    const ins = layer.inputs.map((v) => sizes.get(v));
    let outs: (Shape | undefined)[];
    try {
      outs = role.kind === 'identity' ? ins : layer.block.getOutputSizes(ins);
    } catch (err) {
      throw new OnnxError('shape', 'exportOnnx', label, `its input sizes do not fit it: ${err instanceof Error ? err.message : String(err)}`);
    }
    layer.outputs.forEach((v, j) => {
      const s = outs[j];
      if (s === undefined || s.length !== 4) {
        throw new OnnxError('shape', 'exportOnnx', label, `the size of its output '${v}' does not follow from its input sizes ${ins.map((x) => (x ? `[${x.join(', ')}]` : '?')).join(', ')}`);
      }
      sizes.set(v, s);
    });
  }
  return { dag, layers, inputs, outputs, sizes };
}
