/**
 * Parameter update rules (matconvnet-api §5.2, `cnn_train.m`'s default SGD
 * and `examples/+solver/*.m`), computed with backend kernels only (`Axpby`,
 * `Unary`, `Binary`) and never read back, so a step stays on the device.
 *
 * `g` is the normalised gradient with weight decay already added
 * (`g = der / batchSize + decay·w`, see `update.ts`), `lr` the parameter's
 * learning rate (global × its own factor). State starts empty (zeros):
 *
 * - sgd:      v ← μ·v − g;  δ = nesterov ? μ·v − g : v;  w ← w + lr·δ
 * - adam:     m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  t ← t + 1;
 *             w ← w − lr·√(1−β2^t)/(1−β1^t) · m / (√v + eps)
 * - adagrad:  G ← ρ·G + g²;  w ← w − lr·g / (√G + epsilon)
 * - adadelta: G ← ρ·G + (1−ρ)·g²;  δ = −√((D + epsilon)/(G + epsilon))·g;
 *             D ← ρ·D + (1−ρ)·δ²;  w ← w + δ   (lr is not used, as in MatConvNet)
 * - rmsprop:  G ← ρ·G + (1−ρ)·g²;  w ← w − lr·g / (√G + epsilon)
 *
 * Defaults are MatConvNet's: adam β1 0.9, β2 0.999, eps 1e-8; adagrad
 * epsilon 1e-10, ρ 1; adadelta epsilon 1e-6, ρ 0.9; rmsprop epsilon 1e-8,
 * ρ 0.99. SGD's μ and Nesterov flag are the trainer's `momentum` and
 * `nesterovUpdate` options.
 */
import { isTensor, scope, shapesEqual, type Tensor, type UnaryOp, ValueError } from '@convnet-ts/tensor';

export type SolverName = 'sgd' | 'adam' | 'adagrad' | 'adadelta' | 'rmsprop';

/** Overrides of a solver's options (names as in MatConvNet). */
export interface SolverOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  epsilon?: number;
  rho?: number;
}

export const SOLVER_DEFAULTS: Readonly<Record<SolverName, Readonly<Record<string, number>>>> = {
  sgd: {},
  adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  adagrad: { epsilon: 1e-10, rho: 1 },
  adadelta: { epsilon: 1e-6, rho: 0.9 },
  rmsprop: { epsilon: 1e-8, rho: 0.99 },
};

/** One parameter's solver state: named tensors (absent = zeros) and a step count. */
export interface ParamState {
  tensors: Record<string, Tensor>;
  steps: number;
}

/**
 * A custom solver (cnn_train_dag.m lines 26-32 and 366-369): `(w, state,
 * grad, solverOpts, lr) => { w, state }`, grad already divided by the batch
 * size and with the weight decay added. Its `defaults` (MatConvNet's
 * `opts.solver()`) are the options `solverOpts` may override. It must return
 * new tensors and leave its arguments alive; the trainer disposes the old
 * state and value.
 */
export type SolverFunction = ((
  w: Tensor,
  state: ParamState,
  grad: Tensor,
  solverOpts: Readonly<Record<string, number>>,
  lr: number,
) => { w: Tensor; state: ParamState }) & { defaults?: Readonly<Record<string, number>> };

/** What a step needs besides w, g and the state. */
export interface StepConfig {
  solver: SolverName | SolverFunction;
  /** The solver's options (defaults filled). */
  opts: Readonly<Record<string, number>>;
  momentum: number;
  nesterov: boolean;
}

const axpby = (x: Tensor, y: Tensor, alpha: number, beta: number): Tensor => x.backend.run('Axpby', { x, y }, { alpha, beta });
const unary = (x: Tensor, op: UnaryOp, alpha = 0): Tensor => x.backend.run('Unary', { x }, { op, alpha });
const div = (a: Tensor, b: Tensor): Tensor => a.backend.run('Binary', { a, b }, { op: 'div' });
const mul = (a: Tensor, b: Tensor): Tensor => a.backend.run('Binary', { a, b }, { op: 'mul' });

/** ρ·s + c·g², with s = 0 when absent. */
function decayedSquares(s: Tensor | undefined, g: Tensor, rho: number, c: number): Tensor {
  const g2 = unary(g, 'square');
  return s ? axpby(s, g2, rho, c) : unary(g2, 'scale', c);
}

/** The new w and state after one step; `w`, `g` and the old state are left alive. */
export function solverStep(w: Tensor, g: Tensor, state: ParamState, lr: number, cfg: StepConfig): { w: Tensor; state: ParamState } {
  return scope((): { w: Tensor; state: ParamState } => {
    const o = cfg.opts;
    if (typeof cfg.solver === 'function') {
      const r = cfg.solver(w, state, g, o, lr);
      if (!r || !isTensor(r.w) || !shapesEqual(r.w.shape, w.shape) || typeof r.state !== 'object' || r.state === null) {
        throw new ValueError('train', 'solver', `the solver function must return { w: a tensor of shape [${w.shape.join(', ')}], state }, got ${String(r && (isTensor(r.w) ? `w of shape [${r.w.shape.join(', ')}]` : r.w))}`);
      }
      return { w: r.w, state: { tensors: { ...r.state.tensors }, steps: r.state.steps ?? state.steps + 1 } };
    }
    const s = state.tensors;
    switch (cfg.solver) {
      case 'sgd': {
        const v = s.v ? axpby(s.v, g, cfg.momentum, -1) : unary(g, 'neg');
        const delta = cfg.nesterov ? axpby(v, g, cfg.momentum, -1) : v;
        return { w: axpby(w, delta, 1, lr), state: { tensors: { v }, steps: state.steps + 1 } };
      }
      case 'adam': {
        const b1 = o.beta1!;
        const b2 = o.beta2!;
        const m = s.m ? axpby(s.m, g, b1, 1 - b1) : unary(g, 'scale', 1 - b1);
        const v = decayedSquares(s.v, g, b2, 1 - b2);
        const t = state.steps + 1;
        const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
        const denom = unary(unary(v, 'sqrt'), 'addScalar', o.eps!);
        return { w: axpby(w, div(m, denom), 1, -lrT), state: { tensors: { m, v }, steps: t } };
      }
      case 'adagrad': {
        const G = decayedSquares(s.G, g, o.rho!, 1);
        const denom = unary(unary(G, 'sqrt'), 'addScalar', o.epsilon!);
        return { w: axpby(w, div(g, denom), 1, -lr), state: { tensors: { G }, steps: state.steps + 1 } };
      }
      case 'rmsprop': {
        const G = decayedSquares(s.G, g, o.rho!, 1 - o.rho!);
        const denom = unary(unary(G, 'sqrt'), 'addScalar', o.epsilon!);
        return { w: axpby(w, div(g, denom), 1, -lr), state: { tensors: { G }, steps: state.steps + 1 } };
      }
      case 'adadelta': {
        const rho = o.rho!;
        const eps = o.epsilon!;
        const G = decayedSquares(s.G, g, rho, 1 - rho);
        const num = s.D ? unary(s.D, 'addScalar', eps) : g.backend.fill(g.shape, eps);
        const ratio = unary(div(num, unary(G, 'addScalar', eps)), 'sqrt');
        const delta = unary(mul(ratio, g), 'neg');
        const D = decayedSquares(s.D, delta, rho, 1 - rho);
        return { w: axpby(w, delta, 1, 1), state: { tensors: { G, D }, steps: state.steps + 1 } };
      }
    }
  });
}
