/**
 * The records of a `DagNN` (MatConvNet's `layers`, `vars`, `params`
 * structs, api §3.1) and the graph checks shared by `addLayer` and `rebuild`:
 * every variable has at most one producer, and the graph has no cycle.
 */
import { type Tensor, ValueError } from '@convnet-ts/tensor';
import type { Layer, VarValue } from './layer.js';

/** One layer of the network: its block and the names it reads and writes. */
export interface DagLayer {
  name: string;
  readonly block: Layer;
  inputs: string[];
  outputs: string[];
  params: string[];
}

/** A variable: its value and derivative after `eval`, fan-in/fan-out, `precious` (never cleared). */
export interface DagVar {
  name: string;
  value: VarValue | null;
  der: Tensor | null;
  fanin: number;
  fanout: number;
  precious: boolean;
}

/** A parameter: value, derivative (summed over the layers that share it), training factors. */
export interface DagParam {
  name: string;
  value: Tensor | null;
  der: Tensor | null;
  fanout: number;
  learningRate: number;
  weightDecay: number;
  trainMethod: 'gradient' | 'average';
}

/**
 * The layers in execution order: each after the producers of its inputs,
 * otherwise in the order they were added. Throws naming the layers when a
 * variable is written twice or the graph has a cycle.
 */
export function executionOrder(layers: readonly DagLayer[], block: string): DagLayer[] {
  const producer = new Map<string, DagLayer>();
  for (const layer of layers) {
    for (const v of layer.outputs) {
      const other = producer.get(v);
      if (other) {
        throw new ValueError(block, 'outputs', `variable '${v}' must be written by one layer, got layers '${other.name}' and '${layer.name}'`);
      }
      producer.set(v, layer);
    }
  }
  const order: DagLayer[] = [];
  const done = new Set<DagLayer>();
  let pending = [...layers];
  while (pending.length > 0) {
    const next = pending.find((l) => l.inputs.every((v) => !producer.has(v) || done.has(producer.get(v)!)));
    if (!next) {
      const names = pending.map((l) => `'${l.name}'`).join(', ');
      throw new ValueError(block, 'layers', `the graph must have no cycle, got a cycle through layers ${names}`);
    }
    order.push(next);
    done.add(next);
    pending = pending.filter((l) => l !== next);
  }
  return order;
}

/**
 * The variable and parameter records of `layers`, with fan-in/fan-out
 * counted afresh; values, derivatives and settings carry over from `vars`
 * and `params` by name, new parameters take their layer's defaults, and
 * names no layer uses are dropped.
 */
export function rebuildRecords(
  layers: readonly DagLayer[],
  oldVars: ReadonlyMap<string, DagVar>,
  oldParams: ReadonlyMap<string, DagParam>,
): { vars: Map<string, DagVar>; params: Map<string, DagParam> } {
  const vars = new Map<string, DagVar>();
  const params = new Map<string, DagParam>();
  const touch = (v: string): DagVar => {
    const old = oldVars.get(v);
    const rec = vars.get(v) ?? { name: v, value: old?.value ?? null, der: old?.der ?? null, fanin: 0, fanout: 0, precious: old?.precious ?? false };
    vars.set(v, rec);
    return rec;
  };
  for (const l of layers) {
    for (const v of l.inputs) touch(v).fanout++;
    for (const v of l.outputs) touch(v).fanin++;
    const defaults = l.block.paramDefaults();
    l.params.forEach((p, i) => {
      const old = oldParams.get(p);
      const rec = params.get(p) ?? {
        name: p,
        value: old?.value ?? null,
        der: old?.der ?? null,
        fanout: 0,
        ...defaults[i]!,
        ...(old && { learningRate: old.learningRate, weightDecay: old.weightDecay, trainMethod: old.trainMethod }),
      };
      rec.fanout++;
      params.set(p, rec);
    });
  }
  return { vars, params };
}
