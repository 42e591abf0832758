import { afterEach, describe, expect, it } from 'vitest';
import { createCpuBackend } from './index.js';
import { freeModuleArray, isModuleArray, moduleArrayBytes, moduleFloat32, residentOffset, setModuleArrayBudget } from './module-arrays.js';
import { arena, gemmInstance } from './wasm-instance.js';

/** Float32 tensors in the GEMM module's memory: where they live, when their blocks come back, the arena beside them. */
const n = 2 ** 14;

afterEach(() => setModuleArrayBudget());

describe('module-resident float32 arrays', () => {
  it('puts a float32 backend’s large tensors in the module memory, where the module sees their values', () => {
    const be = createCpuBackend({ threads: 1 });
    try {
      expect(be.moduleTensors).toBe(true);
      const t = be.tensor(Float32Array.from({ length: n }, (_, i) => i), [n]);
      const data = be.view(t).data as Float32Array;
      const inst = gemmInstance()!;
      const at = residentOffset(inst, data);
      expect(at).toBeGreaterThan(0);
      const heap = new Float32Array(inst.memory.buffer);
      expect(heap[at + 12345]).toBe(12345);
      // A subarray is not a resident array of its own (kernels copy it).
      expect(residentOffset(inst, data.subarray(1))).toBe(-1);
      // Small tensors and float64 ones keep their own arrays.
      expect(isModuleArray(be.view(be.zeros([n - 1])).data)).toBe(false);
      const f64 = createCpuBackend({ dtype: 'float64' });
      expect(f64.moduleTensors).toBe(false);
      expect(isModuleArray(f64.view(f64.zeros([n])).data)).toBe(false);
      f64.dispose();
      // Reads are plain arrays, never the module's memory.
      const read = be.readSync(t);
      expect(read.buffer).toBeInstanceOf(ArrayBuffer);
      expect(read[12345]).toBe(12345);
    } finally {
      be.dispose();
    }
  });

  it('gives a block back when its tensor is disposed and the backend keeps no array for reuse, and on dispose()', () => {
    const be = createCpuBackend({ threads: 1 });
    try {
      const before = moduleArrayBytes();
      be.reuseMaxBytes = 0;
      const t = be.zeros([n]);
      expect(moduleArrayBytes()).toBe(before + 4 * n);
      t.dispose();
      expect(moduleArrayBytes()).toBe(before);
      be.reuseMaxBytes = 2 ** 28;
      const u = be.fill([n], 2);
      const data = be.view(u).data;
      u.dispose();
      // Kept for reuse (still a live block), zeroed when reused by zeros().
      expect(moduleArrayBytes()).toBe(before + 4 * n);
      const v = be.zeros([n]);
      expect(be.view(v).data).toBe(data);
      expect(be.view(v).data[7]).toBe(0);
      v.dispose();
      be.dispose();
      expect(moduleArrayBytes()).toBe(before);
    } finally {
      be.dispose();
    }
  });

  it('gives plain arrays beyond its budget, and the kernels the same values on them', () => {
    const be = createCpuBackend({ threads: 1 });
    try {
      const x = be.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i)), [1, 128, 128, 1]);
      const f = be.tensor(Float32Array.from({ length: 9 }, (_, i) => i - 4), [3, 3, 1, 1]);
      const resident = be.run('Conv', { x, f, b: null }, { stride: [1, 1], pad: [0, 0, 0, 0], dilate: [1, 1], groups: 1 });
      setModuleArrayBudget(0);
      const xPlain = be.tensor(be.readSync(x), [1, 128, 128, 1]);
      expect(isModuleArray(be.view(xPlain).data)).toBe(false);
      const plain = be.run('Conv', { x: xPlain, f, b: null }, { stride: [1, 1], pad: [0, 0, 0, 0], dilate: [1, 1], groups: 1 });
      expect(isModuleArray(be.view(plain).data)).toBe(false);
      expect(Array.from(be.readSync(plain))).toEqual(Array.from(be.readSync(resident)));
    } finally {
      be.dispose();
    }
  });

  it('keeps resident arrays valid when the memory grows, and frees blocks explicitly once', () => {
    const a = moduleFloat32(n)!;
    a.fill(3);
    const inst = gemmInstance()!;
    const size = inst.memory.buffer.byteLength;
    const big = moduleFloat32(size / 4)!;
    expect(inst.memory.buffer.byteLength).toBeGreaterThan(size);
    expect(a[n - 1]).toBe(3);
    expect(new Float32Array(inst.memory.buffer)[residentOffset(inst, a) + n - 1]).toBe(3);
    const bytes = moduleArrayBytes();
    freeModuleArray(big);
    freeModuleArray(big);
    expect(moduleArrayBytes()).toBe(bytes - size);
    freeModuleArray(a);
    expect(residentOffset(inst, a)).toBe(-1);
  });

  it('moves the arena to a larger block with what the last call asked for', () => {
    const inst = gemmInstance()!;
    const small = arena(inst, 4096);
    new Float32Array(inst.memory.buffer, small, 1024).fill(7);
    // A resident block right after it, so the arena cannot simply extend.
    const blocker = moduleFloat32(n)!;
    const bigger = arena(inst, inst.arenaBytes + 4096);
    const heap = new Float32Array(inst.memory.buffer, bigger, 1024);
    expect(heap.every((v) => v === 7)).toBe(true);
    expect(arena(inst, 16)).toBe(bigger);
    freeModuleArray(blocker);
  });
});
