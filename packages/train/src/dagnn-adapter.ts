/**
 * The DagNN adapter (`cnn_train_dag.m`, matconvnet-api §5.2): every
 * parameter with a value, in the network's order, with its own
 * `learningRate`, `weightDecay` and `trainMethod`. Each sub-batch sets
 * `mode`, evaluates `{ [input]: images, [label]: labels }` and, in
 * training, backpropagates `{ [objective]: N }` when the loss divides by N
 * (a `Loss` layer with `normalise`), else 1, so derivatives are sums
 * (see `adapter.ts`).
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
import { type Rng, scope, type Tensor, ValueError } from '@convnet-ts/tensor';
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
  const normalises = producer.block.type === 'Loss' && producer.block.options().normalise !== false;
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
    evaluate(images: Tensor, labels: Labels, mode: 'normal' | 'test', _rng: Rng): SubBatchResult {
      const n = images.shape[0]!;
      const factor = normalises ? n : 1;
      net.mode = mode;
      net.eval({ [input]: images, [label]: labels }, mode === 'normal' ? { [objective]: factor } : undefined);
      const ders =
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
        const out = net.getVar(objective, 'train').value as Tensor;
        if (out.size !== 1) throw new ValueError('train', 'objective', `the objective must be a 1-element tensor, got shape [${out.shape.join(', ')}]`);
        const pred = net.getVar(predictions, 'train').value as Tensor;
        return {
          objective: out.backend.run('Unary', { x: out }, { op: 'scale', alpha: factor }),
          predictions: pred.backend.run('Unary', { x: pred }, { op: 'scale', alpha: 1 }),
          ders,
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
