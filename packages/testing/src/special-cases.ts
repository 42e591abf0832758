/**
 * Kernel cases whose inputs hold IEEE special values — NaN, ±∞, ±1e30, ±0 and
 * a float32 subnormal (1e-40) — run on every backend against the float64 CPU
 * reference (issue 13, item 4). The reference's answers on these inputs are
 * themselves checked by hand in `reliability/special-values.ts`.
 */
import type { KernelAttrs, LossType } from '@convnet-ts/tensor';
import { host } from './compare.js';
import type { KernelCase } from './kernel-cases.js';

const NAN = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

/** One of each special value beside ordinary ones; 1e-40 is subnormal in float32. */
export const SPECIAL_VALUES: readonly number[] = [NAN, INF, -INF, 1e30, -1e30, 0, -0, 1e-40, -1e-40, 1, -2, 0.5];

const vector = host([1, 1, 3, 4], SPECIAL_VALUES);
const ramp = host([1, 1, 3, 4], Array.from({ length: 12 }, (_, i) => 0.25 * i - 1.3));

/** Score rows of 3 classes (one pixel each). */
const ROWS: readonly (readonly number[])[] = [
  [1, NAN, 3],
  [1, INF, 3],
  [1, -INF, 3],
  [INF, INF, 0],
  [-INF, -INF, -INF],
  [1e30, 0, -1e30],
  [1e-40, 1, 0],
  [-INF, 2, 1],
];
/** Probability rows for the `log` loss (label 1 scores the first entry). */
const PROBABILITY_ROWS: readonly (readonly number[])[] = [
  [0, 0.5, 0.5],
  [-0, 0.5, 0.5],
  [1, 0, 0],
  [1e-40, 1, 0],
  [NAN, 0.5, 0.5],
  [INF, 0, 0],
];

const lossAttrs = (loss: LossType): KernelAttrs<'Loss'> => ({ loss, topK: 2, threshold: 0, normalise: true });

function categoricalCases(loss: LossType, rows: readonly (readonly number[])[]): KernelCase[] {
  return rows.flatMap((row) => {
    const x = host([1, 1, 1, 3], row);
    const labels = host([1, 1, 1, 1], [1]);
    return [
      { name: `Loss ${loss} of [${row}]`, kernel: 'Loss', inputs: { x, labels, weights: null }, attrs: lossAttrs(loss) } as KernelCase<'Loss'>,
      {
        name: `LossBackward ${loss} of [${row}]`,
        kernel: 'LossBackward',
        inputs: { x, labels, weights: null, dzdy: host([1], [1]) },
        attrs: lossAttrs(loss),
      } as KernelCase<'LossBackward'>,
    ];
  });
}

/** Attribute losses: forward one element at a time (a sum would hide every value behind one NaN), backward element-wise. */
function attributeCases(loss: LossType): KernelCase[] {
  const forward = SPECIAL_VALUES.flatMap((v) =>
    [1, -1].map(
      (c) =>
        ({
          name: `Loss ${loss} of ${v}, label ${c}`,
          kernel: 'Loss',
          inputs: { x: host([1, 1, 1, 1], [v]), labels: host([1, 1, 1, 1], [c]), weights: null },
          attrs: lossAttrs(loss),
        }) as KernelCase<'Loss'>,
    ),
  );
  const backward = [1, -1].map(
    (c) =>
      ({
        name: `LossBackward ${loss} of the special values, label ${c}`,
        kernel: 'LossBackward',
        inputs: { x: vector, labels: host(vector.shape, SPECIAL_VALUES.map(() => c)), weights: null, dzdy: host([1], [1]) },
        attrs: lossAttrs(loss),
      }) as KernelCase<'LossBackward'>,
  );
  return [...forward, ...backward];
}

/** Five channels per pixel: a NaN, an ∞ or a 1e30 must reach only the windows that hold it. */
const lrnX = host(
  [5, 1, 1, 5],
  [NAN, 1, 2, 3, 4, 1, INF, 2, 3, 4, 1e30, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1e-40, 1e-40, 0, 1, 2],
);
const lrnDy = host(lrnX.shape, Array.from({ length: 25 }, (_, i) => ((i * 7) % 5) - 2));

/** Channels of `[4, 1, 1, 5]`: ±1e20, 1e30…4e30, a NaN, a +∞, subnormals. */
const bnX = host(
  [4, 1, 1, 5],
  [1e20, 1e30, 1, 1, 1e-40, -1e20, 2e30, NAN, INF, 0, 1e20, 3e30, 2, 2, -1e-40, -1e20, 4e30, 3, 3, 0],
);
const bnG = host([5], [1, 2, 1, 1, 1]);
const bnB = host([5], [0, 1, 0, 0, 0.5]);
const bnDy = host(bnX.shape, [1, 2, 3, 4, -1, 2, -3, 1, 0, 2, 3, 4, -2, 1, 1, 4, 1, 2, 3, 0]);

export const specialValueCases: KernelCase[] = [
  { name: 'Relu of the special values', kernel: 'Relu', inputs: { x: vector }, attrs: { leak: 0 } } as KernelCase<'Relu'>,
  { name: 'Relu leaky of the special values', kernel: 'Relu', inputs: { x: vector }, attrs: { leak: 0.1 } } as KernelCase<'Relu'>,
  ...[0, 0.1].map(
    (leak) => ({ name: `ReluBackward (leak ${leak}) at the special values`, kernel: 'ReluBackward', inputs: { x: vector, dy: ramp }, attrs: { leak } }) as KernelCase<'ReluBackward'>,
  ),
  { name: 'Sigmoid of the special values', kernel: 'Sigmoid', inputs: { x: vector }, attrs: {} } as KernelCase<'Sigmoid'>,
  { name: 'SigmoidBackward at the special values', kernel: 'SigmoidBackward', inputs: { x: vector, dy: ramp }, attrs: {} } as KernelCase<'SigmoidBackward'>,
  { name: 'Softmax of special rows', kernel: 'Softmax', inputs: { x: host([8, 1, 1, 3], ROWS.flat()) }, attrs: {} } as KernelCase<'Softmax'>,
  {
    name: 'SoftmaxBackward of special rows',
    kernel: 'SoftmaxBackward',
    inputs: { x: host([8, 1, 1, 3], ROWS.flat()), dy: host([8, 1, 1, 3], Array.from({ length: 24 }, (_, i) => (i % 3) + 1)) },
    attrs: {},
  } as KernelCase<'SoftmaxBackward'>,
  ...(['softmaxlog', 'classerror', 'topkerror', 'mhinge', 'mshinge'] as const).flatMap((loss) => categoricalCases(loss, ROWS)),
  ...categoricalCases('log', PROBABILITY_ROWS),
  ...(['binarylog', 'logistic', 'hinge', 'binaryerror'] as const).flatMap(attributeCases),
  ...[
    { x: lrnX, attrs: { n: 3, kappa: 1, alpha: 0.5, beta: 0.75 } },
    // Without the subnormal pixel: with kappa 0 its L underflows float32 on WebGPU (kernels-webgpu norm.ts).
    { x: host([4, 1, 1, 5], lrnX.values.slice(0, 20)), attrs: { n: 3, kappa: 0, alpha: 1, beta: 0.5 } },
  ].flatMap(({ x, attrs }) => [
    { name: `Lrn of special values, kappa ${attrs.kappa}`, kernel: 'Lrn', inputs: { x }, attrs } as KernelCase<'Lrn'>,
    {
      name: `LrnBackward of special values, kappa ${attrs.kappa}`,
      kernel: 'LrnBackward',
      inputs: { x, dy: host(x.shape, lrnDy.values.slice(0, x.values.length)) },
      attrs,
    } as KernelCase<'LrnBackward'>,
  ]),
  { name: 'Bnorm of ±1e20, 1e30, NaN, ∞, subnormals', kernel: 'Bnorm', inputs: { x: bnX, g: bnG, b: bnB, moments: null }, attrs: { epsilon: 1e-5 } } as KernelCase<'Bnorm'>,
  {
    name: 'BnormBackward of ±1e20, 1e30, NaN, ∞, subnormals',
    kernel: 'BnormBackward',
    inputs: { x: bnX, g: bnG, b: bnB, dy: bnDy, moments: null },
    attrs: { epsilon: 1e-5 },
  } as KernelCase<'BnormBackward'>,
  ...(['neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'square', 'recip', 'scale', 'addScalar', 'maxScalar'] as const).map(
    (op) => ({ name: `Unary ${op} of the special values`, kernel: 'Unary', inputs: { x: vector }, attrs: { op, alpha: 0.5 } }) as KernelCase<'Unary'>,
  ),
  ...[2, 0.5, -1].map(
    (alpha) => ({ name: `Unary pow ${alpha} of the special values`, kernel: 'Unary', inputs: { x: vector }, attrs: { op: 'pow', alpha } }) as KernelCase<'Unary'>,
  ),
  ...(['add', 'sub', 'mul', 'div', 'max', 'min'] as const).map(
    (op) =>
      ({
        name: `Binary ${op} of the special values`,
        kernel: 'Binary',
        inputs: { a: vector, b: host(vector.shape, [1, INF, INF, NAN, 0, -0, 0, 1e-40, 2, NAN, -INF, 1e30]) },
        attrs: { op },
      }) as KernelCase<'Binary'>,
  ),
];

/**
 * Largest |a − b| / (1 + |b|) where NaN must meet NaN and an infinity the same
 * infinity (either mismatch counts ∞); sizes must agree.
 */
export function maxSpecialDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return INF;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return INF;
      continue;
    }
    if (x === y) continue;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return INF;
    m = Math.max(m, Math.abs(x - y) / (1 + Math.abs(y)));
  }
  return m;
}
