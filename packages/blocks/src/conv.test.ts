import { readFileSync } from 'node:fs';
import { BackendError, OptionError, type Shape, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type ConvOptions, conv, convBackward } from './conv.js';
import { cpu32, cpu64, expectClose, expectDerivative, randn } from './test-helpers.js';

interface Arr {
  shape: number[];
  data: number[];
}
interface ConvCase {
  block: string;
  opts: { pad: number[]; stride: number[]; dilate: number | number[] };
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
  JSON.parse(readFileSync(new URL('./fixtures/conv-fixtures.json', import.meta.url), 'utf8')) as { cases: ConvCase[] }
).cases.filter((c) => c.block === 'conv');

const t64 = (a: Arr) => cpu64.tensor(a.data, a.shape);
const values = (t: Tensor | null) => Array.from(t?.dataSync() ?? []);

/** Output size by the manual's formula (§4.1, with dilation). */
const out = (size: number, f: number, p0: number, p1: number, s: number, d: number) =>
  Math.floor((size + p0 + p1 - ((f - 1) * d + 1)) / s) + 1;

describe('conv values', () => {
  it('sums 2×2 windows of a 3×3 image, plus the bias', () => {
    const x = cpu32.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const f = cpu32.tensor([1, 1, 1, 1], [2, 2, 1, 1]);
    expect(values(conv(x, f, null))).toEqual([12, 16, 24, 28]);
    expect(values(conv(x, f, cpu32.tensor([0.5], [1])))).toEqual([12.5, 16.5, 24.5, 28.5]);
    // pad 1 on the left and the top only, stride 2: windows at padded (0,0), (0,2), (2,0), (2,2).
    expect(values(conv(x, f, null, { pad: [1, 0, 1, 0], stride: 2 }))).toEqual([1, 2 + 3, 4 + 7, 5 + 6 + 8 + 9]);
    // dilate 2: the window taps are the four corners.
    expect(values(conv(x, f, null, { dilate: 2 }))).toEqual([1 + 3 + 7 + 9]);
  });

  it('computes a fully connected layer as the 1×1-output case (a matrix product)', () => {
    // Two images of 2×1×2 = 4 values each, flattened (h, w, c) row-major; 3 filters.
    const x = cpu64.tensor([1, 2, 3, 4, -1, 0, 2, 1], [2, 2, 1, 2]);
    const W = [
      [1, 0, 2],
      [0, 1, -1],
      [3, 1, 0],
      [1, 2, 1],
    ];
    const f = cpu64.tensor(W.flat(), [2, 1, 2, 3]);
    const b = cpu64.tensor([10, 20, 30], [3]);
    const y = conv(x, f, b);
    expect(y.shape).toEqual([2, 1, 1, 3]);
    // [1 2 3 4]·W = [14, 13, 4]; [-1 0 2 1]·W = [6, 4, -1].
    expect(values(y)).toEqual([24, 33, 34, 16, 24, 29]);
    const dzdy = cpu64.tensor([1, 0, 2, 0, 1, -1], [2, 1, 1, 3]);
    const { dzdx, dzdf, dzdb } = convBackward(x, f, b, dzdy);
    // dzdx = dzdy·Wᵀ, dzdf = xᵀ·dzdy, dzdb = column sums of dzdy.
    expect(values(dzdx)).toEqual([5, -2, 3, 3, -2, 2, 1, 1]);
    expect(values(dzdf)).toEqual([1, -1, 3, 2, 0, 4, 3, 2, 4, 4, 1, 7]);
    expect(values(dzdb)).toEqual([1, 1, 1]);
  });

  it('applies filter groups to consecutive blocks of channels', () => {
    const x = cpu32.tensor([1, 2, 3, 4], [1, 1, 1, 4]);
    // Depth 2 → 2 groups; filter 0 sees channels 0-1, filter 1 sees channels 2-3.
    const f = cpu32.tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    expect(values(conv(x, f, null))).toEqual([1 * 1 + 2 * 3, 3 * 2 + 4 * 4]);
  });

  it('with f = null only pads, subsamples and adds the bias (MatConvNet F = [])', () => {
    const x = cpu64.tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
    const b = cpu64.tensor([10, 20], [2]);
    expect(values(conv(x, null, b))).toEqual([11, 22, 13, 24, 15, 26, 17, 28]);
    // Padded top-left, stride 2: samples the padded pixels (0, 0), (0, 2), (2, 0), (2, 2), i.e. only x[1, 1].
    const y = conv(x, null, b, { pad: [1, 0, 1, 0], stride: 2 });
    expect(y.shape).toEqual([1, 2, 2, 2]);
    expect(values(y)).toEqual([10, 20, 10, 20, 10, 20, 17, 28]);
    const y2 = conv(x, null, null, { pad: [0, 1, 0, 1], stride: 2 });
    expect(y2.shape).toEqual([1, 2, 2, 2]);
    expect(values(y2)).toEqual([1, 2, 0, 0, 0, 0, 0, 0]);
    const dzdy = cpu64.tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
    const { dzdx, dzdf, dzdb } = convBackward(x, null, b, dzdy, { pad: [0, 1, 0, 1], stride: 2 });
    expect(values(dzdx)).toEqual([1, 2, 0, 0, 0, 0, 0, 0]);
    expect(dzdf).toBeNull();
    expect(values(dzdb)).toEqual([16, 20]);
  });

  it('accepts a bias of any shape with K elements and returns dzdb in that shape', () => {
    const x = randn(cpu64, [1, 3, 3, 2], 1);
    const f = randn(cpu64, [2, 2, 2, 3], 2);
    const b = cpu64.tensor([1, 2, 3], [1, 3]);
    const y = conv(x, f, b);
    expectClose(values(y), values(conv(x, f, cpu64.tensor([1, 2, 3], [3]))), 1e-12);
    const { dzdb } = convBackward(x, f, b, randn(cpu64, y.shape, 3));
    expect(dzdb?.shape).toEqual([1, 3]);
  });

  it('skips the derivatives named by noDer* and those of absent arguments', () => {
    const x = randn(cpu64, [1, 4, 4, 2], 1);
    const f = randn(cpu64, [3, 3, 2, 2], 2);
    const b = randn(cpu64, [2], 3);
    const dzdy = randn(cpu64, [1, 2, 2, 2], 4);
    const all = convBackward(x, f, b, dzdy);
    expect([all.dzdx?.shape, all.dzdf?.shape, all.dzdb?.shape]).toEqual([x.shape, f.shape, b.shape]);
    const none = convBackward(x, f, b, dzdy, { noDerData: true, noDerFilters: true, noDerBiases: true });
    expect(none).toEqual({ dzdx: null, dzdf: null, dzdb: null });
    const some = convBackward(x, f, null, dzdy, { noDerFilters: true });
    expect(values(some.dzdx)).toEqual(values(all.dzdx));
    expect([some.dzdf, some.dzdb]).toEqual([null, null]);
    // The flags are accepted (and ignored) in the forward mode, so one options object serves both.
    expect(values(conv(x, f, b, { noDerData: true }))).toEqual(values(conv(x, f, b)));
  });
});

describe('conv reference cases (fixtures/blocks.json)', () => {
  for (const [i, c] of CASES.entries()) {
    const opts = c.opts as ConvOptions;
    it(`case ${i}: x ${c.x.shape.join('×')}, f ${c.f.shape.join('×')}, ${JSON.stringify(c.opts)}`, () => {
      const [x, f, b, dzdy] = [t64(c.x), t64(c.f), t64(c.b), t64(c.dzdy)];
      const y = conv(x, f, b, opts);
      expect(y.shape).toEqual(c.y.shape);
      expectClose(values(y), c.y.data, 1e-9);
      const d = convBackward(x, f, b, dzdy, opts);
      expectClose(values(d.dzdx), c.dzdx.data, 1e-9);
      expectClose(values(d.dzdf), c.dzdf.data, 1e-9);
      expectClose(values(d.dzdb), c.dzdb.data, 1e-9);
    });
  }
  it('has all 12 cases', () => expect(CASES.length).toBe(12));
});

describe('conv output sizes', () => {
  it('follow ⌊(H + Pt + Pb − ((Hf − 1)·D + 1)) / S⌋ + 1 over pads, strides, dilations and groups', () => {
    let checked = 0;
    for (const [h, w] of [
      [7, 5],
      [4, 9],
    ] as const)
      for (const [hf, wf] of [
        [1, 1],
        [3, 2],
        [2, 4],
      ] as const)
        for (const pad of [0, 1, [2, 0, 1, 3], [0, 3, 0, 0]] as const)
          for (const stride of [1, 2, [3, 1]] as const)
            for (const dilate of [1, 2, [1, 3]] as const)
              for (const groups of [1, 2]) {
                const [pt, pb, pl, pr] = typeof pad === 'number' ? [pad, pad, pad, pad] : pad;
                const [sy, sx] = typeof stride === 'number' ? [stride, stride] : stride;
                const [dy, dx] = typeof dilate === 'number' ? [dilate, dilate] : dilate;
                const ho = out(h, hf, pt, pb, sy, dy);
                const wo = out(w, wf, pl, pr, sx, dx);
                const x = cpu32.zeros([2, h, w, 4]);
                const f = cpu32.zeros([hf, wf, 4 / groups, 6]);
                const opts = { pad, stride, dilate };
                if (ho < 1 || wo < 1) {
                  expect(() => conv(x, f, null, opts)).toThrow(ShapeError);
                  continue;
                }
                expect(conv(x, f, null, opts).shape).toEqual([2, ho, wo, 6]);
                checked++;
              }
    expect(checked).toBeGreaterThan(300);
  });
});

describe('conv derivatives (float64, numerical)', () => {
  const geometries: [string, Shape, Shape, ConvOptions][] = [
    ['plain 3×3', [2, 5, 4, 2], [3, 3, 2, 3], {}],
    ['asymmetric pad, stride 2', [1, 6, 5, 3], [3, 2, 3, 2], { pad: [1, 0, 2, 1], stride: 2 }],
    ['dilation [2, 1], stride [1, 2]', [2, 6, 6, 2], [2, 3, 2, 2], { dilate: [2, 1], stride: [1, 2], pad: [0, 1, 1, 0] }],
    ['groups 2 with pad', [1, 4, 4, 4], [2, 2, 2, 4], { pad: 1 }],
    ['depthwise, dilation 2, stride 2', [1, 6, 6, 3], [2, 2, 1, 3], { dilate: 2, stride: 2, pad: [1, 1, 0, 2] }],
    ['pointwise 1×1 with groups', [2, 3, 3, 4], [1, 1, 2, 4], {}],
    ['fully connected', [3, 2, 3, 2], [2, 3, 2, 4], {}],
  ];
  for (const [name, xs, fs, opts] of geometries) {
    it(`dzdx, dzdf, dzdb: ${name}`, async () => {
      const x = randn(cpu64, xs, 1);
      const f = randn(cpu64, fs, 2);
      const b = randn(cpu64, [fs[3]!], 3);
      const yShape = conv(x, f, b, opts).shape;
      await expectDerivative('dzdx', (v) => conv(v, f, b, opts), x, (d) => convBackward(x, f, b, d, opts).dzdx!, yShape);
      await expectDerivative('dzdf', (v) => conv(x, v, b, opts), f, (d) => convBackward(x, f, b, d, opts).dzdf!, yShape);
      await expectDerivative('dzdb', (v) => conv(x, f, v, opts), b, (d) => convBackward(x, f, b, d, opts).dzdb!, yShape);
    });
  }

  it('dzdx, dzdb with f = null, pad and stride', async () => {
    const opts = { pad: [1, 0, 0, 2], stride: [2, 1] };
    const x = randn(cpu64, [2, 3, 3, 2], 1);
    const b = randn(cpu64, [2], 3);
    const yShape = conv(x, null, b, opts).shape;
    await expectDerivative('dzdx', (v) => conv(v, null, b, opts), x, (d) => convBackward(x, null, b, d, opts).dzdx!, yShape);
    await expectDerivative('dzdb', (v) => conv(x, null, v, opts), b, (d) => convBackward(x, null, b, d, opts).dzdb!, yShape);
  });
});

describe('conv errors', () => {
  const x = cpu32.zeros([1, 4, 4, 6]);
  const f = cpu32.zeros([3, 3, 3, 4]);
  const b = cpu32.zeros([4]);

  it('wrong ranks', () => {
    expect(() => conv(cpu32.zeros([4, 4, 6]), f, b)).toThrow(
      new ShapeError('conv', 'x', 'x must have 4 dimensions [N, H, W, C], got shape [4, 4, 6]'),
    );
    expect(() => conv(x, cpu32.zeros([3, 3, 6]), b)).toThrow(
      new ShapeError('conv', 'f', 'f must have 4 dimensions [Hf, Wf, C/groups, K], got shape [3, 3, 6]'),
    );
    expect(() => convBackward(x, f, b, cpu32.zeros([2, 2, 4]))).toThrow(
      new ShapeError('conv', 'dzdy', 'dzdy must have 4 dimensions [N, H, W, C], got shape [2, 2, 4]'),
    );
  });

  it('filter depth that does not divide the channels, groups that do not divide K', () => {
    expect(() => conv(x, cpu32.zeros([3, 3, 4, 4]), b)).toThrow(
      'conv: f depth (third dimension) must divide the 6 channels of x, got depth 4',
    );
    expect(() => conv(x, cpu32.zeros([3, 3, 2, 4]), b)).toThrow(
      'conv: f must have a number of filters divisible by the 3 groups (6 channels / depth 2), got 4 filters',
    );
  });

  it('bias with the wrong number of elements', () => {
    expect(() => conv(x, f, cpu32.zeros([3]))).toThrow('conv: b must have 4 elements (one per filter), got shape [3]');
    expect(() => conv(x, null, cpu32.zeros([4]))).toThrow(
      'conv: b must have 6 elements (one per channel of x, since f is null), got shape [4]',
    );
  });

  it('filters larger than the padded input', () => {
    expect(() => conv(x, cpu32.zeros([5, 5, 6, 4]), b)).toThrow(
      new ShapeError('conv', 'f', 'f must fit in the padded input 4×4, got filters of extent 5×5'),
    );
    expect(() => conv(x, f, b, { dilate: [1, 2], pad: [0, 0, 0, 0] })).toThrow(
      'conv: f must fit in the padded input 4×4, got filters of extent 3×5 (3×3 dilated by [1, 2])',
    );
    expect(conv(x, cpu32.zeros([5, 5, 6, 4]), b, { pad: [1, 0, 0, 1] }).shape).toEqual([1, 1, 1, 4]);
  });

  it('invalid pad, stride, dilate, flags; dilate with f = null', () => {
    expect(() => conv(x, f, b, { stride: 0 })).toThrow(new OptionError('conv', 'stride', 'stride must be integers ≥ 1, got 0'));
    expect(() => conv(x, f, b, { stride: [1, 2, 3] })).toThrow(
      'conv: stride must be one number or [vertical, horizontal], got [1, 2, 3]',
    );
    expect(() => conv(x, f, b, { dilate: 1.5 })).toThrow('conv: dilate must be integers ≥ 1, got 1.5');
    expect(() => conv(x, f, b, { pad: -1 })).toThrow('conv: pad must be integers ≥ 0, got -1');
    expect(() => conv(x, f, b, { pad: [1, 1] })).toThrow('conv: pad must be one number or [top, bottom, left, right], got [1, 1]');
    expect(() => convBackward(x, f, b, cpu32.zeros([1, 2, 2, 4]), { noDerData: 1 as unknown as boolean })).toThrow(
      'conv: noDerData must be true or false, got 1',
    );
    expect(() => conv(x, null, null, { dilate: 2 })).toThrow(
      new ShapeError('conv', 'dilate', 'dilate must be 1 when f is null (no filters), got [2, 2]'),
    );
  });

  it('dzdy whose shape is not the output shape', () => {
    expect(() => convBackward(x, f, b, cpu32.zeros([1, 2, 3, 4]))).toThrow(
      new ShapeError('conv', 'dzdy', 'dzdy must have shape [1, 2, 2, 4] (the shape of the output), got [1, 2, 3, 4]'),
    );
  });

  it('tensors from two backends', () => {
    expect(() => conv(x, cpu64.zeros([3, 3, 6, 4]), b)).toThrow(BackendError);
    expect(() => conv(x, f, cpu64.zeros([4]))).toThrow(
      /^conv: b lives on the cpu .*backend but x lives on the cpu .*backend; move one of them first$/,
    );
  });

  it('unknown option names', () => {
    expect(() => conv(x, f, b, { padding: 1 } as unknown as ConvOptions)).toThrow(
      new OptionError(
        'conv',
        'padding',
        "unknown option 'padding'; known options are pad, stride, dilate, noDerData, noDerFilters, noDerBiases",
      ),
    );
    expect(() => convBackward(x, f, b, cpu32.zeros([1, 2, 2, 4]), { numGroups: 2 } as unknown as ConvOptions)).toThrow(
      "conv: unknown option 'numGroups'",
    );
  });
});
