import { describe, expect, it } from 'vitest';
import { hashUniform, Rng } from './rng.js';

describe('Rng', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    expect(Array.from(new Rng(7).rand(5))).toEqual(Array.from(new Rng(7).rand(5)));
    expect(Array.from(new Rng(7).rand(5))).not.toEqual(Array.from(new Rng(8).rand(5)));
  });

  it('draws uniform values in [0, 1) with the right mean and variance', () => {
    const v = new Rng(1).rand(100_000);
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThan(1);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it('draws standard normal values', () => {
    const v = new Rng(2).randn(100_000);
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(variance).toBeCloseTo(1, 1);
  });

  it('randperm is a permutation of 1..n', () => {
    const p = Array.from(new Rng(3).randperm(50));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(p).not.toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('saves and restores its state', () => {
    const r = new Rng(4);
    r.rand(3);
    const state = r.getState();
    const a = Array.from(r.rand(4));
    r.setState(state);
    expect(Array.from(r.rand(4))).toEqual(a);
  });
});

describe('hashUniform', () => {
  it('is a pure function of (seed, index) with values in [0, 1) on a 2^-24 grid', () => {
    expect(hashUniform(5, 10)).toBe(hashUniform(5, 10));
    expect(hashUniform(5, 10)).not.toBe(hashUniform(6, 10));
    let mean = 0;
    for (let i = 0; i < 50_000; i++) {
      const u = hashUniform(9, i);
      expect(u * 16777216).toBe(Math.floor(u * 16777216));
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      mean += u;
    }
    expect(mean / 50_000).toBeCloseTo(0.5, 2);
  });
});
