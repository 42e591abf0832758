import * as B from '@convnet-ts/blocks';
import { type Backend, ConvnetError, OptionError, ShapeError, type Tensor, ValueError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { lazyBackend, type ReliabilityTarget } from './target.js';

/** Any value, typed as what the call expects: these cases pass what TypeScript would refuse. */
const bad = <T,>(v: unknown): T => v as T;

type ErrorClass = typeof ShapeError | typeof OptionError | typeof ValueError;

/** A call with a wrong argument, the error it must throw and the text its message must hold. */
/** `t` holds tensors made before the call: x `[2, 4, 4, 3]`, a filter f `[3, 3, 3, 2]`, theta `[2, 2, 3]`. */
type Tensors = { x: Tensor; f: Tensor; theta: Tensor };
type Case = [label: string, call: (be: Backend, t: Tensors) => unknown, error: ErrorClass, message: string];

const cases: Case[] = [
  ['null filter multipliers', (_be, { x }) => B.bnorm(x, bad(null), bad(null)), ShapeError, 'bnorm: g must be a Tensor, got null'],
  ['null scale weights', (_be, { x }) => B.scale(x, bad(null)), ShapeError, 'scale: w must be a Tensor, got null'],
  ['a null summand', (_be, { x }) => B.sum([x, bad(null)]), ShapeError, 'sum: xs[1] must be a Tensor, got null'],
  ['a null sampling grid', (_be, { x }) => B.bilinearSampler(x, bad(null)), ShapeError, 'bilinearSampler: grid must be a Tensor, got null'],
  ['a null input', () => B.relu(bad(null)), ShapeError, 'relu: x must be a Tensor, got null'],
  ['{} as a stride', (_be, { x, f }) => B.conv(x, f, null, { stride: bad({}) }), OptionError, 'conv: stride must be one number or [vertical, horizontal], got Object'],
  ['{} as a pool size', (_be, { x }) => B.pool(x, bad({})), OptionError, 'pool: poolSize must be one number or [vertical, horizontal], got Object'],
  ['{} as an output size', (_be, { theta }) => B.affineGrid(theta, bad({})), OptionError, 'affineGrid: outSize'],
  ["'1' as a leak", (_be, { x }) => B.relu(x, { leak: bad('1') }), OptionError, "relu: leak must be a finite number, got '1'"],
  ["'1' as dzdy", (_be, { x }) => B.lossBackward(x, [1, 2], bad('1')), ShapeError, "lossBackward: dzdy must be a number or a 1-element tensor, got '1'"],
  ["'1' as labels", (_be, { x }) => B.loss(x, bad('1')), ShapeError, "loss: labels must be a Tensor or an array of numbers, got '1'"],
  ["a label 'a'", (_be, { x }) => B.loss(x, bad([1, 'a'])), ValueError, "loss: labels must be integers in 1..3 (0 = ignore), got 'a' at index 1"],
  ['crop without a spec', (_be, { x }) => B.crop(x, bad(undefined)), OptionError, 'crop: crop must be one number or [top, bottom, left, right], got undefined'],
  ['cropBackward without a spec', (_be, { x }) => B.cropBackward(x, bad(undefined), x), OptionError, 'cropBackward: crop must be'],
  ['a NaN instance weight', (_be, { x }) => B.loss(x, [1, 2], { instanceWeights: [Number.NaN, 1] }), ValueError, 'loss: instanceWeights must be finite numbers ≥ 0, got NaN at index 0'],
  ['a negative instance weight', (_be, { x }) => B.loss(x, [1, 2], { instanceWeights: [1, -1] }), ValueError, 'loss: instanceWeights must be finite numbers ≥ 0, got -1 at index 1'],
  ["tensor values ['a']", (be) => be.tensor(bad(['a']), [1]), ShapeError, "tensor: values must be numbers, got 'a' at index 0"],
  ['tensor values {}', (be) => be.tensor(bad({}), [1]), ShapeError, 'tensor: values must be an array or a typed array of numbers, got Object'],
  ["a shape ['1']", (be) => be.tensor([1], bad(['1'])), ShapeError, "tensor: sizes must be non-negative integers, got ['1']"],
  ["fill with 'a'", (be) => be.fill([1], bad('a')), OptionError, "fill: value must be a number, got 'a'"],
  ["reshape to ['96']", (_be, { x }) => x.reshape(bad(['96'])), ShapeError, "Tensor.reshape: sizes must be non-negative integers or one -1, got ['96']"],
];

/**
 * Wrong kinds of argument — null where a tensor is expected, `{}` where an
 * option is, strings for numbers — throw the typed error naming the block and
 * the argument, with strings shown as strings (`got '1'`), and leave
 * `memory()` as it was (issue 13, item 9). So do `crop` without a spec and
 * NaN or negative instance weights, which used to be accepted.
 */
export function describeTypedErrors(target: ReliabilityTarget): void {
  describe(`wrong kinds of argument throw typed errors: ${target.name}`, () => {
    const getBackend = lazyBackend(target);

    for (const [label, call, error, message] of cases) {
      it(`${label}: ${error.name} '${message}'`, async () => {
        const be = await getBackend();
        const t = { x: be.fill([2, 4, 4, 3], 0.5), f: be.fill([3, 3, 3, 2], 1), theta: be.fill([2, 2, 3], 1) };
        const before = be.memory().tensors;
        let thrown: unknown;
        try {
          const out = call(be, t);
          if (out && typeof out === 'object' && 'dispose' in out) (out as Tensor).dispose();
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(error);
        expect(thrown).toBeInstanceOf(ConvnetError);
        expect((thrown as Error).message).toContain(message);
        expect(be.memory().tensors).toBe(before);
        for (const v of Object.values(t)) v.dispose();
      });
    }
  });
}
