import { describe, expect, it } from 'vitest';
import { epochScale, formatTick, linearScale, logScale, valueScale } from './plot-scale.js';

describe('plot scales', () => {
  it('linear: steps of 1, 2, 5 × 10^k with 5–8 ticks covering the values', () => {
    expect(linearScale(0, 0.16).ticks).toEqual([0, 0.05, 0.1, 0.15, 0.2]);
    expect(linearScale(0.0185, 0.04).ticks).toEqual([0.015, 0.02, 0.025, 0.03, 0.035, 0.04]);
    expect(linearScale(0, 123).ticks).toEqual([0, 20, 40, 60, 80, 100, 120, 140]);
    expect(linearScale(2, 2).ticks.length).toBeGreaterThanOrEqual(5);
    const s = linearScale(0, 1);
    expect([s.at(0), s.at(0.5), s.at(1)]).toEqual([0, 0.5, 1]);
  });

  it('log: the finest of 1 | 1,3 | 1,2,5 | 1,2,3,5 | 1,1.5,2,3,5,7 × 10^k with at most 8 ticks', () => {
    expect(logScale(0.001567, 0.6973).ticks).toEqual([0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1]);
    expect(logScale(0.002, 0.3).ticks).toEqual([0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]);
    expect(logScale(0.05, 0.3).ticks).toEqual([0.05, 0.07, 0.1, 0.15, 0.2, 0.3]);
    expect(logScale(1e-12, 1).ticks).toEqual([1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1]);
    const s = logScale(0.01, 1);
    expect(s.at(0.1)).toBeCloseTo(0.5, 12);
    expect(() => logScale(0, 1)).toThrow('logScale: lo must be > 0, got 0');
  });

  it('valueScale takes log when asked and the values span a decade or give 5 ticks, linear otherwise', () => {
    expect(valueScale(0.0001, 0.05, true).log).toBe(true);
    expect(valueScale(0.5, 0.7, true).log).toBe(false);
    expect(valueScale(0, 0.7, true).log).toBe(false);
    expect(valueScale(0.001, 1, false).log).toBe(false);
  });

  it('epochs: every one up to 8, else multiples of a round step (and the first when not crowded)', () => {
    expect(epochScale(1, 8).ticks).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(epochScale(1, 10).ticks).toEqual([2, 4, 6, 8, 10]);
    expect(epochScale(1, 20).ticks).toEqual([1, 5, 10, 15, 20]);
    expect(epochScale(1, 300).ticks).toEqual([1, 50, 100, 150, 200, 250, 300]);
    expect(epochScale(4, 4)).toMatchObject({ ticks: [4] });
  });

  it('formats ticks without float noise', () => {
    expect([0, 0.3, 0.05, 3e-4, 1e-12, 1500, 2.5e6].map(formatTick)).toEqual(['0', '0.3', '0.05', '3e-4', '1e-12', '1500', '2.5e6']);
  });
});
