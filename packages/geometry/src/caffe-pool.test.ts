import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caffePoolOutputSize, caffePoolPad } from './caffe-pool.js';
import { poolOutputSize } from './pool-output-size.js';

describe('caffePoolOutputSize (§5.2.1: H″ = ⌈(H − H′ + 2P)/S⌉ + 1, lowered per eq. 5.4)', () => {
  it('rounds up where MatConvNet rounds down', () => {
    // AlexNet in Caffe: 55 → pool 3 stride 2 → 27 either way; 56 → ⌈53/2⌉ + 1 = 28 (MatConvNet: 27).
    expect(caffePoolOutputSize(55, { size: 3, stride: 2 })).toEqual([27, 27]);
    expect(caffePoolOutputSize(56, { size: 3, stride: 2 })).toEqual([28, 28]);
    expect(poolOutputSize(56, { size: 3, stride: 2 })).toEqual([27, 27]);
  });

  it('drops a last window that would start in the padding (eq. 5.4)', () => {
    // H 3, window 2, stride 2, pad 1: ⌈3/2⌉ + 1 = 3, but window 3 starts at 2·2 − 1 = 3 ≥ H → 2.
    expect(caffePoolOutputSize(3, { size: 2, stride: 2, pad: 1 })).toEqual([2, 2]);
  });

  it('checks its arguments', () => {
    expect(() => caffePoolOutputSize(5, { size: 3, pad: [0, 3] })).toThrow(
      'caffePoolOutputSize: horizontal pad 3 must be smaller than size 3',
    );
    expect(() => caffePoolOutputSize(1, { size: 3, pad: 0 })).toThrow(
      'caffePoolOutputSize: vertical input size 1 plus padding 2 × 0 is smaller than the window 3; the output would be empty',
    );
  });
});

describe('caffePoolPad (§5.2.1: P⁻ = P, P⁺ = min(P + S − 1, H′ − 1))', () => {
  it('gives the manual formula per axis', () => {
    expect(caffePoolPad({ size: 3, stride: 2 })).toEqual([0, 1, 0, 1]);
    expect(caffePoolPad({ size: [3, 2], stride: [2, 3], pad: [1, 0] })).toEqual([1, 2, 0, 1]);
  });

  it("corrects the manual's example: 3-wide window, stride 1, Caffe pad 0 needs right pad 0, not 1", () => {
    expect(caffePoolPad({ size: 3, stride: 1 })).toEqual([0, 0, 0, 0]);
    for (const h of [3, 5, 6, 7, 20]) {
      const caffe = caffePoolOutputSize(h, { size: 3, stride: 1 });
      expect(caffe).toEqual([h - 2, h - 2]);
      expect(poolOutputSize(h, { size: 3, stride: 1, pad: 0 })).toEqual(caffe);
      // The example's right pad of 1 would give one output too many.
      expect(poolOutputSize(h, { size: 3, stride: 1, pad: [0, 1, 0, 1] })).toEqual([h - 1, h - 1]);
    }
    // With stride 2 the formula does give 1, and it is right.
    expect(caffePoolPad({ size: 3, stride: 2 })[1]).toBe(1);
    expect(poolOutputSize(6, { size: 3, stride: 2, pad: [0, 1, 0, 1] })).toEqual(caffePoolOutputSize(6, { size: 3, stride: 2 }));
  });

  it('matches Caffe exactly, except where Caffe leaves a window entirely past the input', () => {
    let mismatches = 0;
    for (let size = 1; size <= 7; size++)
      for (let stride = 1; stride <= 8; stride++)
        for (let pad = 0; pad < size; pad++)
          for (let h = Math.max(1, size - 2 * pad); h <= 40; h++) {
            const caffe = caffePoolOutputSize([h, 9], { size, stride, pad })[0];
            const ours = poolOutputSize([h, 9], { size, stride, pad: caffePoolPad({ size, stride, pad }) })[0];
            // 0-based start of Caffe's last window: S(H″ − 1) − P.
            const lastWindowOutside = stride * (caffe - 1) - pad >= h;
            if (lastWindowOutside) {
              mismatches++;
              expect(stride).toBeGreaterThan(size);
              expect(pad).toBe(0);
              expect(caffe).toBe(ours + 1);
            } else {
              expect(ours).toBe(caffe);
            }
          }
    expect(mismatches).toBeGreaterThan(0);
  });

  it('matches Caffe on both axes at once, where padding on one axis switches on the eq. 5.4 check on both', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 })),
        fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })),
        fc.tuple(fc.nat(5), fc.nat(5)),
        fc.tuple(fc.integer({ min: 6, max: 40 }), fc.integer({ min: 6, max: 40 })),
        (size, stride, rawPad, input) => {
          const pad = [rawPad[0] % size[0], rawPad[1] % size[1]] as const;
          const caffe = caffePoolOutputSize(input, { size, stride, pad });
          const ours = poolOutputSize(input, { size, stride, pad: caffePoolPad({ size, stride, pad }) });
          for (const i of [0, 1] as const) {
            if (stride[i] * (caffe[i] - 1) - pad[i] >= input[i]) expect(caffe[i]).toBe(ours[i] + 1);
            else expect(ours[i]).toBe(caffe[i]);
          }
        },
      ),
    );
  });
});
