import { type PoolAttrs, Rng } from '@convnet-ts/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { setClaimedTasks } from './conv-tasks.js';
import { createCpuBackend } from './index.js';
import { moduleFloat32, setModuleArrayBudget } from './module-arrays.js';
import { channelSumsBlocked, setPassFloats, setRowsTuning, sumBlockRows } from './rows-wasm.js';
import { gemmInstance } from './wasm-instance.js';

/**
 * The module's kernels of the LeNet step other than the convolutions
 * (pool-max.part.wat's 2×2 stride-2 paths, kernels-rows.part.wat's channel
 * sums, Axpby and `has_tiny`) against the TypeScript loops or per-element
 * formulas, bit for bit,
 * on data where most windows hold no special value (so the fast scans run)
 * and some hold NaN, ±∞, ±0 and ties (so the full rule runs too), on 1, 2
 * and 3 threads, claimed and static dispatch, resident and copied operands.
 */
const bits = (v: ArrayLike<number>) => Array.from(v, (e) => (Object.is(e, -0) ? '-0' : String(e)));

afterEach(() => {
  setRowsTuning();
  setPassFloats();
  setModuleArrayBudget();
  setClaimedTasks(true);
});

/**
 * Max pooling and its derivative by kernels/pool.ts's loops (the module's
 * route turned off; pool.test.ts checks the loops against MatConvNet's rules
 * element by element): y, dx, and the output's size.
 */
function maxPoolReference(xs: number[], dys: number[] | null, shape: number[], a: PoolAttrs) {
  const be = createCpuBackend({ dtype: 'float32', threads: 1 });
  setRowsTuning({ wasmMin: Number.POSITIVE_INFINITY }, ['pool']);
  const x = be.tensor(xs, shape);
  const y = be.run('Pool', { x }, a);
  const [, ho, wo] = y.shape as [number, number, number, number];
  const dx = dys === null ? [] : be.readSync(be.run('PoolBackward', { x, dy: be.tensor(dys, y.shape) }, a));
  const out = { y: Array.from(be.readSync(y)), dx: Array.from(dx), ho, wo };
  setRowsTuning();
  be.dispose();
  return out;
}

/** Float32 normals, with ties (values of a small set) and, where `special`, one window element in 50 a NaN, ±∞ or ±0. */
function poolValues(rng: Rng, size: number, special: boolean): number[] {
  const set = [0, -0, 1, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2.5];
  return Array.from(rng.rand(size), (u, i) => {
    if (special && u < 0.02) return set[i % set.length]!;
    if (u < 0.1) return 1.5;
    return Math.fround(u * 8 - 4);
  });
}

describe('max pooling 2×2 at stride 2 (LeNet) and its derivative', () => {
  const shapes: [string, number[], PoolAttrs][] = [
    ['tiling, C = 20 (pool1)', [3, 8, 6, 20], { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }],
    ['tiling, C = 50 (pool2: the last four channels overlap)', [3, 8, 8, 50], { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }],
    ['tiling, C = 4', [2, 4, 6, 4], { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }],
    ['tiling, C = 5', [2, 6, 4, 5], { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }],
    ['tiling, C = 3 (the general loops)', [2, 6, 4, 3], { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }],
    ['odd image, C = 7 (the last row and column in no window)', [2, 7, 9, 7], { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] }],
    ['bottom and right padding, C = 8 (clipped windows)', [2, 7, 5, 8], { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [0, 1, 0, 1] }],
    ['top padding, C = 6', [2, 6, 6, 6], { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [1, 1, 0, 0] }],
  ];
  for (const special of [false, true]) {
    for (const [name, shape, attrs] of shapes) {
      it(`${name}${special ? ', NaN, ±∞, ±0 and ties' : ', ties'}: the reference's bits on 1–3 threads, claimed and static, resident and copied`, () => {
        const size = shape.reduce((a, b) => a * b, 1);
        const rng = new Rng(shape[3]! * 7 + (special ? 1 : 0));
        const xs = poolValues(rng, size, special);
        const ref0 = maxPoolReference(xs, null, shape, attrs);
        const dys = Array.from(rng.randn(ref0.y.length), (v, i) => (i % 13 === 0 ? -0 : Math.fround(v)));
        const ref = maxPoolReference(xs, dys, shape, attrs);
        for (const threads of [1, 2, 3]) {
          const be = createCpuBackend({ dtype: 'float32', threads });
          for (const budget of [undefined, 0]) {
            setModuleArrayBudget(budget);
            for (const claimed of [true, false]) {
              setClaimedTasks(claimed);
              setRowsTuning({ wasmMin: 0, perThread: 1 }, ['pool']);
              const x = be.tensor(xs, shape);
              const dy = be.tensor(dys, [shape[0]!, ref.ho, ref.wo, shape[3]!]);
              const where = `${threads} threads, budget ${budget}, claimed ${claimed}`;
              expect(bits(be.readSync(be.run('Pool', { x }, attrs))), where).toEqual(bits(ref.y));
              expect(bits(be.readSync(be.run('PoolBackward', { x, dy }, attrs))), where).toEqual(bits(ref.dx));
            }
          }
          be.dispose();
        }
      });
    }
  }

  it('one image per pass on LeNet pool1\'s size gives the bits of one pass', () => {
    const shape = [4, 24, 24, 20];
    const attrs: PoolAttrs = { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] };
    const rng = new Rng(3);
    const xs = poolValues(rng, 4 * 24 * 24 * 20, true);
    const ref0 = maxPoolReference(xs, null, shape, attrs);
    const dys = Array.from(rng.randn(ref0.y.length), Math.fround);
    const ref = maxPoolReference(xs, dys, shape, attrs);
    const be = createCpuBackend({ dtype: 'float32', threads: 2 });
    setModuleArrayBudget(0);
    setPassFloats(1);
    const x = be.tensor(xs, shape);
    const dy = be.tensor(dys, [4, 12, 12, 20]);
    expect(bits(be.readSync(be.run('Pool', { x }, attrs)))).toEqual(bits(ref.y));
    expect(bits(be.readSync(be.run('PoolBackward', { x, dy }, attrs)))).toEqual(bits(ref.dx));
    be.dispose();
  });
});

describe('bias sums (ReduceSum over N, H, W)', () => {
  const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e-45, 3.4e38, 3.4e38];
  for (const c of [1, 3, 4, 5, 7, 10, 16, 20, 31, 32, 33, 36, 50, 64, 500]) {
    it(`C = ${c}: the blocked order's bits (several blocks, the last short) on 1, 2 and 3 threads, resident and copied`, () => {
      const rows = 2 * sumBlockRows(c) + 5;
      const rng = new Rng(c);
      const xs = Float32Array.from(rng.randn(rows * c), (v) => v * 100);
      // Special values in one channel, overflow in another: their sums are NaN, ±∞.
      if (c > 2) for (let i = 0; i < specials.length; i++) xs[(i * 97 % rows) * c + 1] = specials[i]!;
      const want = new Float32Array(c);
      channelSumsBlocked(xs, c, want);
      for (const threads of [1, 2, 3]) {
        const be = createCpuBackend({ dtype: 'float32', threads });
        for (const budget of [undefined, 0]) {
          setModuleArrayBudget(budget);
          // Copied x splits from perThread, resident x (nothing copied) from sharedPerThread: every block a task here.
          setRowsTuning({ wasmMin: 0, perThread: 1, sharedPerThread: 1 }, ['sums']);
          const x = be.tensor(xs, [1, rows, 1, c]);
          const calls = be.workerCalls;
          expect(bits(be.readSync(be.run('ReduceSum', { x }, { axes: [0, 1, 2] }))), `${threads} threads, budget ${budget}`).toEqual(bits(want));
          if (threads > 1) expect(be.workerCalls, `${threads} threads, budget ${budget}: the workers summed blocks`).toBeGreaterThan(calls);
        }
        be.dispose();
      }
    });
  }
});

describe('bias sums: who splits them', () => {
  it('a resident x over the threads from sharedPerThread (nothing copied), a copied one from perThread (this thread copies), the same bits', () => {
    const c = 20;
    const rows = 4 * sumBlockRows(c) + 3;
    const xs = Float32Array.from(new Rng(7).randn(rows * c));
    const want = new Float32Array(c);
    channelSumsBlocked(xs, c, want);
    for (const threads of [2, 3]) {
      const be = createCpuBackend({ dtype: 'float32', threads });
      for (const [budget, split] of [[undefined, true], [0, false]] as const) {
        setModuleArrayBudget(budget);
        setRowsTuning({ wasmMin: 0, perThread: Number.POSITIVE_INFINITY, sharedPerThread: sumBlockRows(c) * c }, ['sums']);
        const x = be.tensor(xs, [1, rows, 1, c]);
        const calls = be.workerCalls;
        expect(bits(be.readSync(be.run('ReduceSum', { x }, { axes: [0, 1, 2] }))), `${threads} threads, budget ${budget}`).toEqual(bits(want));
        expect(be.workerCalls > calls, `${threads} threads, budget ${budget}: the workers ran`).toBe(split);
      }
      be.dispose();
    }
  });
});

describe('Axpby (the SGD update)', () => {
  for (const [alpha, beta] of [[1, -0.01], [0.9, -0.01], [1, 0], [-1, 3]] as [number, number][]) {
    it(`alpha ${alpha}, beta ${beta}: fround(alpha·x + beta·y) in float64, special values, an odd length`, () => {
      const n = 10007;
      const rng = new Rng(9);
      const xs = Float32Array.from(rng.randn(n));
      const ys = Float32Array.from(rng.randn(n), (v) => v * 1e30);
      const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1e-45, 3.4e38];
      specials.forEach((s, i) => {
        xs[i * 31] = s;
        ys[i * 43 + 5] = s;
        xs[n - 1 - i] = s;
      });
      const want = Array.from(xs, (x, i) => Math.fround(alpha * x + beta * ys[i]!));
      for (const budget of [undefined, 0]) {
        setModuleArrayBudget(budget);
        const be = createCpuBackend({ dtype: 'float32', threads: 1 });
        const x = be.tensor(xs, [n]);
        const y = be.tensor(ys, [n]);
        expect(bits(be.readSync(be.run('Axpby', { x, y }, { alpha, beta }))), `budget ${budget}`).toEqual(bits(want));
        be.dispose();
      }
    });
  }
});

describe('has_tiny (gemm-scaling.ts\'s test for tiny elements)', () => {
  it('is 1 exactly where an element\'s magnitude lies in (0, 2^-64), wherever it is (vector part, tail)', () => {
    const inst = gemmInstance();
    const a = inst === null ? null : moduleFloat32(64);
    if (inst === null || a === null) return;
    const hasTiny = (inst.exports as unknown as { has_tiny: (at: number, count: number, tBits: number) => number }).has_tiny;
    const at = a.byteOffset;
    const tBits = (127 - 64) << 23;
    const near = [2 ** -64, -(2 ** -64), Math.fround(2 ** -64 * (1 - 2 ** -24)), -(2 ** -100), 1e-45, -1e-45, 2 ** -126, 0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1];
    for (const count of [0, 1, 3, 16, 17, 35, 64]) {
      for (const v of near) {
        for (const pos of [0, count - 1, Math.floor(count / 2)]) {
          if (pos < 0 || pos >= count) continue;
          a.fill(1);
          a[pos] = v;
          const tiny = Math.abs(v) > 0 && Math.abs(v) < 2 ** -64;
          expect(hasTiny(at, count, tBits), `${v} at ${pos} of ${count}`).toBe(tiny ? 1 : 0);
        }
      }
    }
  });
});
