/**
 * `loss` instanceWeights broadcast as vl_nnloss.m's bsxfun (lines 202–209) on
 * WebGPU give the float64 CPU's answer, forward and backward, for every loss
 * type; shapes that do not broadcast are refused before anything is
 * allocated. On Dawn (SwiftShader in CI); shapes stay tiny.
 */
import { loss, lossBackward } from '@convnet-ts/blocks';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { type LossType, Rng, type Shape, ShapeError, sizeOf } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { testBackend } from './test-device.js';

const cpu = createCpuBackend({ dtype: 'float64' });
const shape: Shape = [2, 2, 3, 4];
const [n, h, w, c] = shape as [number, number, number, number];
const rng = new Rng(11);
const scores = Array.from(rng.randperm(sizeOf(shape)), (p) => (p - 24) * 0.07);
const probs = Array.from(rng.randperm(sizeOf(shape)), (p) => 0.1 + (0.8 * (p + 0.5)) / sizeOf(shape));
const pixels = Array.from(rng.rand(n * h * w), (u, i) => (i % 5 === 2 ? 0 : 1 + Math.floor(u * c)));
const attrs = Array.from(rng.rand(sizeOf(shape)), (u, i) => (i % 7 === 3 ? 0 : u < 0.5 ? -1 : 1));

/** Each loss with a weight shape bsxfun broadcasts (MATLAB H×W, 1×W, per image, H×W×1×N, 1×1×D, H×W×D). */
const CASES: [LossType, Shape | 'scalar'][] = [
  ['softmaxlog', [1, h, w, 1]],
  ['log', [1, 1, w, 1]],
  ['mhinge', 'scalar'],
  ['mshinge', [n, 1, 1, 1]],
  ['classerror', [1, h, w, 1]],
  ['topkerror', [n, h, 1, 1]],
  ['hinge', [n, h, w, 1]],
  ['logistic', [1, 1, 1, c]],
  ['binarylog', [1, h, w, c]],
  ['binaryerror', [n, 1, w, 1]],
];
const ATTRIBUTE: readonly LossType[] = ['hinge', 'logistic', 'binarylog', 'binaryerror'];

describe('loss instanceWeights broadcast on WebGPU', () => {
  for (const [i, [name, ws]] of CASES.entries()) {
    it(`${name}, weights ${JSON.stringify(ws)}: the float64 CPU's loss and derivative`, async () => {
      const be = await testBackend();
      const xs = name === 'log' || name === 'binarylog' ? probs : scores;
      const labels = ATTRIBUTE.includes(name) ? attrs : pixels;
      const wv = ws === 'scalar' ? [1.75] : Array.from(new Rng(20 + i).rand(sizeOf(ws)), (u) => 0.25 + 2 * u);
      const opts = (on: typeof cpu | typeof be) => ({
        loss: name,
        topK: 2,
        threshold: 0.05,
        instanceWeights: ws === 'scalar' ? wv[0]! : on.tensor(wv, ws),
      });
      const x = be.tensor(xs, shape);
      const x64 = cpu.tensor(xs, shape);
      const y = await loss(x, labels, opts(be)).data();
      const y64 = loss(x64, labels, opts(cpu)).dataSync();
      expect(y[0]).toBeCloseTo(y64[0]!, 4);
      const d = await lossBackward(x, labels, 0.5, opts(be)).data();
      const d64 = lossBackward(x64, labels, 0.5, opts(cpu)).dataSync();
      for (let k = 0; k < d64.length; k++) expect(Math.abs(d[k]! - d64[k]!)).toBeLessThan(1e-5 * (1 + Math.abs(d64[k]!)));
    });
  }

  it('weights that do not broadcast to the labels are a ShapeError, with memory as it was', async () => {
    const be = await testBackend();
    const x = be.tensor(scores, shape);
    const perClass = be.tensor([1, 2, 3, 4], [1, 1, 1, c]);
    const wrong = be.tensor([1, 2, 3], [1, 3, 1, 1]);
    const before = be.memory();
    expect(() => loss(x, pixels, { instanceWeights: perClass })).toThrow(ShapeError);
    expect(() => lossBackward(x, pixels, 1, { instanceWeights: perClass })).toThrow(
      "lossBackward: instanceWeights must broadcast to the labels' shape [2, 2, 3, 1]",
    );
    expect(() => loss(x, attrs, { loss: 'hinge', instanceWeights: wrong })).toThrow('got shape [1, 3, 1, 1]');
    expect(be.memory()).toEqual(before);
  });
});
