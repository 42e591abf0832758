/**
 * Runs of nodes that the convnet-ts exporter wrote for one layer, made one
 * layer again. `exportOnnx` records each under its first node in metadata
 * `convnet-ts.options` (`subgraph`, `layer`: the layer's name, and its
 * options); a run is taken as that layer only when the nodes follow one
 * another in the graph, are exactly the ops, inputs and attributes the
 * exporter writes, their intermediate values are read by the next node alone
 * (no graph output), and the constants are the ones the options give. Else
 * the nodes are imported one by one (where they can be: a Mul of two feature
 * maps is refused), so a hand-made or edited graph is never taken for a
 * layer it does not compute.
 *
 * - `LRN` with an even window n (`ops-export/normalization.ts`):
 *   Mul(x, x) → Conv(·, S) (kernel_shape [1, 1], no bias) → Add(·, κ) →
 *   Pow(·, β) → Div(x, ·), with S `[C, C, 1, 1]` holding fround(α) where
 *   q ∈ [k − ⌊(n−1)/2⌋, k + ⌈(n−1)/2⌉] and 0 elsewhere → LRN(param
 *   [n, κ, α, β]), the recorded doubles.
 * - `Scale` with a bias (`ops-export/elementwise.ts`): Mul(x, w) → Add(·, b),
 *   w and b constants of one shape → Scale(size, hasBias) with parameters
 *   `<w>_scale` and `<b>_bias`.
 */
import { LRN, Scale } from '@convnet-ts/dagnn';
import { broadcastConst, recordedScaleSize } from './import-ops-basic.js';
import { type ConstValue, isVar, type Planner, type Value } from './import-plan.js';
import { readInts } from './proto/attribute.js';
import type { GraphProto, NodeProto } from './proto/onnx-pb.js';
import { ONNX_DOMAIN } from './proto/model.js';

export interface Subgraph {
  kind: 'LRN' | 'Scale';
  /** The layer's name. */
  layer: string;
  nodes: NodeProto[];
  /** The options recorded for it. */
  record: Readonly<Record<string, unknown>>;
}

/** The op types of each recognised run, in order. */
const RUNS = { LRN: ['Mul', 'Conv', 'Add', 'Pow', 'Div'], Scale: ['Mul', 'Add'] } as const;
/** Which input of node k + 1 reads the output of node k (Div(x, ·) reads the denominator second). */
const LINK = { LRN: [0, 0, 0, 1], Scale: [0] } as const;

/** The recorded runs of `graph` whose structure is the exporter's, by the index of their first node. */
export function findSubgraphs(graph: GraphProto, exact: ReadonlyMap<string, Readonly<Record<string, unknown>>>): Map<number, Subgraph> {
  const readers = new Map<string, number>();
  for (const node of graph.node) for (const name of node.input) readers.set(name, (readers.get(name) ?? 0) + 1);
  const outputs = new Set(graph.output.map((o) => o.name));
  /** An intermediate value: written once, read by its next node alone, not a graph output. */
  const inner = (name: string | undefined) => name !== undefined && name !== '' && readers.get(name) === 1 && !outputs.has(name);
  const found = new Map<number, Subgraph>();
  graph.node.forEach((first, i) => {
    const record = exact.get(first.name);
    const kind = record?.subgraph;
    if (!record || (kind !== 'LRN' && kind !== 'Scale') || typeof record.layer !== 'string' || record.layer === '') return;
    const nodes = graph.node.slice(i, i + RUNS[kind].length);
    const shaped =
      nodes.length === RUNS[kind].length &&
      nodes.every((n, k) => n.opType === RUNS[kind][k] && (n.domain === ONNX_DOMAIN || n.domain === 'ai.onnx') && n.input.length === 2 && n.output.length === 1) &&
      nodes.slice(0, -1).every((n, k) => inner(n.output[0]) && nodes[k + 1]!.input[LINK[kind][k]!] === n.output[0]);
    if (!shaped) return;
    if (kind === 'LRN') {
      const [mul, conv, , , div] = nodes as [NodeProto, NodeProto, NodeProto, NodeProto, NodeProto];
      const x = mul.input[0]!;
      const oneByOne = conv.attribute.length === 1 && conv.attribute[0]!.name === 'kernel_shape' && readInts(conv, 'kernel_shape', []).join() === '1,1';
      const others = nodes.every((n) => n === conv || n.attribute.length === 0);
      if (mul.input[1] !== x || div.input[0] !== x || !oneByOne || !others) return;
    } else if (nodes.some((n) => n.attribute.length > 0)) return;
    found.set(i, { kind, layer: record.layer, nodes, record });
  });
  return found;
}

const isParam = (v: unknown): v is [number, number, number, number] => Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** A constant input that is one value (any rank of size 1). */
function scalar(v: Value | undefined): number | undefined {
  return v?.kind === 'const' && v.data.length === 1 ? v.data[0] : undefined;
}

/** Plans `s` as one layer when its values are the recorded layer's; false (nothing planned) when not. */
export function importSubgraph(p: Planner, s: Subgraph): boolean {
  return s.kind === 'LRN' ? importEvenLrn(p, s) : importScaleWithBias(p, s);
}

function importEvenLrn(p: Planner, s: Subgraph): boolean {
  const [mul, conv, add, pow, div] = s.nodes as [NodeProto, NodeProto, NodeProto, NodeProto, NodeProto];
  const param = s.record.param;
  const x = p.values.get(mul.input[0]!);
  if (!isParam(param) || !x || !isVar(x) || x.kind !== 'map') return false;
  const [n, kappa, alpha, beta] = param;
  if (!Number.isInteger(n) || n < 1) return false;
  if (scalar(p.values.get(add.input[1]!)) !== Math.fround(kappa) || scalar(p.values.get(pow.input[1]!)) !== Math.fround(beta)) return false;
  const band = p.values.get(conv.input[1]!);
  const c = x.c;
  if (band?.kind !== 'const' || band.dims.join() !== [c, c, 1, 1].join()) return false;
  const [below, above] = [Math.floor((n - 1) / 2), Math.ceil((n - 1) / 2)];
  const a = Math.fround(alpha);
  for (let k = 0; k < c; k++) for (let q = 0; q < c; q++) if (band.data[k * c + q] !== (q >= k - below && q <= k + above ? a : 0)) return false;
  const out = p.addNamedLayer(div, s.layer, new LRN({ param }), [x.var], []);
  p.setOutput(div, 0, { ...x, var: out });
  return true;
}

function importScaleWithBias(p: Planner, s: Subgraph): boolean {
  const [mul, add] = s.nodes as [NodeProto, NodeProto];
  const x = p.values.get(mul.input[0]!);
  const [w, b] = [p.values.get(mul.input[1]!), p.values.get(add.input[1]!)];
  if (!x || !isVar(x) || w?.kind !== 'const' || b?.kind !== 'const') return false;
  const [sw, sb] = [broadcastConst(mul, x, w), broadcastConst(add, x, b)];
  if (sw.size.join() !== sb.size.join()) return false;
  const size = recordedScaleSize(p, mul, sw.size);
  const params = [param(p, w, s.layer, '_scale', size, sw.data), param(p, b, s.layer, '_bias', size, sb.data)];
  const out = p.addNamedLayer(add, s.layer, new Scale({ size, hasBias: true }), [x.var], params);
  p.setOutput(add, 0, { ...x, var: out });
  return true;
}

/** As importAffine names and trains them: `<initializer or layer><suffix>`, learning rate 0 for Constant nodes. */
function param(p: Planner, k: ConstValue, layer: string, suffix: string, size: number[], data: Float32Array): string {
  return p.addParam(`${k.initializer ?? layer}${suffix}`, size, data, k.fixed ? 0 : 1);
}
