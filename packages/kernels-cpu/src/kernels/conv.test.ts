import { type ConvGeometry, type Pad4, type Pair, Rng, type Shape, sizeOf } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';

const cpu64 = createCpuBackend({ dtype: 'float64' });
const cpu32 = createCpuBackend({ dtype: 'float32' });

interface Case {
  name: string;
  x: Shape;
  f: Shape;
  geom: ConvGeometry;
}

const geom = (pad: Pad4, stride: Pair, dilate: Pair, groups: number): ConvGeometry => ({ pad, stride, dilate, groups });

/**
 * Direct convolution (manual §4.1 with dilation and groups), and the two
 * derivatives as the transposed loops: for every (n, i″, j″, k, i′, j′, d),
 * y[n,i″,j″,k] += f[i′,j′,d,k]·x[n, Sy·i″+Dy·i′−Pt, Sx·j″+Dx·j′−Pl, g·C/G+d].
 */
function direct(xs: Shape, fs: Shape, g: ConvGeometry, x: Float64Array, f: Float64Array, dy: Float64Array) {
  const [n, h, w, c] = xs as [number, number, number, number];
  const [hf, wf, cg, k] = fs as [number, number, number, number];
  const ho = Math.floor((h + g.pad[0] + g.pad[1] - ((hf - 1) * g.dilate[0] + 1)) / g.stride[0]) + 1;
  const wo = Math.floor((w + g.pad[2] + g.pad[3] - ((wf - 1) * g.dilate[1] + 1)) / g.stride[1]) + 1;
  const kg = k / g.groups;
  const y = new Float64Array(n * ho * wo * k);
  const dx = new Float64Array(x.length);
  const df = new Float64Array(f.length);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let kk = 0; kk < k; kk++) {
          const yi = ((b * ho + oy) * wo + ox) * k + kk;
          const group = Math.floor(kk / kg);
          for (let fy = 0; fy < hf; fy++)
            for (let fx = 0; fx < wf; fx++)
              for (let d = 0; d < cg; d++) {
                const iy = oy * g.stride[0] + fy * g.dilate[0] - g.pad[0];
                const ix = ox * g.stride[1] + fx * g.dilate[1] - g.pad[2];
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                const xi = ((b * h + iy) * w + ix) * c + group * cg + d;
                const fi = ((fy * wf + fx) * cg + d) * k + kk;
                y[yi]! += f[fi]! * x[xi]!;
                dx[xi]! += f[fi]! * dy[yi]!;
                df[fi]! += x[xi]! * dy[yi]!;
              }
        }
  return { y, dx, df, yShape: [n, ho, wo, k] as Shape };
}

const cases: Case[] = [
  { name: '3×3, no pad', x: [2, 5, 6, 3], f: [3, 3, 3, 4], geom: geom([0, 0, 0, 0], [1, 1], [1, 1], 1) },
  { name: 'asymmetric pad, stride 2', x: [2, 6, 5, 2], f: [3, 2, 2, 3], geom: geom([1, 0, 2, 1], [2, 2], [1, 1], 1) },
  { name: 'stride [1, 3], dilate [2, 1]', x: [1, 7, 8, 2], f: [2, 3, 2, 2], geom: geom([0, 1, 1, 0], [1, 3], [2, 1], 1) },
  { name: 'groups 2 with dilation', x: [2, 6, 6, 4], f: [2, 2, 2, 6], geom: geom([1, 1, 1, 1], [1, 1], [2, 2], 2) },
  { name: 'groups 3, stride 2, pad larger than filter', x: [1, 4, 5, 6], f: [2, 1, 2, 3], geom: geom([3, 0, 2, 2], [2, 1], [1, 1], 3) },
  { name: 'depthwise (groups = C)', x: [2, 4, 4, 3], f: [3, 3, 1, 3], geom: geom([1, 1, 1, 1], [1, 1], [1, 1], 3) },
  { name: 'pointwise 1×1 (no im2row)', x: [3, 4, 5, 4], f: [1, 1, 4, 5], geom: geom([0, 0, 0, 0], [1, 1], [1, 1], 1) },
  { name: 'pointwise 1×1 with groups 2', x: [2, 3, 3, 4], f: [1, 1, 2, 6], geom: geom([0, 0, 0, 0], [1, 1], [1, 1], 2) },
  { name: '1×1 with stride 2 (im2row)', x: [1, 5, 5, 2], f: [1, 1, 2, 3], geom: geom([0, 0, 0, 0], [2, 2], [1, 1], 1) },
  { name: 'fully connected (no im2row)', x: [4, 3, 2, 5], f: [3, 2, 5, 7], geom: geom([0, 0, 0, 0], [1, 1], [1, 1], 1) },
  { name: 'fully connected with stride 2', x: [2, 3, 3, 2], f: [3, 3, 2, 3], geom: geom([0, 0, 0, 0], [2, 2], [1, 1], 1) },
  { name: 'whole-input filters with groups 2 (im2row)', x: [2, 2, 2, 4], f: [2, 2, 2, 4], geom: geom([0, 0, 0, 0], [1, 1], [1, 1], 2) },
];

describe('conv kernels (im2row + GEMM) against direct convolution', () => {
  for (const [name, cpu, tol] of [
    ['float64', cpu64, 1e-12],
    ['float32', cpu32, 1e-5],
  ] as const) {
    for (const c of cases) {
      it(`${c.name} (${name})`, () => {
        const rng = new Rng(sizeOf(c.x) + sizeOf(c.f));
        const xv = Float64Array.from(rng.randn(sizeOf(c.x)), (v) => Math.fround(v));
        const fv = Float64Array.from(rng.randn(sizeOf(c.f)), (v) => Math.fround(v));
        const k = c.f[3]!;
        const bv = Float64Array.from(rng.randn(k), (v) => Math.fround(v));
        const probe = direct(c.x, c.f, c.geom, xv, fv, new Float64Array(0));
        const dyv = Float64Array.from(rng.randn(sizeOf(probe.yShape)), (v) => Math.fround(v));
        const ref = direct(c.x, c.f, c.geom, xv, fv, dyv);
        const x = cpu.tensor(xv, c.x);
        const f = cpu.tensor(fv, c.f);
        const dy = cpu.tensor(dyv, ref.yShape);

        const y = cpu.run('Conv', { x, f, b: null }, c.geom);
        expect(y.shape).toEqual(ref.yShape);
        expectClose(y.dataSync(), ref.y, tol);

        const yb = cpu.run('Conv', { x, f, b: cpu.tensor(bv, [k]) }, c.geom);
        expectClose(yb.dataSync(), Float64Array.from(ref.y, (v, i) => v + bv[i % k]!), tol);

        const dx = cpu.run('ConvBackwardData', { dy, f }, { ...c.geom, xShape: c.x });
        expect(dx.shape).toEqual(c.x);
        expectClose(dx.dataSync(), ref.dx, tol);

        const df = cpu.run('ConvBackwardFilter', { x, dy }, { ...c.geom, fShape: c.f });
        expect(df.shape).toEqual(c.f);
        expectClose(df.dataSync(), ref.df, tol);
      });
    }
  }

  it('reads non-contiguous inputs (views) correctly', () => {
    const rng = new Rng(3);
    const big = cpu64.tensor(rng.randn(2 * 5 * 5 * 3), [2, 5, 5, 3]);
    const x = cpu64.run('Slice', { x: big }, { begin: [1, 1, 0, 1], size: [1, 4, 5, 2] });
    const xv = Float64Array.from(x.dataSync());
    const fv = Float64Array.from(rng.randn(2 * 2 * 2 * 2));
    const g = geom([0, 1, 0, 0], [1, 2], [1, 1], 1);
    const ref = direct([1, 4, 5, 2], [2, 2, 2, 2], g, xv, fv, new Float64Array(0));
    const y = cpu64.run('Conv', { x, f: cpu64.tensor(fv, [2, 2, 2, 2]), b: null }, g);
    expectClose(y.dataSync(), ref.y, 1e-12);
  });
});

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('convolution outputs in reused arrays', () => {
  const bitsOf = (v: ArrayLike<number>) => Array.from(v, (e) => (Object.is(e, -0) ? '-0' : String(e)));
  // One shape per route: im2row + GEMM (TypeScript and module), 1×1, fully connected, Winograd 3×3 and
  // 5×5 in groups, the direct first-layer kernels for 1 and 3 channels.
  // Inputs and outputs mostly of at least 2^14 elements, the least the backend reuses.
  const routes: { name: string; x: Shape; f: Shape; g: ConvGeometry }[] = [
    { name: 'im2row, stride 2', x: [4, 24, 24, 32], f: [3, 3, 32, 64], g: geom([1, 1, 1, 1], [2, 2], [1, 1], 1) },
    { name: 'pointwise', x: [2, 16, 16, 64], f: [1, 1, 64, 256], g: geom([0, 0, 0, 0], [1, 1], [1, 1], 1) },
    { name: 'fully connected', x: [24, 5, 5, 32], f: [5, 5, 32, 700], g: geom([0, 0, 0, 0], [1, 1], [1, 1], 1) },
    { name: 'Winograd 3×3', x: [4, 16, 16, 32], f: [3, 3, 32, 64], g: geom([1, 1, 1, 1], [1, 1], [1, 1], 1) },
    { name: 'Winograd 5×5, groups 2', x: [4, 16, 16, 32], f: [5, 5, 16, 48], g: geom([2, 2, 2, 2], [1, 1], [1, 1], 2) },
    { name: 'direct, 1 channel', x: [12, 40, 40, 1], f: [5, 5, 1, 20], g: geom([0, 0, 0, 0], [1, 1], [1, 1], 1) },
    { name: 'direct, 3 channels, stride 2', x: [4, 40, 40, 3], f: [5, 5, 3, 16], g: geom([0, 0, 0, 0], [2, 2], [1, 1], 1) },
  ];

  it('refuse a bias of another length than the filters', () => {
    const cpu = createCpuBackend({ dtype: 'float32', threads: 1 });
    const x = cpu.zeros([1, 6, 6, 2]);
    const f = cpu.zeros([3, 3, 2, 4]);
    expect(() => cpu.run('Conv', { x, f, b: cpu.zeros([5]) }, geom([0, 0, 0, 0], [1, 1], [1, 1], 1))).toThrow('Conv: b of 4 elements (one per filter) expected, got shape [5]');
    cpu.dispose();
  });

  it('hold no trace of the tensor that last used the array, on every route, float32 and float64', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const cpu = createCpuBackend({ dtype, threads: 1 });
      for (const r of routes) {
        const rng = new Rng(sizeOf(r.x));
        const x = cpu.tensor(rng.randn(sizeOf(r.x)), r.x);
        const f = cpu.tensor(rng.randn(sizeOf(r.f)), r.f);
        const b = cpu.tensor(rng.randn(r.f[3]!), [r.f[3]!]);
        const y0 = cpu.run('Conv', { x, f, b: null }, r.g);
        const dy = cpu.tensor(rng.randn(y0.size), y0.shape);
        const outputs = () => [
          cpu.run('Conv', { x, f, b: null }, r.g),
          cpu.run('Conv', { x, f, b }, r.g),
          cpu.run('ConvBackwardData', { dy, f }, { ...r.g, xShape: r.x }),
          cpu.run('ConvBackwardFilter', { x, dy }, { ...r.g, fShape: r.f }),
        ];
        const want = outputs().map((t) => bitsOf(cpu.readSync(t)));
        // The bias broadcast (1·bᵀ on every pixel) under the products: y with b is y without it plus b, up to rounding.
        const yb = cpu.readSync(cpu.run('Conv', { x, f, b }, r.g));
        const y = cpu.readSync(y0);
        const bv = cpu.readSync(b);
        for (let i = 0; i < y.length; i += 97) expect(Math.abs(yb[i]! - y[i]! - bv[i % bv.length]!), `${r.name} ${dtype} y[${i}]`).toBeLessThan(1e-4 * (1 + Math.abs(y[i]!)));
        // Arrays of the outputs' lengths full of NaN, released for the next allocations to reuse.
        for (const shape of [y0.shape, y0.shape, r.x, r.f]) cpu.fill(shape, Number.NaN).dispose();
        const got = outputs().map((t) => bitsOf(cpu.readSync(t)));
        expect(got, `${r.name} ${dtype}`).toEqual(want);
      }
      cpu.dispose();
    }
  });
});
