/**
 * `res`, the record of a SimpleNN evaluation (MatConvNet's RES struct array,
 * matconvnet-api §2.1), the options of `simplenn`, and the bookkeeping that
 * lets `conserveMemory` dispose only what `simplenn` itself made.
 */
import type { Labels } from '@convnet-ts/blocks';
import { isTensor, OptionError, type Rng, type Tensor } from '@convnet-ts/tensor';
import { show } from './fields.js';

/**
 * One entry per variable: `res[0].x` is the input, `res[l + 1].x` the output
 * of layer l. Entry l also holds layer l's parameter derivatives `dzdw` (one
 * per weight, null where none), its forward by-product `aux` (dropout mask or
 * bnorm batch moments) and its forward/backward times in milliseconds.
 * Decision: MatConvNet keeps `aux` on the layer's *output* entry; here every
 * per-layer field sits on the layer's own entry l.
 */
export interface ResEntry {
  x: Tensor | null;
  dzdx: Tensor | null;
  dzdw: (Tensor | null)[];
  aux: Tensor | null;
  time: number;
  backwardTime: number;
}

export type Res = ResEntry[];

export interface SimpleNNOptions {
  /** 'normal' (training, default) or 'test' (dropout off, bnorm with stored moments). */
  mode?: 'normal' | 'test';
  /** Dispose intermediate variables once they are not needed (layers marked `precious` keep their outputs). */
  conserveMemory?: boolean;
  /** Backpropagate through the last `backPropDepth` layers only (default all). */
  backPropDepth?: number;
  /** Reuse `res` from an earlier call and run only the backward pass. */
  skipForward?: boolean;
  /** Add the parameter derivatives to those already in `res` (sub-batches). */
  accumulate?: boolean;
  /**
   * Labels of `loss`/`softmaxloss` layers (class labels 1..C, or ±1 attributes), or
   * the target tensor x0 of a `pdist` layer. Overrides the layers' `class` field.
   */
  labels?: Labels;
  /** Seeds the dropout masks (default: the blocks' `dropoutRng`). */
  rng?: Rng;
  /**
   * bnorm's `dzdw[2]` in mode 'normal': `'timesN'` (default) the batch
   * moments times the batch size N, as MatConvNet 1.0-beta25's vl_simplenn
   * (line 483; its cnn_train divides by the batch size); `'moments'` the
   * batch moments themselves, as later MatConvNet (commit 23699180 "Normalise
   * loss" dropped the ×N; its cnn_train divides by the number of sub-batches).
   */
  bnormMomentsDer?: BnormMomentsDer;
  /**
   * Skip the derivative with respect to the input of the lowest layer
   * backpropagated (`res[limit].dzdx`, limit = n − backPropDepth, stays null).
   * MatConvNet's vl_simplenn always computes it, and cnn_train never reads
   * it: for a convolution first layer that is a whole data-derivative product
   * (AlexNet's conv1: more than its forward), as PyTorch skips for an input
   * without `requires_grad`. Conv and convt layers do not compute it; other
   * layers' is computed and disposed. Default false.
   */
  noDerInput?: boolean;
}

/** The two conventions for bnorm's moments "derivative" (see `SimpleNNOptions.bnormMomentsDer`). */
export type BnormMomentsDer = 'timesN' | 'moments';

export interface ParsedOptions {
  mode: 'normal' | 'test';
  conserveMemory: boolean;
  backPropDepth: number;
  skipForward: boolean;
  accumulate: boolean;
  labels: Labels | undefined;
  rng: Rng | undefined;
  bnormMomentsDer: BnormMomentsDer;
  noDerInput: boolean;
}

const NAMES = ['mode', 'conserveMemory', 'backPropDepth', 'skipForward', 'accumulate', 'labels', 'rng', 'bnormMomentsDer', 'noDerInput'];

export function parseOptions(opts: SimpleNNOptions | undefined): ParsedOptions {
  const o = (opts ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || o === null) throw new OptionError('simplenn', 'opts', `opts must be an object, got ${show(o)}`);
  for (const key of Object.keys(o)) {
    if (!NAMES.includes(key)) throw new OptionError('simplenn', key, `unknown option '${key}'; known options are ${NAMES.join(', ')}`);
  }
  const flag = (name: string): boolean => {
    const v = o[name] ?? false;
    if (typeof v !== 'boolean') throw new OptionError('simplenn', name, `${name} must be true or false, got ${show(v)}`);
    return v;
  };
  const mode = o.mode ?? 'normal';
  if (mode !== 'normal' && mode !== 'test') throw new OptionError('simplenn', 'mode', `mode must be 'normal' or 'test', got ${show(mode)}`);
  const depth = o.backPropDepth ?? Number.POSITIVE_INFINITY;
  if (typeof depth !== 'number' || !(depth >= 1) || (depth !== Number.POSITIVE_INFINITY && !Number.isInteger(depth))) {
    throw new OptionError('simplenn', 'backPropDepth', `backPropDepth must be an integer ≥ 1 or Infinity, got ${show(depth)}`);
  }
  const bnormMomentsDer = o.bnormMomentsDer ?? 'timesN';
  if (bnormMomentsDer !== 'timesN' && bnormMomentsDer !== 'moments') {
    throw new OptionError('simplenn', 'bnormMomentsDer', `bnormMomentsDer must be 'timesN' or 'moments', got ${show(bnormMomentsDer)}`);
  }
  return {
    bnormMomentsDer,
    mode,
    conserveMemory: flag('conserveMemory'),
    backPropDepth: depth,
    skipForward: flag('skipForward'),
    accumulate: flag('accumulate'),
    noDerInput: flag('noDerInput'),
    labels: opts?.labels,
    rng: opts?.rng,
  };
}

/** A fresh entry. */
export function emptyEntry(): ResEntry {
  return { x: null, dzdx: null, dzdw: [], aux: null, time: 0, backwardTime: 0 };
}

/** Tensors made by `simplenn` and stored in a res: the only ones it ever disposes. */
const made = new WeakSet<Tensor>();

/**
 * Tracks what `simplenn` may dispose: tensors it made, never the caller's
 * (input, dzdy, labels, parameters), and never one still referenced by another
 * slot of res (a custom layer may return its input).
 */
export class Keeper {
  constructor(
    readonly res: Res,
    readonly caller: ReadonlySet<Tensor>,
  ) {}

  /** Marks a tensor a layer returned as made here (unless it is the caller's). */
  adopt<T extends Tensor | null>(t: T): T {
    if (t && !this.caller.has(t)) made.add(t);
    return t;
  }

  /** Disposes `t` if it is ours and not referenced by any slot of res. */
  release(t: Tensor | null | undefined): void {
    if (!t || !made.has(t) || this.caller.has(t) || this.referenced(t)) return;
    made.delete(t);
    t.dispose();
  }

  private referenced(t: Tensor): boolean {
    return this.res.some((e) => e.x === t || e.dzdx === t || e.aux === t || e.dzdw.includes(t));
  }

  /** Replaces `res[i][field]` by `t`, releasing what it held. */
  set(i: number, field: 'x' | 'dzdx' | 'aux', t: Tensor | null): void {
    const entry = this.res[i]!;
    const old = entry[field];
    entry[field] = this.adopt(t);
    if (old !== t) this.release(old);
  }
}

/** Every tensor the caller owns in this call: input, dzdy, labels and the layers' tensors. */
export function callerTensors(values: readonly unknown[]): Set<Tensor> {
  const out = new Set<Tensor>();
  const visit = (v: unknown, depth: number): void => {
    if (isTensor(v)) out.add(v);
    else if (Array.isArray(v) && depth < 2) for (const w of v) visit(w, depth + 1);
    else if (v !== null && typeof v === 'object' && depth < 1) for (const w of Object.values(v)) visit(w, depth + 1);
  };
  for (const v of values) visit(v, 0);
  return out;
}
