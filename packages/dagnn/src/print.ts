/**
 * `DagNN.print` — MatConvNet's `print.m` (api §3.1) with its options:
 *
 * - `all` (false): everything below;
 * - `layers` ('*'), `parameters` (none; '*' with `all`), `variables`
 *   (none; '*' with `all` or `inputSizes`): which items to list — '*', a
 *   name, a list of names or of 0-based indices (`getLayerIndex`, …);
 *   `[]` lists none;
 * - `memory` (true): parameter, variable and total memory;
 * - `dependencies` (`all`): each variable's receptive field on each input;
 * - `maxNumColumns` (18): items per table in the transposed formats;
 * - `format`: `'table'` (default; one row per item), MatConvNet's
 *   transposed `'ascii'`, `'latex'`, `'csv'` (see print-format.ts), or
 *   `'dot'` (Graphviz; every variable, parameter and layer, whatever the
 *   selections, as MatConvNet).
 *
 * Decisions: unknown option names, formats and item names throw (MatConvNet
 * ignores unknown names in a selection); MatConvNet's `'digraph'` (a MATLAB
 * plot), `figurePath` and `dotArgs` (it runs `dot` itself) are not offered:
 * pipe the `'dot'` text into `dot -Tpdf`. Memory counts the backend's bytes
 * per element (MatConvNet: 4). The `'table'` format adds each parameter's
 * factors and training method and each variable's `precious` flag.
 */
import { isReceptiveField } from '@convnet-ts/geometry';
import { OptionError, type Shape, sizeOf } from '@convnet-ts/tensor';
import type { DagNN } from './dag-nn.js';
import { matDims, matMem, renderTable, type TableFormat } from './print-format.js';
import { showSize, varReceptiveFields, varSizes } from './sizes.js';

/** Items to print: '*' (all), a name, names, or 0-based indices. */
export type PrintSelection = '*' | string | readonly string[] | readonly number[];

export interface PrintOptions {
  /** Sizes of input variables, to print every variable's size and memory. */
  inputSizes?: Readonly<Record<string, Shape>>;
  all?: boolean;
  layers?: PrintSelection;
  parameters?: PrintSelection;
  variables?: PrintSelection;
  memory?: boolean;
  dependencies?: boolean;
  maxNumColumns?: number;
  format?: TableFormat | 'dot';
}

const NAMES = ['inputSizes', 'all', 'layers', 'parameters', 'variables', 'memory', 'dependencies', 'maxNumColumns', 'format'];
const FORMATS = ['table', 'ascii', 'latex', 'csv', 'dot'];
const WHERE = 'DagNN.print';

function fail(name: string, expected: string, got: unknown): never {
  throw new OptionError(WHERE, name, `${name} must be ${expected}, got ${JSON.stringify(got)}`);
}

/** The 0-based positions `sel` picks out of `names`. */
function select(sel: PrintSelection, names: readonly string[], what: string): number[] {
  if (sel === '*') return names.map((_, i) => i);
  const list: readonly (string | number)[] = typeof sel === 'string' ? [sel] : Array.isArray(sel) ? sel : fail(what, "'*', a name, or an array of names or 0-based indices", sel);
  return list.map((x) => {
    const i = typeof x === 'number' ? (Number.isInteger(x) && x >= 0 && x < names.length ? x : -1) : names.indexOf(x);
    if (i < 0) fail(what, `names or 0-based indices (below ${names.length}) of the network's ${what}`, x);
    return i;
  });
}

function bytes(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)}KB`;
  return `${(n / 1024 / 1024).toFixed(1)}MB`;
}

const q = (s: string) => JSON.stringify(s);

function dot(net: DagNN, sizes: Map<string, Shape>): string {
  const out = ['digraph DagNN {', '  rankdir=TB;'];
  for (const v of net.vars.values()) out.push(`  ${q(`var:${v.name}`)} [shape=ellipse, label=${q(`${v.name}\n${showSize(sizes.get(v.name))}`)}];`);
  for (const p of net.params.values()) out.push(`  ${q(`param:${p.name}`)} [shape=diamond, label=${q(p.name)}];`);
  for (const l of net.getLayerExecutionOrder()) {
    const id = q(`layer:${l.name}`);
    out.push(`  ${id} [shape=box, style=filled, fillcolor=lightgrey, label=${q(`${l.name}\n${l.block.type}`)}];`);
    for (const v of l.inputs) out.push(`  ${q(`var:${v}`)} -> ${id};`);
    for (const p of l.params) out.push(`  ${q(`param:${p}`)} -> ${id};`);
    for (const v of l.outputs) out.push(`  ${id} -> ${q(`var:${v}`)};`);
  }
  out.push('}');
  return out.join('\n');
}

interface Parsed {
  format: TableFormat | 'dot';
  layers: PrintSelection;
  parameters: PrintSelection;
  variables: PrintSelection;
  memory: boolean;
  dependencies: boolean;
  maxNumColumns: number;
}

function parse(opts: PrintOptions): Parsed {
  if (typeof opts !== 'object' || opts === null) fail('opts', 'an object of options', opts);
  for (const k of Object.keys(opts)) {
    if (!NAMES.includes(k)) throw new OptionError(WHERE, k, `unknown option '${k}'; known options are ${NAMES.join(', ')}`);
  }
  const flag = (name: 'all' | 'memory' | 'dependencies', dflt: boolean): boolean => {
    const v = opts[name] ?? dflt;
    if (typeof v !== 'boolean') fail(name, 'true or false', v);
    return v;
  };
  const all = flag('all', false);
  const format = opts.format ?? 'table';
  if (!FORMATS.includes(format)) fail('format', FORMATS.map((f) => `'${f}'`).join(', '), format);
  const maxNumColumns = opts.maxNumColumns ?? 18;
  if (!Number.isInteger(maxNumColumns) || maxNumColumns < 1) fail('maxNumColumns', 'an integer ≥ 1', maxNumColumns);
  if (opts.maxNumColumns !== undefined && (format === 'table' || format === 'dot')) {
    fail('maxNumColumns', "given only with the transposed formats 'ascii', 'latex', 'csv' (format 'table' has one row per item)", maxNumColumns);
  }
  return {
    format,
    layers: opts.layers ?? '*',
    parameters: opts.parameters ?? (all ? '*' : []),
    variables: opts.variables ?? (all || opts.inputSizes !== undefined ? '*' : []),
    memory: flag('memory', true),
    dependencies: flag('dependencies', all),
    maxNumColumns,
  };
}

/** See the file's doc comment. */
export function printNet(net: DagNN, opts: PrintOptions = {}): string {
  const o = parse(opts);
  const sizes = opts.inputSizes ? varSizes(net, opts.inputSizes) : new Map<string, Shape>();
  if (o.format === 'dot') return dot(net, sizes);
  const mat = o.format !== 'table';
  const bpe = net.backend.dtype === 'float64' ? 8 : 4;
  const mem = (n: number) => (mat ? matMem(n) : bytes(n));
  const table = (title: string, header: string[], rows: string[][], ruled = true) => renderTable(o.format as TableFormat, title, header, rows, o.maxNumColumns, ruled);
  const parts: string[] = [];
  const geometry = (v: unknown) => (Array.isArray(v) ? (mat ? matDims(v) : `[${v.join(', ')}]`) : typeof v === 'number' ? String(v) : 'n/a');

  const layerList = net.layers;
  const layerRows = select(o.layers, layerList.map((l) => l.name), 'layers').map((i) => {
    const l = layerList[i]!;
    const options = l.block.options();
    return [l.name, l.block.type, l.inputs.join(mat ? ' ' : ','), l.outputs.join(mat ? ' ' : ','), l.params.join(mat ? ' ' : ','), geometry(options.pad), geometry(options.stride)];
  });
  if (layerRows.length > 0) parts.push(table('Layers', [mat ? 'func' : 'layer', 'type', 'inputs', 'outputs', 'params', 'pad', 'stride'], layerRows));

  const params = [...net.params.values()];
  let paramBytes = 0;
  for (const p of params) paramBytes += p.value ? p.value.size * bpe : 0;
  const paramRows = select(o.parameters, params.map((p) => p.name), 'parameters').map((i) => {
    const p = params[i]!;
    const n = p.value ? p.value.size * bpe : 0;
    if (mat) return [p.name, matDims(p.value?.shape), mem(n), String(p.fanout)];
    return [p.name, p.value ? `[${p.value.shape.join(', ')}]` : 'unset', bytes(n), String(p.fanout), String(p.learningRate), String(p.weightDecay), p.trainMethod];
  });
  if (paramRows.length > 0) parts.push(table('Parameters', mat ? ['param', 'dims', 'mem', 'fanout'] : ['param', 'shape', 'mem', 'fanout', 'lr', 'wd', 'method'], paramRows));

  const vars = [...net.vars.values()];
  let varBytes = 0;
  for (const v of vars) {
    const s = sizes.get(v.name);
    varBytes += s ? sizeOf(s) * bpe : 0;
  }
  const hwcn = (s: Shape | undefined) => (s && s.length === 4 ? matDims([s[1]!, s[2]!, s[3]!, s[0]!]) : matDims(s));
  const varRows = select(o.variables, vars.map((v) => v.name), 'variables').map((i) => {
    const v = vars[i]!;
    const s = sizes.get(v.name);
    const m = s ? mem(sizeOf(s) * bpe) : mat ? 'NaN' : '?';
    if (mat) return [v.name, hwcn(s), m, String(v.fanin), String(v.fanout)];
    return [v.name, showSize(s), m, String(v.fanin), String(v.fanout), v.precious ? 'yes' : ''];
  });
  if (varRows.length > 0) parts.push(table('Variables', mat ? ['var', 'dims', 'mem', 'fanin', 'fanout'] : ['var', 'size (H×W×C×N)', 'mem', 'fanin', 'fanout', 'precious'], varRows));

  if (o.memory) {
    const varMem = opts.inputSizes ? mem(varBytes) : mat ? mem(0) : '? (give inputSizes)';
    const total = opts.inputSizes || mat ? mem(paramBytes + varBytes) : '?';
    if (mat) parts.push(table('Memory', ['params', 'vars', 'total'], [[mem(paramBytes), varMem, total]], false));
    else parts.push(`Memory: parameters ${mem(paramBytes)}, variables ${varMem}, total ${total}`);
  }

  if (o.dependencies) {
    for (const input of net.getInputs()) {
      const fields = varReceptiveFields(net, input);
      const rows = vars.map((v) => {
        const f = fields.get(v.name);
        if (!f || !isReceptiveField(f)) return [v.name, 'n/a', 'n/a', 'n/a'];
        return mat ? [v.name, matDims(f.size), matDims(f.stride), matDims(f.offset)] : [v.name, `[${f.size.join(', ')}]`, `[${f.stride.join(', ')}]`, `[${f.offset.join(', ')}]`];
      });
      parts.push(table(`Receptive fields in '${input}'`, [`rf in '${input}'`, 'size', 'stride', 'offset'], rows));
    }
  }
  return parts.join('\n\n');
}
