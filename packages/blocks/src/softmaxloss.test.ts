import { Rng, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { loss, lossBackward } from './loss.js';
import { softmaxloss, softmaxlossBackward } from './softmaxloss.js';
import { cpu32, cpu64, distinct, expectClose, expectDerivative } from './test-helpers.js';
import { LOSS_FIXTURES } from './test-loss-fixtures.js';

const value = (t: Tensor): number => {
  expect(t.shape).toEqual([1]);
  return t.dataSync()[0]!;
};
const values = (t: Tensor): number[] => Array.from(t.dataSync());
const lse = (v: number[]): number => Math.log(v.reduce((s, a) => s + Math.exp(a), 0));

/** Interleaves labels and weights into the `[N, H, W, 2]` layout. */
const paired = (labels: number[], weights: number[]): number[] => labels.flatMap((l, i) => [l, weights[i]!]);

describe('softmaxloss: values', () => {
  it('matches the softmaxlog reference fixtures', () => {
    const cases = LOSS_FIXTURES.filter((f) => f.opts.loss === 'softmaxlog');
    expect(cases.length).toBe(12);
    for (const f of cases) {
      const x = cpu64.tensor(f.x.data, f.x.shape);
      const labels = cpu64.tensor(f.labels.data, f.labels.shape);
      expectClose([value(softmaxloss(x, labels))], [f.y], 1e-10);
      expectClose(values(softmaxlossBackward(x, f.labels.data, f.dzdy)), f.dzdx?.data ?? [], 1e-10);
    }
  });

  it('is (1/N) Σ (logsumexp(x) − x_c) by hand, skipping label 0', () => {
    const x = cpu64.tensor([1, 2.5, 0.5, 3, -1, 0, 0, 0, 7], [3, 1, 1, 3]);
    const expected = (lse([1, 2.5, 0.5]) - 2.5 + lse([3, -1, 0])) / 3;
    expectClose([value(softmaxloss(x, [2, 3, 0]))], [expected], 1e-12);
    const d = values(softmaxlossBackward(x, [2, 3, 0], 3));
    expect(d.slice(6)).toEqual([0, 0, 0]);
    expectClose([d[1]!], [Math.exp(2.5 - lse([1, 2.5, 0.5])) - 1], 1e-12);
  });

  it('reads per-pixel weights from a second label channel', () => {
    const x = distinct(cpu64, [2, 2, 1, 3], 3);
    const labels = [1, 3, 0, 2];
    const weights = [2, 0.5, 9, 1];
    const expected = value(loss(x, labels, { instanceWeights: weights }));
    expect(value(softmaxloss(x, paired(labels, weights)))).toBe(expected);
    expect(value(softmaxloss(x, cpu64.tensor(paired(labels, weights), [2, 2, 1, 2])))).toBe(expected);
    const d = values(lossBackward(x, labels, 0.3, { instanceWeights: weights }));
    expect(values(softmaxlossBackward(x, cpu64.tensor(paired(labels, weights), [2, 2, 1, 2]), 0.3))).toEqual(d);
    expect(values(softmaxlossBackward(x, paired(labels, weights), cpu64.tensor([0.3], [1])))).toEqual(d);
  });

  it('equals loss with softmaxlog for per-image and per-pixel labels, and always divides by N', () => {
    const x = distinct(cpu32, [3, 2, 2, 4], 4);
    for (const labels of [[1, 4, 2], [1, 2, 3, 4, 4, 3, 2, 1, 0, 1, 0, 1]]) {
      expect(value(softmaxloss(x, labels))).toBe(value(loss(x, labels)));
      expect(value(softmaxloss(x, labels)) * 3).toBeCloseTo(value(loss(x, labels, { normalise: false })), 4);
      expect(values(softmaxlossBackward(x, labels, 2))).toEqual(values(lossBackward(x, labels, 2)));
    }
    expect(value(softmaxloss(x, cpu32.tensor([1, 4, 2], [3])))).toBe(value(loss(x, [1, 4, 2])));
  });

  it('is finite for scores ±1000', () => {
    const x = cpu64.tensor([1000, -1000, -1000, 1000], [2, 1, 1, 2]);
    expect(value(softmaxloss(x, [2, 2]))).toBe(1000);
    expect(values(softmaxlossBackward(x, [2, 2], 1))).toEqual([0.5, -0.5, 0, 0]);
  });

  it('has output [1] and derivative of x’s shape for many shapes', () => {
    for (const [n, h, w, c] of [
      [1, 1, 1, 1],
      [2, 1, 1, 5],
      [1, 3, 4, 2],
      [3, 2, 2, 3],
    ] as const) {
      const x = distinct(cpu32, [n, h, w, c], n + h + w + c);
      expect(softmaxloss(x, new Array<number>(n).fill(1)).shape).toEqual([1]);
      expect(softmaxlossBackward(x, new Array<number>(n * h * w).fill(c), 1).shape).toEqual([n, h, w, c]);
      expect(softmaxlossBackward(x, new Array<number>(n * h * w * 2).fill(1), 1).shape).toEqual([n, h, w, c]);
    }
  });
});

describe('softmaxloss: float64 derivative checks', () => {
  const x = distinct(cpu64, [2, 2, 3, 4], 8, 0.07);
  const perPixel = Array.from(new Rng(9).rand(12), (u, i) => (i % 5 === 2 ? 0 : 1 + Math.floor(4 * u)));
  const weights = Array.from(new Rng(10).rand(12), (u) => 0.5 + u);
  const forms: [string, number[] | Tensor][] = [
    ['per-image', [4, 1]],
    ['per-image tensor', cpu64.tensor([2, 3], [2, 1, 1, 1])],
    ['per-pixel', perPixel],
    ['weight channel', paired(perPixel, weights)],
    ['weight channel tensor', cpu64.tensor(paired(perPixel, weights), [2, 2, 3, 2])],
  ];
  for (const [name, labels] of forms) {
    it(name, async () => {
      await expectDerivative(
        `softmaxloss ${name}`,
        (xt) => softmaxloss(xt, labels),
        x,
        (dzdy) => softmaxlossBackward(x, labels, dzdy),
        [1],
      );
    });
  }
});

describe('softmaxloss: errors', () => {
  const x = cpu64.tensor(new Array<number>(2 * 2 * 1 * 3).fill(0), [2, 2, 1, 3]);

  it('rejects x that is not 4-D', () => {
    expect(() => softmaxloss(cpu64.tensor([1, 2], [1, 2]), [1])).toThrow(
      'softmaxloss: x must have 4 dimensions [N, H, W, C], got shape [1, 2]',
    );
  });

  it('rejects labels of a wrong size or shape', () => {
    expect(() => softmaxloss(x, [1, 2, 3])).toThrow(
      'softmaxloss: labels must have 2 values (one per image) or 4 values (one per pixel) or 8 values (label and weight), got 3 values',
    );
    expect(() => softmaxlossBackward(x, cpu64.tensor(new Array<number>(12).fill(1), [2, 2, 1, 3]), 1)).toThrow(
      'softmaxlossBackward: labels must have [2] or [2, 1, 1, 1] (one per image) or [2, 2, 1, 1] (one per pixel) or [2, 2, 1, 2] (label and weight), got shape [2, 2, 1, 3]',
    );
  });

  it('rejects labels out of range or non-integer (the weight channel is not a label)', () => {
    expect(() => softmaxloss(x, [1, 4])).toThrow('softmaxloss: labels must be integers in 1..3 (0 = ignore), got 4 at index 1');
    expect(() => softmaxloss(x, [1, 0.5, 2, 7, 3, 1, 2.5, 1])).toThrow(
      'softmaxloss: labels must be integers in 1..3 (0 = ignore), got 2.5 at index 6',
    );
    expect(() => softmaxloss(x, cpu64.tensor([1, 2, -3, 1], [2, 2, 1, 1]))).toThrow(
      'softmaxloss: labels must be integers in 1..3 (0 = ignore), got -3 at index 2',
    );
  });

  it('rejects dzdy that is not a 1-element value, and tensors from two backends', () => {
    expect(() => softmaxlossBackward(x, [1, 2], cpu64.tensor([1, 1], [1, 2]))).toThrow(
      'softmaxlossBackward: dzdy must be a number or a 1-element tensor, got shape [1, 2]',
    );
    expect(() => softmaxlossBackward(x, [1, 2], Number.POSITIVE_INFINITY)).toThrow(
      'softmaxlossBackward: dzdy must be a number or a 1-element tensor, got Infinity',
    );
    expect(() => softmaxloss(x, cpu32.tensor([1, 2], [2]))).toThrow(
      'softmaxloss: labels lives on the cpu float32 backend but x lives on the cpu float64 backend; move one of them first',
    );
    expect(() => softmaxlossBackward(x, [1, 2], cpu32.tensor([1], [1]))).toThrow('softmaxlossBackward: dzdy lives on the cpu float32 backend');
  });
});
