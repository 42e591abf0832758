import * as B from '@convnet-ts/blocks';
import { type Backend, isConvnetError, Rng, type Shape, sizeOf, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { lazyBackend, type ReliabilityTarget } from './target.js';

type Opts = Record<string, unknown> | undefined;
type MakeTensor = (shape: Shape, seed?: number) => Tensor;

/**
 * One block as forward and backward calls on x `[2, 4, 4, 4]`, with the other
 * tensors it needs (`extras`) and `y` picking the output that a backward's
 * dzdy has the shape of. `opts` is passed where the block takes options.
 */
interface BlockCalls {
  extras: Tensor[];
  forward: (x: Tensor, opts: Opts) => unknown;
  y: (out: unknown) => Tensor;
  backward: (x: Tensor, dzdy: Tensor, opts: Opts) => unknown;
  takesOptions: boolean;
}

const self = (out: unknown) => out as Tensor;
/** The options as the block's own options type (the bad cases pass names it does not know). */
const given = <T,>(o: Opts): T => o as unknown as T;
const labels = (be: Backend) => be.fill([2, 4, 4, 1], 2);

const blocks: [string, (be: Backend, t: MakeTensor) => BlockCalls][] = [
  ['conv', (_be, t) => { const f = t([3, 3, 4, 2]); const b = t([1, 2]); return { extras: [f, b], forward: (x, o) => B.conv(x, f, b, given(o)), y: self, backward: (x, d, o) => B.convBackward(x, f, b, d, given(o)), takesOptions: true }; }],
  ['convt', (_be, t) => { const f = t([2, 2, 3, 4]); const b = t([3, 1]); return { extras: [f, b], forward: (x, o) => B.convt(x, f, b, given(o)), y: self, backward: (x, d, o) => B.convtBackward(x, f, b, d, given(o)), takesOptions: true }; }],
  ['pool', () => ({ extras: [], forward: (x, o) => B.pool(x, 2, given(o)), y: self, backward: (x, d, o) => B.poolBackward(x, 2, d, given(o)), takesOptions: true })],
  ['relu', () => ({ extras: [], forward: (x, o) => B.relu(x, given(o)), y: self, backward: (x, d, o) => B.reluBackward(x, d, given(o)), takesOptions: true })],
  ['sigmoid', () => ({ extras: [], forward: (x, o) => B.sigmoid(x, given(o)), y: self, backward: (x, d, o) => B.sigmoidBackward(x, d, given(o)), takesOptions: true })],
  ['softmax', () => ({ extras: [], forward: (x, o) => B.softmax(x, given(o)), y: self, backward: (x, d, o) => B.softmaxBackward(x, d, given(o)), takesOptions: true })],
  ['loss', (be) => { const c = labels(be); return { extras: [c], forward: (x, o) => B.loss(x, c, given(o)), y: self, backward: (x, d, o) => B.lossBackward(x, c, d, given(o)), takesOptions: true }; }],
  ['softmaxloss', (be) => { const c = labels(be); return { extras: [c], forward: (x) => B.softmaxloss(x, c), y: self, backward: (x, d) => B.softmaxlossBackward(x, c, d), takesOptions: false }; }],
  ['bnorm', (_be, t) => { const g = t([4]); const b = t([4]); return { extras: [g, b], forward: (x, o) => B.bnorm(x, g, b, given(o)), y: (r) => (r as B.BnormResult).y, backward: (x, d, o) => B.bnormBackward(x, g, b, d, given(o)), takesOptions: true }; }],
  ['lrn', () => ({ extras: [], forward: (x, o) => B.lrn(x, [3, 1, 0.5, 0.75], given(o)), y: self, backward: (x, d, o) => B.lrnBackward(x, [3, 1, 0.5, 0.75], d, given(o)), takesOptions: true })],
  ['spnorm', () => ({ extras: [], forward: (x, o) => B.spnorm(x, [2, 2, 0.5, 0.75], given(o)), y: self, backward: (x, d, o) => B.spnormBackward(x, [2, 2, 0.5, 0.75], d, given(o)), takesOptions: true })],
  ['normalizeLp', () => ({ extras: [], forward: (x, o) => B.normalizeLp(x, given(o)), y: self, backward: (x, d, o) => B.normalizeLpBackward(x, d, given(o)), takesOptions: true })],
  ['noffset', () => ({ extras: [], forward: (x) => B.noffset(x, [1, 0.5]), y: self, backward: (x, d) => B.noffsetBackward(x, [1, 0.5], d), takesOptions: false })],
  ['pdist', (_be, t) => { const x0 = t([2, 4, 4, 4], 9); return { extras: [x0], forward: (x, o) => B.pdist(x, x0, 2, given(o)), y: self, backward: (x, d, o) => B.pdistBackward(x, x0, 2, d, given(o)), takesOptions: true }; }],
  ['dropout', () => {
    let mask: Tensor | null = null;
    return {
      extras: [],
      forward: (x, o) => { const r = B.dropout(x, { seed: 1, ...o }); mask = r.mask; return r; },
      y: (r) => (r as B.DropoutResult).y,
      backward: (x, d, o) => B.dropoutBackward(x, d, { mask: mask!, ...o }),
      takesOptions: true,
    };
  }],
  ['concat', () => ({ extras: [], forward: (x, o) => B.concat([x, x], given(o)), y: self, backward: (x, d, o) => B.concatBackward([x, x], d, given(o)), takesOptions: true })],
  ['crop', () => ({ extras: [], forward: (x) => B.crop(x, [1, 0, 1, 0]), y: self, backward: (x, d) => B.cropBackward(x, [1, 0, 1, 0], d), takesOptions: false })],
  ['sum', () => ({ extras: [], forward: (x) => B.sum([x, x]), y: self, backward: (x, d) => B.sumBackward([x, x], d), takesOptions: false })],
  ['scale', (_be, t) => { const w = t([4]); const b = t([4], 5); return { extras: [w, b], forward: (x) => B.scale(x, w, b), y: self, backward: (x, d) => B.scaleBackward(x, w, b, d), takesOptions: false }; }],
  ['bilinearSampler', (_be, t) => { const g = t([2, 3, 3, 2]); return { extras: [g], forward: (x) => B.bilinearSampler(x, g), y: self, backward: (x, d) => B.bilinearSamplerBackward(x, g, d), takesOptions: false }; }],
  ['roiPool', () => ({ extras: [], forward: (x, o) => B.roiPool(x, [[1, 1, 1, 3, 3], [2, 2, 1, 4, 4]], given(o)), y: self, backward: (x, d, o) => B.roiPoolBackward(x, [[1, 1, 1, 3, 3], [2, 2, 1, 4, 4]], d, given(o)), takesOptions: true })],
];

type Bad = 'disposed x' | 'unknown option' | 'dzdy of a wrong shape' | 'disposed dzdy' | 'unknown option in the backward';
const BAD: Bad[] = ['disposed x', 'unknown option', 'dzdy of a wrong shape', 'disposed dzdy', 'unknown option in the backward'];

/**
 * Every block × several bad inputs (a disposed x, an unknown option, a dzdy
 * of the wrong shape or disposed, an unknown backward option): each must
 * throw a typed convnet-ts error and leave `memory()` as it was.
 */
export function describeLeakMatrix(target: ReliabilityTarget): void {
  describe(`every block's bad inputs throw typed errors and leak nothing: ${target.name}`, () => {
    const getBackend = lazyBackend(target);
    const cases = blocks.flatMap(([name, make]) => BAD.map((bad) => [name, bad, make] as const));

    it.each(cases)('%s: %s', async (name, bad, make) => {
      const be = await getBackend();
      const t: MakeTensor = (shape, seed = 1) => be.tensor(new Rng(seed + shape.length).randn(sizeOf(shape)), shape);
      const before = be.memory();
      const calls = make(be, t);
      if (!calls.takesOptions && bad.startsWith('unknown option')) {
        for (const e of calls.extras) e.dispose();
        return;
      }
      const x = t([2, 4, 4, 4]);
      const made: Tensor[] = [x, ...calls.extras];
      let thrown: unknown = null;
      try {
        if (bad === 'disposed x') {
          x.dispose();
          calls.forward(x, undefined);
        } else if (bad === 'unknown option') {
          calls.forward(x, { bogus: 1 });
        } else {
          const out = calls.forward(x, undefined);
          made.push(...tensorsIn(out));
          const y = calls.y(out);
          const dy = bad === 'dzdy of a wrong shape' ? t([3, 1, 1, 7]) : t(y.shape, 2);
          made.push(dy);
          if (bad === 'disposed dzdy') dy.dispose();
          calls.backward(x, dy, bad === 'unknown option in the backward' ? { bogus: 1 } : undefined);
        }
      } catch (error) {
        thrown = error;
      }
      for (const m of made) m.dispose();
      expect(thrown, `${name}: ${bad} must throw`).not.toBeNull();
      expect(isConvnetError(thrown), `${name}: ${bad} must throw a typed convnet-ts error, got ${String(thrown)}`).toBe(true);
      expect(be.memory(), `${name}: ${bad} leaves memory() as it was`).toEqual(before);
    });
  });
}

function tensorsIn(value: unknown): Tensor[] {
  if (value === null || typeof value !== 'object') return [];
  if ('storage' in value && 'backend' in value) return [value as Tensor];
  return Object.values(value).flatMap(tensorsIn);
}
