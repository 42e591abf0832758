import { describe, expect, it } from 'vitest';
import { type ParamState, SOLVER_DEFAULTS, type SolverName, type StepConfig, solverStep } from './solvers.js';
import { cpu64 } from './test-helpers.js';

const w0 = [1, -2];
const g1 = [0.5, 0.25];
const g2 = [-1, 0.5];
const cfg = (solver: SolverName, extra: Partial<StepConfig> = {}): StepConfig => ({
  solver,
  opts: SOLVER_DEFAULTS[solver],
  momentum: 0.9,
  nesterov: false,
  ...extra,
});

/** Two steps with gradients g1 then g2 from w0; the values after each. */
function twoSteps(c: StepConfig, lr: number): number[][] {
  let w = cpu64.tensor(w0, [2]);
  let state: ParamState = { tensors: {}, steps: 0 };
  const out: number[][] = [];
  for (const g of [g1, g2]) {
    const r = solverStep(w, cpu64.tensor(g, [2]), state, lr, c);
    w = r.w;
    state = r.state;
    out.push(Array.from(w.dataSync()));
  }
  return out;
}

function expectClose(actual: number[][], expected: number[][]): void {
  actual.forEach((row, i) => {
    row.forEach((v, j) => {
      expect(v).toBeCloseTo(expected[i]![j]!, 12);
    });
  });
}

describe('solverStep', () => {
  it('sgd: v ← μv − g, w ← w + lr·v', () => {
    // step 1: v = −g1 = [−0.5, −0.25]; w = [1 − 0.05, −2 − 0.025]
    // step 2: v = 0.9·v − g2 = [−0.45 + 1, −0.225 − 0.5] = [0.55, −0.725]; w += 0.1·v
    expectClose(twoSteps(cfg('sgd'), 0.1), [[0.95, -2.025], [1.005, -2.0975]]);
  });

  it('sgd with Nesterov: w ← w + lr·(μv − g)', () => {
    // step 1: v = [−0.5, −0.25]; δ = 0.9v − g1 = [−0.95, −0.475]; w = [0.905, −2.0475]
    // step 2: v = [0.55, −0.725]; δ = [0.495 + 1, −0.6525 − 0.5] = [1.495, −1.1525]; w += 0.1·δ
    expectClose(twoSteps(cfg('sgd', { nesterov: true }), 0.1), [[0.905, -2.0475], [1.0545, -2.16275]]);
  });

  it('adam: bias-corrected m / (√v + eps)', () => {
    const b1 = 0.9;
    const b2 = 0.999;
    const eps = 1e-8;
    const lr = 0.01;
    const w = [...w0];
    const m = [0, 0];
    const v = [0, 0];
    const expected: number[][] = [];
    [g1, g2].forEach((g, s) => {
      const t = s + 1;
      const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      for (let i = 0; i < 2; i++) {
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
        w[i] = w[i]! - (lrT * m[i]!) / (Math.sqrt(v[i]!) + eps);
      }
      expected.push([...w]);
    });
    // The first step of adam moves every weight by almost exactly lr against its gradient's sign.
    expect(expected[0]![0]).toBeCloseTo(1 - 0.01, 6);
    expectClose(twoSteps(cfg('adam'), lr), expected);
  });

  it('adagrad: G ← G + g², w ← w − lr·g/(√G + ε)', () => {
    // step 1: G = [0.25, 0.0625]; w = w0 − 0.1·[1, 1]
    // step 2: G = [1.25, 0.3125]; w −= 0.1·[−1/√1.25, 0.5/√0.3125]
    const e = 1e-10;
    const s1 = [1 - 0.1 * (0.5 / (0.5 + e)), -2 - 0.1 * (0.25 / (0.25 + e))];
    expect(s1[0]).toBeCloseTo(0.9, 9);
    const s2 = [s1[0]! + 0.1 / (Math.sqrt(1.25) + e), s1[1]! - (0.1 * 0.5) / (Math.sqrt(0.3125) + e)];
    expectClose(twoSteps(cfg('adagrad'), 0.1), [s1, s2]);
  });

  it('rmsprop: G ← ρG + (1 − ρ)g²', () => {
    const G1 = [0.01 * 0.25, 0.01 * 0.0625];
    const G2 = [0.99 * G1[0]! + 0.01, 0.99 * G1[1]! + 0.01 * 0.25];
    const s1 = [1 - (0.1 * 0.5) / (Math.sqrt(G1[0]!) + 1e-8), -2 - (0.1 * 0.25) / (Math.sqrt(G1[1]!) + 1e-8)];
    const s2 = [s1[0]! + 0.1 / (Math.sqrt(G2[0]!) + 1e-8), s1[1]! - (0.1 * 0.5) / (Math.sqrt(G2[1]!) + 1e-8)];
    expectClose(twoSteps(cfg('rmsprop'), 0.1), [s1, s2]);
  });

  it('adadelta ignores lr: δ = −√((D + ε)/(G + ε))·g', () => {
    const eps = 1e-6;
    const rho = 0.9;
    const w = [...w0];
    const G = [0, 0];
    const D = [0, 0];
    const expected: number[][] = [];
    for (const g of [g1, g2]) {
      for (let i = 0; i < 2; i++) {
        G[i] = rho * G[i]! + (1 - rho) * g[i]! ** 2;
        const d = -Math.sqrt((D[i]! + eps) / (G[i]! + eps)) * g[i]!;
        D[i] = rho * D[i]! + (1 - rho) * d * d;
        w[i] = w[i]! + d;
      }
      expected.push([...w]);
    }
    expectClose(twoSteps(cfg('adadelta'), 123), expected);
    expectClose(twoSteps(cfg('adadelta'), 0.001), expected);
  });

  it('counts steps and leaves its inputs alive', () => {
    const w = cpu64.tensor(w0, [2]);
    const g = cpu64.tensor(g1, [2]);
    const r = solverStep(w, g, { tensors: {}, steps: 4 }, 0.1, cfg('adam'));
    expect(r.state.steps).toBe(5);
    expect(Object.keys(r.state.tensors).sort()).toEqual(['m', 'v']);
    expect(w.isDisposed || g.isDisposed).toBe(false);
  });
});
