import { BackendError } from '@convnet-ts/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGemmThreads, defaultThreads, gemmThreads } from './gemm-threads.js';
import { GemmThreadPool } from './thread-pool.js';
import { gemmInstance, growTo } from './wasm-instance.js';

describe('GemmThreadPool', () => {
  const inst = gemmInstance()!;
  const pool = new GemmThreadPool(inst, 3);
  afterAll(() => pool.terminate());

  it('runs one sgemm per thread, on the workers too, in the shared memory', () => {
    expect(inst.shared).toBe(true);
    expect(pool.threads).toBe(3);
    expect(pool.waitReady(10_000)).toBe(true);
    // Three independent 4×8 products C_t = A_t·B_t with A_t = (t+1)·ones(4×2), B_t = ones(2×8): C_t = 2(t+1).
    const at = inst.heap;
    growTo(inst, at + 3 * 4096);
    const heap = new Float32Array(inst.memory.buffer);
    const calls = [0, 1, 2].map((t) => {
      const a = at + t * 4096;
      const b = a + 64;
      const c = b + 128;
      heap.fill(t + 1, a >> 2, (a >> 2) + 8);
      heap.fill(1, b >> 2, (b >> 2) + 16);
      heap.fill(0, c >> 2, (c >> 2) + 32);
      return { m: 4, n: 8, k: 2, alpha: 1, a, lda: 2, ta: 0, b, ldb: 8, tb: 0, c, ldc: 8 };
    });
    for (let round = 0; round < 3; round++) pool.run(calls);
    for (let t = 0; t < 3; t++) {
      const c = calls[t]!.c >> 2;
      expect(Array.from(heap.subarray(c, c + 32))).toEqual(new Array(32).fill(3 * 2 * (t + 1)));
    }
  });

  it('rejects more calls than threads, and runs nothing once terminated', () => {
    const call = { m: 0, n: 0, k: 0, alpha: 1, a: 0, lda: 0, ta: 0, b: 0, ldb: 0, tb: 0, c: 0, ldc: 0 };
    expect(() => pool.run([call, call, call, call])).toThrow('gemm: at most 3 calls, got 4');
    const other = new GemmThreadPool(inst, 2);
    other.terminate();
    expect(() => other.run([call])).toThrow('gemm: a GEMM worker failed earlier, got no result');
  });
});

describe('GEMM thread leases', () => {
  it('use the most recent live lease, 1 without one, and check the count', () => {
    expect(defaultThreads()).toBeGreaterThanOrEqual(1);
    expect(gemmThreads()).toBe(1);
    const two = acquireGemmThreads(2);
    const one = acquireGemmThreads(1);
    expect(gemmThreads()).toBe(1);
    one.release();
    expect(gemmThreads()).toBe(2);
    two.release();
    two.release();
    expect(gemmThreads()).toBe(1);
    const a = acquireGemmThreads(2);
    const b = acquireGemmThreads(1);
    a.use();
    expect(gemmThreads()).toBe(2);
    b.use();
    expect(gemmThreads()).toBe(1);
    b.release();
    b.use(); // released: no effect
    expect(gemmThreads()).toBe(2);
    a.release();
    expect(() => acquireGemmThreads(0)).toThrow('createCpuBackend: threads must be a positive integer, got 0');
    expect(() => acquireGemmThreads(1.5)).toThrow('createCpuBackend: threads must be a positive integer, got 1.5');
  });
});

describe('growTo', () => {
  it('refuses more than wasm32\'s 4 GiB with a typed error instead of WebAssembly\'s RangeError', () => {
    const inst = gemmInstance();
    if (!inst) throw new Error('WebAssembly SIMD is required by these tests');
    const had = inst.memory.buffer.byteLength;
    expect(() => growTo(inst, 2 ** 32 + 1)).toThrow(BackendError);
    expect(() => growTo(inst, 2 ** 32 + 1)).toThrow(/^cpu: WebAssembly memory of at most 4294967296 bytes expected \(wasm32's address space; .*\), got 4294967297 bytes/);
    expect(inst.memory.buffer.byteLength).toBe(had);
  });
});
