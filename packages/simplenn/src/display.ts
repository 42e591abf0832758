/**
 * `display(net, { inputSize })` — MatConvNet's `vl_simplenn_display`
 * (matconvnet-api §2.3): per variable, the layer that made it (name, type,
 * support, filter depth, number of filters, dilation, stride, pad), its
 * receptive field on the input (size, offset, stride; manual §5, via
 * `chainGeometry`), its size (spatial, depth, batch), its memory and the
 * layer's parameter memory, as a text table and as data.
 *
 * Decisions: one row per layer (row 0 is the input) rather than MatConvNet's
 * transposed table (rows = fields), so deep nets grow downwards instead of
 * being split every 18 columns. Sizes use each layer's own formula (convt
 * included, fixing MatConvNet's). Memory counts 4 bytes per element (float32,
 * as MatConvNet and the model files), in B/KB/MB/GB of 1024. For convt the
 * stride column shows the upsampling (`↑2`) and the pad column the crop.
 * Dims print as one number when equal in every direction, else joined by `x`.
 *
 * Options (vl_simplenn_display.m lines 43-46; unknown names throw):
 * `inputSize`, `batchSize`, `format` — `'table'` (default, one row per
 * layer) or MatConvNet's transposed `'ascii'`, `'latex'`, `'csv'`
 * (display-transposed.ts) — and `maxNumColumns` (18; layers per table in
 * the transposed formats, an error with `'table'`).
 */
import { chainGeometry, type Field, isReceptiveField, type VarSize } from '@convnet-ts/geometry';
import { OptionError } from '@convnet-ts/tensor';
import { show } from './fields.js';
import { geometryOf, reducesBatch } from './geometry-of.js';
import type { SimpleNNSpec } from './layer-spec.js';
import type { Layer } from './layer-types.js';
import { COLUMNS, type Column, type DisplayRow, formatRows, formatSize, formatTable } from './display-format.js';
import { type TransposedFormat, transposedTables } from './display-transposed.js';
import { tidy } from './tidy.js';

export type { Column, DisplayRow } from './display-format.js';

export interface DisplayOptions {
  /** `[N, H, W, C]` (default `meta.inputSize`, else `meta.normalization.imageSize` `[H, W, C]` with N = 1). */
  inputSize?: readonly number[];
  /** Overrides N. */
  batchSize?: number;
  /** `'table'` (default) or MatConvNet's transposed `'ascii'`, `'latex'`, `'csv'`. */
  format?: 'table' | TransposedFormat;
  /** Layers per table in the transposed formats (default 18, MatConvNet's). */
  maxNumColumns?: number;
}

const OPTION_NAMES = ['inputSize', 'batchSize', 'format', 'maxNumColumns'];
const FORMATS = ['table', 'ascii', 'latex', 'csv'];

function checkOptions(opts: DisplayOptions): { format: 'table' | TransposedFormat; maxNumColumns: number } {
  if (typeof opts !== 'object' || opts === null) throw new OptionError('display', 'opts', `opts must be an object of options, got ${show(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!OPTION_NAMES.includes(k)) throw new OptionError('display', k, `unknown option '${k}'; known options are ${OPTION_NAMES.join(', ')}`);
  }
  const format = opts.format ?? 'table';
  if (!FORMATS.includes(format)) throw new OptionError('display', 'format', `format must be one of ${FORMATS.map((f) => `'${f}'`).join(', ')}, got ${show(format)}`);
  const maxNumColumns = opts.maxNumColumns ?? 18;
  if (!Number.isInteger(maxNumColumns) || maxNumColumns < 1) throw new OptionError('display', 'maxNumColumns', `maxNumColumns must be an integer ≥ 1, got ${show(maxNumColumns)}`);
  if (opts.maxNumColumns !== undefined && format === 'table') {
    throw new OptionError('display', 'maxNumColumns', "maxNumColumns must be given only with the transposed formats 'ascii', 'latex', 'csv' (format 'table' has one row per layer)");
  }
  return { format, maxNumColumns };
}

export interface DisplayInfo {
  rows: DisplayRow[];
  /** Parameters (elements of every weight) and their bytes. */
  parameterCount: number;
  parameterBytes: number;
  /** Bytes of every variable for the batch size, when the sizes are known. */
  dataBytes: number | undefined;
  /** The table and a summary, ready to print. */
  text: string;
}

const BYTES = 4;

function inputSizeOf(net: { meta: { inputSize?: number[]; normalization?: { imageSize?: number[] } } }, opts: DisplayOptions): number[] | undefined {
  const image = net.meta.normalization?.imageSize;
  const given = opts.inputSize ?? net.meta.inputSize ?? (image ? [1, ...image] : undefined);
  if (given === undefined) return undefined;
  const size = [...given];
  if (opts.batchSize !== undefined) size[0] = opts.batchSize;
  if (size.length !== 4 || !size.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new OptionError('display', 'inputSize', `inputSize must be [N, H, W, C] of positive integers, got ${show(size)}`);
  }
  return size;
}

/** The table of a network's layers, sizes, receptive fields and memory (see the module doc). */
export function display(net: SimpleNNSpec, opts: DisplayOptions = {}): DisplayInfo {
  const { format, maxNumColumns } = checkOptions(opts);
  const tidied = tidy(net);
  const { layers } = tidied;
  const input = inputSizeOf(tidied, opts);
  const vars = chainGeometry(
    layers.map(geometryOf),
    input ? { size: [input[1]!, input[2]!], channels: input[3]! } : undefined,
  );
  let batch = input?.[0];
  const rows: DisplayRow[] = [];
  let dataBytes: number | undefined = 0;
  let parameterCount = 0;
  vars.forEach((v, i) => {
    const layer = i > 0 ? layers[i - 1]! : null;
    if (layer && reducesBatch(layer)) batch = 1;
    const elements = elementsOf(v.size, batch);
    dataBytes = dataBytes === undefined || elements === undefined ? undefined : dataBytes + elements * BYTES;
    const params = layer && 'weights' in layer ? layer.weights.reduce((s, w) => s + (w?.size ?? 0), 0) : 0;
    parameterCount += params;
    rows.push({
      index: i,
      field: v.field,
      size: v.size,
      batch,
      cells: cellsOf(layer, i, v.field, v.size, batch, elements, params),
    });
  });
  const memory = [
    ['parameter memory', `${formatBytes(parameterCount * BYTES)} (${parameterCount} parameters)`],
    ['data memory', dataBytes === undefined ? 'n/a (unknown sizes)' : `${formatBytes(dataBytes)} (for batch size ${input?.[0]})`],
  ] as const;
  const text =
    format === 'table'
      ? [formatTable(rows), ...memory.map(([k, v]) => `${k}: ${v}`)].join('\n')
      : transposedTables(format, COLUMNS, rows.map((r) => COLUMNS.map((c) => r.cells[c])), memory, maxNumColumns);
  return { rows, parameterCount, parameterBytes: parameterCount * BYTES, dataBytes, text };
}

function elementsOf(size: VarSize | undefined, batch: number | undefined): number | undefined {
  if (!size || size.channels === undefined || batch === undefined) return undefined;
  return batch * size.size[0] * size.size[1] * size.channels;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 || v >= 10 ? v.toFixed(0) : v.toFixed(1)}${units[u]}`;
}

function cellsOf(
  layer: Layer | null,
  i: number,
  field: Field,
  size: VarSize | undefined,
  batch: number | undefined,
  elements: number | undefined,
  params: number,
): Record<Column, string> {
  const rf = isReceptiveField(field) ? field : null;
  return {
    layer: String(i),
    name: layer ? layer.name : 'input',
    type: layer ? typeName(layer) : 'input',
    ...formatRows(layer),
    'rf size': rf ? formatSize(rf.size) : 'n/a',
    'rf offset': rf ? formatSize(rf.offset) : 'n/a',
    'rf stride': rf ? formatSize(rf.stride) : 'n/a',
    'data size': size ? formatSize(size.size) : 'n/a',
    'data depth': size?.channels === undefined ? 'n/a' : String(size.channels),
    'data num': batch === undefined ? 'n/a' : String(batch),
    'data mem': elements === undefined ? 'n/a' : formatBytes(elements * BYTES),
    'param mem': layer ? formatBytes(params * BYTES) : 'n/a',
  };
}

function typeName(layer: Layer): string {
  if (layer.type === 'pool') return layer.method === 'max' ? 'mpool' : 'apool';
  return layer.type;
}
