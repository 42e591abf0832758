import { type DType, type PoolAttrs, Rng } from '@convnet-ts/tensor';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../index.js';
import { setPassFloats, setRowsTuning } from '../rows-wasm.js';

/**
 * The loop-optimised Pool/PoolBackward against a plain per-element reference of
 * MatConvNet's semantics (pooling_cpu.cpp), except for NaN and all −∞
 * windows (kernels/pool.ts: v wins over m when v > m or v is NaN and m is not;
 * the backward's first element always wins): bit for bit, on data with ties,
 * ±0, NaN and −∞, over clipped, padded, overlapping and strided windows.
 */
const wins = (v: number, m: number) => v > m || (Number.isNaN(v) && !Number.isNaN(m));

type Geometry = [n: number, h: number, w: number, c: number];

function reference(x: ArrayLike<number>, dy: ArrayLike<number> | null, [n, h, w, c]: Geometry, a: PoolAttrs, round: (v: number) => number) {
  const [ph, pw] = a.poolSize;
  const [top, bottom, left, right] = a.pad;
  const [sy, sx] = a.stride;
  const ho = Math.floor((h + top + bottom - ph) / sy) + 1;
  const wo = Math.floor((w + left + right - pw) / sx) + 1;
  const y = new Array<number>(n * ho * wo * c).fill(0);
  const dx = new Array<number>(n * h * w * c).fill(0);
  const at = (b: number, i: number, j: number, k: number) => ((b * h + i) * w + j) * c + k;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let k = 0; k < c; k++) {
          const o = ((b * ho + oy) * wo + ox) * c + k;
          const [y1, y2] = [Math.max(oy * sy - top, 0), Math.min(oy * sy - top + ph, h)];
          const [x1, x2] = [Math.max(ox * sx - left, 0), Math.min(ox * sx - left + pw, w)];
          const scale = 1 / ((y2 - y1) * (x2 - x1));
          let m = Number.NEGATIVE_INFINITY;
          let s = 0;
          let best = -1;
          for (let i = y1; i < y2; i++)
            for (let j = x1; j < x2; j++) {
              const v = x[at(b, i, j, k)]!;
              if (wins(v, m)) m = v;
              s = round(s + v);
              if (dy && a.method === 'avg') dx[at(b, i, j, k)] = round(dx[at(b, i, j, k)]! + dy[o]! * scale);
            }
          // The forward's maximum (row by row); the backward's position is found column by column.
          const rowMax = m;
          m = Number.NEGATIVE_INFINITY;
          for (let j = x1; j < x2; j++)
            for (let i = y1; i < y2; i++)
              if (best < 0 || wins(x[at(b, i, j, k)]!, m)) {
                m = x[at(b, i, j, k)]!;
                best = at(b, i, j, k);
              }
          y[o] = a.method === 'max' ? rowMax : round(s * scale);
          if (dy && a.method === 'max' && best >= 0) dx[best] = round(dx[best]! + dy[o]!);
        }
  return { y, dx, ho, wo };
}

/** Values from a small set, so windows hold ties, ±0, NaN and −∞. */
function values(rng: Rng, size: number): number[] {
  const pool = [0, -0, 0, -0, 1, 1, -1, Number.NaN, Number.NEGATIVE_INFINITY, -2.25];
  return Array.from(rng.rand(size), (u) => (u < 0.8 ? pool[Math.floor(u * 12.5)]! : Math.fround(u * 7 - 4)));
}

const bits = (v: ArrayLike<number>) => Array.from(v, (e) => (Object.is(e, -0) ? '-0' : String(e)));

const cases: { name: string; shape: Geometry; attrs: Omit<PoolAttrs, 'method'> }[] = [
  { name: '2×2 stride 2 (LeNet)', shape: [2, 6, 6, 3], attrs: { poolSize: [2, 2], pad: [0, 0, 0, 0], stride: [2, 2] } },
  { name: '3×2 overlapping, stride 1×2, uneven pad', shape: [2, 5, 7, 4], attrs: { poolSize: [3, 2], pad: [1, 2, 0, 1], stride: [1, 2] } },
  { name: 'window larger than the image, one channel', shape: [1, 3, 2, 1], attrs: { poolSize: [4, 5], pad: [2, 2, 3, 3], stride: [3, 2] } },
  { name: 'windows wholly in the padding', shape: [1, 2, 2, 2], attrs: { poolSize: [1, 1], pad: [1, 1, 1, 1], stride: [1, 1] } },
  { name: '3×3 stride 2, pad 1, six channels (four at a time, then two)', shape: [3, 7, 6, 6], attrs: { poolSize: [3, 3], pad: [1, 1, 1, 1], stride: [2, 2] } },
  // Windows that tile the image (stride = window, no padding): the backward stores every dx element once.
  { name: '2×2 stride 2 tiling, seven channels', shape: [2, 6, 8, 7], attrs: { poolSize: [2, 2], pad: [0, 0, 0, 0], stride: [2, 2] } },
  { name: '3×2 stride 3×2 tiling, five channels', shape: [2, 6, 4, 5], attrs: { poolSize: [3, 2], pad: [0, 0, 0, 0], stride: [3, 2] } },
  { name: '3×3 stride 3 tiling, four channels', shape: [2, 6, 9, 4], attrs: { poolSize: [3, 3], pad: [0, 0, 0, 0], stride: [3, 3] } },
  { name: '2×2 stride 2 on an odd image (last row and column in no window)', shape: [2, 7, 5, 4], attrs: { poolSize: [2, 2], pad: [0, 0, 0, 0], stride: [2, 2] } },
  { name: '3×3 stride 2 (AlexNet), nine channels', shape: [2, 9, 9, 9], attrs: { poolSize: [3, 3], pad: [0, 0, 0, 0], stride: [2, 2] } },
];

describe.each([
  ['float32', 1],
  ['float32', 2],
  ['float64', 1],
] as [DType, number][])('Pool and PoolBackward (%s, %i threads) match the per-element reference bit for bit', (dtype, threads) => {
  const cpu = createCpuBackend({ dtype, threads });
  afterAll(() => cpu.dispose());
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  for (const [index, { name, shape, attrs }] of cases.entries()) {
    for (const method of ['max', 'avg'] as const) {
      it(`${method}, ${name}`, () => {
        const rng = new Rng(100 + index);
        const a: PoolAttrs = { method, ...attrs };
        const size = shape.reduce((p, q) => p * q, 1);
        const xs = values(rng, size);
        const x = cpu.tensor(xs, shape);
        const ref0 = reference(cpu.readSync(x), null, shape, a, round);
        const dys = Array.from(rng.randn(ref0.y.length), (v) => (v > 1.5 ? -0 : v));
        const dy = cpu.tensor(dys, [shape[0], ref0.ho, ref0.wo, shape[3]]);
        const ref = reference(cpu.readSync(x), cpu.readSync(dy), shape, a, round);
        const y = cpu.run('Pool', { x }, a);
        expect(y.shape).toEqual([shape[0], ref.ho, ref.wo, shape[3]]);
        expect(bits(cpu.readSync(y))).toEqual(bits(ref.y));
        expect(bits(cpu.readSync(cpu.run('PoolBackward', { x, dy }, a)))).toEqual(bits(ref.dx));
      });
    }
  }

  it('reads a non-contiguous input (a view) like its copy', () => {
    const rng = new Rng(7);
    const base = cpu.tensor(values(rng, 2 * 4 * 4 * 3), [2, 4, 4, 3]);
    const view = cpu.fromNdarray(cpu.ndarray(base).transpose(0, 2, 1, 3));
    const copy = cpu.tensor(cpu.readSync(view), [2, 4, 4, 3]);
    const a: PoolAttrs = { method: 'max', poolSize: [2, 3], pad: [0, 1, 1, 0], stride: [1, 2] };
    expect(bits(cpu.readSync(cpu.run('Pool', { x: view }, a)))).toEqual(bits(cpu.readSync(cpu.run('Pool', { x: copy }, a))));
  });
});

describe('float32 max pooling split over threads and passes', () => {
  afterEach(() => {
    setRowsTuning();
    setPassFloats();
  });

  it('gives the reference bits with 3 threads, whole images each, in passes of one image per thread', () => {
    const cpu = createCpuBackend({ dtype: 'float32', threads: 3 });
    for (const [index, { shape, attrs }] of cases.entries()) {
      const rng = new Rng(200 + index);
      const a: PoolAttrs = { method: 'max', ...attrs };
      // Seven images, so that shares differ (3, 2, 2) and the passes do too.
      const geometry: Geometry = [7, shape[1], shape[2], shape[3]];
      const x = cpu.tensor(values(rng, geometry.reduce((p, q) => p * q, 1)), geometry);
      const ref0 = reference(cpu.readSync(x), null, geometry, a, Math.fround);
      const dy = cpu.tensor(Array.from(rng.randn(ref0.y.length), (v) => (v > 1.5 ? -0 : v)), [7, ref0.ho, ref0.wo, shape[3]]);
      const ref = reference(cpu.readSync(x), cpu.readSync(dy), geometry, a, Math.fround);
      for (const passFloats of [2 ** 22, 1]) {
        setRowsTuning({ wasmMin: 0, perThread: 1 }, ['pool']);
        setPassFloats(passFloats);
        const calls = cpu.workerCalls;
        expect(bits(cpu.readSync(cpu.run('Pool', { x }, a))), `case ${index}, pass ${passFloats}`).toEqual(bits(ref.y));
        expect(bits(cpu.readSync(cpu.run('PoolBackward', { x, dy }, a))), `case ${index}, pass ${passFloats}`).toEqual(bits(ref.dx));
        expect(cpu.workerCalls).toBeGreaterThan(calls);
      }
    }
    cpu.dispose();
  });
});

describe('bad sizes', () => {
  it('PoolBackward refuses a dy without n·Ho·Wo·C values, Pool a tensor that is not NHWC', () => {
    const cpu = createCpuBackend({ dtype: 'float32', threads: 1 });
    const a: PoolAttrs = { method: 'max', poolSize: [2, 2], pad: [0, 0, 0, 0], stride: [2, 2] };
    const x = cpu.zeros([2, 6, 6, 3]);
    expect(() => cpu.run('PoolBackward', { x, dy: cpu.zeros([2, 3, 2, 3]) }, a)).toThrow(
      'PoolBackward: dy of 54 values expected (shape [2, 3, 3, 3] for x of shape [2, 6, 6, 3]), got shape [2, 3, 2, 3]',
    );
    expect(() => cpu.run('Pool', { x: cpu.zeros([6, 6, 3]) }, a)).toThrow('Pool: x of rank 4 (NHWC images) expected, got shape [6, 6, 3]');
    cpu.dispose();
  });
});

describe('outputs in reused arrays', () => {
  afterEach(() => setRowsTuning());

  it('hold no trace of the tensor that last used the array, in the module and in the loops', () => {
    const cpu = createCpuBackend({ dtype: 'float32', threads: 1 });
    const rng = new Rng(11);
    const shape = [4, 64, 64, 4];
    const x = cpu.tensor(values(rng, 4 * 64 * 64 * 4), shape);
    for (const loops of [false, true]) {
      if (loops) setRowsTuning({ wasmMin: Number.POSITIVE_INFINITY }, ['pool', 'avgPoolBackward']);
      for (const method of ['max', 'avg'] as const) {
        // Overlapping windows (the loops and the module add into dx) and tiling ones (the module stores it).
        for (const [p, s] of [[3, 2], [2, 2]] as const) {
          const a: PoolAttrs = { method, poolSize: [p, p], pad: [0, 0, 0, 0], stride: [s, s] };
          const y = cpu.run('Pool', { x }, a);
          const dy = cpu.tensor(Array.from(rng.randn(y.size)), y.shape);
          const want = [bits(cpu.readSync(y)), bits(cpu.readSync(cpu.run('PoolBackward', { x, dy }, a)))];
          // Arrays of the outputs' lengths, full of NaN, released for the next allocations to reuse.
          cpu.fill(y.shape, Number.NaN).dispose();
          cpu.fill(shape, Number.NaN).dispose();
          const got = [bits(cpu.readSync(cpu.run('Pool', { x }, a))), bits(cpu.readSync(cpu.run('PoolBackward', { x, dy }, a)))];
          expect(got, `${method} ${p}×${p}/${s}, loops ${loops}`).toEqual(want);
        }
      }
    }
    cpu.dispose();
  });
});
