import { type DType, Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../index.js';

/**
 * Relu/ReluBackward (the float32 path works on the bits, without branches)
 * against the plain definition, bit for bit: +0 for x ≤ 0, −0 and NaN, the
 * value itself (−0 of dy included) where x > 0, including denormals and ±∞.
 */
const specials = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, -1e-45, 3.4e38, -3.4e38, 1, -1, 0.5];
const bits = (v: ArrayLike<number>) => Array.from(v, (e) => (Object.is(e, -0) ? '-0' : String(e)));

describe.each(['float32', 'float64'] as DType[])('Relu and ReluBackward (%s)', (dtype) => {
  const cpu = createCpuBackend({ dtype });
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const rng = new Rng(3);
  const xs = [...specials, ...Array.from(rng.randn(500), round)];
  const dys = [...specials.map((v) => -v), ...Array.from(rng.randn(500), round)];
  const x = cpu.tensor(xs, [2, 1, 1, xs.length / 2]);
  const dy = cpu.tensor(dys, x.shape);
  const xr = cpu.readSync(x);
  const dyr = cpu.readSync(dy);

  for (const leak of [0, 0.1]) {
    it(`leak ${leak}: forward and backward match the definition`, () => {
      const y = Array.from(xr, (v) => (v > 0 ? v : leak === 0 ? 0 : round(leak * v)));
      const dx = Array.from(xr, (v, i) => (v > 0 ? dyr[i]! : leak === 0 ? 0 : round(leak * dyr[i]!)));
      expect(bits(cpu.readSync(cpu.run('Relu', { x }, { leak })))).toEqual(bits(y));
      expect(bits(cpu.readSync(cpu.run('ReluBackward', { x, dy }, { leak })))).toEqual(bits(dx));
    });
  }

  it('reads a non-contiguous view like its copy', () => {
    const view = cpu.fromNdarray(cpu.ndarray(x).transpose(0, 3, 2, 1));
    const copy = cpu.tensor(cpu.readSync(view), view.shape);
    const dyView = cpu.tensor(cpu.readSync(dy), view.shape);
    expect(bits(cpu.readSync(cpu.run('Relu', { x: view }, { leak: 0 })))).toEqual(bits(cpu.readSync(cpu.run('Relu', { x: copy }, { leak: 0 }))));
    const back = (t: typeof x) => bits(cpu.readSync(cpu.run('ReluBackward', { x: t, dy: dyView }, { leak: 0 })));
    expect(back(view)).toEqual(back(copy));
  });
});

describe('ReluBackward on bad sizes', () => {
  it('refuses a dy with another number of values than x', () => {
    const cpu = createCpuBackend({ dtype: 'float32' });
    expect(() => cpu.run('ReluBackward', { x: cpu.zeros([2, 3]), dy: cpu.zeros([5]) }, { leak: 0 })).toThrow('ReluBackward: dy of 6 values (as x) expected, got 5');
    cpu.dispose();
  });
});
