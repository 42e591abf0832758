/**
 * The trainer's options: MatConvNet's `cnn_train` names and defaults
 * (matconvnet-api §5.1), in camelCase, checked once. Unknown names throw.
 *
 * Decisions: `continue` defaults to false here (MatConvNet: true), so a
 * forgotten old experiment never silently changes a new run; `numEpochs`
 * keeps MatConvNet's 300 (examples pass their own); `train`/`val` are
 * 0-based index lists into the batch source (MatConvNet: 1-based `find`),
 * and default to every index (train) and none (val).
 *
 * cnn_train_dag's options (cnn_train_dag.m lines 21-46): `epochSize` (each
 * epoch trains on the first `epochSize` images of its shuffled order),
 * `errorLabels` (names of the error function's statistics, in order),
 * `solver` as a function (`SolverFunction`), `derOutputs` (the outputs to
 * back-propagate from, with their weights: `['objective', 1, 'aux', 0.3]`
 * or `[['objective', 1], ['aux', 0.3]]`; DagNN only) and `postEpochFn`
 * (called after each epoch; it may return a new learning rate — a number or
 * a schedule — 0 to stop, or nothing; it may also change the network).
 * `extractStatsFn` (line 44): statistics the network reports, kept as
 * running averages over each pass (`extract-stats.ts`); with it and no
 * `errorFunction`, the error function is 'none' (cnn_train_dag has none).
 */
import { OptionError } from '@convnet-ts/tensor';
import { type ErrorFunction, isErrorName } from './error-functions.js';
import type { ExtractStatsFn } from './extract-stats.js';
import type { NonFinitePolicy } from './non-finite.js';
import { SOLVER_DEFAULTS, type SolverFunction, type SolverName, type SolverOptions } from './solvers.js';
import type { EpochStats, ProgressEvent } from './stats.js';

export interface TrainOptions<Net = unknown> {
  /** Images per batch (default 256). */
  batchSize?: number;
  /** Each batch is split into this many interleaved sub-batches whose derivatives add up (default 1). */
  numSubBatches?: number;
  /** Last epoch to train (default 300, MatConvNet's). */
  numEpochs?: number;
  /** One number, or one per epoch: epoch e (1-based) uses `lr[min(e, lr.length) − 1]` (default 0.001). */
  learningRate?: number | readonly number[];
  /** Global weight decay (default 0.0005), times each parameter's own factor. */
  weightDecay?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** SGD with Nesterov's look-ahead (default false). */
  nesterovUpdate?: boolean;
  /** 'sgd' (default) | 'adam' | 'adagrad' | 'adadelta' | 'rmsprop', or a custom solver function. */
  solver?: SolverName | SolverFunction;
  /** Overrides of the solver's own options (MatConvNet's `solverOpts`; see `SOLVER_DEFAULTS`). */
  solverOpts?: SolverOptions | Readonly<Record<string, number>>;
  /** 'multiclass' (top-1 and top-5 error, default; 'none' when extractStatsFn is given) | 'binary' | 'none' | a function. */
  errorFunction?: 'multiclass' | 'binary' | 'none' | ErrorFunction;
  /** Names of the error function's statistics, in its order (default: its own names). */
  errorLabels?: readonly string[];
  /** Images per training epoch: the first epochSize of each epoch's shuffled order (default: all). */
  epochSize?: number;
  /**
   * After every sub-batch: named sums over its images read from the network
   * (`(net, outputs, batch) => ({ name: number | tensor })`), reported as
   * running averages in `PassStats.errors`; `lossStats` is MatConvNet's
   * default for a DagNN. Default: none.
   */
  extractStatsFn?: ExtractStatsFn<Net> | null;
  /** Outputs to back-propagate from and their weights (DagNN; default: the adapter's objective, weight 1). */
  derOutputs?: DerOutputs;
  /**
   * After each epoch, with the network being trained (MatConvNet's
   * `postEpochFn(net, params, state)`; it may change the network, e.g. a
   * parameter's learningRate): return a new learning rate (number or
   * schedule), 0 to stop, or nothing.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a postEpochFn without a return statement (MatConvNet's nargout 0) returns void
  postEpochFn?: ((epoch: number, stats: readonly EpochStats[], net: Net) => number | readonly number[] | undefined | void) | null;
  /** 0-based indices of the training images (default: all of the source). */
  train?: readonly number[];
  /** 0-based indices of the validation images (default: none). */
  val?: readonly number[];
  /** Epoch e shuffles (and seeds dropout) with `new Rng(randomSeed + e)` (default 0). */
  randomSeed?: number;
  /** Folder of checkpoints and the plot (Node only); none: nothing is written. */
  expDir?: string | null;
  /** Resume from the newest checkpoint in expDir (default false). */
  continue?: boolean;
  /** Called after every batch and at the end of every epoch. */
  onProgress?: ((event: ProgressEvent) => void) | null;
  /** Called after each epoch (and its checkpoint) with the statistics so far. */
  onEpoch?: ((epoch: number, stats: readonly EpochStats[]) => void) | null;
  /**
   * A batch objective that is NaN or ±∞: 'stop' (default) throws a
   * `NonFiniteObjectiveError` naming the epoch and batch; 'warn' warns once
   * per pass and goes on.
   */
  onNonFinite?: NonFinitePolicy;
}

/** MatConvNet's `{'objective', 1, 'aux', 0.3}` as a flat list, or as pairs. */
export type DerOutputs = readonly (string | number)[] | readonly (readonly [string, number])[];

export interface ParsedTrainOptions {
  errorLabels: readonly string[] | null;
  epochSize: number;
  derOutputs: readonly (readonly [string, number])[] | null;
  postEpochFn: TrainOptions['postEpochFn'];
  extractStatsFn: ExtractStatsFn | null;
  batchSize: number;
  numSubBatches: number;
  numEpochs: number;
  learningRate: readonly number[];
  weightDecay: number;
  momentum: number;
  nesterovUpdate: boolean;
  solver: SolverName | SolverFunction;
  /** The solver's name in checkpoints (`custom:<function name>` for a function). */
  solverName: string;
  solverOpts: Readonly<Record<string, number>>;
  errorFunction: 'multiclass' | 'binary' | 'none' | ErrorFunction;
  train: readonly number[] | null;
  val: readonly number[];
  randomSeed: number;
  expDir: string | null;
  continue: boolean;
  onProgress: ((event: ProgressEvent) => void) | null;
  onEpoch: ((epoch: number, stats: readonly EpochStats[]) => void) | null;
  onNonFinite: NonFinitePolicy;
}

const NAMES = [
  'batchSize', 'numSubBatches', 'numEpochs', 'learningRate', 'weightDecay', 'momentum', 'nesterovUpdate',
  'solver', 'solverOpts', 'errorFunction', 'train', 'val', 'randomSeed', 'expDir', 'continue', 'onProgress', 'onEpoch',
  'onNonFinite', 'errorLabels', 'epochSize', 'derOutputs', 'postEpochFn', 'extractStatsFn',
];

/** `derOutputs` as (name, weight) pairs; throws unless names are non-empty and weights finite. */
function derOutputPairs(v: unknown): [string, number][] | null {
  if (v === undefined || v === null) return null;
  const bad = () => fail('derOutputs', "a list of output names and weights, ['objective', 1, …] or [['objective', 1], …]", v);
  if (!Array.isArray(v) || v.length === 0) bad();
  const list = v as unknown[];
  const pairs: [string, number][] = Array.isArray(list[0])
    ? list.map((p) => (Array.isArray(p) && p.length === 2 ? [p[0], p[1]] : bad()) as [string, number])
    : list.length % 2 === 0
      ? Array.from({ length: list.length / 2 }, (_, i) => [list[2 * i], list[2 * i + 1]] as [string, number])
      : bad();
  if (!pairs.every(([n, w]) => typeof n === 'string' && n !== '' && typeof w === 'number' && Number.isFinite(w))) bad();
  if (new Set(pairs.map(([n]) => n)).size !== pairs.length) fail('derOutputs', 'a list naming each output once', v);
  return pairs;
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

function fail(name: string, expected: string, given: unknown): never {
  throw new OptionError('train', name, `${name} must be ${expected}, got ${show(given)}`);
}

function int(o: Record<string, unknown>, name: string, dflt: number, min: number): number {
  const v = o[name] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(name, `an integer ≥ ${min}`, v);
  return v;
}

function nonNegative(o: Record<string, unknown>, name: string, dflt: number): number {
  const v = o[name] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(name, 'a finite number ≥ 0', v);
  return v;
}

function indices(o: Record<string, unknown>, name: string): readonly number[] | null {
  const v = o[name];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || !v.every((i) => Number.isInteger(i) && i >= 0)) fail(name, 'an array of 0-based integer indices', v);
  return v as number[];
}

/** Checks `opts` and fills MatConvNet's defaults. */
export function parseTrainOptions<Net>(opts: TrainOptions<Net> | undefined): ParsedTrainOptions {
  const o = (opts ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || o === null) fail('opts', 'an object', o);
  for (const key of Object.keys(o)) {
    if (!NAMES.includes(key)) throw new OptionError('train', key, `unknown option '${key}'; known options are ${NAMES.join(', ')}`);
  }
  const lr = o.learningRate ?? 0.001;
  const lrs = typeof lr === 'number' ? [lr] : lr;
  if (!Array.isArray(lrs) || lrs.length === 0 || !lrs.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
    fail('learningRate', 'a number ≥ 0 or a non-empty array of them (one per epoch)', lr);
  }
  const solver = o.solver ?? 'sgd';
  if (typeof solver !== 'function' && (typeof solver !== 'string' || !(solver in SOLVER_DEFAULTS))) fail('solver', `one of ${Object.keys(SOLVER_DEFAULTS).join(', ')} or a solver function`, solver);
  const defaults = typeof solver === 'function' ? ((solver as SolverFunction).defaults ?? {}) : SOLVER_DEFAULTS[solver as SolverName];
  const given = (o.solverOpts ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(given)) {
    if (!(k in defaults)) fail(`solverOpts.${k}`, `one of ${Object.keys(defaults).join(', ') || '(none)'} for solver '${typeof solver === 'function' ? `custom:${solver.name || 'anonymous'}` : solver}'`, k);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`solverOpts.${k}`, 'a finite number ≥ 0', v);
  }
  const errorFunction = o.errorFunction ?? (o.extractStatsFn ? 'none' : 'multiclass');
  if (typeof errorFunction !== 'function' && !isErrorName(errorFunction)) fail('errorFunction', "'multiclass', 'binary', 'none' or a function", errorFunction);
  const flag = (name: string): boolean => {
    const v = o[name] ?? false;
    if (typeof v !== 'boolean') fail(name, 'true or false', v);
    return v;
  };
  const hook = <T>(name: string): T | null => {
    const v = o[name] ?? null;
    if (v !== null && typeof v !== 'function') fail(name, 'a function', v);
    return v as T | null;
  };
  const expDir = o.expDir ?? null;
  if (expDir !== null && (typeof expDir !== 'string' || expDir === '')) fail('expDir', 'a non-empty path', expDir);
  const onNonFinite = o.onNonFinite ?? 'stop';
  if (onNonFinite !== 'stop' && onNonFinite !== 'warn') fail('onNonFinite', "'stop' or 'warn'", onNonFinite);
  const errorLabels = o.errorLabels ?? null;
  if (errorLabels !== null && (!Array.isArray(errorLabels) || !errorLabels.every((l) => typeof l === 'string' && l !== '') || new Set(errorLabels).size !== errorLabels.length)) {
    fail('errorLabels', 'an array of distinct non-empty names', errorLabels);
  }
  const epochSize = o.epochSize ?? Number.POSITIVE_INFINITY;
  if (typeof epochSize !== 'number' || !(epochSize === Number.POSITIVE_INFINITY || (Number.isInteger(epochSize) && epochSize >= 1))) fail('epochSize', 'an integer ≥ 1 or Infinity', epochSize);
  const cont = flag('continue');
  if (cont && expDir === null) fail('continue', 'false when no expDir is given', cont);
  return {
    batchSize: int(o, 'batchSize', 256, 1),
    numSubBatches: int(o, 'numSubBatches', 1, 1),
    numEpochs: int(o, 'numEpochs', 300, 0),
    learningRate: lrs as number[],
    weightDecay: nonNegative(o, 'weightDecay', 0.0005),
    momentum: nonNegative(o, 'momentum', 0.9),
    nesterovUpdate: flag('nesterovUpdate'),
    solver: solver as SolverName | SolverFunction,
    solverName: typeof solver === 'function' ? `custom:${solver.name || 'anonymous'}` : (solver as string),
    solverOpts: { ...defaults, ...(given as Record<string, number>) },
    errorFunction: errorFunction as ParsedTrainOptions['errorFunction'],
    train: indices(o, 'train'),
    val: indices(o, 'val') ?? [],
    randomSeed: int(o, 'randomSeed', 0, 0),
    expDir,
    continue: cont,
    onProgress: hook('onProgress'),
    onEpoch: hook('onEpoch'),
    onNonFinite,
    errorLabels: errorLabels as readonly string[] | null,
    epochSize,
    derOutputs: derOutputPairs(o.derOutputs),
    postEpochFn: hook('postEpochFn'),
    extractStatsFn: hook('extractStatsFn'),
  };
}

/** MatConvNet's schedule: epoch e (1-based) uses `lr[min(e, numel(lr))]`. */
export function learningRateAt(schedule: readonly number[], epoch: number): number {
  return schedule[Math.min(epoch, schedule.length) - 1]!;
}
