/**
 * `exportOnnx(net, opts)` — a SimpleNN or DagNN as an ONNX model
 * (`ModelProto` bytes, IR version 8, operator set ai.onnx 17), for ONNX
 * Runtime, PyTorch (via onnx2torch and the like) and every other ONNX reader.
 *
 * The graph is NCHW inside, with the weights transposed at export
 * (`export-layout.ts`); with `layout: 'nhwc'` (default) each input is
 * followed by one Transpose to NCHW and each output preceded by one back, so
 * the model takes and returns what convnet-ts does, `[N, H, W, C]`; no
 * Transpose is ever placed between layers. The batch is the symbolic `N`.
 * It is the inference graph: BatchNorm uses its moments, DropOut is the
 * identity, loss layers are dropped (the graph ends at the scores or
 * probabilities, named as the network's variables). Each layer's exact
 * mapping is in `ops-export/`. A layer without an exact ONNX equivalent
 * throws `OnnxError` (`unsupported`) naming it, its type and what it would
 * need; nothing is approximated.
 */
import { create } from '@bufbuild/protobuf';
import type { DagNN } from '@convnet-ts/dagnn';
import type { SimpleNN, SimpleNNSpec } from '@convnet-ts/simplenn';
import type { FloatArray, Tensor } from '@convnet-ts/tensor';
import { OnnxError } from './errors.js';
import { GraphBuilder } from './export-graph.js';
import { TO_NCHW, TO_NHWC } from './export-layout.js';
import { type ExportOnnxOptions, type ParsedExportOptions, parseExportOptions } from './export-options.js';
import { type ExportPlan, planExport } from './export-plan.js';
import type { ParamValue } from './ops-export/context.js';
import { intsAttr } from './proto/attribute.js';
import { encodeModel } from './proto/model.js';
import { GraphProtoSchema, type ModelProto, ModelProtoSchema, OperatorSetIdProtoSchema, StringStringEntryProtoSchema } from './proto/onnx-pb.js';
import { makeValueInfo } from './proto/tensor.js';

/** The ai.onnx operator set the exporter writes. */
export const EXPORT_OPSET = 17;
/** The IR version of that opset's release (ONNX 1.12). */
export const EXPORT_IR_VERSION = 8;

export type { ExportOnnxOptions } from './export-options.js';

type Net = SimpleNN | SimpleNNSpec | DagNN;

/** The ONNX model of `net` as bytes; reads the parameters with `tensor.data()`, so any backend works. */
export async function exportOnnx(net: Net, opts?: ExportOnnxOptions): Promise<Uint8Array> {
  const o = parseExportOptions(opts);
  const plan = planExport(net, o);
  const values = new Map<string, FloatArray>();
  for (const [name, t] of paramTensors(plan)) values.set(name, await t.data());
  return encodeModel(buildModel(plan, o, values));
}

/** `exportOnnx` for networks on a backend that reads synchronously (the CPU). */
export function exportOnnxSync(net: Net, opts?: ExportOnnxOptions): Uint8Array {
  const o = parseExportOptions(opts);
  const plan = planExport(net, o);
  const values = new Map<string, FloatArray>();
  for (const [name, t] of paramTensors(plan)) values.set(name, t.dataSync());
  return encodeModel(buildModel(plan, o, values));
}

function paramTensors(plan: ExportPlan): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const { layer, role, label } of plan.layers) {
    if (role.kind !== 'node') continue;
    for (const p of layer.params) {
      const value = plan.dag.params.get(p)?.value ?? null;
      if (value === null) throw new OnnxError('value', 'exportOnnx', label, `parameter '${p}' has no value (load the weights or call initParams first)`);
      value.assertAlive('exportOnnx', p);
      out.set(p, value);
    }
  }
  return out;
}

function buildModel(plan: ExportPlan, o: ParsedExportOptions, values: ReadonlyMap<string, FloatArray>): ModelProto {
  const G = new GraphBuilder();
  const { sizes, dag } = plan;
  for (const v of new Set(plan.layers.flatMap(({ layer }) => [...layer.inputs, ...layer.outputs]))) G.reserve(v);
  const nhwc = o.layout === 'nhwc';
  /** ONNX name of each NCHW value where it is not the variable's own name. */
  const onnx = new Map<string, string>();
  const outputSet = new Set(plan.outputs);
  for (const v of plan.inputs) {
    if (!nhwc) continue;
    const inner = G.fresh(`${v}_nchw`);
    G.node('Transpose', [v], [inner], `${v}/to_nchw`, [intsAttr('perm', TO_NCHW)]);
    onnx.set(v, inner);
  }
  if (nhwc) for (const v of plan.outputs) onnx.set(v, G.fresh(`${v}_nchw`));
  const nameOf = (v: string): string => onnx.get(v) ?? v;

  for (const { layer, role, label } of plan.layers) {
    const inputs = layer.inputs.map(nameOf);
    if (role.kind === 'identity') {
      const out = layer.outputs[0]!;
      if (outputSet.has(out) && !nhwc) G.node('Identity', inputs.slice(0, 1), [out], layer.name);
      else onnx.set(out, inputs[0]!);
      continue;
    }
    const params = layer.params.map((p): ParamValue => {
      const t = dag.params.get(p)!.value!;
      return { name: p, shape: t.shape, values: values.get(p)! };
    });
    role.write({
      layer,
      block: layer.block,
      label,
      inputs,
      outputs: layer.outputs.map(nameOf),
      inShapes: layer.inputs.map((v) => sizes.get(v)!),
      outShapes: layer.outputs.map((v) => sizes.get(v)!),
      params,
      graph: G,
    });
  }
  for (const v of plan.outputs) if (nhwc) G.node('Transpose', [nameOf(v)], [v], `${v}/to_nhwc`, [intsAttr('perm', TO_NHWC)]);

  const declared = (v: string) => {
    const [n, h, w, c] = sizes.get(v)!;
    const batch = n === 1 ? 'N' : `${v}_batch`;
    return makeValueInfo(v, nhwc ? [batch, h!, w!, c!] : [batch, c!, h!, w!]);
  };
  const graph = create(GraphProtoSchema, {
    name: o.graphName,
    node: G.nodes,
    initializer: G.initializers,
    input: plan.inputs.map(declared),
    output: plan.outputs.map(declared),
  });
  return create(ModelProtoSchema, {
    irVersion: BigInt(EXPORT_IR_VERSION),
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(EXPORT_OPSET) })],
    producerName: 'convnet-ts',
    docString: o.docString,
    graph,
    metadataProps: metadata(dag, o, G.exact),
  });
}

/**
 * `convnet-ts.layout`; when it is JSON, the network's `meta` as
 * `convnet-ts.meta` (classes, normalisation); and `convnet-ts.options`, the
 * exact layer options (see `GraphBuilder.exact`) that importOnnx restores.
 */
function metadata(dag: DagNN, o: ParsedExportOptions, exact: Record<string, Record<string, unknown>>) {
  const props = [create(StringStringEntryProtoSchema, { key: 'convnet-ts.layout', value: o.layout.toUpperCase() })];
  let json: string | undefined;
  try {
    json = JSON.stringify(dag.meta);
  } catch {
    json = undefined;
  }
  if (json !== undefined && json !== '{}') props.push(create(StringStringEntryProtoSchema, { key: 'convnet-ts.meta', value: json }));
  if (Object.keys(exact).length > 0) props.push(create(StringStringEntryProtoSchema, { key: 'convnet-ts.options', value: JSON.stringify(exact) }));
  return props;
}
