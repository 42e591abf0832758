/**
 * The DagNN adapter (`cnn_train_dag.m`, matconvnet-api §5.2): every
 * parameter with a value, in the network's order, with its own
 * `learningRate`, `weightDecay` and `trainMethod`. Each sub-batch sets
 * `mode`, evaluates `{ [input]: images, [label]: labels }` and, in
 * training, backpropagates `{ [objective]: N }` when the loss divides by N
 * (a `Loss` layer with `normalise`), else 1, so derivatives are sums
 * (see `adapter.ts`).
 *
 * `derOutputs` (cnn_train_dag's, set by `train`'s option): the outputs to
 * back-propagate from with their weights; each weight is multiplied by N
 * for an output of a normalising `Loss`, and the reported objective is
 * the weighted sum of those outputs (summed over the images). Without it,
 * `{ objective: 1 }`.
 *
 * Every output variable of the network is made precious and copied into
 * the result's `outputs` (for `extractStatsFn`); one not computed (a
 * sub-network evaluation skipped its layer) is left out.
 *
 * The trainer's update expects BatchNorm moments times N (`bnormMomentsDer
 * 'timesN'`): the adapter evaluates with it whatever the network's setting.
 *
 * Decisions: the derivatives are taken out of the network (`p.der = null`)
 * so the next evaluation cannot release them while sub-batches add up.
 * Average-trained parameters (BatchNorm moments) come back from DagNN as the
 * batch moments times the images (as MatConvNet's BatchNorm), and are
 * divided here by the fanout (as its trainer). The
 * predictions and objective variables are made precious so `conserveMemory`
 * keeps them.
 */
import type { Labels } from '@convnet-ts/blocks';
import { type DagNN, loadDagNN, saveDagNN } from '@convnet-ts/dagnn';
import { isTensor, type Rng, scope, type Tensor, ValueError } from '@convnet-ts/tensor';
import type { NetworkAdapter, SubBatchResult, TrainParam } from './adapter.js';

export interface DagNNAdapterOptions {
  /** Input variable of the images (default 'x0', `fromSimpleNN`'s name). */
  input?: string;
  /** Input variable of the labels (default 'label'). */
  label?: string;
  /** The objective variable (default: the network's only output). */
  objective?: string;
  /** The scores the error functions see (default: the first input of the objective's layer). */
  predictions?: string;
}

/** Wraps a DagNN for `train`; its parameters are replaced as it learns. */
export function dagNNAdapter(net: DagNN, opts: DagNNAdapterOptions = {}): NetworkAdapter<DagNN> {
  const input = opts.input ?? 'x0';
  const label = opts.label ?? 'label';
  const outputs = net.getOutputs();
  const objective = opts.objective ?? (outputs.length === 1 ? outputs[0]! : '');
  if (!net.vars.has(objective)) {
    throw new ValueError('train', 'objective', `objective must name a variable of the network (it has outputs ${outputs.join(', ')}), got '${objective}'`);
  }
  const producer = net.layers.find((l) => l.outputs.includes(objective))!;
  const predictions = opts.predictions ?? producer.inputs[0]!;
  net.getVar(predictions, 'train').precious = true;
  net.getVar(objective, 'train').precious = true;
  for (const v of outputs) net.getVar(v, 'train').precious = true;
  const normalisesVar = (v: string): boolean => {
    const by = net.layers.find((l) => l.outputs.includes(v));
    return by !== undefined && by.block.type === 'Loss' && by.block.options().normalise !== false;
  };
  let ders: readonly (readonly [string, number])[] = [[objective, 1]];
  const names = () => [...net.params.values()].filter((p) => p.value !== null).map((p) => p.name);
  return {
    kind: 'dagnn',
    get net() {
      return net;
    },
    backend: net.backend,
    params(): TrainParam[] {
      return names().map((name) => {
        const p = net.getParam(name, 'train');
        return { name, value: p.value!, learningRate: p.learningRate, weightDecay: p.weightDecay, trainMethod: p.trainMethod };
      });
    },
    setParam(index: number, value: Tensor): void {
      net.setParam(names()[index]!, value);
    },
    setDerOutputs(list: readonly (readonly [string, number])[]): void {
      for (const [v] of list) {
        if (!net.vars.has(v)) throw new ValueError('train', 'derOutputs', `derOutputs must name variables of the network (it has outputs ${outputs.join(', ')}), got '${v}'`);
        net.getVar(v, 'train').precious = true;
      }
      ders = list;
    },
    evaluate(images: Tensor, labels: Labels, mode: 'normal' | 'test', _rng: Rng): SubBatchResult {
      const n = images.shape[0]!;
      const factors = ders.map(([v, w]) => [v, w * (normalisesVar(v) ? n : 1)] as const);
      net.mode = mode;
      const convention = net.bnormMomentsDer;
      net.bnormMomentsDer = 'timesN';
      try {
        net.eval({ [input]: images, [label]: labels }, mode === 'normal' ? Object.fromEntries(factors) : undefined);
      } finally {
        net.bnormMomentsDer = convention;
      }
      const paramDers =
        mode === 'normal'
          ? names().map((name) => {
              const p = net.getParam(name, 'train');
              const d = p.der;
              p.der = null;
              if (!d || p.trainMethod === 'gradient') return d;
              const scaled = d.backend.run('Unary', { x: d }, { op: 'scale', alpha: 1 / p.fanout });
              d.dispose();
              return scaled;
            })
          : null;
      return scope(() => {
        let total: Tensor | null = null;
        for (const [v, f] of factors) {
          const t = net.getVar(v, 'train').value;
          if (!isTensor(t) || t.size !== 1) {
            throw new ValueError('train', 'objective', `the objective '${v}' must be a 1-element tensor, got ${isTensor(t) ? `shape [${t.shape.join(', ')}]` : String(t)}`);
          }
          total = total ? t.backend.run('Axpby', { x: total, y: t }, { alpha: 1, beta: f }) : t.backend.run('Unary', { x: t }, { op: 'scale', alpha: f });
        }
        const copy = (t: Tensor) => t.backend.run('Unary', { x: t }, { op: 'scale', alpha: 1 });
        const values = outputs.flatMap((v) => {
          const t = net.getVar(v, 'train').value;
          return isTensor(t) ? [[v, copy(t)] as const] : [];
        });
        return {
          objective: total!,
          predictions: copy(net.getVar(predictions, 'train').value as Tensor),
          ders: paramDers,
          outputs: Object.fromEntries(values),
        };
      });
    },
    save: async () => saveDagNN(net),
    restore(bytes: Uint8Array): void {
      const loaded = loadDagNN(bytes, net.backend);
      const mine = names();
      const theirs = [...loaded.params.values()].filter((p) => p.value !== null);
      const sig = (ps: { name: string; value: Tensor | null }[]) => ps.map((p) => `${p.name}:${p.value!.shape.join('x')}`).join();
      if (sig(theirs) !== sig(mine.map((m) => net.getParam(m, 'train')))) {
        throw new ValueError('train', 'checkpoint', 'the checkpoint must hold a network with the same parameters as net, got a different network');
      }
      for (const p of theirs) net.setParam(p.name, p.value!);
    },
  };
}
