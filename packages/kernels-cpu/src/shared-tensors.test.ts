import { type PoolAttrs, Rng, type Tensor } from '@convnet-ts/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REUSE_MAX_BYTES, REUSE_MAX_BYTES_SHARED, SHARED_MIN_ELEMENTS, setSharedTensorBudget, sharedTensorBytes } from './cpu-backend.js';
import { createCpuBackend } from './index.js';
import { isModuleArray, moduleArrayBytes, setModuleArrayBudget } from './module-arrays.js';
import { setPassFloats, setRowsTuning } from './rows-wasm.js';

/**
 * Tensors on SharedArrayBuffers (backends with more than one thread, in
 * Node) and the maps that split them over the threads, each thread copying
 * its own range through the module (shared-tasks.ts; the tensors kept out
 * of the module's memory with `setModuleArrayBudget(0)`): storage, reuse and
 * reads; ReLU, leaky ReLU, their derivatives, Axpby, max and average
 * pooling and their derivatives against a one-thread backend bit for bit
 * (NaN, ±∞, ±0, denormals; lengths not a multiple of 4, several passes).
 */
const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, 1, -1];
const bits = (v: ArrayLike<number>) => Array.from(v, (e) => (Object.is(e, -0) ? '-0' : String(e)));
const n = SHARED_MIN_ELEMENTS + 4 * 1000 + 3;

function values(rng: Rng, count: number): Float32Array {
  const v = Float32Array.from(rng.randn(count));
  for (let i = 0; i < specials.length * 50; i++) v[(i * 7919) % count] = specials[i % specials.length]!;
  return v;
}

afterEach(() => {
  setRowsTuning();
  setPassFloats();
  setModuleArrayBudget();
});

describe('tensors on SharedArrayBuffers', () => {
  it('puts large float32 tensors in the module memory (a SharedArrayBuffer), small ones and float64 ones on ArrayBuffers', () => {
    const two = createCpuBackend({ threads: 2 });
    const one = createCpuBackend({ threads: 1 });
    const f64 = createCpuBackend({ threads: 2, dtype: 'float64' });
    try {
      expect(two.sharedTensors).toBe(true);
      expect(two.moduleTensors).toBe(true);
      const big = two.zeros([n]);
      expect(isModuleArray(two.view(big).data)).toBe(true);
      expect(two.view(big).data.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(two.view(big).data).toBeInstanceOf(Float32Array);
      expect(two.view(two.zeros([SHARED_MIN_ELEMENTS / 4 - 1])).data.buffer).toBeInstanceOf(ArrayBuffer);
      expect(one.sharedTensors).toBe(false);
      expect(isModuleArray(one.view(one.zeros([n])).data)).toBe(true);
      expect(f64.sharedTensors).toBe(false);
      expect(f64.moduleTensors).toBe(false);
      expect(f64.view(f64.zeros([n])).data.buffer).toBeInstanceOf(ArrayBuffer);
    } finally {
      two.dispose();
      one.dispose();
      f64.dispose();
    }
  });

  it('gives plain arrays beyond the budget of shared bytes the garbage collector has not taken, and keeps more for reuse', () => {
    const be = createCpuBackend({ threads: 2 });
    try {
      expect(be.reuseMaxBytes).toBe(REUSE_MAX_BYTES_SHARED);
      expect(createCpuBackend({ threads: 1 }).reuseMaxBytes).toBe(REUSE_MAX_BYTES);
      // No room in the module's memory: the shared route is what is left.
      setModuleArrayBudget(moduleArrayBytes());
      setSharedTensorBudget(sharedTensorBytes() + 2 * 4 * n);
      const a = be.zeros([n]);
      const b = be.zeros([n]);
      const c = be.zeros([n]);
      expect(be.view(a).data.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(be.view(b).data.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(be.view(c).data.buffer).toBeInstanceOf(ArrayBuffer);
      // The maps fall back to the calling thread's route on it, with the same values.
      const y = be.run('Axpby', { x: a, y: c }, { alpha: 1, beta: 1 });
      expect(be.view(y).data.buffer).toBeInstanceOf(ArrayBuffer);
      // A disposed shared array is reused within the budget.
      const data = be.view(b).data;
      b.dispose();
      expect(be.view(be.zeros([n])).data).toBe(data);
    } finally {
      setSharedTensorBudget();
      be.dispose();
    }
  });

  it('reuses a disposed shared array (zeroed by alloc), and reads into plain arrays that can be transferred', async () => {
    const be = createCpuBackend({ threads: 2 });
    try {
      const a = be.fill([n], 3);
      const data = be.view(a).data;
      a.dispose();
      const b = be.zeros([n]);
      expect(be.view(b).data).toBe(data);
      expect(Array.from(be.view(b).data.subarray(0, 4))).toEqual([0, 0, 0, 0]);
      const c = be.tensor(values(new Rng(1), n), [n]);
      const read = be.readSync(c);
      expect(read.buffer).toBeInstanceOf(ArrayBuffer);
      expect(bits(read)).toEqual(bits(be.view(c).data));
      // A transfer detaches a plain buffer; a SharedArrayBuffer's view could not be transferred.
      const copy = structuredClone(read, { transfer: [read.buffer] });
      expect(read.length).toBe(0);
      expect(copy.length).toBe(n);
      expect((await c.data()).buffer).toBeInstanceOf(ArrayBuffer);
    } finally {
      be.dispose();
    }
  });
});

describe('maps over shared tensors on the threads', () => {
  // Shared tensors outside the module's memory (resident ones run in place: rows-resident.test.ts).
  beforeEach(() => setModuleArrayBudget(0));
  for (const threads of [2, 3]) {
    it(`Relu, ReluBackward (leak 0 and 0.1) and Axpby give the one-thread bits at ${threads} threads`, () => {
      const be = createCpuBackend({ threads });
      const ref = createCpuBackend({ threads: 1 });
      // Two threads from 2·2^14 elements, so that these tensors split over all of them.
      setRowsTuning({ sharedPerThread: 2 ** 14 }, ['relu', 'leakyRelu', 'axpby']);
      try {
        const rng = new Rng(7 + threads);
        const xv = values(rng, n);
        const yv = values(rng, n);
        const runs: [string, (b: typeof be, x: Tensor, y: Tensor) => Tensor][] = [];
        for (const leak of [0, 0.1]) {
          runs.push([`Relu leak ${leak}`, (b, x) => b.run('Relu', { x }, { leak })]);
          runs.push([`ReluBackward leak ${leak}`, (b, x, y) => b.run('ReluBackward', { x, dy: y }, { leak })]);
        }
        runs.push(['Axpby', (b, x, y) => b.run('Axpby', { x, y }, { alpha: 0.9, beta: -0.0123 })]);
        runs.push(['Axpby, x as y', (b, x) => b.run('Axpby', { x, y: x }, { alpha: -1.5, beta: 0.3 })]);
        for (const [name, run] of runs) {
          const x = be.tensor(xv, [n]);
          const y = be.tensor(yv, [n]);
          expect(be.view(x).data.buffer, name).toBeInstanceOf(SharedArrayBuffer);
          expect(isModuleArray(be.view(x).data), name).toBe(false);
          const calls = be.workerCalls;
          const got = run(be, x, y);
          expect(be.workerCalls, `${name}: the workers ran`).toBe(calls + threads - 1);
          const want = run(ref, ref.tensor(xv, [n]), ref.tensor(yv, [n]));
          expect(bits(be.readSync(got)), name).toEqual(bits(ref.readSync(want)));
        }
      } finally {
        be.dispose();
        ref.dispose();
      }
    });
  }

  it('keeps an operand that is not shared (a wrapped ArrayBuffer) on the calling thread, with the same values', () => {
    const be = createCpuBackend({ threads: 2 });
    const ref = createCpuBackend({ threads: 1 });
    setRowsTuning({ sharedPerThread: 2 ** 14 }, ['relu', 'leakyRelu', 'axpby']);
    try {
      const rng = new Rng(3);
      const xv = values(rng, n);
      const yv = values(rng, n);
      const x = be.wrap(Float32Array.from(xv), [n]);
      const y = be.tensor(yv, [n]);
      const calls = be.workerCalls;
      const got = be.run('Axpby', { x, y }, { alpha: 2, beta: 0.5 });
      expect(be.workerCalls).toBe(calls);
      const want = ref.run('Axpby', { x: ref.tensor(xv, [n]), y: ref.tensor(yv, [n]) }, { alpha: 2, beta: 0.5 });
      expect(bits(be.readSync(got))).toEqual(bits(ref.readSync(want)));
    } finally {
      be.dispose();
      ref.dispose();
    }
  });

  it('keeps tensors under the default threshold (2 threads × 2^17 elements) on the calling thread', () => {
    const be = createCpuBackend({ threads: 2 });
    try {
      const x = be.tensor(values(new Rng(4), n), [n]);
      const calls = be.workerCalls;
      be.run('Relu', { x }, { leak: 0 });
      expect(be.workerCalls).toBe(calls);
    } finally {
      be.dispose();
    }
  });
});

describe('pooling over shared tensors, each thread copying its own images', () => {
  beforeEach(() => setModuleArrayBudget(0));
  // Outputs of at least 2^16 elements too, so that dy is shared.
  const shape = [9, 48, 48, 16];
  const size = 9 * 48 * 48 * 16;
  const pools: [string, PoolAttrs][] = [
    ['max 3×3/2', { method: 'max', poolSize: [3, 3], stride: [2, 2], pad: [0, 0, 0, 0] }],
    ['max 2×2/2 padded', { method: 'max', poolSize: [2, 2], stride: [2, 2], pad: [0, 1, 0, 1] }],
    ['avg 3×3/2 padded', { method: 'avg', poolSize: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1] }],
  ];
  for (const threads of [2, 3]) {
    it(`Pool and PoolBackward give the one-thread bits at ${threads} threads, in passes of a few images`, () => {
      const be = createCpuBackend({ threads });
      const ref = createCpuBackend({ threads: 1 });
      setRowsTuning({ perThread: 2 ** 12 }, ['pool', 'avgPoolBackward']);
      // A few images a pass per thread: several passes.
      setPassFloats(4 * 48 * 48 * 16);
      try {
        const xv = values(new Rng(11 + threads), size);
        for (const [name, attrs] of pools) {
          const x = be.tensor(xv, shape);
          expect(be.view(x).data.buffer).toBeInstanceOf(SharedArrayBuffer);
          expect(isModuleArray(be.view(x).data)).toBe(false);
          let calls = be.workerCalls;
          const y = be.run('Pool', { x }, attrs);
          expect(be.workerCalls, `${name}: the workers ran`).toBe(calls + threads - 1);
          const xr = ref.tensor(xv, shape);
          const yr = ref.run('Pool', { x: xr }, attrs);
          expect(bits(be.readSync(y)), name).toEqual(bits(ref.readSync(yr)));
          const dyv = values(new Rng(3), y.size);
          const dy = be.tensor(dyv, y.shape);
          expect(be.view(dy).data.buffer).toBeInstanceOf(SharedArrayBuffer);
          calls = be.workerCalls;
          const dx = be.run('PoolBackward', { x, dy }, attrs);
          expect(be.workerCalls, `${name} backward: the workers ran`).toBe(calls + threads - 1);
          const dxr = ref.run('PoolBackward', { x: xr, dy: ref.tensor(dyv, y.shape) }, attrs);
          expect(bits(be.readSync(dx)), `${name} backward`).toEqual(bits(ref.readSync(dxr)));
        }
      } finally {
        be.dispose();
        ref.dispose();
      }
    });
  }
});
