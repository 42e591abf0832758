import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { type Backend, type LossType, Rng, type Shape, sizeOf, type Tensor, ValueError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type LossOptions, loss, lossBackward } from './loss.js';
import { asyncOnlyBackend, cpu32, cpu64, distinct, expectClose, expectDerivative } from './test-helpers.js';
import { LOSS_FIXTURES } from './test-loss-fixtures.js';

const value = (t: Tensor): number => {
  expect(t.shape).toEqual([1]);
  return t.dataSync()[0]!;
};
const values = (t: Tensor): number[] => Array.from(t.dataSync());
const lse = (v: number[]): number => Math.log(v.reduce((s, a) => s + Math.exp(a), 0));
const softmax = (v: number[]): number[] => v.map((a) => Math.exp(a - lse(v)));

/** Values in (lo, hi), distinct and shuffled (inputs of log losses must be probabilities). */
function probabilities(backend: Backend, shape: Shape, seed: number, lo = 0.1, hi = 0.9): Tensor {
  const n = sizeOf(shape);
  const perm = new Rng(seed).randperm(n);
  return backend.tensor(
    Array.from(perm, (p) => lo + ((hi - lo) * (p + 0.5)) / n),
    shape,
  );
}

/** Random class labels 1..C with some 0 (ignore), seeded. */
function classLabels(count: number, c: number, seed: number): number[] {
  const r = new Rng(seed).rand(count);
  return Array.from(r, (u, i) => (i % 4 === 3 ? 0 : 1 + Math.floor(u * c)));
}

/** Random ±1 labels with some 0 (ignore), seeded. */
function signLabels(count: number, seed: number): number[] {
  const r = new Rng(seed).rand(count);
  return Array.from(r, (u, i) => (i % 5 === 4 ? 0 : u < 0.5 ? -1 : 1));
}

describe('loss: reference fixtures (60 cases)', () => {
  for (const [i, f] of LOSS_FIXTURES.entries()) {
    const name = `case ${i}: ${f.opts.loss}, labels ${JSON.stringify(f.labels.data)}`;
    it(`${name} (float64)`, () => {
      const x = cpu64.tensor(f.x.data, f.x.shape);
      const labels = cpu64.tensor(f.labels.data, f.labels.shape);
      expectClose([value(loss(x, labels, f.opts))], [f.y], 1e-10);
      const dzdx = lossBackward(x, labels, f.dzdy, f.opts);
      expect(dzdx.shape).toEqual(f.x.shape);
      expectClose(values(dzdx), f.dzdx?.data ?? new Array<number>(x.size).fill(0), 1e-10);
    });
    it(`${name} (float32, labels as an array)`, () => {
      const x = cpu32.tensor(f.x.data, f.x.shape);
      expectClose([value(loss(x, f.labels.data, f.opts))], [f.y], 1e-5);
      expectClose(values(lossBackward(x, f.labels.data, f.dzdy, f.opts)), f.dzdx?.data ?? new Array<number>(x.size).fill(0), 1e-5);
    });
  }
});

describe('loss: categorical values by hand', () => {
  // Two images, 1×1, C = 3; labels 2 and 3.
  const xs = [1, 2.5, 0.5, 3, -1, 0];
  const x = cpu64.tensor(xs, [2, 1, 1, 3]);
  const labels = [2, 3];
  const img1 = [1, 2.5, 0.5];
  const img2 = [3, -1, 0];

  it('softmaxlog (the default): mean over images of logsumexp(x) − x_c', () => {
    const expected = (lse(img1) - 2.5 + lse(img2) - 0) / 2;
    expectClose([value(loss(x, labels))], [expected], 1e-12);
    expectClose([value(loss(x, labels, { loss: 'softmaxlog' }))], [expected], 1e-12);
    const s1 = softmax(img1);
    const s2 = softmax(img2);
    const d = [s1[0]!, s1[1]! - 1, s1[2]!, s2[0]!, s2[1]!, s2[2]! - 1].map((v) => (3 * v) / 2);
    expectClose(values(lossBackward(x, labels, 3)), d, 1e-12);
  });

  it('classerror: argmax ≠ c, derivative zero', () => {
    expect(value(loss(x, labels, { loss: 'classerror' }))).toBe(0.5);
    expect(values(lossBackward(x, labels, 1, { loss: 'classerror' }))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('topkerror: c outside the K largest; topK defaults to 5', () => {
    expect(value(loss(x, labels, { loss: 'topkerror', topK: 1 }))).toBe(0.5);
    expect(value(loss(x, labels, { loss: 'topkerror', topK: 2 }))).toBe(0);
    expect(value(loss(x, [1, 2], { loss: 'topkerror', topK: 2 }))).toBe(0.5); // 1 is 2nd of img1, −1 is 3rd of img2
    expect(value(loss(x, [3, 2], { loss: 'topkerror', topK: 2 }))).toBe(1);
    expect(value(loss(x, [3, 2], { loss: 'topkerror' }))).toBe(0);
    expect(values(lossBackward(x, labels, 1, { loss: 'topkerror' }))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('classerror and topkerror break ties towards the lower class index (MatConvNet max/sort)', () => {
    const tie = cpu64.tensor([2, 2, 1], [1, 1, 1, 3]);
    expect(value(loss(tie, [1], { loss: 'classerror' }))).toBe(0);
    expect(value(loss(tie, [2], { loss: 'classerror' }))).toBe(1);
    expect(value(loss(tie, [2], { loss: 'topkerror', topK: 2 }))).toBe(0);
    expect(value(loss(tie, [3], { loss: 'topkerror', topK: 2 }))).toBe(1);
  });

  it('log: −log x_c, derivative −p / max(x_c, 1e−8)', () => {
    const p = cpu64.tensor([0.2, 0.5, 0.3, 0.6, 0.1, 0.3], [2, 1, 1, 3]);
    expectClose([value(loss(p, labels, { loss: 'log' }))], [(-Math.log(0.5) - Math.log(0.3)) / 2], 1e-12);
    expectClose(values(lossBackward(p, labels, 2, { loss: 'log' })), [0, -2 / 0.5 / 2, 0, 0, 0, -2 / 0.3 / 2], 1e-12);
    const zero = cpu64.tensor([0.5, 0, 0.5], [1, 1, 1, 3]);
    expect(value(loss(zero, [2], { loss: 'log' }))).toBe(Number.POSITIVE_INFINITY);
    expectClose(values(lossBackward(zero, [2], 1, { loss: 'log' })), [0, -1e8, 0], 1e-12);
  });

  it('mhinge: max(0, 1 − x_c)', () => {
    // img1: x_c = 2.5 → 0; img2: x_c = 0 → 1.
    expect(value(loss(x, labels, { loss: 'mhinge' }))).toBe(0.5);
    expect(values(lossBackward(x, labels, 4, { loss: 'mhinge' }))).toEqual([0, 0, 0, 0, 0, -2]);
  });

  it('mshinge: max(0, 1 − x_c + max_{k≠c} x_k); the derivative goes to c and the best other class', () => {
    // img1: 1 − 2.5 + 1 = −0.5 → 0; img2: 1 − 0 + 3 = 4.
    expect(value(loss(x, labels, { loss: 'mshinge' }))).toBe(2);
    expect(values(lossBackward(x, labels, 4, { loss: 'mshinge' }))).toEqual([0, 0, 0, 2, 0, -2]);
    // c is the best class but within the margin: the runner-up (class 1) gets +p.
    const close = cpu64.tensor([1.2, 1.5, -3], [1, 1, 1, 3]);
    expectClose([value(loss(close, [2], { loss: 'mshinge' }))], [0.7], 1e-12);
    expect(values(lossBackward(close, [2], 1, { loss: 'mshinge' }))).toEqual([1, -1, 0]);
    // C = 1: no other class, so the loss is max(0, −∞) = 0.
    expect(value(loss(cpu64.tensor([0.3], [1, 1, 1, 1]), [1], { loss: 'mshinge' }))).toBe(0);
  });

  it('label 0 is ignored: no loss, no derivative, even where ℓ is infinite', () => {
    expect(value(loss(x, [0, 3], { loss: 'mhinge' }))).toBe(0.5);
    expect(value(loss(x, [0, 0]))).toBe(0);
    expectClose(values(lossBackward(x, [2, 0], 1)), [...softmax(img1).map((v, k) => (v - (k === 1 ? 1 : 0)) / 2), 0, 0, 0], 1e-12);
    const p = cpu64.tensor([0, 1, 0.5, 0.5], [2, 1, 1, 2]);
    expect(value(loss(p, [0, 1], { loss: 'log' }))).toBeCloseTo(Math.log(2) / 2, 12);
  });

  it('instanceWeights multiply each instance (per image or in the labels shape); normalise: false skips ÷ N', () => {
    const l1 = lse(img1) - 2.5;
    const l2 = lse(img2);
    expectClose([value(loss(x, labels, { instanceWeights: [2, 0.5] }))], [(2 * l1 + 0.5 * l2) / 2], 1e-12);
    const w = cpu64.tensor([2, 0.5], [2, 1, 1, 1]);
    expectClose([value(loss(x, labels, { instanceWeights: w, normalise: false }))], [2 * l1 + 0.5 * l2], 1e-12);
    expectClose([value(loss(x, labels, { instanceWeights: cpu64.tensor([2, 0.5], [2]) }))], [(2 * l1 + 0.5 * l2) / 2], 1e-12);
    const d = values(lossBackward(x, labels, 1, { instanceWeights: [0, 3], normalise: false }));
    const s2 = softmax(img2);
    expectClose(d, [0, 0, 0, 3 * s2[0]!, 3 * s2[1]!, 3 * (s2[2]! - 1)], 1e-12);
    expect(value(loss(x, [2, 0], { instanceWeights: [1, 5] }))).toBeCloseTo(l1 / 2, 12);
  });

  it('per-pixel labels [N, H, W, 1] and per-image labels broadcast over the pixels agree', () => {
    const xi = distinct(cpu64, [2, 2, 3, 4], 5);
    for (const name of ['softmaxlog', 'mshinge', 'classerror', 'topkerror'] as const) {
      const opts = { loss: name, topK: 2 };
      const perPixel = [3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1];
      const expected = value(loss(xi, cpu64.tensor(perPixel, [2, 2, 3, 1]), opts));
      expect(value(loss(xi, [3, 1], opts))).toBe(expected);
      expect(value(loss(xi, cpu64.tensor([3, 1], [2]), opts))).toBe(expected);
      expect(value(loss(xi, cpu64.tensor([3, 1], [2, 1, 1, 1]), opts))).toBe(expected);
      expect(value(loss(xi, perPixel, opts))).toBe(expected);
      const d = values(lossBackward(xi, perPixel, 0.7, opts));
      expect(values(lossBackward(xi, cpu64.tensor([3, 1], [2]), 0.7, opts))).toEqual(d);
      expect(values(lossBackward(xi, [3, 1], cpu64.tensor([0.7], [1, 1, 1, 1]), opts))).toEqual(d);
    }
  });
});

describe('loss: attribute values by hand', () => {
  const x = cpu64.tensor([0.3, -2, 1.5, 0.2], [1, 1, 2, 2]);
  const c = [1, -1, -1, 1];

  it('binaryerror: sign(x − threshold) ≠ c; sign 0 agrees with neither label', () => {
    expect(value(loss(x, c, { loss: 'binaryerror' }))).toBe(1);
    expect(value(loss(x, c, { loss: 'binaryerror', threshold: 0.25 }))).toBe(2);
    expect(value(loss(x, c, { loss: 'binaryerror', threshold: 0.3 }))).toBe(3);
    expect(values(lossBackward(x, c, 1, { loss: 'binaryerror' }))).toEqual([0, 0, 0, 0]);
  });

  it('hinge: max(0, 1 − cx), derivative −pc where cx < 1', () => {
    expectClose([value(loss(x, c, { loss: 'hinge' }))], [0.7 + 0 + 2.5 + 0.8], 1e-12);
    expect(values(lossBackward(x, c, 2, { loss: 'hinge' }))).toEqual([-2, 0, 2, -2]);
  });

  it('logistic: log(1 + e^{−cx}), derivative −pc / (1 + e^{cx})', () => {
    const xs = [0.3, -2, 1.5, 0.2];
    const expected = xs.reduce((s, v, i) => s + Math.log(1 + Math.exp(-c[i]! * v)), 0);
    expectClose([value(loss(x, c, { loss: 'logistic' }))], [expected], 1e-12);
    expectClose(values(lossBackward(x, c, 2, { loss: 'logistic' })), xs.map((v, i) => (-2 * c[i]!) / (1 + Math.exp(c[i]! * v))), 1e-12);
  });

  it('binarylog: −log(c(x − ½) + ½)', () => {
    const p = cpu64.tensor([0.8, 0.3, 0.6, 0.9], [1, 1, 2, 2]);
    const expected = -Math.log(0.8) - Math.log(0.7) - Math.log(0.4) - Math.log(0.9);
    expectClose([value(loss(p, c, { loss: 'binarylog' }))], [expected], 1e-12);
    expectClose(values(lossBackward(p, c, 1, { loss: 'binarylog' })), [-1 / 0.8, 1 / 0.7, 1 / 0.4, -1 / 0.9], 1e-12);
  });

  it('label 0 ignores one attribute; instanceWeights in the labels shape or per image; ÷ N', () => {
    const x2 = cpu64.tensor([0.3, -2, 1.5, 0.2, 0.5, 0.5, 0.5, 0.5], [2, 1, 2, 2]);
    const c2 = [1, -1, 0, 1, -1, -1, -1, -1];
    // image 1: 0.7 + 0 + (ignored) + 0.8; image 2: 4 × 1.5.
    expectClose([value(loss(x2, c2, { loss: 'hinge' }))], [(1.5 + 6) / 2], 1e-12);
    const w = [1, 1, 9, 2, 0, 0, 0, 1];
    expectClose([value(loss(x2, c2, { loss: 'hinge', instanceWeights: w, normalise: false }))], [0.7 + 1.6 + 1.5], 1e-12);
    expectClose([value(loss(x2, c2, { loss: 'hinge', instanceWeights: [2, 1] }))], [(3 + 6) / 2], 1e-12);
    expect(values(lossBackward(x2, c2, 2, { loss: 'hinge', instanceWeights: w }))).toEqual([-1, 0, 0, -2, 0, 0, 0, 1]);
  });

  it('with C = 1, per-image ±1 labels broadcast over the pixels', () => {
    const x1 = cpu64.tensor([0.3, -2, 1.5, 0.2], [2, 1, 2, 1]);
    const full = value(loss(x1, [1, 1, -1, -1], { loss: 'logistic' }));
    expect(value(loss(x1, [1, -1], { loss: 'logistic' }))).toBe(full);
    expect(value(loss(x1, cpu64.tensor([1, -1], [2]), { loss: 'logistic' }))).toBe(full);
  });
});

describe('loss: tensor labels on a backend without readSync (like WebGPU)', () => {
  it('broadcasts per-image labels and weights with kernels, never reading them back', async () => {
    const be = asyncOnlyBackend();
    const xs = distinct(cpu64, [2, 2, 2, 3], 3).dataSync();
    const x = be.tensor(xs, [2, 2, 2, 3]);
    const labels = be.tensor([3, 1], [2]);
    const weights = be.tensor([0.5, 2], [2, 1, 1, 1]);
    const y = loss(x, labels, { instanceWeights: weights });
    const expected = value(loss(cpu64.tensor(xs, [2, 2, 2, 3]), [3, 1], { instanceWeights: [0.5, 2] }));
    expect(Array.from(await y.data())).toEqual([expected]);
    const d = lossBackward(x, labels, 1, { instanceWeights: weights });
    const d64 = lossBackward(cpu64.tensor(xs, [2, 2, 2, 3]), [3, 1], 1, { instanceWeights: [0.5, 2] });
    expect(Array.from(await d.data())).toEqual(values(d64));
    const attr = be.tensor(new Array<number>(24).fill(-1), [2, 2, 2, 3]);
    expect((await loss(x, attr, { loss: 'hinge' }).data()).length).toBe(1);
  });

  it('validates label values from the uploaded host copy and refuses labels computed on the device', () => {
    const be = asyncOnlyBackend();
    const x = be.tensor(new Array<number>(6).fill(0), [2, 1, 1, 3]);
    expect(() => loss(x, be.tensor([1, 2, 3], [3]))).toThrow(
      'loss: labels must have [2] or [2, 1, 1, 1] (one per image), got shape [3]',
    );
    expect(() => loss(x, be.tensor([1, 2], [2]))).not.toThrow();
    expect(() => loss(x, [1, 7])).toThrow('loss: labels must be integers in 1..3 (0 = ignore), got 7 at index 1');
    expect(() => loss(x, be.tensor([1, 7], [2]))).toThrow('loss: labels must be integers in 1..3 (0 = ignore), got 7 at index 1');
    const computed = be.run('Unary', { x: be.tensor([1, 2], [2]) }, { op: 'scale', alpha: 1 });
    expect(() => loss(x, computed)).toThrow(ValueError);
    expect(() => loss(x, computed)).toThrow('loss: labels must be an array or a tensor made from host values');
    expect(() => loss(x, [1, 2], { instanceWeights: computed })).toThrow('loss: instanceWeights must be an array or a tensor made from host values');
  });
});

describe('loss: numerical stability', () => {
  it('softmaxlog with scores ±1000 is finite', () => {
    const x = cpu64.tensor([1000, -1000, 0, -1000, 1000, 999], [2, 1, 1, 3]);
    expectClose([value(loss(x, [1, 3]))], [(0 + 1 + Math.log1p(Math.exp(-1))) / 2], 1e-12);
    expectClose([value(loss(x, [2, 1]))], [(2000 + 2000 + Math.log1p(Math.exp(-1))) / 2], 1e-12);
    const d = values(lossBackward(x, [2, 1], 1));
    expect(d.every(Number.isFinite)).toBe(true);
    expectClose(d, [0.5, -0.5, 0, -0.5, 0.5 / (1 + Math.exp(-1)), 0.5 / (1 + Math.exp(1))], 1e-12);
    const x32 = cpu32.tensor([1000, -1000, 0], [1, 1, 1, 3]);
    expect(value(loss(x32, [2]))).toBe(2000);
  });

  it('logistic with x = ±1000 is finite', () => {
    const x = cpu64.tensor([1000, -1000, 1000, -1000], [1, 1, 1, 4]);
    const c = [-1, -1, 1, 1];
    expectClose([value(loss(x, c, { loss: 'logistic' }))], [2000], 1e-12);
    expectClose(values(lossBackward(x, c, 1, { loss: 'logistic' })), [1, 0, 0, -1], 1e-15);
    const x32 = cpu32.tensor([1000, -1000], [1, 1, 1, 2]);
    expect(value(loss(x32, [1, -1], { loss: 'logistic' }))).toBe(0);
    expect(values(lossBackward(x32, [-1, 1], 1, { loss: 'logistic' }))).toEqual([1, -1]);
  });
});

describe('loss: output sizes', () => {
  it('is [1] forward and the shape of x backward, for every loss, label form and shape', () => {
    const shapes: Shape[] = [
      [1, 1, 1, 1],
      [1, 1, 1, 5],
      [3, 1, 1, 4],
      [2, 3, 2, 3],
      [1, 4, 5, 2],
      [4, 2, 1, 1],
    ];
    const all: LossType[] = ['softmaxlog', 'classerror', 'topkerror', 'log', 'mhinge', 'mshinge'];
    const attr: LossType[] = ['binaryerror', 'binarylog', 'logistic', 'hinge'];
    let checked = 0;
    for (const [si, shape] of shapes.entries()) {
      const [n, h, w, c] = shape as [number, number, number, number];
      const x = probabilities(cpu32, shape, si);
      for (const name of all) {
        for (const labels of [classLabels(n, c, si), classLabels(n * h * w, c, si + 1)]) {
          for (const normalise of [true, false]) {
            expect(loss(x, labels, { loss: name, normalise }).shape).toEqual([1]);
            expect(lossBackward(x, labels, 1, { loss: name, normalise }).shape).toEqual(shape);
            checked++;
          }
        }
      }
      for (const name of attr) {
        const labels = signLabels(n * h * w * c, si);
        expect(loss(x, labels, { loss: name, instanceWeights: new Array<number>(n).fill(2) }).shape).toEqual([1]);
        expect(lossBackward(x, labels, 1, { loss: name }).shape).toEqual(shape);
        checked++;
      }
    }
    expect(checked).toBe(shapes.length * (all.length * 4 + attr.length));
  });
});

describe('loss: float64 derivative checks', () => {
  const shape: Shape = [2, 2, 3, 4];
  const [n, h, w, c] = shape as [number, number, number, number];
  const smooth = (name: LossType, seed: number): Tensor =>
    name === 'log' || name === 'binarylog' ? probabilities(cpu64, shape, seed) : distinct(cpu64, shape, seed, 0.07);

  const check = (name: string, x: Tensor, labels: number[] | Tensor, opts: LossOptions) =>
    expectDerivative(
      name,
      (xt) => loss(xt, labels, opts),
      x,
      (dzdy) => lossBackward(x, labels, dzdy, opts),
      [1],
    );

  const categorical: LossType[] = ['softmaxlog', 'log', 'mhinge', 'mshinge', 'classerror', 'topkerror'];
  for (const [i, name] of categorical.entries()) {
    it(`${name}: per-image labels (array and tensor), per-pixel labels, instance weights`, async () => {
      const x = smooth(name, 10 + i);
      const opts = { loss: name, topK: 2 };
      await check(`${name} per-image`, x, [2, 4], opts);
      await check(`${name} per-image tensor`, x, cpu64.tensor([3, 0], [n]), opts);
      const perPixel = classLabels(n * h * w, c, 20 + i);
      await check(`${name} per-pixel`, x, perPixel, opts);
      await check(`${name} per-pixel tensor`, x, cpu64.tensor(perPixel, [n, h, w, 1]), opts);
      const weights = Array.from(new Rng(30 + i).rand(n * h * w), (u) => 0.5 + u);
      await check(`${name} weighted`, x, perPixel, { ...opts, instanceWeights: weights, normalise: false });
    });
  }

  const attribute: LossType[] = ['binarylog', 'logistic', 'hinge', 'binaryerror'];
  for (const [i, name] of attribute.entries()) {
    it(`${name}: attribute labels (array and tensor), instance weights`, async () => {
      const x = smooth(name, 40 + i);
      const labels = signLabels(x.size, 50 + i);
      await check(`${name} attributes`, x, labels, { loss: name });
      await check(`${name} attributes tensor`, x, cpu64.tensor(labels, shape), { loss: name, threshold: 0.01 });
      const weights = cpu64.tensor(Array.from(new Rng(60 + i).rand(x.size), (u) => 0.5 + u), shape);
      await check(`${name} weighted`, x, labels, { loss: name, instanceWeights: weights });
      const x1 = name === 'binarylog' ? probabilities(cpu64, [3, 2, 2, 1], 70) : distinct(cpu64, [3, 2, 2, 1], 70, 0.07);
      await check(`${name} per-image, C = 1`, x1, [1, -1, 0], { loss: name });
    });
  }
});

describe('loss: errors', () => {
  const x = cpu64.tensor(new Array<number>(2 * 2 * 2 * 3).fill(0.5), [2, 2, 2, 3]);

  it('rejects x that is not 4-D', () => {
    expect(() => loss(cpu64.tensor([1, 2, 3], [1, 3]), [1])).toThrow('loss: x must have 4 dimensions [N, H, W, C], got shape [1, 3]');
    expect(() => lossBackward(cpu64.tensor([1, 2, 3], [3]), [1], 1)).toThrow(
      'lossBackward: x must have 4 dimensions [N, H, W, C], got shape [3]',
    );
  });

  it('rejects labels of a wrong size or shape', () => {
    expect(() => loss(x, [1, 2, 3])).toThrow(
      'loss: labels must have 2 values (one per image) or 8 values (one per pixel), got 3 values',
    );
    expect(() => loss(x, cpu64.tensor(new Array<number>(24).fill(1), [2, 2, 2, 3]))).toThrow(
      'loss: labels must have [2] or [2, 1, 1, 1] (one per image) or [2, 2, 2, 1] (one per pixel), got shape [2, 2, 2, 3]',
    );
    expect(() => loss(x, cpu64.tensor([1, 2], [1, 2]))).toThrow('got shape [1, 2]');
    expect(() => loss(x, [1, 1], { loss: 'hinge' })).toThrow(
      'loss: labels must have 24 values (one ±1 per attribute), got 2 values',
    );
    expect(() => loss(x, cpu64.tensor(new Array<number>(8).fill(1), [2, 2, 2, 1]), { loss: 'logistic' })).toThrow(
      'loss: labels must have [2, 2, 2, 3] (one ±1 per attribute), got shape [2, 2, 2, 1]',
    );
    expect(() => loss(x, null as unknown as number[])).toThrow('loss: labels must be a Tensor or an array of numbers, got null');
    expect(() => loss(x, 3 as unknown as number[])).toThrow('loss: labels must be a Tensor or an array of numbers, got 3');
  });

  it('rejects labels out of range, non-integer, or not ±1, naming the index', () => {
    expect(() => loss(x, [1, 4])).toThrow('loss: labels must be integers in 1..3 (0 = ignore), got 4 at index 1');
    expect(() => loss(x, [1.5, 2])).toThrow('loss: labels must be integers in 1..3 (0 = ignore), got 1.5 at index 0');
    expect(() => loss(x, [1, 2, 3, -1, 1, 1, 1, 1])).toThrow('loss: labels must be integers in 1..3 (0 = ignore), got -1 at index 3');
    expect(() => loss(x, cpu64.tensor([2, Number.NaN], [2]))).toThrow(
      'loss: labels must be integers in 1..3 (0 = ignore), got NaN at index 1',
    );
    const labels = new Array<number>(24).fill(1);
    labels[7] = 0.5;
    expect(() => loss(x, labels, { loss: 'binarylog' })).toThrow('loss: labels must be +1 or -1 (0 = ignore), got 0.5 at index 7');
    labels[7] = 2;
    expect(() => lossBackward(x, cpu64.tensor(labels, [2, 2, 2, 3]), 1, { loss: 'hinge' })).toThrow(
      'lossBackward: labels must be +1 or -1 (0 = ignore), got 2 at index 7',
    );
    const big = cpu64.tensor(new Array<number>(2 * 1 * 1 * 10).fill(0), [2, 1, 1, 10]);
    expect(() => loss(big, [3, 11])).toThrow('loss: labels must be integers in 1..10 (0 = ignore), got 11 at index 1');
  });

  it('rejects instanceWeights that do not broadcast to the labels (every form: loss-instance-weights.test.ts)', () => {
    expect(() => loss(x, [1, 2], { instanceWeights: [1, 2, 3] })).toThrow(
      "loss: instanceWeights must broadcast to the labels' shape [2, 2, 2, 1]: a number, or 8 values (the labels' shape), 2 (one per image) or 1 (pass a tensor for other shapes that broadcast), got 3 values",
    );
    expect(() => loss(x, [1, 2], { instanceWeights: cpu64.tensor(new Array<number>(8).fill(1), [2, 4]) })).toThrow(
      "loss: instanceWeights must broadcast to the labels' shape [2, 2, 2, 1]: a tensor of shape [2 or 1, 2 or 1, 2 or 1, 1] (each size 1 or the labels', as MatConvNet's bsxfun), [2] (one per image) or [1], got shape [2, 4]",
    );
    expect(() => loss(x, new Array<number>(24).fill(1), { loss: 'hinge', instanceWeights: new Array<number>(8).fill(1) })).toThrow(
      "loss: instanceWeights must broadcast to the labels' shape [2, 2, 2, 3]: a number, or 24 values (the labels' shape), 2 (one per image) or 1 (pass a tensor for other shapes that broadcast), got 8 values",
    );
    expect(() => loss(x, [1, 2], { instanceWeights: 'heavy' as unknown as number[] })).toThrow(
      "loss: instanceWeights must be a number, a Tensor or an array of numbers, got 'heavy'",
    );
  });

  it('rejects an unknown loss name, topK < 1, bad threshold or normalise', () => {
    expect(() => loss(x, [1, 2], { loss: 'euclidean' as LossType })).toThrow(
      "loss: loss must be one of 'softmaxlog', 'classerror', 'topkerror', 'log', 'mhinge', 'mshinge', 'binaryerror', 'binarylog', 'logistic', 'hinge', got 'euclidean'",
    );
    expect(() => loss(x, [1, 2], { loss: 'topkerror', topK: 0 })).toThrow('loss: topK must be ≥ 1, got 0');
    expect(() => loss(x, [1, 2], { topK: 1.5 })).toThrow('loss: topK must be an integer, got 1.5');
    expect(() => loss(x, [1, 2], { threshold: Number.NaN })).toThrow('loss: threshold must be a finite number, got NaN');
    expect(() => loss(x, [1, 2], { normalise: 1 as unknown as boolean })).toThrow('loss: normalise must be true or false, got 1');
  });

  it('rejects classWeights (MatConvNet ignores it) and unknown options', () => {
    expect(() => loss(x, [1, 2], { classWeights: [1, 2, 3] as never })).toThrow(
      'loss: classWeights must be left out (MatConvNet parses it but never applies it; fold class weights into instanceWeights), got [1, 2, 3]',
    );
    expect(() => loss(x, [1, 2], { normalize: false } as LossOptions)).toThrow(
      "loss: unknown option 'normalize'; known options are loss, instanceWeights, topK, threshold, normalise, classWeights",
    );
  });

  it('rejects dzdy that is not a 1-element value', () => {
    expect(() => lossBackward(x, [1, 2], cpu64.tensor([1, 2], [2]))).toThrow(
      'lossBackward: dzdy must be a number or a 1-element tensor, got shape [2]',
    );
    expect(() => lossBackward(x, [1, 2], Number.NaN)).toThrow('lossBackward: dzdy must be a number or a 1-element tensor, got NaN');
    expect(() => lossBackward(x, [1, 2], '1' as unknown as number)).toThrow(
      "lossBackward: dzdy must be a number or a 1-element tensor, got '1'",
    );
  });

  it('rejects tensors from two backends and disposed tensors', () => {
    expect(() => loss(x, cpu32.tensor([1, 2], [2]))).toThrow(
      'loss: labels lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first',
    );
    expect(() => loss(x, [1, 2], { instanceWeights: cpu32.tensor([1, 2], [2]) })).toThrow('loss: instanceWeights lives on the cpu float32 backend');
    expect(() => lossBackward(x, [1, 2], cpu32.tensor([1], [1]))).toThrow('lossBackward: dzdy lives on the cpu float32 backend');
    const other64 = createCpuBackend({ dtype: 'float64' });
    expect(() => loss(x, other64.tensor([1, 2], [2]))).toThrow(
      'loss: labels lives on another cpu float64 backend instance than x; move one of them first',
    );
    const gone = cpu64.tensor([1, 2], [2]);
    gone.dispose();
    expect(() => loss(x, gone)).toThrow('loss: labels [2] was disposed');
  });
});
