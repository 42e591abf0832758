/**
 * `loss` instanceWeights broadcast as MatConvNet's vl_nnloss.m: documented as
 * H×W×1 or H×W×1×N (categorical), H×W×D or H×W×D×N (attribute) at lines
 * 110–114, broadcast to the labels' size with bsxfun at lines 202–209, used
 * as y = w(:)'·t(:) (lines 263–264) and dzdy·w (lines 274–275). In NHWC:
 * every shape `[N', H', W', C']` with each size 1 or the labels'.
 */
import { readFileSync } from 'node:fs';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { type LossType, Rng, type Shape, ShapeError, sizeOf, type Tensor, ValueError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type LossOptions, loss, lossBackward } from './loss.js';
import { asyncOnlyBackend, cpu32, cpu64, distinct, expectClose, expectDerivative } from './test-helpers.js';

interface MatconvnetCase {
  name: string;
  opts: { loss: LossType; normalise?: boolean; topK?: number; threshold?: number };
  x: { shape: number[]; data: number[] };
  labels: { shape: number[]; data: number[] };
  weights: { shape: number[]; data: number[] };
  y: number;
  dzdy: number;
  dzdx: number[];
}

/** vl_nnloss.m itself, run in Octave (fixtures/loss-instance-weights.m). */
const CASES = JSON.parse(readFileSync(new URL('./fixtures/loss-instance-weights.json', import.meta.url), 'utf8')) as MatconvnetCase[];

const values = (t: Tensor): number[] => Array.from(t.dataSync());
const value = (t: Tensor): number => {
  expect(t.shape).toEqual([1]);
  return t.dataSync()[0]!;
};

/** Repeats `w` (shape `ws`, each size 1 or `full`'s) to `full`, row-major: the independent expansion. */
function expand(w: ArrayLike<number>, ws: Shape, full: Shape): number[] {
  const out: number[] = [];
  const [n, h, wd, c] = full as [number, number, number, number];
  const at = (i: number, d: number) => (ws[d] === 1 ? 0 : i);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < h; b++)
      for (let e = 0; e < wd; e++)
        for (let k = 0; k < c; k++) {
          const i = ((at(a, 0) * ws[1]! + at(b, 1)) * ws[2]! + at(e, 2)) * ws[3]! + at(k, 3);
          out.push(w[i]!);
        }
  return out;
}

/** Every bsxfun-compatible rank-4 shape of `full` (each size 1 or full's). */
function compatibleShapes(full: Shape): number[][] {
  const shapes: number[][] = [[]];
  for (const d of full) {
    const next: number[][] = [];
    for (const s of shapes) {
      next.push([...s, 1]);
      if (d !== 1) next.push([...s, d]);
    }
    shapes.splice(0, shapes.length, ...next);
  }
  return shapes;
}

const positive = (count: number, seed: number): number[] => Array.from(new Rng(seed).rand(count), (u) => 0.25 + 2 * u);

describe("loss instanceWeights: MatConvNet's vl_nnloss.m (Octave, float64) with every weight form", () => {
  for (const f of CASES) {
    it(`${f.name} (vl_nnloss.m lines 110–114, 202–209)`, () => {
      const x = cpu64.tensor(f.x.data, f.x.shape);
      const labels = cpu64.tensor(f.labels.data, f.labels.shape);
      const opts: LossOptions = { ...f.opts, instanceWeights: cpu64.tensor(f.weights.data, f.weights.shape) };
      expectClose([value(loss(x, labels, opts))], [f.y], 1e-12);
      expectClose(values(lossBackward(x, labels, f.dzdy, opts)), f.dzdx, 1e-12);
      const x32 = cpu32.tensor(f.x.data, f.x.shape);
      const opts32: LossOptions = { ...f.opts, instanceWeights: cpu32.tensor(f.weights.data, f.weights.shape) };
      expectClose([value(loss(x32, f.labels.data, opts32))], [f.y], 1e-5);
      expectClose(values(lossBackward(x32, f.labels.data, f.dzdy, opts32)), f.dzdx, 1e-5);
    });
  }
  it('covers every loss type that takes instanceWeights', () => {
    expect(new Set(CASES.map((f) => f.opts.loss)).size).toBe(10);
  });
});

describe('loss instanceWeights: a broadcast equals the explicit expansion, exactly (vl_nnloss.m lines 202–209)', () => {
  const shape: Shape = [2, 2, 3, 4];
  const x = distinct(cpu64, shape, 3, 0.07);
  const [n, h, w, c] = shape as [number, number, number, number];
  const pixels = Array.from(new Rng(4).rand(n * h * w), (u, i) => (i % 5 === 2 ? 0 : 1 + Math.floor(u * c)));
  const attrs = Array.from(new Rng(5).rand(x.size), (u, i) => (i % 7 === 3 ? 0 : u < 0.5 ? -1 : 1));
  const kinds: [LossType, number[], Shape][] = [
    ['softmaxlog', pixels, [n, h, w, 1]],
    ['mshinge', pixels, [n, h, w, 1]],
    ['logistic', attrs, shape],
    ['hinge', attrs, shape],
  ];
  for (const [name, labels, full] of kinds) {
    it(`${name}: each of the ${compatibleShapes(full).length} shapes [n|1, h|1, w|1, c|1], forward and backward`, () => {
      for (const [i, ws] of compatibleShapes(full).entries()) {
        const wv = positive(sizeOf(ws), 10 + i);
        const broadcast = { loss: name, instanceWeights: cpu64.tensor(wv, ws) };
        const explicit = { loss: name, instanceWeights: cpu64.tensor(expand(wv, ws, full), full) };
        expect(value(loss(x, labels, broadcast)), `weights ${JSON.stringify(ws)}`).toBe(value(loss(x, labels, explicit)));
        expect(values(lossBackward(x, labels, 0.75, broadcast))).toEqual(values(lossBackward(x, labels, 0.75, explicit)));
      }
    });
  }

  it('a number, a tensor [1] or [], and one plain number weigh everything alike', () => {
    const full = cpu64.fill([n, h, w, 1], 1.5);
    const expected = value(loss(x, pixels, { instanceWeights: full }));
    const dExpected = values(lossBackward(x, pixels, 1, { instanceWeights: full }));
    for (const iw of [1.5, cpu64.tensor([1.5], [1]), cpu64.tensor([1.5], []), [1.5]]) {
      expect(value(loss(x, pixels, { instanceWeights: iw }))).toBe(expected);
      expect(values(lossBackward(x, pixels, 1, { instanceWeights: iw }))).toEqual(dExpected);
    }
    expect(value(loss(x, attrs, { loss: 'hinge', instanceWeights: 0 }))).toBe(0);
  });

  it('per image: a tensor [N], N plain numbers and [N, 1, 1, 1] agree', () => {
    const perImage = [0.5, 3];
    const expected = value(loss(x, attrs, { loss: 'logistic', instanceWeights: cpu64.tensor(perImage, [n, 1, 1, 1]) }));
    expect(value(loss(x, attrs, { loss: 'logistic', instanceWeights: cpu64.tensor(perImage, [n]) }))).toBe(expected);
    expect(value(loss(x, attrs, { loss: 'logistic', instanceWeights: perImage }))).toBe(expected);
  });
});

describe('loss instanceWeights: float64 derivative checks with broadcast weights (vl_nnloss.m lines 274–275)', () => {
  const shape: Shape = [2, 2, 3, 4];
  const [n, h, w, c] = shape as [number, number, number, number];
  const pixels = Array.from(new Rng(6).rand(n * h * w), (u, i) => (i % 4 === 1 ? 0 : 1 + Math.floor(u * c)));
  const attrs = Array.from(new Rng(7).rand(n * h * w * c), (u, i) => (i % 6 === 5 ? 0 : u < 0.5 ? -1 : 1));
  const cases: [LossType, number[], Shape][] = [
    ['softmaxlog', pixels, [1, h, w, 1]],
    ['mhinge', pixels, [1, 1, w, 1]],
    ['mshinge', pixels, [n, 1, 1, 1]],
    ['logistic', attrs, [n, h, w, 1]],
    ['hinge', attrs, [1, 1, 1, c]],
    ['logistic', attrs, [1, h, w, c]],
    ['binarylog', attrs, [1, h, 1, c]],
  ];
  for (const [i, [name, labels, ws]] of cases.entries()) {
    it(`${name} with weights ${JSON.stringify(ws)}`, async () => {
      const x =
        name === 'binarylog'
          ? cpu64.tensor(Array.from(new Rng(20 + i).randperm(sizeOf(shape)), (p) => 0.1 + (0.8 * (p + 0.5)) / sizeOf(shape)), shape)
          : distinct(cpu64, shape, 20 + i, 0.07);
      const opts: LossOptions = { loss: name, instanceWeights: cpu64.tensor(positive(sizeOf(ws), 30 + i), ws) };
      await expectDerivative(
        `${name} ${JSON.stringify(ws)}`,
        (xt) => loss(xt, labels, opts),
        x,
        (dzdy) => lossBackward(x, labels, dzdy, opts),
        [1],
      );
    });
  }
});

describe('loss instanceWeights: shapes bsxfun cannot broadcast to the labels are typed errors, leaving memory as it was', () => {
  const be = createCpuBackend({ dtype: 'float64' });
  const x = be.tensor(new Array<number>(2 * 2 * 3 * 4).fill(0.5), [2, 2, 3, 4]);
  const pixels = new Array<number>(12).fill(1);
  const attrs = new Array<number>(48).fill(1);
  /** The weights are made before `before`: only what the block itself allocates is counted. */
  const expectRefused = (call: () => unknown, message: string, type: typeof ShapeError | typeof ValueError = ShapeError) => {
    const before = be.memory();
    expect(call).toThrow(type);
    expect(call).toThrow(message);
    expect(be.memory()).toEqual(before);
  };

  const SHAPES: Shape[] = [[2, 2, 3, 4], [1, 1, 1, 4], [1, 2, 2, 1], [2, 3], [2, 3, 1], [3], [1, 2, 3, 3]];
  it('a size where the labels have 1 (C weights for a categorical loss), a wrong size, a rank other than 0, 1 or 4', () => {
    const made = new Map<string, Tensor>();
    for (const shape of SHAPES) made.set(JSON.stringify(shape), be.tensor(new Array<number>(sizeOf(shape)).fill(1), shape));
    const w = (shape: Shape) => made.get(JSON.stringify(shape))!;
    const cat = "loss: instanceWeights must broadcast to the labels' shape [2, 2, 3, 1]: a tensor of shape [2 or 1, 2 or 1, 3 or 1, 1]";
    expectRefused(() => loss(x, pixels, { instanceWeights: w([2, 2, 3, 4]) }), `${cat} (each size 1 or the labels', as MatConvNet's bsxfun), [2] (one per image) or [1], got shape [2, 2, 3, 4]`);
    expectRefused(() => lossBackward(x, pixels, 1, { instanceWeights: w([1, 1, 1, 4]) }), `lossBackward${cat.slice(4)}`);
    expectRefused(() => loss(x, pixels, { instanceWeights: w([1, 2, 2, 1]) }), 'got shape [1, 2, 2, 1]');
    expectRefused(() => loss(x, pixels, { instanceWeights: w([2, 3]) }), 'got shape [2, 3]');
    expectRefused(() => loss(x, pixels, { instanceWeights: w([2, 3, 1]) }), 'got shape [2, 3, 1]');
    expectRefused(() => loss(x, pixels, { instanceWeights: w([3]) }), 'got shape [3]');
    expectRefused(
      () => loss(x, attrs, { loss: 'hinge', instanceWeights: w([1, 2, 3, 3]) }),
      "loss: instanceWeights must broadcast to the labels' shape [2, 2, 3, 4]: a tensor of shape [2 or 1, 2 or 1, 3 or 1, 4 or 1]",
    );
  });

  it('plain numbers: the full size, N or 1 only (a tensor gives the other shapes)', () => {
    expectRefused(
      () => loss(x, pixels, { instanceWeights: new Array<number>(6).fill(1) }),
      "loss: instanceWeights must broadcast to the labels' shape [2, 2, 3, 1]: a number, or 12 values (the labels' shape), 2 (one per image) or 1 (pass a tensor for other shapes that broadcast), got 6 values",
    );
    expectRefused(() => loss(x, attrs, { loss: 'logistic', instanceWeights: [1, 1, 1, 1] }), 'got 4 values');
  });

  it('bad values, in a number or in broadcast weights, name the weight as given', () => {
    expectRefused(() => loss(x, pixels, { instanceWeights: -1 }), 'loss: instanceWeights must be finite numbers ≥ 0, got -1', ValueError);
    expectRefused(() => loss(x, pixels, { instanceWeights: Number.NaN }), 'got NaN', ValueError);
    const inf = be.tensor([1, 2, Number.POSITIVE_INFINITY], [1, 1, 3, 1]);
    expectRefused(
      () => loss(x, pixels, { instanceWeights: inf }),
      'got Infinity at index 2',
      ValueError,
    );
    expect(() => loss(x, pixels, { instanceWeights: 'heavy' as unknown as number })).toThrow(
      "loss: instanceWeights must be a number, a Tensor or an array of numbers, got 'heavy'",
    );
  });

  it('a successful broadcast releases its temporaries', () => {
    const wt = be.tensor([1, 2, 3], [1, 1, 3, 1]);
    const before = be.memory().tensors;
    loss(x, pixels, { instanceWeights: wt }).dispose();
    lossBackward(x, attrs, 1, { loss: 'hinge', instanceWeights: 2 }).dispose();
    expect(be.memory().tensors).toBe(before);
  });
});

describe('loss instanceWeights: broadcast on a backend without readSync (like WebGPU), never read back', () => {
  it('[1, H, W, 1] and [1, 1, 1, C] weights give the CPU values', async () => {
    const be = asyncOnlyBackend();
    const xs = Array.from(distinct(cpu64, [2, 2, 3, 4], 8, 0.07).dataSync());
    const x = be.tensor(xs, [2, 2, 3, 4]);
    const x64 = cpu64.tensor(xs, [2, 2, 3, 4]);
    const hw = [0.5, 1, 2, 0, 1.5, 3];
    const y = loss(x, [1, 3], { instanceWeights: be.tensor(hw, [1, 2, 3, 1]) });
    expect(Array.from(await y.data())).toEqual([value(loss(x64, [1, 3], { instanceWeights: cpu64.tensor(hw, [1, 2, 3, 1]) }))]);
    const attrs = Array.from({ length: 48 }, (_, i) => (i % 3 === 0 ? -1 : 1));
    const d = lossBackward(x, attrs, 1, { loss: 'logistic', instanceWeights: be.tensor([1, 0, 2, 0.5], [1, 1, 1, 4]) });
    const d64 = lossBackward(x64, attrs, 1, { loss: 'logistic', instanceWeights: cpu64.tensor([1, 0, 2, 0.5], [1, 1, 1, 4]) });
    expect(Array.from(await d.data())).toEqual(values(d64));
  });
});
