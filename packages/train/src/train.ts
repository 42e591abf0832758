/**
 * `train(net, data, opts)` — MatConvNet's `cnn_train` (matconvnet-api §5):
 * for each epoch e from 1 (or from the newest checkpoint + 1 with
 * `continue`) to `numEpochs`:
 *
 * 1. `rng = new Rng(randomSeed + e)` (MatConvNet's `rng(epoch + randomSeed)`),
 *    then the training indices in `rng.randperm` order; the same rng seeds
 *    dropout, so an epoch depends only on the network, solver state and e;
 * 2. a training pass (mode 'normal', one update per batch) with learning
 *    rate `learningRate[min(e, length) − 1]`;
 * 3. a validation pass (mode 'test', no updates) over `val` in the given
 *    order (MatConvNet shuffles it too; the order changes nothing in test mode);
 * 4. with `expDir`: the checkpoint (`checkpoint.ts`) and `net-train.svg`,
 *    both written atomically; then `onEpoch`, then `postEpochFn`, whose
 *    return value (cnn_train_dag.m lines 157-165) replaces the learning rate
 *    schedule from the next epoch on, or stops training when it is 0.
 *
 * Prefetch: with a source that has `prefetch`, the run's first read is
 * announced before the first pass, and each later pass's first read while
 * the last batch of the pass before it computes (the next epoch's order is
 * known ahead: it is the first draws of its `Rng`). A prefetched read that
 * is never asked for (a `postEpochFn` that stops the run) is dropped with
 * the source.
 *
 * `epochSize` keeps the first images of each epoch's shuffled order
 * (cnn_train_dag.m line 99); `derOutputs` goes to the adapter's
 * `setDerOutputs` (DagNN's), an error for adapters without one.
 *
 * `net` is a SimpleNN description or any `NetworkAdapter`. Returns the
 * trained network (for SimpleNN, its tidy form, whose weights are new
 * tensors: the given net's tensors are left as they were) and every
 * epoch's statistics.
 */
import type { SimpleNN, SimpleNNSpec } from '@convnet-ts/simplenn';
import { Rng, type Tensor, ValueError } from '@convnet-ts/tensor';
import type { NetworkAdapter } from './adapter.js';
import type { BatchSource } from './batch-source.js';
import { loadCheckpoint, newestCheckpoint, saveCheckpoint } from './checkpoint.js';
import { firstSubBatch, type NextRead, runPass } from './epoch.js';
import { ensureDir, joinPath, writeAtomic } from './files.js';
import { learningRateAt, parseTrainOptions, type TrainOptions } from './options.js';
import { plotSvg } from './plot.js';
import { simpleNNAdapter } from './simplenn-adapter.js';
import type { ParamState } from './solvers.js';
import type { EpochStats } from './stats.js';

export interface TrainResult<Net> {
  net: Net;
  /** One entry per epoch trained so far (including those of a resumed run). */
  stats: EpochStats[];
}

/** The name of the plot written to expDir after each epoch. */
export const PLOT_FILE = 'net-train.svg';

function isAdapter(net: unknown): net is NetworkAdapter {
  return typeof net === 'object' && net !== null && typeof (net as NetworkAdapter).evaluate === 'function';
}

function checkIndices(name: string, indices: readonly number[], size: number): void {
  const bad = indices.find((i) => i >= size);
  if (bad !== undefined) throw new ValueError('train', name, `${name} indices must be below the source's size ${size}, got ${bad}`);
}

export function train(net: SimpleNNSpec, data: BatchSource, opts?: TrainOptions<SimpleNN>): Promise<TrainResult<SimpleNN>>;
export function train<Net>(net: NetworkAdapter<Net>, data: BatchSource, opts?: TrainOptions<Net>): Promise<TrainResult<Net>>;
export async function train(net: SimpleNNSpec | NetworkAdapter, data: BatchSource, options?: TrainOptions<never>): Promise<TrainResult<unknown>> {
  const opts = parseTrainOptions(options);
  if (typeof data !== 'object' || data === null || typeof data.getBatch !== 'function' || !Number.isInteger(data.size)) {
    throw new ValueError('train', 'data', `data must be a BatchSource { size, getBatch(indices, backend) }, got ${String(data)}`);
  }
  const adapter = isAdapter(net) ? net : simpleNNAdapter(net);
  if (opts.derOutputs !== null) {
    if (!adapter.setDerOutputs) throw new ValueError('train', 'derOutputs', `derOutputs must be given only for networks with named outputs (a DagNN through dagNNAdapter), got a '${adapter.kind}' network`);
    adapter.setDerOutputs(opts.derOutputs);
  }
  let schedule = opts.learningRate;
  const trainSet = opts.train ?? Array.from({ length: data.size }, (_, i) => i);
  checkIndices('train', trainSet, data.size);
  checkIndices('val', opts.val, data.size);
  const owned = new WeakSet<Tensor>();
  let states = new Map<string, ParamState>();
  let stats: EpochStats[] = [];
  let start = 1;
  if (opts.expDir !== null) await ensureDir(opts.expDir);
  if (opts.continue && opts.expDir !== null) {
    const newest = await newestCheckpoint(opts.expDir);
    if (newest > 0) {
      const restored = await loadCheckpoint(opts.expDir, newest, adapter, opts.solverName);
      for (const p of adapter.params()) owned.add(p.value);
      for (const s of restored.states.values()) for (const t of Object.values(s.tensors)) owned.add(t);
      ({ states, stats } = restored);
      start = newest + 1;
    }
  }
  const cfg = { solver: opts.solver, opts: opts.solverOpts, momentum: opts.momentum, nesterov: opts.nesterovUpdate };
  // An epoch's training order: the first draws of Rng(randomSeed + epoch), so it can be known before the epoch.
  const orderOf = (epoch: number, rng = new Rng(opts.randomSeed + epoch)) => Array.from(rng.randperm(trainSet.length), (i) => trainSet[i - 1]!).slice(0, opts.epochSize);
  const firstRead = (indices: readonly number[], epoch: number, mode: 'train' | 'val'): NextRead | null => {
    const first = firstSubBatch(indices, opts);
    return first ? { indices: first, context: { epoch, mode } } : null;
  };
  // The run's first read starts now; every later pass's first read starts during the pass before it.
  const firstOfRun = start <= opts.numEpochs ? firstRead(orderOf(start), start, 'train') : null;
  if (firstOfRun && data.prefetch) data.prefetch(firstOfRun.indices, firstOfRun.context);
  for (let epoch = start; epoch <= opts.numEpochs; epoch++) {
    const rng = new Rng(opts.randomSeed + epoch);
    const learningRate = learningRateAt(schedule, epoch);
    const update = { cfg, learningRate, weightDecay: opts.weightDecay, states, owned };
    const ctx = { adapter, source: data, opts, epoch, rng, update };
    const order = orderOf(epoch, rng);
    const nextTrain = epoch < opts.numEpochs ? firstRead(orderOf(epoch + 1), epoch + 1, 'train') : null;
    const hasVal = opts.val.length > 0;
    const trainStats = await runPass(ctx, order, 'train', hasVal ? firstRead(opts.val, epoch, 'val') : nextTrain);
    const valStats = hasVal ? await runPass(ctx, opts.val, 'val', nextTrain) : null;
    stats = [...stats, { epoch, learningRate, train: trainStats, val: valStats }];
    if (opts.expDir !== null) {
      await saveCheckpoint(opts.expDir, adapter, { epoch, solver: opts.solverName, randomSeed: opts.randomSeed, stats, states });
      await writeAtomic(joinPath(opts.expDir, PLOT_FILE), plotSvg(stats));
    }
    opts.onEpoch?.(epoch, stats);
    const next = opts.postEpochFn?.(epoch, stats, adapter.net);
    if (next !== undefined && next !== null) {
      const lrs = typeof next === 'number' ? [next] : next;
      if (!Array.isArray(lrs) || lrs.length === 0 || !lrs.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
        throw new ValueError('train', 'postEpochFn', `postEpochFn must return a learning rate ≥ 0, a schedule of them, or nothing, got ${String(next)}`);
      }
      schedule = lrs;
      if (lrs.every((v) => v === 0)) break;
    }
  }
  return { net: adapter.net, stats };
}
