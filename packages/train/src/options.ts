/**
 * The trainer's options: MatConvNet's `cnn_train` names and defaults
 * (matconvnet-api §5.1), in camelCase, checked once. Unknown names throw.
 *
 * Decisions: `continue` defaults to false here (MatConvNet: true), so a
 * forgotten old experiment never silently changes a new run; `numEpochs`
 * keeps MatConvNet's 300 (examples pass their own); `train`/`val` are
 * 0-based index lists into the batch source (MatConvNet: 1-based `find`),
 * and default to every index (train) and none (val).
 */
import { OptionError } from '@convnet-ts/tensor';
import { type ErrorFunction, isErrorName } from './error-functions.js';
import type { NonFinitePolicy } from './non-finite.js';
import { SOLVER_DEFAULTS, type SolverName, type SolverOptions } from './solvers.js';
import type { EpochStats, ProgressEvent } from './stats.js';

export interface TrainOptions {
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
  /** 'sgd' (default) | 'adam' | 'adagrad' | 'adadelta' | 'rmsprop'. */
  solver?: SolverName;
  /** Overrides of the solver's own options (MatConvNet's `solverOpts`; see `SOLVER_DEFAULTS`). */
  solverOpts?: SolverOptions;
  /** 'multiclass' (top-1 and top-5 error, default) | 'binary' | 'none' | a function. */
  errorFunction?: 'multiclass' | 'binary' | 'none' | ErrorFunction;
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

export interface ParsedTrainOptions {
  batchSize: number;
  numSubBatches: number;
  numEpochs: number;
  learningRate: readonly number[];
  weightDecay: number;
  momentum: number;
  nesterovUpdate: boolean;
  solver: SolverName;
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
  'onNonFinite',
];

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
export function parseTrainOptions(opts: TrainOptions | undefined): ParsedTrainOptions {
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
  if (typeof solver !== 'string' || !(solver in SOLVER_DEFAULTS)) fail('solver', `one of ${Object.keys(SOLVER_DEFAULTS).join(', ')}`, solver);
  const defaults = SOLVER_DEFAULTS[solver as SolverName];
  const given = (o.solverOpts ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(given)) {
    if (!(k in defaults)) fail(`solverOpts.${k}`, `one of ${Object.keys(defaults).join(', ') || '(none)'} for solver '${solver}'`, k);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`solverOpts.${k}`, 'a finite number ≥ 0', v);
  }
  const errorFunction = o.errorFunction ?? 'multiclass';
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
    solver: solver as SolverName,
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
  };
}

/** MatConvNet's schedule: epoch e (1-based) uses `lr[min(e, numel(lr))]`. */
export function learningRateAt(schedule: readonly number[], epoch: number): number {
  return schedule[Math.min(epoch, schedule.length) - 1]!;
}
