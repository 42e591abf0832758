/**
 * BatchNorm's moments "derivative" (vlfeat/matconvnet matlab/+dagnn/
 * BatchNorm.m): 1.0-beta25 multiplies `derParams{3}` by the number of images
 * ("required to make the update additive for subbatches"); commit 23699180
 * "Normalise loss" removed that line, so later MatConvNet returns the batch
 * moments alone.
 */
import { describe, expect, it } from 'vitest';
import { DagNN } from './dag-nn.js';
import { BatchNorm } from './layers/batch-norm.js';
import { cpu64, randn } from './test-nets.js';

function bnNet(): DagNN {
  const net = new DagNN(cpu64);
  net.addLayer('bn', new BatchNorm({ numChannels: 3 }), 'x', 'y', ['g', 'b', 'm']);
  net.initParams();
  return net;
}

describe('DagNN.bnormMomentsDer', () => {
  const x = randn(cpu64, [4, 5, 5, 3], 1);
  const dy = randn(cpu64, [4, 5, 5, 3], 2);

  it("'timesN' (default): N × the batch moments, as 1.0-beta25's BatchNorm; 'moments': the batch moments, as later MatConvNet", () => {
    const beta25 = bnNet();
    expect(beta25.bnormMomentsDer).toBe('timesN');
    beta25.eval({ x }, { y: dy });
    const later = bnNet();
    later.bnormMomentsDer = 'moments';
    later.eval({ x }, { y: dy });
    const m = Array.from(later.getParam('m').der!.dataSync());
    // Rows [mu, sigma] of the batch: the mean of each channel is the first column.
    const xs = x.dataSync();
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let i = c; i < xs.length; i += 3) sum += xs[i]!;
      expect(m[c * 2]).toBeCloseTo(sum / (xs.length / 3), 12);
    }
    Array.from(beta25.getParam('m').der!.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(4 * m[i]!, 12);
    });
    expect(Array.from(later.getParam('g').der!.dataSync())).toEqual(Array.from(beta25.getParam('g').der!.dataSync()));
  });

  it('is validated and kept by copy', () => {
    const net = bnNet();
    expect(() => {
      net.bnormMomentsDer = 'times-n' as never;
    }).toThrow("DagNN.bnormMomentsDer: bnormMomentsDer must be 'timesN' or 'moments', got \"times-n\"");
    net.bnormMomentsDer = 'moments';
    expect(net.copy().bnormMomentsDer).toBe('moments');
  });
});
