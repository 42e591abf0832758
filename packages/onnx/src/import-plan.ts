/**
 * The plan `importOnnx` builds before it allocates anything: the DagNN layers
 * (constructed, so their options are validated), the parameter values as
 * float32 arrays already in convnet-ts's layout, and what each ONNX value
 * became. Tensors are made from a finished plan only (`import.ts`), so every
 * error in a file — an operator, an attribute, a shape — is raised first.
 *
 * Layout: convnet-ts is NHWC, ONNX NCHW. An ONNX 4-D value `[N, C, H, W]` is a
 * DagNN variable `[N, H, W, C]` (`map`); a 2-D value `[N, F]` is a variable
 * `[N, H, W, C]` whose ONNX features are its values in C, H, W order (`flat`:
 * F = C·H·W; a plain vector has H = W = 1, and a Flatten of a map keeps the
 * map unchanged, so only the fully connected layer that reads it permutes its
 * weights). Small int/float constants (shapes, pads, scales) are `const`.
 */
import type { Layer } from '@convnet-ts/dagnn';
import { OnnxError, type OnnxErrorCode } from './errors.js';
import { nodeLabel } from './proto/attribute.js';
import type { NodeProto } from './proto/onnx-pb.js';

/** A batch size: a number, or the symbol of a dynamic dimension (`'N'`), or undefined when not declared. */
export type Batch = number | string | undefined;

/** An ONNX value held by a DagNN variable `var` of shape `[N, h, w, c]`. */
export interface VarValue {
  kind: 'map' | 'flat';
  var: string;
  n: Batch;
  c: number;
  h: number;
  w: number;
}

/** A constant: row-major values with ONNX dims; `fixed` when it came from a Constant node (not trained). */
export interface ConstValue {
  kind: 'const';
  dims: number[];
  data: number[];
  integer: boolean;
  fixed: boolean;
  /** The initializer's name, when it is one. */
  initializer?: string;
}

export type Value = VarValue | ConstValue;

export interface PlannedLayer {
  name: string;
  block: Layer;
  inputs: string[];
  outputs: string[];
  params: string[];
}

export interface PlannedParam {
  name: string;
  shape: number[];
  data: Float32Array;
  /** 0 for values that were constants of the graph (Pad, count_include_pad pooling, Constant scales). */
  learningRate: number;
}

/** One graph input or output: its ONNX name and shape, and the DagNN variable `[N, H, W, C]` holding it. */
export interface OnnxPort {
  name: string;
  var: string;
  /**
   * ONNX shape: `[N, C, H, W]` (`nchw`), `[N, H, W, C]` (`nhwc`: the port of
   * a boundary Transpose, as `exportOnnx`'s default layout writes; the values
   * are the DagNN variable's as they are) or `[N, C·H·W]` (`flat`, features
   * in C, H, W order).
   */
  shape: (number | string)[];
  layout: 'nchw' | 'nhwc' | 'flat';
  /** The DagNN variable's shape without the batch: `[H, W, C]`. */
  hwc: [number, number, number];
}

export const IMPORT = 'importOnnx';

/** Throws an `OnnxError` from `importOnnx` naming the node. */
export function fail(code: OnnxErrorCode, node: NodeProto | string, message: string): never {
  throw new OnnxError(code, IMPORT, typeof node === 'string' ? node : nodeLabel(node), message);
}

export const isVar = (v: Value): v is VarValue => v.kind !== 'const';

export function describeValue(v: Value): string {
  if (v.kind === 'const') return `a constant of dims [${v.dims.join(', ')}]`;
  return v.kind === 'map' ? `a feature map [${v.n ?? '?'}, ${v.c}, ${v.h}, ${v.w}]` : `features [${v.n ?? '?'}, ${v.c * v.h * v.w}]`;
}

/** ONNX shape of a variable value. */
export function onnxShape(v: VarValue): (number | string)[] {
  const n = v.n ?? '?';
  return v.kind === 'map' ? [n, v.c, v.h, v.w] : [n, v.c * v.h * v.w];
}

/** The state of one import: values by ONNX name, the layers and parameters planned so far. */
export class Planner {
  readonly values = new Map<string, Value>();
  readonly layers: PlannedLayer[] = [];
  readonly params = new Map<string, PlannedParam>();
  /** Outputs no convnet-ts layer computes (Dropout's mask, …), with the reason, refused when read. */
  readonly unavailable = new Map<string, string>();
  readonly opset: number;
  /** The exact layer options the convnet-ts exporter recorded, by node name (metadata `convnet-ts.options`). */
  readonly exact: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Graph inputs declared `[N, H, W, C]`, each read only by a boundary Transpose (`import-boundary.ts`). */
  readonly nhwcInputs: ReadonlySet<string>;
  /** Graph outputs `[N, H, W, C]` written by a boundary Transpose: the variable as it is; no node may read them. */
  readonly nhwcOutputs = new Set<string>();
  /** DagNN variable names of ONNX values that do not keep their own (a boundary Transpose's input takes the graph output's name). */
  readonly varNames: ReadonlyMap<string, string>;
  /** The graph's output names. */
  readonly graphOutputs: ReadonlySet<string>;
  #names = new Set<string>();
  #count = 0;

  constructor(
    opset: number,
    exact: ReadonlyMap<string, Readonly<Record<string, unknown>>> = new Map(),
    graph: { nhwcInputs?: ReadonlySet<string>; varNames?: ReadonlyMap<string, string>; outputs?: ReadonlySet<string> } = {},
  ) {
    this.opset = opset;
    this.exact = exact;
    this.nhwcInputs = graph.nhwcInputs ?? new Set();
    this.varNames = graph.varNames ?? new Map();
    this.graphOutputs = graph.outputs ?? new Set();
  }

  /**
   * The exact option `key` the convnet-ts exporter recorded for `node`, if
   * there is one and `agrees` with the node's attributes (a file edited since
   * keeps its attributes' values).
   */
  exactOption<T>(node: NodeProto, key: string, is: (v: unknown) => v is T, agrees: (v: T) => boolean): T | undefined {
    const v = this.exact.get(node.name)?.[key];
    return is(v) && agrees(v) ? v : undefined;
  }

  /** Input `i` of `node`; `optional` inputs may be absent (`''`). */
  input(node: NodeProto, i: number): Value {
    const name = node.input[i];
    if (name === undefined || name === '') fail('format', node, `input ${i} is missing (the operator needs it)`);
    const why = this.unavailable.get(name);
    if (why !== undefined) fail('unsupported', node, `input ${i} "${name}" is ${why}, which convnet-ts does not compute`);
    if (this.nhwcOutputs.has(name)) {
      fail('unsupported', node, `input ${i} "${name}" is the [N, H, W, C] graph output of a boundary Transpose; inside the network importOnnx reads NCHW values only (read the Transpose's input instead)`);
    }
    const v = this.values.get(name);
    if (!v) fail('format', node, `input ${i} "${name}" is neither a graph input, an initializer nor an earlier node's output (the nodes must be in topological order)`);
    return v;
  }

  hasInput(node: NodeProto, i: number): boolean {
    const name = node.input[i];
    return name !== undefined && name !== '';
  }

  /** Input `i` as a variable (a feature map or features), else an error. */
  varInput(node: NodeProto, i: number): VarValue {
    const v = this.input(node, i);
    if (!isVar(v)) {
      fail('unsupported', node, `input ${i} "${node.input[i]}" is ${describeValue(v)}; convnet-ts computes this operator on feature maps only (fold it into the constants before export)`);
    }
    return v;
  }

  /** Input `i` as a constant (initializer or Constant), else an error. */
  constInput(node: NodeProto, i: number, what: string): ConstValue {
    const v = this.input(node, i);
    if (v.kind !== 'const') fail('unsupported', node, `input ${i} "${node.input[i]}" (${what}) must be an initializer or a constant, got ${describeValue(v)}`);
    return v;
  }

  /** Records output `i` of `node`. */
  setOutput(node: NodeProto, i: number, value: Value): void {
    const name = node.output[i];
    if (name === undefined || name === '') fail('format', node, `output ${i} is missing`);
    if (this.values.has(name)) fail('format', node, `output "${name}" is already defined (a value must be written once)`);
    this.values.set(name, value);
  }

  /** A layer name from the node's (made unique), or `<op>_<k>`. */
  layerName(node: NodeProto, suffix = ''): string {
    return this.#unique((node.name || `${node.opType}_${this.#count}`) + suffix);
  }

  #unique(base: string): string {
    let name = base;
    while (this.#names.has(name)) name = `${name}_${this.#count}`;
    this.#count++;
    this.#names.add(name);
    return name;
  }

  /** A parameter name that is not yet taken (ONNX initializers keep theirs). */
  paramName(base: string): string {
    let name = base;
    for (let k = 2; this.params.has(name); k++) name = `${base}_${k}`;
    return name;
  }

  addParam(base: string, shape: number[], data: Float32Array, learningRate = 1): string {
    const name = this.paramName(base);
    this.params.set(name, { name, shape, data, learningRate });
    return name;
  }

  /** Adds a layer reading variables `inputs` and writing a new variable named after ONNX output 0 of `node`. */
  addLayer(node: NodeProto, block: Layer, inputs: string[], params: string[], output = node.output[0], suffix = ''): string {
    return this.#push(node, this.layerName(node, suffix), block, inputs, params, output);
  }

  /** `addLayer` for a layer several nodes make, named `base` (made unique) rather than after `node`. */
  addNamedLayer(node: NodeProto, base: string, block: Layer, inputs: string[], params: string[], output = node.output[0]): string {
    return this.#push(node, this.#unique(base), block, inputs, params, output);
  }

  #push(node: NodeProto, name: string, block: Layer, inputs: string[], params: string[], output: string | undefined): string {
    if (output === undefined || output === '') fail('format', node, 'output 0 is missing');
    const v = this.varNames.get(output) ?? output;
    this.layers.push({ name, block, inputs, outputs: [v], params });
    return v;
  }
}
