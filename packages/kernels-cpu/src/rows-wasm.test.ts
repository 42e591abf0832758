import { type KernelAttrs, type KernelName, type PoolAttrs, Rng, type Tensor } from '@convnet-ts/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { createCpuBackend } from './index.js';
import { setModuleArrayBudget } from './module-arrays.js';
import { channelSumsBlocked, instanceFor, setPassFloats, setRowsTuning, sumBlockRows, threadsFor } from './rows-wasm.js';

/**
 * The WebAssembly paths of the float32 element-wise and per-channel kernels
 * (rows-wasm.ts, wasm/kernels-rows.part.wat) against the TypeScript loops,
 * value for value (NaN as NaN, −0 as −0), on one thread and on three, with
 * the thresholds lowered so that small tensors take them; and that the
 * default thresholds keep small tensors off the workers.
 */
const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, 1, -1];
const bits = (v: ArrayLike<number>) => Array.from(v, (e) => (Object.is(e, -0) ? '-0' : String(e)));

function values(rng: Rng, n: number, special: boolean): number[] {
  const v = Array.from(rng.randn(n), Math.fround);
  if (special) for (let i = 0; i < specials.length; i++) v[(i * 37) % n] = specials[i]!;
  return v;
}

afterEach(() => {
  setRowsTuning();
  setPassFloats();
  setModuleArrayBudget();
});

/** Tensors in the module's memory (read in place), then on plain arrays (copied through the arena in passes). */
const residencies = [
  ['resident', undefined],
  ['plain', 0],
] as const;

type Case = { name: string; run: (t: (v: number[], shape: number[]) => Tensor) => Tensor[] };

const shape = [3, 7, 9, 13];
const size = 3 * 7 * 9 * 13;

function cases(be: ReturnType<typeof createCpuBackend>): Case[] {
  const k = <K extends KernelName>(name: K, inputs: Parameters<typeof be.run<K>>[1], attrs: KernelAttrs<K>) => be.run(name, inputs, attrs);
  const list: Case[] = [];
  for (const special of [false, true]) {
    const tag = special ? ' (NaN, ±∞, ±0, denormals)' : '';
    for (const leak of [0, 0.1]) {
      list.push({
        name: `Relu and ReluBackward, leak ${leak}${tag}`,
        run: (t) => {
          const rng = new Rng(1);
          const x = t(values(rng, size, special), shape);
          const dy = t(values(rng, size, special), shape);
          return [k('Relu', { x }, { leak }), k('ReluBackward', { x, dy }, { leak })];
        },
      });
    }
    list.push({
      name: `Axpby${tag}`,
      run: (t) => {
        const rng = new Rng(2);
        const x = t(values(rng, size, special), shape);
        const y = t(values(rng, size, special), shape);
        return [k('Axpby', { x, y }, { alpha: 0.9, beta: -0.001 }), k('Axpby', { x, y }, { alpha: 1, beta: 1e-30 })];
      },
    });
    list.push({
      name: `Bnorm and BnormBackward, batch moments and given ones${tag}`,
      run: (t) => {
        const rng = new Rng(3);
        const x = t(values(rng, size, special), shape);
        const dy = t(values(rng, size, special), shape);
        const g = t(values(rng, 13, false), [13]);
        const b = t(values(rng, 13, false), [13]);
        const moments = t(Array.from({ length: 26 }, (_, i) => (i % 2 === 0 ? 0.1 * i : 0.5 + i)), [13, 2]);
        const f = k('Bnorm', { x, g, b, moments: null }, { epsilon: 1e-4 });
        const given = k('Bnorm', { x, g, b, moments }, { epsilon: 1e-4 });
        const back = k('BnormBackward', { x, g, b, dy, moments: null }, { epsilon: 1e-4 });
        const backGiven = k('BnormBackward', { x, g, b, dy, moments }, { epsilon: 1e-4 });
        return [f.y, f.moments, given.y, back.dx, back.dg, back.db, backGiven.dx];
      },
    });
  }
  return list;
}

describe.each([1, 3])('float32 kernels in WebAssembly on %i thread(s)', (threads) => {
  it('give the loops\' values', () => {
    const be = createCpuBackend({ threads });
    const t = (v: number[], s: number[]) => be.tensor(v, s);
    for (const c of cases(be)) {
      setRowsTuning({ wasmMin: Number.POSITIVE_INFINITY });
      const want = c.run(t).map((r) => bits(r.dataSync()));
      setRowsTuning({ wasmMin: 0, perThread: 1 });
      const calls = be.workerCalls;
      const got = c.run(t).map((r) => bits(r.dataSync()));
      expect(got, c.name).toEqual(want);
      if (threads > 1) expect(be.workerCalls, `${c.name}: the workers ran`).toBeGreaterThan(calls);
    }
    be.dispose();
  });

  it('sum channels in fixed blocks whatever the threads (the bias derivative)', () => {
    const be = createCpuBackend({ threads });
    const rng = new Rng(4);
    for (const c of [1, 3, 20, 50]) {
      const rows = 3 * sumBlockRows(c) + 17;
      const v = values(rng, rows * c, false);
      const x = be.tensor(v, [rows, 1, 1, c]);
      setRowsTuning({ wasmMin: 0, perThread: 1 });
      const got = be.run('ReduceSum', { x }, { axes: [0, 1, 2] }).dataSync();
      const want = new Float32Array(c);
      channelSumsBlocked(Float32Array.from(v), c, want);
      expect(bits(got), `C = ${c}`).toEqual(bits(want));
      setRowsTuning();
      expect(bits(be.run('ReduceSum', { x }, { axes: [0, 1, 2] }).dataSync()), `C = ${c}, default thresholds`).toEqual(bits(want));
      // Close to the float64 sums.
      for (let k = 0; k < c; k++) {
        let s = 0;
        let a = 0;
        for (let r = 0; r < rows; r++) {
          s += v[r * c + k]!;
          a += Math.abs(v[r * c + k]!);
        }
        expect(Math.abs(got[k]! - s)).toBeLessThanOrEqual(1e-6 * a);
      }
    }
    const special = be.tensor([Number.NaN, 1, Number.POSITIVE_INFINITY, 2, -0, -0, 1, Number.NEGATIVE_INFINITY], [4, 1, 1, 2]);
    setRowsTuning({ wasmMin: 0, perThread: 1 });
    expect(bits(be.run('ReduceSum', { x: special }, { axes: [0, 1, 2] }).dataSync())).toEqual(['NaN', '-Infinity']);
    expect(bits(be.run('ReduceSum', { x: be.tensor([-0, -0], [2, 1, 1, 1]) }, { axes: [0, 1, 2] }).dataSync())).toEqual(['0']);
    be.dispose();
  });

  it('batch-normalise with sums in fixed blocks whatever the threads, near the float64 loops', () => {
    const be = createCpuBackend({ threads });
    const rng = new Rng(7);
    for (const c of [1, 3, 20]) {
      const rows = 3 * sumBlockRows(c) + 17;
      const xs = values(rng, rows * c, false).map((v) => 3 + v);
      const dys = values(rng, rows * c, false);
      const gs = values(rng, c, false);
      const bs = values(rng, c, false);
      const run = (b: typeof be) => {
        const t = (v: number[], s: number[]) => b.tensor(v, s);
        const [x, dy, g, bias] = [t(xs, [rows, 1, 1, c]), t(dys, [rows, 1, 1, c]), t(gs, [c]), t(bs, [c])];
        const f = b.run('Bnorm', { x, g, b: bias, moments: null }, { epsilon: 1e-4 });
        const d = b.run('BnormBackward', { x, g, b: bias, dy, moments: null }, { epsilon: 1e-4 });
        return [f.y, f.moments, d.dx, d.dg, d.db].map((r) => Array.from(r.dataSync()));
      };
      setRowsTuning({ wasmMin: Number.POSITIVE_INFINITY });
      const loops = run(be);
      setRowsTuning({ wasmMin: 0, perThread: 1 });
      const calls = be.workerCalls;
      expect(run(be).map(bits), `C = ${c}`).toEqual(loops.map(bits));
      if (threads > 1) expect(be.workerCalls).toBeGreaterThan(calls);
      // A float64 backend would set the process's thread count while it lives: made and disposed here.
      const f64 = createCpuBackend({ dtype: 'float64', threads: 1 });
      const exact = run(f64);
      f64.dispose();
      loops.forEach((got, i) => {
        const e = exact[i]!;
        const scale = e.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const error = got.reduce((m, v, j) => Math.max(m, Math.abs(v - e[j]!)), 0);
        expect(error, `C = ${c}, output ${i}`).toBeLessThanOrEqual(1e-5 * scale);
      });
    }
    be.dispose();
  });

  it('pool averages with the loops\' rounding, whole images per thread', () => {
    const be = createCpuBackend({ threads });
    setRowsTuning({ wasmMin: 0, perThread: 1 });
    const calls = be.workerCalls;
    const rng = new Rng(5);
    const s = [5, 7, 8, 6];
    const xs = values(rng, 5 * 7 * 8 * 6, true);
    for (const a of [
      { method: 'avg', poolSize: [2, 2], pad: [0, 0, 0, 0], stride: [2, 2] },
      { method: 'avg', poolSize: [3, 2], pad: [1, 2, 0, 1], stride: [2, 1] },
    ] as PoolAttrs[]) {
      const x = be.tensor(xs, s);
      const y = be.run('Pool', { x }, a);
      const dy = be.tensor(values(rng, y.size, true), y.shape);
      const dx = be.run('PoolBackward', { x, dy }, a);
      const want = avgReference(xs, cpuRead(dy), s, a);
      expect(bits(y.dataSync())).toEqual(bits(want.y));
      expect(bits(dx.dataSync())).toEqual(bits(want.dx));
    }
    if (threads > 1) expect(be.workerCalls).toBeGreaterThan(calls);
    be.dispose();
  });
});

describe.each(residencies)('%s tensors larger than one pass through the module\'s memory', (_, budget) => {
  it('give the values of one pass', () => {
    setModuleArrayBudget(budget);
    const be = createCpuBackend({ threads: 3 });
    const rng = new Rng(8);
    const c = 5;
    const rows = 2 * sumBlockRows(c) + 7;
    const x = be.tensor(values(rng, rows * c, true), [rows, 1, 1, c]);
    const dy = be.tensor(values(rng, rows * c, true), [rows, 1, 1, c]);
    const g = be.tensor(values(rng, c, false), [c]);
    const b = be.tensor(values(rng, c, false), [c]);
    const run = () => {
      const f = be.run('Bnorm', { x, g, b, moments: null }, { epsilon: 1e-4 });
      const d = be.run('BnormBackward', { x, g, b, dy, moments: null }, { epsilon: 1e-4 });
      const outs = [
        be.run('Relu', { x }, { leak: 0.1 }),
        be.run('Axpby', { x, y: dy }, { alpha: 0.5, beta: 3 }),
        be.run('ReduceSum', { x: dy }, { axes: [0, 1, 2] }),
        f.y, f.moments, d.dx, d.dg, d.db,
      ];
      return outs.map((t) => bits(t.dataSync()));
    };
    setRowsTuning({ wasmMin: 0, perThread: 1 });
    const one = run();
    // Passes of a block of sums (and of 137 rows, 408 elements) at a time.
    setPassFloats(sumBlockRows(c) * c + 2 * c);
    expect(run()).toEqual(one);
    setPassFloats(1000);
    expect(run()).toEqual(one);
    setRowsTuning({ wasmMin: Number.POSITIVE_INFINITY });
    expect(run()).toEqual(one);
    be.dispose();
  });
});

describe('default thresholds', () => {
  it('keep small tensors in the loops, off the workers', () => {
    const be = createCpuBackend({ threads: 3 });
    const x = be.tensor(values(new Rng(6), 1000, true), [10, 1, 1, 100]);
    const calls = be.workerCalls;
    be.run('Relu', { x }, { leak: 0 });
    be.run('Axpby', { x, y: x }, { alpha: 1, beta: 2 });
    be.run('ReduceSum', { x }, { axes: [0, 1, 2] });
    const p = be.run('Pool', { x: be.tensor(values(new Rng(7), 2 * 8 * 8 * 4, true), [2, 8, 8, 4]) }, { method: 'max', poolSize: [2, 2], pad: [0, 0, 0, 0], stride: [2, 2] });
    expect(p.shape).toEqual([2, 4, 4, 4]);
    expect(be.workerCalls).toBe(calls);
    be.dispose();
  });
});

const cpuRead = (t: Tensor) => Array.from(t.dataSync());

/** Average pooling and its derivative as kernels/pool.ts computes them in float32: per-element plain loops. */
function avgReference(x: number[], dy: number[], [n, h, w, c]: number[], a: PoolAttrs): { y: number[]; dx: number[] } {
  const [ph, pw] = a.poolSize;
  const [top, bottom, left, right] = a.pad;
  const [sy, sx] = a.stride;
  const ho = Math.floor((h! + top + bottom - ph) / sy) + 1;
  const wo = Math.floor((w! + left + right - pw) / sx) + 1;
  const y = new Array<number>(n! * ho * wo * c!).fill(0);
  const dx = new Array<number>(x.length).fill(0);
  const at = (b: number, i: number, j: number, k: number) => ((b * h! + i) * w! + j) * c! + k;
  for (let b = 0; b < n!; b++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++) {
        const [y1, y2] = [Math.max(oy * sy - top, 0), Math.min(oy * sy - top + ph, h!)];
        const [x1, x2] = [Math.max(ox * sx - left, 0), Math.min(ox * sx - left + pw, w!)];
        const scale = 1 / ((y2 - y1) * (x2 - x1));
        for (let k = 0; k < c!; k++) {
          const o = ((b * ho + oy) * wo + ox) * c! + k;
          let s = 0;
          for (let i = y1; i < y2; i++) for (let j = x1; j < x2; j++) s = Math.fround(s + x[at(b, i, j, k)]!);
          y[o] = Math.fround(s * scale);
          for (let i = y1; i < y2; i++)
            for (let j = x1; j < x2; j++) dx[at(b, i, j, k)] = Math.fround(dx[at(b, i, j, k)]! + dy[o]! * scale);
        }
      }
  return { y, dx };
}

describe.each(residencies)('ReLU, its derivative and Axpby at the default thresholds on %s tensors', (_, budget) => {
  it('take the module on tensors of several passes (plain) or one (resident) with a ragged tail, with the loops\' bits, never waking a worker', () => {
    setModuleArrayBudget(budget);
    const be = createCpuBackend({ threads: 3 });
    const rng = new Rng(9);
    // Two passes of 2^16 floats and 4·5 + 3 more: the last pass ends in a partial vector.
    const n = 2 * 2 ** 16 + 23;
    const x = be.tensor(values(rng, n, true), [n]);
    const y = be.tensor(values(rng, n, true), [n]);
    const run = () =>
      [
        be.run('Relu', { x }, { leak: 0 }),
        be.run('Relu', { x }, { leak: 0.1 }),
        be.run('ReluBackward', { x, dy: y }, { leak: 0 }),
        be.run('ReluBackward', { x, dy: y }, { leak: 0.1 }),
        be.run('Axpby', { x, y }, { alpha: 1, beta: -0.001 }),
      ].map((t) => bits(t.dataSync()));
    for (const kernel of ['relu', 'leakyRelu', 'axpby'] as const) {
      expect(instanceFor(kernel, n), kernel).not.toBeNull();
      expect(threadsFor(kernel, n), kernel).toBe(1);
    }
    const calls = be.workerCalls;
    const routed = run();
    expect(be.workerCalls).toBe(calls);
    setRowsTuning({ wasmMin: Number.POSITIVE_INFINITY });
    expect(routed).toEqual(run());
    be.dispose();
  });
});

describe('ReLU, its derivative and Axpby into reused arrays', () => {
  it('overwrite every element, in the module and in the loops', () => {
    const be = createCpuBackend({ threads: 1 });
    const rng = new Rng(12);
    const n = 3 * 2 ** 14 + 5;
    const x = be.tensor(values(rng, n, true), [n]);
    const y = be.tensor(values(rng, n, true), [n]);
    for (const wasmMin of [0, Number.POSITIVE_INFINITY]) {
      setRowsTuning({ wasmMin });
      for (const leak of [0, 0.1]) {
        const runs = [
          () => be.run('Relu', { x }, { leak }),
          () => be.run('ReluBackward', { x, dy: y }, { leak }),
          () => be.run('Axpby', { x, y }, { alpha: 0.5, beta: -2 }),
        ];
        for (const run of runs) {
          const want = bits(run().dataSync());
          be.fill([n], Number.NaN).dispose();
          expect(bits(run().dataSync())).toEqual(want);
        }
      }
    }
    be.dispose();
  });
});
