/**
 * The options of `exportOnnx` and where the input sizes come from when they
 * are not given: DagNN `meta.inputs` (MatConvNet's `{name, size [H W C N]}`),
 * SimpleNN `meta.inputSize` (`[N, H, W, C]`), `meta.normalization.imageSize`
 * (`[H, W, C]`).
 */
import type { Backend, Shape } from '@convnet-ts/tensor';
import { OnnxError } from './errors.js';

export interface ExportOnnxOptions {
  /**
   * Size of the input (one input): `[H, W, C]` or `[N, H, W, C]`; for several
   * inputs an object by variable name. The batch is always exported as the
   * symbolic dimension `N`. Default: from the network's `meta`.
   */
  inputSize?: readonly number[] | Readonly<Record<string, readonly number[]>>;
  /**
   * The layout of the graph's inputs and outputs. `'nhwc'` (default): as
   * convnet-ts feeds them, with one Transpose after each input and before
   * each output; `'nchw'`: ONNX's and PyTorch's own layout, no Transpose.
   * Inside, the graph is NCHW either way.
   */
  layout?: 'nhwc' | 'nchw';
  /** Variables to export as outputs (default: every variable no exported layer reads, losses dropped). */
  outputs?: readonly string[];
  /** GraphProto name. Default `'convnet-ts'`. */
  graphName?: string;
  /** ModelProto doc_string. */
  docString?: string;
  /**
   * Only for a SimpleNN without any weights (a pooling-only chain): the
   * backend `fromSimpleNN` builds its DagNN on. Nothing is computed on it.
   */
  backend?: Backend;
}

export interface ParsedExportOptions {
  inputSize: ExportOnnxOptions['inputSize'];
  layout: 'nhwc' | 'nchw';
  outputs: readonly string[] | undefined;
  graphName: string;
  docString: string;
  backend: Backend | undefined;
}

const NAMES = ['inputSize', 'layout', 'outputs', 'graphName', 'docString', 'backend'];

export function parseExportOptions(opts: ExportOnnxOptions | undefined): ParsedExportOptions {
  const o = opts ?? {};
  if (typeof o !== 'object' || o === null) throw new OnnxError('value', 'exportOnnx', 'opts', `opts must be an object, got ${typeof o}`);
  for (const k of Object.keys(o)) {
    if (!NAMES.includes(k)) throw new OnnxError('value', 'exportOnnx', `opts.${k}`, `unknown option '${k}'; expected one of ${NAMES.join(', ')}`);
  }
  const layout = o.layout ?? 'nhwc';
  if (layout !== 'nhwc' && layout !== 'nchw') throw new OnnxError('value', 'exportOnnx', 'opts.layout', `layout must be 'nhwc' or 'nchw', got ${String(layout)}`);
  if (o.outputs !== undefined && (!Array.isArray(o.outputs) || !o.outputs.every((s) => typeof s === 'string'))) {
    throw new OnnxError('value', 'exportOnnx', 'opts.outputs', 'outputs must be an array of variable names');
  }
  return { inputSize: o.inputSize, layout, outputs: o.outputs, graphName: o.graphName ?? 'convnet-ts', docString: o.docString ?? '', backend: o.backend };
}

function toNhwc(size: readonly number[], path: string): Shape {
  if (!Array.isArray(size) || (size.length !== 3 && size.length !== 4) || !size.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new OnnxError('value', 'exportOnnx', path, `expected an input size [H, W, C] or [N, H, W, C] of positive integers, got ${JSON.stringify(size)}`);
  }
  const [h, w, c] = size.length === 3 ? size : size.slice(1);
  return [1, h!, w!, c!];
}

type Meta = Record<string, unknown>;

function fromMeta(meta: Meta, input: string, single: boolean): Shape | undefined {
  const inputs = meta.inputs;
  const list = Array.isArray(inputs) ? inputs : inputs && typeof inputs === 'object' ? [inputs] : [];
  for (const entry of list as { name?: unknown; size?: unknown }[]) {
    if ((entry.name === input || (single && list.length === 1)) && Array.isArray(entry.size) && entry.size.length >= 3) {
      const [h, w, c] = entry.size as number[]; // MatConvNet's [H W C N]
      return toNhwc([h!, w!, c!], `meta.inputs(${input}).size`);
    }
  }
  if (!single) return undefined;
  if (Array.isArray(meta.inputSize) && meta.inputSize.length === 4) return toNhwc(meta.inputSize as number[], 'meta.inputSize');
  const norm = meta.normalization as { imageSize?: unknown } | undefined;
  if (norm && Array.isArray(norm.imageSize) && norm.imageSize.length >= 3) {
    return toNhwc((norm.imageSize as number[]).slice(0, 3), 'meta.normalization.imageSize');
  }
  return undefined;
}

/** NHWC sizes with batch 1 of each graph input. */
export function inputSizes(inputs: readonly string[], given: ExportOnnxOptions['inputSize'], meta: Meta): Map<string, Shape> {
  const sizes = new Map<string, Shape>();
  const single = inputs.length === 1;
  for (const name of inputs) {
    let size: Shape | undefined;
    if (Array.isArray(given)) {
      if (!single) throw new OnnxError('value', 'exportOnnx', 'opts.inputSize', `the network has ${inputs.length} inputs (${inputs.join(', ')}): give inputSize as an object by input name`);
      size = toNhwc(given, 'opts.inputSize');
    } else if (given !== undefined) {
      const s = (given as Record<string, readonly number[]>)[name];
      if (s !== undefined) size = toNhwc(s, `opts.inputSize.${name}`);
    }
    size ??= fromMeta(meta, name, single);
    if (size === undefined) {
      throw new OnnxError('value', 'exportOnnx', `opts.inputSize`, `the size of input '${name}' is needed (conv groups, crops and the declared shapes depend on it) and the network's meta does not give it: pass inputSize [H, W, C]`);
    }
    sizes.set(name, size);
  }
  return sizes;
}
