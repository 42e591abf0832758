/**
 * One batch's parameter updates (`cnn_train.m`'s `accumulateGradients`,
 * matconvnet-api §5.2), with backend kernels only:
 *
 * - trainMethod 'gradient': thisLR = lr·factorLR, thisDecay = wd·factorWD
 *   (skipped when both are 0); g = der / batchSize + thisDecay·w; then the
 *   solver's step (`solvers.ts`).
 * - trainMethod 'average' (batch-norm moments): w ← (1 − r)·w + (r / batchSize)·der
 *   with r the parameter's own learning rate (not × the global rate) and der
 *   the batch moments times the images (so der / batchSize is the mean of the
 *   sub-batches' moments) — MatConvNet's rule.
 *
 * The trainer owns the tensors it makes: an old value is disposed when it
 * replaces it, unless the old value was the caller's (the initial weights).
 */
import { scope, type Tensor } from '@convnet-ts/tensor';
import type { NetworkAdapter } from './adapter.js';
import { type ParamState, type StepConfig, solverStep } from './solvers.js';

export interface UpdateContext {
  cfg: StepConfig;
  /** The epoch's global learning rate and weight decay. */
  learningRate: number;
  weightDecay: number;
  /** Solver state by parameter name. */
  states: Map<string, ParamState>;
  /** Tensors the trainer made (safe to dispose when replaced). */
  owned: WeakSet<Tensor>;
}

/** Applies the updates for one batch of `batchSize` images; `ders` aligned with `adapter.params()`. */
export function applyUpdates(adapter: NetworkAdapter, ders: readonly (Tensor | null)[], batchSize: number, ctx: UpdateContext): void {
  adapter.params().forEach((p, i) => {
    const der = ders[i];
    if (!der) return;
    const w = p.value;
    if (p.trainMethod === 'average') {
      const r = p.learningRate;
      replace(adapter, i, w, w.backend.run('Axpby', { x: w, y: der }, { alpha: 1 - r, beta: r / batchSize }), ctx.owned);
      return;
    }
    const thisLR = ctx.learningRate * p.learningRate;
    const thisDecay = ctx.weightDecay * p.weightDecay;
    if (thisLR === 0 && thisDecay === 0) return;
    const state = ctx.states.get(p.name) ?? { tensors: {}, steps: 0 };
    const next = scope(() => {
      const g = w.backend.run('Axpby', { x: der, y: w }, { alpha: 1 / batchSize, beta: thisDecay });
      return solverStep(w, g, state, thisLR, ctx.cfg);
    });
    for (const t of Object.values(state.tensors)) t.dispose();
    for (const t of Object.values(next.state.tensors)) ctx.owned.add(t);
    ctx.states.set(p.name, next.state);
    replace(adapter, i, w, next.w, ctx.owned);
  });
}

function replace(adapter: NetworkAdapter, index: number, old: Tensor, value: Tensor, owned: WeakSet<Tensor>): void {
  adapter.setParam(index, value);
  owned.add(value);
  if (owned.has(old)) {
    owned.delete(old);
    old.dispose();
  }
}
