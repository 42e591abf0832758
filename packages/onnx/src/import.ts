/**
 * `importOnnx(bytes, backend, opts)` — an ONNX CNN as a trainable DagNN.
 *
 * 1. decode the ModelProto (`decodeModel`), check the `ai.onnx` opset
 *    (IMPORT_OPSETS) and that every node is of that domain;
 * 2. plan (import-plan.ts): walk the nodes in order, infer every value's shape
 *    with ONNX's formulas, check it against the shapes the file declares
 *    (`graph.value_info`, `graph.output`), convert each operator (see the op
 *    files) and its weights to convnet-ts's layout — no tensor yet;
 * 3. build the DagNN, check the sizes it infers against the plan's, and only
 *    then upload the parameters (disposing them again if anything fails).
 *
 * The network takes `[N, H, W, C]` inputs and computes `[N, H, W, C]` outputs
 * (a `[N, F]` ONNX value is `[N, 1, 1, F]`, or the map a Flatten read): the
 * only transposes are the caller's, at the inputs and outputs, and
 * `nchwToNhwc` / `nhwcToNchw` do them — unless the model is NHWC at its
 * boundary (exportOnnx's default layout): a Transpose right after a graph
 * input or right before a graph output is then no layer
 * (`import-boundary.ts`). `net.meta.onnx` records each graph input and
 * output (`OnnxPort`: ONNX name and shape, DagNN variable, layout).
 * No loss layer is added: add one to train. Parameters that were Constant
 * nodes (and the fixed weights of Pad and count_include_pad pooling) get
 * learning rate 0; initializers train.
 */
import { DagNN } from '@convnet-ts/dagnn';
import { type Backend, Rng, type Tensor } from '@convnet-ts/tensor';
import { OnnxError } from './errors.js';
import { importConv, importConvTranspose, permute4 } from './import-ops-conv.js';
import {
  importActivation,
  importAffine,
  importBatchNorm,
  importConcat,
  importDropout,
  importIdentity,
  importLrn,
  importPad,
  importSlice,
  importSoftmax,
  importSum,
} from './import-ops-basic.js';
import { foldConstant, tensorConst } from './import-ops-const.js';
import { importFlatten, importGemm, importMatMul, importReshape, importSqueeze } from './import-ops-fc.js';
import { importGlobalPool, importPool } from './import-ops-pool.js';
import { findBoundary, importTranspose } from './import-boundary.js';
import { findSubgraphs, importSubgraph } from './import-subgraphs.js';
import { fail, IMPORT, type OnnxPort, onnxShape, Planner, type VarValue } from './import-plan.js';
import { decodeModel, ONNX_DOMAIN, onnxOpsetVersion } from './proto/model.js';
import { type GraphProto, type NodeProto, TensorProto_DataType, type ValueInfoProto } from './proto/onnx-pb.js';
import { valueInfoElemType, valueInfoShape } from './proto/tensor.js';

/** The `ai.onnx` opsets whose operator definitions importOnnx follows. */
export const IMPORT_OPSETS = { min: 9, max: 21 } as const;

type Handler = (p: Planner, node: NodeProto) => void;

/** Every operator importOnnx converts (constant folding aside). */
const OPS: Readonly<Record<string, Handler>> = {
  Conv: importConv,
  ConvTranspose: importConvTranspose,
  MaxPool: importPool,
  AveragePool: importPool,
  GlobalAveragePool: importGlobalPool,
  GlobalMaxPool: importGlobalPool,
  Relu: importActivation,
  LeakyRelu: importActivation,
  Sigmoid: importActivation,
  Softmax: importSoftmax,
  LRN: importLrn,
  BatchNormalization: importBatchNorm,
  Dropout: importDropout,
  Identity: importIdentity,
  Add: importAffine,
  Sub: importAffine,
  Mul: importAffine,
  Div: importAffine,
  Sum: importSum,
  Concat: importConcat,
  Gemm: importGemm,
  MatMul: importMatMul,
  Flatten: importFlatten,
  Reshape: importReshape,
  Squeeze: importSqueeze,
  Unsqueeze: importSqueeze,
  Pad: importPad,
  Slice: importSlice,
  Transpose: importTranspose,
};

/** The operator types importOnnx accepts (besides the constant-only ones it folds). */
export const IMPORT_OPERATORS: readonly string[] = Object.freeze([...Object.keys(OPS), 'Constant', 'Shape', 'Cast', 'ConstantOfShape', 'Gather']);

export interface ImportOnnxOptions {
  /** Seed of the network's generator (dropout masks). Default 0. */
  seed?: number;
}

/** Reads an ONNX model (`Uint8Array` of a ModelProto) into a DagNN on `backend`; see the file's doc comment. */
export function importOnnx(bytes: Uint8Array, backend: Backend, opts: ImportOnnxOptions = {}): DagNN {
  if (typeof backend !== 'object' || backend === null || typeof backend.tensor !== 'function') {
    throw new OnnxError('value', IMPORT, 'backend', `backend must be a convnet-ts Backend, got ${backend === null ? 'null' : typeof backend}`);
  }
  const unknown = Object.keys(opts ?? {}).filter((k) => k !== 'seed');
  if (unknown.length > 0) throw new OnnxError('value', IMPORT, 'opts', `unknown option ${unknown.map((k) => `"${k}"`).join(', ')} (known: seed)`);
  const model = decodeModel(bytes);
  const opset = onnxOpsetVersion(model)!;
  if (opset < IMPORT_OPSETS.min || opset > IMPORT_OPSETS.max) {
    throw new OnnxError(
      'unsupported',
      IMPORT,
      'opset_import',
      `ai.onnx opset ${opset} is outside the opsets ${IMPORT_OPSETS.min}–${IMPORT_OPSETS.max} whose operator definitions importOnnx follows; convert the model (onnx.version_converter) or re-export it with opset_version between them`,
    );
  }
  const graph = model.graph!;
  const props = new Map(model.metadataProps.map((m) => [m.key, m.value]));
  const planner = plan(graph, opset, exactOptions(props.get('convnet-ts.options')));
  const net = new DagNN(backend, { rng: new Rng(opts.seed ?? 0) });
  for (const l of planner.layers) net.addLayer(l.name, l.block, l.inputs, l.outputs, l.params);
  const inputs = graphInputs(graph).map((v) => port(v.name, planner.values.get(v.name) as VarValue, planner.nhwcInputs.has(v.name)));
  const outputs = graph.output.map((o) => {
    const v = planner.values.get(o.name);
    if (!v || v.kind === 'const') fail('unsupported', `graph.output "${o.name}"`, 'the output is a constant, not computed from the inputs');
    return port(o.name, v, planner.nhwcOutputs.has(o.name));
  });
  checkSizes(net, planner, inputs);
  // A graph output that later nodes also read must survive conserveMemory.
  for (const o of outputs) if (net.vars.has(o.var)) net.getVar(o.var).precious = true;
  net.meta = { ...jsonObject(props.get('convnet-ts.meta')), onnx: { opset, producer: `${model.producerName} ${model.producerVersion}`.trim(), inputs, outputs } };
  const made: Tensor[] = [];
  try {
    for (const param of planner.params.values()) {
      const t = backend.tensor(param.data, param.shape);
      made.push(t);
      net.setParam(param.name, t);
      if (param.learningRate === 0) net.getParam(param.name).learningRate = 0;
    }
  } catch (err) {
    for (const t of made) t.dispose();
    throw err;
  }
  return net;
}

function port(name: string, v: VarValue, nhwc: boolean): OnnxPort {
  if (nhwc) return { name, var: v.var, shape: nhwcShape(v), layout: 'nhwc', hwc: [v.h, v.w, v.c] };
  return { name, var: v.var, shape: onnxShape(v), layout: v.kind === 'map' ? 'nchw' : 'flat', hwc: [v.h, v.w, v.c] };
}

/** The ONNX shape of a boundary (NHWC) value. */
function nhwcShape(v: VarValue): (number | string)[] {
  return [v.n ?? '?', v.h, v.w, v.c];
}

/** Graph inputs that are not initializers (IR < 4 lists the initializers among the inputs). */
function graphInputs(graph: GraphProto): ValueInfoProto[] {
  const inits = new Set(graph.initializer.map((t) => t.name));
  return graph.input.filter((v) => !inits.has(v.name));
}

/** A metadata value that is a JSON object, else `{}` (metadata is advisory: a malformed one is ignored). */
function jsonObject(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** `convnet-ts.options` (the exporter's exact layer options by node name) as a map. */
function exactOptions(text: string | undefined): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const [node, v] of Object.entries(jsonObject(text))) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) out.set(node, v as Record<string, unknown>);
  }
  return out;
}

function plan(graph: GraphProto, opset: number, exact: Map<string, Record<string, unknown>>): Planner {
  const inputs = graphInputs(graph);
  const boundary = findBoundary(graph, inputs.map((v) => v.name));
  const p = new Planner(opset, exact, { ...boundary, outputs: new Set(graph.output.map((o) => o.name)) });
  for (const t of graph.initializer) p.values.set(t.name, { ...tensorConst(t, `graph.initializer "${t.name}"`, false), initializer: t.name });
  if (graph.sparseInitializer.length > 0) fail('unsupported', 'graph.sparse_initializer', 'sparse initializers cannot be imported');
  if (inputs.length === 0) fail('format', 'graph.input', 'the graph has no input');
  for (const v of inputs) p.values.set(v.name, inputValue(v, p.nhwcInputs.has(v.name)));
  const declared = new Map<string, ValueInfoProto>();
  for (const v of [...graph.valueInfo, ...graph.output]) declared.set(v.name, v);
  const runs = findSubgraphs(graph, exact);
  for (let i = 0; i < graph.node.length; i++) {
    const node = graph.node[i]!;
    const run = runs.get(i);
    if (run && importSubgraph(p, run)) {
      for (const n of run.nodes) for (const name of n.output) checkDeclared(p, n, name, declared.get(name), p.nhwcOutputs.has(name));
      i += run.nodes.length - 1;
      continue;
    }
    if (node.domain !== ONNX_DOMAIN && node.domain !== 'ai.onnx') {
      fail('unsupported', node, `operator domain "${node.domain}": only ai.onnx operators can be imported (a custom operator needs a convnet-ts layer of its own)`);
    }
    if (!foldConstant(p, node)) {
      const handler = OPS[node.opType];
      if (!handler) {
        fail('unsupported', node, `operator ${node.opType} has no convnet-ts equivalent; importOnnx converts ${[...Object.keys(OPS)].join(', ')} (and folds constant subgraphs); it would need a DagNN layer computing ${node.opType} (a custom Layer, see @convnet-ts/dagnn's layer.ts)`);
      }
      handler(p, node);
    }
    for (const name of node.output) checkDeclared(p, node, name, declared.get(name), p.nhwcOutputs.has(name));
  }
  for (const o of graph.output) if (!p.values.has(o.name)) fail('format', `graph.output "${o.name}"`, 'no node computes this output');
  return p;
}

/** A graph input's value; `nhwc`: declared `[N, H, W, C]` (read by boundary Transposes only). */
function inputValue(v: ValueInfoProto, nhwc: boolean): VarValue {
  const where = `graph.input "${v.name}"`;
  const type = valueInfoElemType(v);
  if (type !== TensorProto_DataType.FLOAT) fail('unsupported', where, `expected a FLOAT tensor input, got ${type === undefined ? 'no tensor type' : TensorProto_DataType[type]}`);
  const shape = valueInfoShape(v);
  const expected = nhwc ? '[N, H, W, C] (it is read by Transposes to NCHW)' : '[N, C, H, W] or [N, F]';
  if (!shape || (shape.length !== 4 && (nhwc || shape.length !== 2))) fail('unsupported', where, `expected a declared shape ${expected}, got ${shape ? `[${shape.join(', ')}]` : 'none'}`);
  const rest = shape.slice(1);
  if (!rest.every((d) => typeof d === 'number' && d > 0)) fail('unsupported', where, `the channel and spatial sizes must be fixed numbers, got [${shape.map((d) => d ?? '?').join(', ')}]`);
  const [c, h, w] = (nhwc ? [rest[2], rest[0], rest[1]] : shape.length === 4 ? rest : [rest[0], 1, 1]) as [number, number, number];
  return { kind: shape.length === 4 ? 'map' : 'flat', var: v.name, n: shape[0], c, h, w };
}

/** A value's inferred shape against the shape the file declares for it (fixed dimensions only). */
function checkDeclared(p: Planner, node: NodeProto, name: string, info: ValueInfoProto | undefined, nhwc: boolean): void {
  const v = p.values.get(name);
  const declared = info && valueInfoShape(info);
  if (!v || !declared) return;
  const inferred = v.kind === 'const' ? v.dims : nhwc ? nhwcShape(v) : onnxShape(v);
  const agree = declared.length === inferred.length && declared.every((d, i) => typeof d !== 'number' || typeof inferred[i] !== 'number' || d === inferred[i]);
  if (!agree) {
    fail('shape', node, `output "${name}" is [${inferred.join(', ')}] by ONNX's shape rules, but the file declares [${declared.map((d) => d ?? '?').join(', ')}]`);
  }
}

/** The DagNN's own size inference against the plan's (both before any tensor exists). */
function checkSizes(net: DagNN, p: Planner, inputs: OnnxPort[]): void {
  const sizes = net.getVarSizes(Object.fromEntries(inputs.map((i) => [i.var, [1, ...i.hwc]])));
  for (const v of p.values.values()) {
    if (v.kind === 'const') continue;
    const got = sizes.get(v.var);
    if (got && (got[1] !== v.h || got[2] !== v.w || got[3] !== v.c)) {
      throw new OnnxError('shape', IMPORT, `variable "${v.var}"`, `convnet-ts computes [${got.slice(1).join(', ')}] (H, W, C) where ONNX's rules give [${v.h}, ${v.w}, ${v.c}]`);
    }
  }
}

/** `[N, C, H, W]` row-major values → `[N, H, W, C]` (an ONNX input for the DagNN). */
export function nchwToNhwc(values: ArrayLike<number>, shape: readonly number[]): Float32Array {
  checkLayout('nchwToNhwc', values, shape);
  return permute4(values, shape, [0, 2, 3, 1]);
}

/** `[N, H, W, C]` row-major values → `[N, C, H, W]` (a DagNN output in ONNX's layout; flattened, ONNX's `[N, C·H·W]`). */
export function nhwcToNchw(values: ArrayLike<number>, shape: readonly number[]): Float32Array {
  checkLayout('nhwcToNchw', values, shape);
  return permute4(values, shape, [0, 3, 1, 2]);
}

function checkLayout(block: string, values: ArrayLike<number>, shape: readonly number[]): void {
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new OnnxError('value', block, 'shape', `shape must be 4 sizes, got [${shape.join(', ')}]`);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  if (values.length !== n) throw new OnnxError('shape', block, 'values', `shape [${shape.join(', ')}] needs ${n} values, got ${values.length}`);
}

