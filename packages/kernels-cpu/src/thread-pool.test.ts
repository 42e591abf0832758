import { BackendError, Rng } from '@convnet-ts/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGemmThreads, defaultThreads, gemmPool, gemmThreads, setThreadPolling, threadPolling } from './gemm-threads.js';
import { DEFAULT_SPIN_MICROS, GemmThreadPool, LIST_CALLS } from './thread-pool.js';
import { gemmInstance, growTo, scratchOf } from './wasm-instance.js';

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

  it('runs lists of sgemm calls, each in order on its thread, lists longer than LIST_CALLS in rounds', () => {
    // Thread t adds calls[t].length products A_i·B (4×2 by 2×8, seeded values) into its own C_t, in order;
    // the sums depend on the order, so each C_t must have the bits of the same calls run in turn here.
    const lengths = [3, LIST_CALLS + 5, 0];
    const at = inst.heap;
    const aSize = 8;
    const total = lengths.reduce((a, b) => a + b, 0);
    growTo(inst, at + 4 * (total * aSize + 16 + 3 * 32 + 3 * 32));
    const heap = new Float32Array(inst.memory.buffer);
    const rng = new Rng(5);
    const a0 = at >> 2;
    heap.set(rng.randn(total * aSize + 16), a0);
    const b = at + 4 * total * aSize;
    const c0 = b + 4 * 16;
    const ref0 = c0 + 4 * 3 * 32;
    heap.fill(0, c0 >> 2, (c0 >> 2) + 2 * 3 * 32);
    let next = 0;
    const lists = lengths.map((length, t) =>
      Array.from({ length }, () => ({ m: 4, n: 8, k: 2, alpha: 1, a: at + 4 * aSize * next++, lda: 2, ta: 0, b, ldb: 8, tb: 0, c: c0 + 4 * 32 * t, ldc: 8 })),
    );
    const before = pool.workerCalls;
    pool.runLists(lists);
    // One round of the two non-empty lists (one for a worker), then the long list's last 5 calls here.
    expect(pool.workerCalls - before).toBe(1);
    const s = scratchOf(inst, 0);
    for (const [t, list] of lists.entries()) {
      for (const c of list) inst.exports.sgemm(c.m, c.n, c.k, c.alpha, c.a, c.lda, c.ta, c.b, c.ldb, c.tb, ref0 + 4 * 32 * t, c.ldc, s.pa, s.pb, s.tile);
    }
    expect(Array.from(heap.subarray(c0 >> 2, (c0 >> 2) + 3 * 32))).toEqual(Array.from(heap.subarray(ref0 >> 2, (ref0 >> 2) + 3 * 32)));
    expect(heap[(c0 >> 2) + 32]).not.toBe(0);
    expect(() => pool.runLists([[], [], []])).not.toThrow();
    expect(() => pool.runLists([[], [], [], []])).toThrow('gemm: at most 3 lists, got 4');
  });

  it('polls spinMicros before sleeping: the same results polling or not, the setting checked, an idle pool asleep', async () => {
    expect(pool.spinMicros).toBe(DEFAULT_SPIN_MICROS);
    const at = inst.heap;
    growTo(inst, at + 3 * 4096);
    const heap = new Float32Array(inst.memory.buffer);
    const calls = [0, 1, 2].map((t) => {
      const a = at + t * 4096;
      heap.fill(t + 1, a >> 2, (a >> 2) + 8);
      heap.fill(1, (a + 64) >> 2, ((a + 64) >> 2) + 16);
      heap.fill(0, (a + 192) >> 2, ((a + 192) >> 2) + 32);
      return { m: 4, n: 8, k: 2, alpha: 1, a, lda: 2, ta: 0, b: a + 64, ldb: 8, tb: 0, c: a + 192, ldc: 8 };
    });
    for (const micros of [0, 100_000, DEFAULT_SPIN_MICROS]) {
      pool.spinMicros = micros;
      for (let round = 0; round < 20; round++) pool.run(calls);
    }
    for (let t = 0; t < 3; t++) expect(heap[(calls[t]!.c >> 2) + 31]).toBe(3 * 20 * 2 * (t + 1));
    // After the last dispatch the two workers poll for at most 0.5 ms each, then sleep: 300 ms idle cost
    // the process well under the 600 ms of CPU two workers polling throughout would.
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeLessThan(150);
    for (const bad of [-1, 0.5, 100_001, Number.NaN]) {
      expect(() => {
        pool.spinMicros = bad;
      }).toThrow("GemmThreadPool: spinMicros must be an integer number of µs from 0 to 100000, got");
    }
    expect(pool.spinMicros).toBe(DEFAULT_SPIN_MICROS);
  });

  it('setThreadPolling sets the running pool and later ones, and checks its argument', () => {
    expect(threadPolling()).toBe(DEFAULT_SPIN_MICROS);
    const lease = acquireGemmThreads(2);
    try {
      setThreadPolling(0);
      expect(gemmPool()!.spinMicros).toBe(0);
      expect(() => setThreadPolling(-3)).toThrow('setThreadPolling: spinMicros must be an integer number of µs from 0 to 100000, got -3');
      expect(threadPolling()).toBe(0);
    } finally {
      setThreadPolling(DEFAULT_SPIN_MICROS);
      lease.release();
    }
    const again = acquireGemmThreads(2);
    try {
      expect(gemmPool()!.spinMicros).toBe(DEFAULT_SPIN_MICROS);
    } finally {
      again.release();
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
  it('refuses more than the 2 GiB the module addresses with a typed error instead of WebAssembly\'s RangeError', () => {
    const inst = gemmInstance();
    if (!inst) throw new Error('WebAssembly SIMD is required by these tests');
    const had = inst.memory.buffer.byteLength;
    expect(() => growTo(inst, 2 ** 31 + 1)).toThrow(BackendError);
    expect(() => growTo(inst, 2 ** 31 + 1)).toThrow(/^cpu: WebAssembly memory of at most 2147483648 bytes expected \(the 2 GiB the module addresses .*\), got 2147483649 bytes/);
    expect(inst.memory.buffer.byteLength).toBe(had);
  });
});
