import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import type { DagNN } from './dag-nn.js';
import { branchyNet, cpu64, randn } from './test-nets.js';

const labels = [1, 3];

function objective(net: DagNN, x: Tensor): number {
  net.eval({ x, label: labels });
  return (net.getVar('objective').value as Tensor).dataSync()[0]!;
}

/** Central differences of the objective w.r.t. every element of `values`, rebuilt with `make`. */
function numerical(values: Float64Array, f: (v: Float64Array) => number, delta = 1e-6): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Float64Array.from(values);
    v[i] = values[i]! + delta;
    const up = f(v);
    v[i] = values[i]! - delta;
    out[i] = (up - f(v)) / (2 * delta);
  }
  return out;
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): void {
  expect(a.length).toBe(b.length);
  const scale = Math.max(1e-12, ...Array.from(b, Math.abs));
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!) / scale).toBeLessThan(tol);
}

describe('whole-network derivatives (float64)', () => {
  const net = branchyNet(cpu64);
  const x = randn(cpu64, [2, 4, 4, 2], 7);
  net.eval({ x, label: labels }, { objective: 1 });
  const analytic = {
    x: net.getVar('x').der!.dataSync(),
    params: new Map([...net.params.values()].map((p) => [p.name, p.der!.dataSync()])),
  };

  it('the shared parameter gets derivatives from both layers', () => {
    expect(net.getParam('wf').fanout).toBe(2);
    expect(analytic.params.size).toBe(5);
  });

  it('matches central differences w.r.t. the input', () => {
    const num = numerical(Float64Array.from(x.dataSync()), (v) => objective(net, cpu64.tensor(v, x.shape)));
    expectClose(analytic.x, num);
  });

  it.each(['wf', 'ba', 'bb', 'w1', 'b1'])('matches central differences w.r.t. parameter %s', (name) => {
    const p = net.getParam(name);
    const shape = p.value!.shape;
    const original = Float64Array.from(p.value!.dataSync());
    const num = numerical(original, (v) => {
      net.setParam(name, cpu64.tensor(v, shape));
      return objective(net, x);
    });
    net.setParam(name, cpu64.tensor(original, shape));
    expectClose(analytic.params.get(name)!, num);
  });

  it('sums derivatives over evaluations with accumulateParamDers', () => {
    net.eval({ x, label: labels }, { objective: 1 });
    const single = net.getParam('wf').der!.dataSync();
    net.accumulateParamDers = true;
    net.eval({ x, label: labels }, { objective: 1 });
    net.eval({ x, label: labels }, { objective: 1 });
    net.accumulateParamDers = false;
    const twice = net.getParam('wf').der!.dataSync();
    // The derivative before accumulateParamDers was set, plus two more evaluations.
    expectClose(twice, Array.from(single, (v) => 3 * v), 1e-12);
    net.reset();
    expect(net.getParam('wf').der).toBeNull();
  });

  it('a tensor derivative projection equals the number form', () => {
    const net2 = branchyNet(cpu64);
    net2.eval({ x, label: labels }, { objective: cpu64.tensor([2], [1]) });
    expectClose(net2.getParam('w1').der!.dataSync(), Array.from(analytic.params.get('w1')!, (v) => 2 * v), 1e-12);
  });
});
