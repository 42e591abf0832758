/**
 * A DagNN's class scores for a batch, in test mode:
 *
 * - the output variable is `opts.output`, or the variable written last (in
 *   execution order) among those no non-loss layer reads once the loss
 *   layers (`Loss`, `PDist`, which need labels) are set aside — MatConvNet's
 *   `net.vars(end)` for a deployed net, `prediction` for a training one;
 * - only the layers that variable depends on are evaluated: when that is not
 *   the whole network (loss layers, other heads), a copy of the network with
 *   just those layers, sharing the blocks and parameter values, is evaluated,
 *   so no label input is needed and the network itself is left untouched;
 * - the input variable is `opts.input`, or the one input variable those
 *   layers read.
 *
 * `net.mode` is set to 'test' for the evaluation and restored; the variables
 * the evaluation filled are cleared afterwards (`reset`), disposing what it
 * made. `x` stays the caller's.
 */
import { DagNN } from '@convnet-ts/dagnn';
import { isTensor, OptionError, ShapeError, type Tensor, ValueError } from '@convnet-ts/tensor';
import type { NetScores } from './net-scores.js';

type DagLayer = DagNN['layers'][number];

const LOSSES: readonly string[] = ['Loss', 'PDist'];
const PROBABILITIES: readonly string[] = ['SoftMax', 'Sigmoid'];

export interface DagScoreOptions {
  input?: string;
  output?: string;
}

function defaultOutput(where: string, net: DagNN): string {
  const order = net.getLayerExecutionOrder().filter((l) => !LOSSES.includes(l.block.type));
  const read = new Set(order.flatMap((l) => l.inputs));
  for (let i = order.length - 1; i >= 0; i--) {
    const free = order[i]!.outputs.filter((v) => !read.has(v));
    if (free.length > 0) return free[free.length - 1]!;
  }
  throw new ValueError(where, 'net', `net must have a layer other than losses whose output no other layer reads, got layers ${net.layers.map((l) => `'${l.name}' (${l.block.type})`).join(', ')}`);
}

/** The layers `output` depends on, in the network's order. */
function ancestors(net: DagNN, output: string): DagLayer[] {
  const producer = new Map(net.layers.flatMap((l) => l.outputs.map((v) => [v, l] as const)));
  const needed = new Set<DagLayer>();
  const visit = (v: string): void => {
    const l = producer.get(v);
    if (!l || needed.has(l)) return;
    needed.add(l);
    l.inputs.forEach(visit);
  };
  visit(output);
  return net.layers.filter((l) => needed.has(l));
}

function subnet(where: string, net: DagNN, layers: readonly DagLayer[]): DagNN {
  const copy = new DagNN(net.backend, { rng: net.rng });
  for (const l of layers) copy.addLayer(l.name, l.block, l.inputs, l.outputs, l.params);
  for (const p of copy.params.keys()) {
    const value = net.params.get(p)!.value;
    if (!value) throw new ValueError(where, 'net', `parameter '${p}' must have a value (a loaded or initialised network), got none`);
    copy.setParam(p, value);
  }
  return copy;
}

export async function dagnnScores(where: string, net: DagNN, x: Tensor, opts: DagScoreOptions): Promise<NetScores> {
  const output = opts.output ?? defaultOutput(where, net);
  const v = net.vars.get(output);
  if (!v) throw new OptionError(where, 'output', `output must be a variable of the network, got '${output}' (variables: ${[...net.vars.keys()].join(', ')})`);
  const layers = ancestors(net, output);
  if (layers.length === 0) throw new OptionError(where, 'output', `output must be a variable some layer writes, got '${output}', an input`);
  const target = layers.length === net.layers.length ? net : subnet(where, net, layers);
  const inputs = target.getInputs();
  const input = opts.input ?? (inputs.length === 1 ? inputs[0]! : undefined);
  if (input === undefined) throw new OptionError(where, 'input', `input must name the image input of the network (it reads ${inputs.map((n) => `'${n}'`).join(', ')}), got none`);
  if (!inputs.includes(input)) throw new OptionError(where, 'input', `input must be an input variable that '${output}' depends on (${inputs.map((n) => `'${n}'`).join(', ')}), got '${input}'`);
  const mode = target.mode;
  target.mode = 'test';
  try {
    target.eval({ [input]: x });
    const y = target.vars.get(output)!.value;
    if (!isTensor(y)) throw new ValueError(where, 'output', `output '${output}' must hold a tensor after evaluation, got ${String(y)}`);
    const [N = 0, h = 0, w = 0, K = 0] = y.shape;
    if (y.shape.length !== 4 || h !== 1 || w !== 1) {
      throw new ShapeError(where, 'output', `output '${output}' must be class scores [N, 1, 1, K], got [${y.shape.join(', ')}] (is the input the size of meta.normalization.imageSize?)`);
    }
    const scores = Float32Array.from(await y.data());
    const producer = layers.find((l) => l.outputs.includes(output))!;
    return { scores, N, K, probabilities: PROBABILITIES.includes(producer.block.type), output };
  } finally {
    target.mode = mode;
    target.reset();
  }
}
