/**
 * bnorm's moments "derivative" `dzdw{3}` (vlfeat/matconvnet): 1.0-beta25's
 * vl_simplenn.m line 483 multiplies it by the batch size N (and its
 * cnn_train.m line 472 divides by the batch size); later MatConvNet (commit
 * 23699180 "Normalise loss", and "Fix simplenn") returns the batch moments
 * alone (its cnn_train.m divides by the number of sub-batches).
 */
import { describe, expect, it } from 'vitest';
import type { SimpleNNSpec } from './layer-spec.js';
import { simplenn } from './simplenn.js';
import { cpu64, randn } from './test-nets.js';

const net = (): SimpleNNSpec => ({
  layers: [
    { type: 'conv', name: 'conv1', weights: [randn(cpu64, [3, 3, 2, 4], 1, 0.5), cpu64.zeros([4])] },
    { type: 'bnorm', name: 'bn1', weights: [cpu64.fill([4], 1), cpu64.zeros([4])] },
    { type: 'relu', name: 'relu1' },
  ],
});

describe("bnorm's dzdw[2] conventions (bnormMomentsDer)", () => {
  const x = randn(cpu64, [5, 6, 6, 2], 2);
  const dzdy = randn(cpu64, [5, 4, 4, 4], 3);

  it("'timesN' (default): N × the batch moments, as 1.0-beta25's vl_simplenn (line 483); 'moments': the batch moments, as later MatConvNet", () => {
    const n = net();
    const beta25 = simplenn(n, x, dzdy);
    const later = simplenn(n, x, dzdy, null, { bnormMomentsDer: 'moments' });
    // The batch moments the forward pass used (res(2).aux), rows [mu, sigma].
    const moments = Array.from(later[1]!.aux!.dataSync());
    expect(Array.from(later[1]!.dzdw[2]!.dataSync())).toEqual(moments);
    Array.from(beta25[1]!.dzdw[2]!.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(5 * moments[i]!, 12);
    });
    // The gradients of g and b do not depend on the convention.
    expect(Array.from(later[1]!.dzdw[0]!.dataSync())).toEqual(Array.from(beta25[1]!.dzdw[0]!.dataSync()));
  });

  it('unknown conventions throw', () => {
    expect(() => simplenn(net(), x, dzdy, null, { bnormMomentsDer: 'divided' as never })).toThrow("simplenn: bnormMomentsDer must be 'timesN' or 'moments', got 'divided'");
  });
});
