import * as B from '@convnet-ts/blocks';
import { type Backend, isConvnetError, Rng, type Shape, sizeOf, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { lazyBackend, type ReliabilityTarget } from './target.js';

/**
 * No block leaves a tensor behind, whether it returns or throws (issue 13,
 * item 7): after disposing its inputs and outputs the backend holds exactly
 * what it held before. A throwing call must throw a typed convnet-ts error.
 * (On WebGPU a leaked tensor is leaked GPU memory.) Shapes are tiny.
 */
type Make = (be: Backend, t: (shape: Shape, seed?: number) => Tensor) => { inputs: Tensor[]; call: () => unknown };

/** Calls that must succeed (odd but valid inputs). */
const valid: [string, Make][] = [
  ['conv with a [1, K] bias, forward and backward', (_be, t) => {
    const x = t([1, 3, 3, 2]); const f = t([2, 2, 2, 3]); const b = t([1, 3]); const dy = t([1, 2, 2, 3]);
    return { inputs: [x, f, b, dy], call: () => [B.conv(x, f, b), B.convBackward(x, f, b, dy)] };
  }],
  ['conv with a [K, 1] bias and no filters', (_be, t) => {
    const x = t([1, 3, 3, 2]); const b = t([2, 1]); const dy = t([1, 3, 3, 2]);
    return { inputs: [x, b, dy], call: () => [B.conv(x, null, b), B.convBackward(x, null, b, dy)] };
  }],
  ['convt with a [1, D] bias, forward and backward', (_be, t) => {
    const x = t([1, 2, 2, 3]); const f = t([2, 2, 2, 3]); const b = t([1, 2]); const dy = t([1, 3, 3, 2]);
    return { inputs: [x, f, b, dy], call: () => [B.convt(x, f, b), B.convtBackward(x, f, b, dy)] };
  }],
];

/** Calls that must throw a typed error. */
const invalid: [string, Make][] = [
  ['conv: filter depth not dividing the channels', (_be, t) => { const x = t([1, 3, 3, 4]); const f = t([1, 1, 3, 2]); return { inputs: [x, f], call: () => B.conv(x, f, null) }; }],
  ['conv: a [1, K] bias of the wrong size', (_be, t) => { const x = t([1, 3, 3, 2]); const f = t([1, 1, 2, 3]); const b = t([1, 4]); return { inputs: [x, f, b], call: () => B.conv(x, f, b) }; }],
  ['conv: unknown option', (_be, t) => { const x = t([1, 3, 3, 2]); const b = t([1, 2]); return { inputs: [x, b], call: () => B.conv(x, null, b, { pads: 1 } as B.ConvOptions) }; }],
  ['convBackward: dzdy of the wrong shape, [1, K] bias', (_be, t) => { const x = t([1, 3, 3, 2]); const f = t([2, 2, 2, 3]); const b = t([1, 3]); const dy = t([1, 3, 3, 3]); return { inputs: [x, f, b, dy], call: () => B.convBackward(x, f, b, dy) }; }],
  ['convBackward: dzdy null', (_be, t) => { const x = t([1, 3, 3, 2]); const f = t([2, 2, 2, 3]); return { inputs: [x, f], call: () => B.convBackward(x, f, null, null as unknown as Tensor) }; }],
  ['convBackward: dzdy null without filters', (_be, t) => { const x = t([1, 3, 3, 2]); const b = t([2]); return { inputs: [x, b], call: () => B.convBackward(x, null, b, null as unknown as Tensor) }; }],
  ['convt: a bias of the wrong size', (_be, t) => { const x = t([1, 2, 2, 3]); const f = t([2, 2, 2, 3]); const b = t([1, 3]); return { inputs: [x, f, b], call: () => B.convt(x, f, b) }; }],
  ['convtBackward: dzdy of the wrong shape, [1, D] bias', (_be, t) => { const x = t([1, 2, 2, 3]); const f = t([2, 2, 2, 3]); const b = t([1, 2]); const dy = t([1, 2, 2, 2]); return { inputs: [x, f, b, dy], call: () => B.convtBackward(x, f, b, dy) }; }],
  ['convtBackward: dzdy null', (_be, t) => { const x = t([1, 2, 2, 3]); const f = t([2, 2, 2, 3]); const b = t([2]); return { inputs: [x, f, b], call: () => B.convtBackward(x, f, b, null as unknown as Tensor) }; }],
  ['pool: pad not smaller than the window', (_be, t) => { const x = t([1, 4, 4, 1]); return { inputs: [x], call: () => B.pool(x, 2, { pad: 2 }) }; }],
  ['poolBackward: dzdy of the wrong shape', (_be, t) => { const x = t([1, 4, 4, 1]); const dy = t([1, 3, 3, 1]); return { inputs: [x, dy], call: () => B.poolBackward(x, 2, dy, { stride: 2 }) }; }],
  ['reluBackward: dzdy of the wrong shape', (_be, t) => { const x = t([1, 2, 2, 2]); const dy = t([1, 2, 2, 1]); return { inputs: [x, dy], call: () => B.reluBackward(x, dy) }; }],
  ['sigmoidBackward: dzdy of the wrong shape', (_be, t) => { const x = t([1, 2, 2, 2]); const dy = t([2, 2, 2]); return { inputs: [x, dy], call: () => B.sigmoidBackward(x, dy) }; }],
  ['softmaxBackward: dzdy of the wrong shape', (_be, t) => { const x = t([1, 1, 1, 3]); const dy = t([1, 1, 1, 2]); return { inputs: [x, dy], call: () => B.softmaxBackward(x, dy) }; }],
  ['loss: a label out of range', (_be, t) => { const x = t([2, 1, 1, 3]); return { inputs: [x], call: () => B.loss(x, [1, 4]) }; }],
  ['loss: too few labels', (_be, t) => { const x = t([2, 1, 1, 3]); return { inputs: [x], call: () => B.loss(x, [1]) }; }],
  ['loss: instance weights of the wrong size', (_be, t) => { const x = t([2, 1, 1, 3]); return { inputs: [x], call: () => B.loss(x, [1, 2], { instanceWeights: [1, 1, 1] }) }; }],
  ['lossBackward: dzdy of the wrong size', (_be, t) => { const x = t([2, 1, 1, 3]); const p = t([2]); return { inputs: [x, p], call: () => B.lossBackward(x, [1, 2], p) }; }],
  ['softmaxloss: a fractional label', (_be, t) => { const x = t([2, 1, 1, 3]); return { inputs: [x], call: () => B.softmaxloss(x, [1, 1.5]) }; }],
  ['softmaxlossBackward: a label tensor of the wrong size', (be, t) => { const x = t([2, 1, 1, 3]); const c = be.tensor([1, 2, 3], [3]); return { inputs: [x, c], call: () => B.softmaxlossBackward(x, c, 1) }; }],
  ['bnorm: moments of the wrong size', (_be, t) => { const x = t([2, 2, 2, 3]); const g = t([3]); const b = t([2]); return { inputs: [x, g, b], call: () => B.bnorm(x, g, b) }; }],
  ['bnormBackward: dzdy of the wrong shape', (_be, t) => { const x = t([2, 2, 2, 3]); const g = t([3]); const b = t([3]); const dy = t([2, 2, 2, 2]); return { inputs: [x, g, b, dy], call: () => B.bnormBackward(x, g, b, dy) }; }],
  ['lrn: three parameters instead of four', (_be, t) => { const x = t([1, 2, 2, 4]); return { inputs: [x], call: () => B.lrn(x, [3, 1, 0.5] as unknown as B.LrnParam) }; }],
  ['lrnBackward: dzdy of the wrong shape', (_be, t) => { const x = t([1, 2, 2, 4]); const dy = t([1, 2, 2, 3]); return { inputs: [x, dy], call: () => B.lrnBackward(x, [3, 1, 0.5, 0.75], dy) }; }],
  ['spnormBackward: dzdy of the wrong shape', (_be, t) => { const x = t([1, 3, 3, 2]); const dy = t([1, 3, 3, 1]); return { inputs: [x, dy], call: () => B.spnormBackward(x, [3, 3, 0.5, 0.75], dy) }; }],
  ['normalizeLpBackward: dzdy of the wrong shape', (_be, t) => { const x = t([1, 2, 2, 3]); const dy = t([1, 2, 2, 2]); return { inputs: [x, dy], call: () => B.normalizeLpBackward(x, dy) }; }],
  ['noffsetBackward: dzdy of the wrong shape', (_be, t) => { const x = t([1, 2, 2, 3]); const dy = t([1, 2, 1, 3]); return { inputs: [x, dy], call: () => B.noffsetBackward(x, [1, 0.5], dy) }; }],
  ['pdist: x0 of another shape', (_be, t) => { const x = t([1, 2, 2, 3]); const x0 = t([1, 2, 2, 2]); return { inputs: [x, x0], call: () => B.pdist(x, x0, 2) }; }],
  ['pdistBackward: dzdy of the wrong shape', (_be, t) => { const x = t([1, 2, 2, 3]); const x0 = t([1, 2, 2, 3]); const dy = t([1, 2, 2, 3]); return { inputs: [x, x0, dy], call: () => B.pdistBackward(x, x0, 2, dy) }; }],
  ['dropout: a rate of 1.5', (_be, t) => { const x = t([1, 2, 2, 3]); return { inputs: [x], call: () => B.dropout(x, { rate: 1.5 }) }; }],
  ['dropoutBackward: a mask of the wrong shape', (_be, t) => { const x = t([1, 2, 2, 3]); const dy = t([1, 2, 2, 3]); const m = t([1, 2, 2, 2]); return { inputs: [x, dy, m], call: () => B.dropoutBackward(x, dy, { mask: m }) }; }],
  ['concat: sizes that disagree', (_be, t) => { const a = t([1, 2, 2, 3]); const b = t([1, 3, 2, 3]); return { inputs: [a, b], call: () => B.concat([a, b]) }; }],
  ['concatBackward: dzdy of the wrong size', (_be, t) => { const a = t([1, 2, 2, 3]); const dy = t([1, 2, 2, 5]); return { inputs: [a, dy], call: () => B.concatBackward([a, a], dy) }; }],
  ['crop: more than the input', (_be, t) => { const x = t([1, 2, 2, 1]); return { inputs: [x], call: () => B.crop(x, [1, 1, 1, 1]) }; }],
  ['cropBackward: dzdy of the wrong shape', (_be, t) => { const x = t([1, 4, 4, 1]); const dy = t([1, 3, 3, 1]); return { inputs: [x, dy], call: () => B.cropBackward(x, [1, 1, 1, 1], dy) }; }],
  ['sum: shapes that disagree', (_be, t) => { const a = t([1, 2, 2, 3]); const b = t([1, 2, 2, 2]); return { inputs: [a, b], call: () => B.sum([a, b]) }; }],
  ['scale: w of a shape that does not broadcast', (_be, t) => { const x = t([1, 2, 2, 3]); const w = t([2]); return { inputs: [x, w], call: () => B.scale(x, w) }; }],
  ['scaleBackward: dzdy of the wrong shape', (_be, t) => { const x = t([1, 2, 2, 3]); const w = t([3]); const dy = t([1, 2, 2, 2]); return { inputs: [x, w, dy], call: () => B.scaleBackward(x, w, w, dy) }; }],
  ['affineGrid: theta of the wrong shape', (_be, t) => { const th = t([1, 3, 3]); return { inputs: [th], call: () => B.affineGrid(th, [2, 2]) }; }],
  ['affineGridBackward: dzdgrid of the wrong shape', (_be, t) => { const th = t([1, 2, 3]); const dg = t([1, 3, 3, 2]); return { inputs: [th, dg], call: () => B.affineGridBackward(th, [2, 2], dg) }; }],
  ['bilinearSampler: a grid batch that is no multiple of the images', (_be, t) => { const x = t([2, 3, 3, 2]); const g = t([3, 2, 2, 2]); return { inputs: [x, g], call: () => B.bilinearSampler(x, g) }; }],
  ['roiPoolBackward: dzdy null', (_be, t) => { const x = t([1, 4, 4, 2]); return { inputs: [x], call: () => B.roiPoolBackward(x, [[1, 1, 1, 3, 3]], null as unknown as Tensor) }; }],
  ['roiPool: an ROI of a missing image', (_be, t) => { const x = t([1, 4, 4, 2]); return { inputs: [x], call: () => B.roiPool(x, [[2, 1, 1, 3, 3]]) }; }],
  ['roiPoolBackward: dzdy of the wrong shape', (_be, t) => { const x = t([1, 4, 4, 2]); const dy = t([1, 2, 2, 2]); return { inputs: [x, dy], call: () => B.roiPoolBackward(x, [[1, 1, 1, 3, 3]], dy) }; }],
];

function outputs(value: unknown): Tensor[] {
  if (value === null || typeof value !== 'object') return [];
  if ('storage' in value && 'backend' in value) return [value as Tensor];
  return Object.values(value).flatMap(outputs);
}

export function describeLeaks(target: ReliabilityTarget): void {
  describe(`blocks leave the backend as they found it, on success and on error: ${target.name}`, () => {
    const getBackend = lazyBackend(target);
    const tensorMaker = (be: Backend) => (shape: Shape, seed = 1) => be.tensor(new Rng(seed + shape.length).randn(sizeOf(shape)), shape);

    it.each(valid)('%s', async (_name, make) => {
      const be = await getBackend();
      const before = be.memory();
      const { inputs, call } = make(be, tensorMaker(be));
      for (const t of outputs(call())) t.dispose();
      for (const t of inputs) t.dispose();
      expect(be.memory()).toEqual(before);
    });

    it.each(invalid)('%s', async (_name, make) => {
      const be = await getBackend();
      const before = be.memory();
      const { inputs, call } = make(be, tensorMaker(be));
      let thrown: unknown = null;
      try {
        for (const t of outputs(call())) t.dispose();
      } catch (error) {
        thrown = error;
      }
      for (const t of inputs) t.dispose();
      expect(thrown, 'a typed convnet-ts error').not.toBeNull();
      expect(isConvnetError(thrown), `a typed convnet-ts error, got ${String(thrown)}`).toBe(true);
      expect(be.memory()).toEqual(before);
    });
  });
}
