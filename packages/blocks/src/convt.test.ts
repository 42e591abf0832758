import { readFileSync } from 'node:fs';
import { BackendError, OptionError, type Shape, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { conv } from './conv.js';
import { type ConvtOptions, convt, convtBackward } from './convt.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';

interface Arr {
  shape: number[];
  data: number[];
}
interface ConvtCase {
  block: string;
  opts: { upsample: number[]; crop: number[]; numGroups: number };
  x: Arr;
  f: Arr;
  b: Arr;
  y: Arr;
  dzdy: Arr;
  dzdx: Arr;
  dzdf: Arr;
  dzdb: Arr;
}
const CASES = (
  JSON.parse(readFileSync(new URL('./fixtures/conv-fixtures.json', import.meta.url), 'utf8')) as { cases: ConvtCase[] }
).cases.filter((c) => c.block === 'convt');

const t64 = (a: Arr) => cpu64.tensor(a.data, a.shape);
const values = (t: Tensor | null) => Array.from(t?.dataSync() ?? []);
const dot = (a: Tensor, b: Tensor) => {
  const [u, v] = [a.dataSync(), b.dataSync()];
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i]! * v[i]!;
  return s;
};

describe('convt values', () => {
  it('spreads each input pixel by the filter, upsampled, then crops', () => {
    // One row [1, 2], filter [1, 10, 100], upsample 2: 1·f at 0..2 plus 2·f at 2..4.
    const x = cpu32.tensor([1, 2], [1, 1, 2, 1]);
    const f = cpu32.tensor([1, 10, 100], [1, 3, 1, 1]);
    expect(values(convt(x, f, null, { upsample: [1, 2] }))).toEqual([1, 10, 102, 20, 200]);
    expect(values(convt(x, f, null, { upsample: [1, 2], crop: [0, 0, 1, 1] }))).toEqual([10, 102, 20]);
    expect(values(convt(x, f, cpu32.tensor([0.5], [1]), { upsample: [1, 3] }))).toEqual([1.5, 10.5, 100.5, 2.5, 20.5, 200.5]);
  });

  it('uses f as [Hf, Wf, K, D] and numGroups blocks of input channels', () => {
    // D = 2 input channels, K = 1, numGroups 2: channel 0 → output 0 with f[..,0,0], channel 1 → output 1 with f[..,0,1].
    const x = cpu64.tensor([1, 2], [1, 1, 1, 2]);
    const f = cpu64.tensor([3, 5, 7, 11], [2, 1, 1, 2]);
    const y = convt(x, f, cpu64.tensor([100, 200], [2]), { numGroups: 2 });
    expect(y.shape).toEqual([1, 2, 1, 2]);
    expect(values(y)).toEqual([103, 210, 107, 222]);
    // Without groups, both input channels sum into the K = 1 output channel.
    expect(values(convt(x, f, null))).toEqual([3 + 10, 7 + 22]);
  });

  it('skips the derivatives named by noDer* and that of an absent bias', () => {
    const x = randn(cpu64, [1, 2, 2, 2], 1);
    const f = randn(cpu64, [3, 3, 2, 2], 2);
    const b = randn(cpu64, [2], 3);
    const dzdy = randn(cpu64, [1, 5, 5, 2], 4);
    const all = convtBackward(x, f, b, dzdy, { upsample: 2 });
    expect([all.dzdx?.shape, all.dzdf?.shape, all.dzdb?.shape]).toEqual([x.shape, f.shape, b.shape]);
    expect(convtBackward(x, f, b, dzdy, { upsample: 2, noDerData: true, noDerFilters: true, noDerBiases: true })).toEqual({
      dzdx: null,
      dzdf: null,
      dzdb: null,
    });
    const some = convtBackward(x, f, null, dzdy, { upsample: 2, noDerData: true });
    expect(values(some.dzdf)).toEqual(values(all.dzdf));
    expect([some.dzdx, some.dzdb]).toEqual([null, null]);
  });
});

describe('convt reference cases (fixtures/blocks.json)', () => {
  for (const [i, c] of CASES.entries()) {
    it(`case ${i}: x ${c.x.shape.join('×')}, f ${c.f.shape.join('×')}, ${JSON.stringify(c.opts)}`, () => {
      const [x, f, b, dzdy] = [t64(c.x), t64(c.f), t64(c.b), t64(c.dzdy)];
      const y = convt(x, f, b, c.opts);
      expect(y.shape).toEqual(c.y.shape);
      expectClose(values(y), c.y.data, 1e-9);
      const d = convtBackward(x, f, b, dzdy, c.opts);
      expectClose(values(d.dzdx), c.dzdx.data, 1e-9);
      expectClose(values(d.dzdf), c.dzdf.data, 1e-9);
      expectClose(values(d.dzdb), c.dzdb.data, 1e-9);
    });
  }
  it('has all 12 cases', () => expect(CASES.length).toBe(12));
});

describe('convt output sizes', () => {
  it('follow U·(H − 1) + Hf − Ct − Cb over upsamplings, crops and groups; conv maps them back to H', () => {
    let checked = 0;
    for (const [h, w] of [
      [3, 2],
      [1, 4],
    ] as const)
      for (const [hf, wf] of [
        [1, 1],
        [3, 2],
        [4, 4],
      ] as const)
        for (const upsample of [1, 2, [3, 1]] as const)
          for (const crop of [0, 1, [2, 0, 1, 3], [0, 3, 0, 0]] as const)
            for (const numGroups of [1, 2]) {
              const [uy, ux] = typeof upsample === 'number' ? [upsample, upsample] : upsample;
              const [ct, cb, cl, cr] = typeof crop === 'number' ? [crop, crop, crop, crop] : crop;
              const ho = uy * (h - 1) + hf - ct - cb;
              const wo = ux * (w - 1) + wf - cl - cr;
              const x = cpu32.zeros([2, h, w, 4]);
              const f = cpu32.zeros([hf, wf, 3, 4]);
              const opts = { upsample, crop, numGroups };
              if (ho < 1 || wo < 1) {
                expect(() => convt(x, f, null, opts)).toThrow(OptionError);
                continue;
              }
              const y = convt(x, f, null, opts);
              expect(y.shape).toEqual([2, ho, wo, 3 * numGroups]);
              expect(conv(y, f, null, { pad: crop, stride: upsample }).shape).toEqual([2, h, w, 4]);
              checked++;
            }
    expect(checked).toBeGreaterThan(100);
  });
});

describe('convt is the adjoint of conv with the same filters', () => {
  // <conv(v, f), x> = <v, convt(x, f)>: v has K·G channels, x has D, f is [Hf, Wf, K, D].
  const geometries: [Shape, Shape, ConvtOptions][] = [
    [[2, 3, 4, 3], [3, 3, 2, 3], {}],
    [[1, 3, 3, 2], [4, 4, 3, 2], { upsample: 2, crop: 1 }],
    [[2, 4, 2, 4], [3, 2, 1, 4], { upsample: [2, 3], crop: [1, 0, 0, 2], numGroups: 2 }],
    [[1, 2, 3, 6], [2, 3, 2, 6], { upsample: [3, 1], crop: [0, 2, 1, 0], numGroups: 3 }],
    [[2, 3, 3, 4], [1, 1, 3, 4], { numGroups: 4 }],
    [[1, 2, 2, 2], [5, 3, 2, 2], { upsample: 1, crop: [3, 0, 0, 1] }],
    [[3, 1, 1, 5], [2, 3, 4, 5], {}],
  ];
  for (const [i, [xs, fs, opts]] of geometries.entries()) {
    it(`geometry ${i}: x ${xs.join('×')}, f ${fs.join('×')}, ${JSON.stringify(opts)}`, () => {
      const x = randn(cpu64, xs, 10 + i);
      const f = randn(cpu64, fs, 20 + i);
      const y = convt(x, f, null, opts);
      const v = randn(cpu64, y.shape, 30 + i);
      const u = conv(v, f, null, { pad: opts.crop ?? 0, stride: opts.upsample ?? 1 });
      expect(u.shape).toEqual(x.shape);
      const lhs = dot(u, x);
      expect(Math.abs(lhs - dot(v, y))).toBeLessThan(1e-10 * (1 + Math.abs(lhs)));
    });
  }
});

describe('convt derivatives (float64, numerical)', () => {
  const geometries: [string, Shape, Shape, ConvtOptions][] = [
    ['upsample 2', [2, 3, 2, 2], [3, 3, 2, 2], { upsample: 2 }],
    ['upsample 2, crop', [1, 3, 3, 2], [4, 4, 3, 2], { upsample: 2, crop: [1, 2, 0, 1] }],
    ['numGroups 2, upsample [2, 1], crop', [2, 3, 2, 4], [3, 2, 2, 4], { upsample: [2, 1], crop: [1, 0, 0, 1], numGroups: 2 }],
  ];
  for (const [name, xs, fs, opts] of geometries) {
    it(`dzdx, dzdf, dzdb: ${name}`, async () => {
      const x = randn(cpu64, xs, 1);
      const f = randn(cpu64, fs, 2);
      const b = randn(cpu64, [fs[2]! * (opts.numGroups ?? 1)], 3);
      const yShape = convt(x, f, b, opts).shape;
      await expectDerivative('dzdx', (v) => convt(v, f, b, opts), x, (d) => convtBackward(x, f, b, d, opts).dzdx!, yShape);
      await expectDerivative('dzdf', (v) => convt(x, v, b, opts), f, (d) => convtBackward(x, f, b, d, opts).dzdf!, yShape);
      await expectDerivative('dzdb', (v) => convt(x, f, v, opts), b, (d) => convtBackward(x, f, b, d, opts).dzdb!, yShape);
    });
  }
});

describe('convt errors', () => {
  const x = cpu32.zeros([1, 3, 3, 4]);
  const f = cpu32.zeros([2, 2, 3, 4]);
  const b = cpu32.zeros([3]);

  it('wrong ranks', () => {
    expect(() => convt(cpu32.zeros([3, 3, 4]), f, b)).toThrow(
      new ShapeError('convt', 'x', 'x must have 4 dimensions [N, H, W, C], got shape [3, 3, 4]'),
    );
    expect(() => convt(x, cpu32.zeros([2, 2, 4]), b)).toThrow(
      'convt: f must have 4 dimensions [Hf, Wf, K, D], got shape [2, 2, 4]',
    );
    expect(() => convtBackward(x, f, b, cpu32.zeros([4, 4, 3]))).toThrow(
      'convt: dzdy must have 4 dimensions [N, H, W, C], got shape [4, 4, 3]',
    );
  });

  it('missing filters', () => {
    expect(() => convt(x, null as unknown as Tensor, b)).toThrow(
      new ShapeError('convt', 'f', 'f must be a filter tensor [Hf, Wf, K, D], got null'),
    );
  });

  it('filters whose last dimension is not the channels of x; numGroups that does not divide them', () => {
    expect(() => convt(x, cpu32.zeros([2, 2, 4, 3]), b)).toThrow(
      new ShapeError('convt', 'f', 'f must have the 4 channels of x as its last dimension ([Hf, Wf, K, D]), got shape [2, 2, 4, 3]'),
    );
    expect(() => convt(x, f, b, { numGroups: 3 })).toThrow(
      new OptionError('convt', 'numGroups', 'numGroups must divide the 4 channels of x, got 3'),
    );
    expect(() => convt(x, f, b, { numGroups: 0 })).toThrow('convt: numGroups must be ≥ 1, got 0');
    expect(() => convt(x, f, b, { numGroups: 1.5 })).toThrow('convt: numGroups must be an integer, got 1.5');
  });

  it('bias with the wrong number of elements', () => {
    expect(() => convt(x, f, cpu32.zeros([4]))).toThrow('convt: b must have 3 elements (K = 3 filters × 1 groups), got shape [4]');
    expect(() => convt(x, f, b, { numGroups: 2 })).toThrow(
      'convt: b must have 6 elements (K = 3 filters × 2 groups), got shape [3]',
    );
  });

  it('invalid upsample and crop; crop too large', () => {
    expect(() => convt(x, f, b, { upsample: 0 })).toThrow(new OptionError('convt', 'upsample', 'upsample must be integers ≥ 1, got 0'));
    expect(() => convt(x, f, b, { upsample: [1, 2, 3] })).toThrow(
      'convt: upsample must be one number or [vertical, horizontal], got [1, 2, 3]',
    );
    expect(() => convt(x, f, b, { crop: -1 })).toThrow('convt: crop must be integers ≥ 0, got -1');
    expect(() => convt(x, f, b, { crop: [1, 2] })).toThrow('convt: crop must be one number or [top, bottom, left, right], got [1, 2]');
    expect(() => convt(x, f, b, { crop: [2, 2, 0, 0] })).toThrow(
      new OptionError('convt', 'crop', 'crop must leave a non-empty output of the uncropped 4×4, got crop [2, 2, 0, 0]'),
    );
    expect(convt(x, f, b, { crop: [2, 1, 0, 3] }).shape).toEqual([1, 1, 1, 3]);
  });

  it('dzdy whose shape is not the output shape', () => {
    expect(() => convtBackward(x, f, b, cpu32.zeros([1, 4, 4, 4]), {})).toThrow(
      new ShapeError('convt', 'dzdy', 'dzdy must have shape [1, 4, 4, 3] (the shape of the output), got [1, 4, 4, 4]'),
    );
  });

  it('tensors from two backends', () => {
    expect(() => convt(x, cpu64.zeros([2, 2, 3, 4]), b)).toThrow(BackendError);
    expect(() => convtBackward(x, f, b, cpu64.zeros([1, 4, 4, 3]))).toThrow(
      /^convt: dzdy lives on the cpu .*backend but x lives on the cpu .*backend; move one of them first$/,
    );
  });

  it('unknown option names', () => {
    expect(() => convt(x, f, b, { pad: 1 } as unknown as ConvtOptions)).toThrow(
      new OptionError(
        'convt',
        'pad',
        "unknown option 'pad'; known options are upsample, crop, numGroups, noDerData, noDerFilters, noDerBiases",
      ),
    );
  });
});
