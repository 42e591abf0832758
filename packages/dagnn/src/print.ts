/**
 * `DagNN.print` (api §3.1): a readable table of the layers (name, class,
 * inputs, outputs, parameters), the parameters (shape, memory, fan-out,
 * learning-rate and weight-decay factors) and the variables (size when
 * `inputSizes` are given, fan-in, fan-out), plus the memory totals; or, with
 * `format: 'dot'`, the graph in Graphviz's language (variables as ellipses,
 * layers as boxes, parameters as diamonds) to pipe into `dot -Tpdf`.
 */
import { type Shape, sizeOf } from '@convnet-ts/tensor';
import type { DagNN } from './dag-nn.js';
import { showSize, varSizes } from './sizes.js';

export interface PrintOptions {
  /** `'table'` (default) or `'dot'` (Graphviz). */
  format?: 'table' | 'dot';
  /** Sizes of input variables, to print every variable's size and memory. */
  inputSizes?: Readonly<Record<string, Shape>>;
}

function table(title: string, header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [title, line(header), rule, ...rows.map(line)].join('\n');
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

export function printNet(net: DagNN, opts: PrintOptions = {}): string {
  const sizes = opts.inputSizes ? varSizes(net, opts.inputSizes) : new Map<string, Shape>();
  if (opts.format === 'dot') return dot(net, sizes);
  const bpe = net.backend.dtype === 'float64' ? 8 : 4;
  const layers = net.getLayerExecutionOrder().map((l) => [l.name, l.block.type, l.inputs.join(','), l.outputs.join(','), l.params.join(',')]);
  let paramBytes = 0;
  const params = [...net.params.values()].map((p) => {
    const n = p.value ? p.value.size * bpe : 0;
    paramBytes += n;
    const shape = p.value ? `[${p.value.shape.join(', ')}]` : 'unset';
    return [p.name, shape, bytes(n), String(p.fanout), String(p.learningRate), String(p.weightDecay), p.trainMethod];
  });
  let varBytes = 0;
  const vars = [...net.vars.values()].map((v) => {
    const s = sizes.get(v.name);
    const n = s ? sizeOf(s) * bpe : 0;
    varBytes += n;
    return [v.name, showSize(s), s ? bytes(n) : '?', String(v.fanin), String(v.fanout), v.precious ? 'yes' : ''];
  });
  return [
    table('Layers', ['layer', 'type', 'inputs', 'outputs', 'params'], layers),
    table('Parameters', ['param', 'shape', 'mem', 'fanout', 'lr', 'wd', 'method'], params),
    table('Variables', ['var', 'size (H×W×C×N)', 'mem', 'fanin', 'fanout', 'precious'], vars),
    `Memory: parameters ${bytes(paramBytes)}, variables ${opts.inputSizes ? bytes(varBytes) : '? (give inputSizes)'}`,
  ].join('\n\n');
}
