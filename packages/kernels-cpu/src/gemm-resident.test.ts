import { type ConvGeometry, Rng, type Tensor } from '@convnet-ts/tensor';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MatrixRef } from './gemm.js';
import { setUnderflowScaling } from './gemm-scaling.js';
import { acquireGemmThreads } from './gemm-threads.js';
import { createCpuBackend } from './index.js';
import { isModuleArray, moduleFloat32, residentOffset, setModuleArrayBudget } from './module-arrays.js';
import { PARALLEL_MIN_FLOPS } from './parallel-sgemm.js';
import { gemmChunkRows, gemmWasm } from './wasm-gemm.js';
import { gemmInstance } from './wasm-instance.js';

/**
 * `gemmWasm` on operands in the module's memory (read, written and zeroed in
 * place) gives the bits of the copy path (plain arrays, copied through the
 * arena), never writes an input, and leaves C outside its rows alone.
 */

afterEach(() => setModuleArrayBudget());

const mat = (data: Float32Array, offset: number, ld: number): MatrixRef => ({ data, offset, ld });

/** `values` in a resident array of the module's memory. */
function resident(values: Float32Array): Float32Array {
  const a = moduleFloat32(values.length);
  if (a === null) throw new Error('no module memory for a resident array');
  expect(residentOffset(gemmInstance()!, a)).toBeGreaterThanOrEqual(0);
  a.set(values);
  return a;
}

/** The first index where `a` and `b` differ in bits, or −1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

interface Case {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  /** Stored operands with their offsets and leading dimensions (sub-matrices of larger arrays), and C's start. */
  a: Float32Array;
  aOff: number;
  lda: number;
  b: Float32Array;
  bOff: number;
  ldb: number;
  c: Float32Array;
  cOff: number;
  ldc: number;
}

/** Runs the case on `threads` threads with the operands named in `where` ('a', 'b', 'c') resident, the others plain; C afterwards, inputs checked unchanged. */
function run(t: Case, where: string, threads: number): Float32Array {
  const place = (v: Float32Array, name: string) => (where.includes(name) ? resident(v) : v.slice());
  const A = place(t.a, 'a');
  const B = place(t.b, 'b');
  const C = place(t.c, 'c');
  const use = acquireGemmThreads(threads);
  try {
    expect(gemmWasm(t.transA, t.transB, t.m, t.n, t.k, t.alpha, mat(A, t.aOff, t.lda), mat(B, t.bOff, t.ldb), t.beta, mat(C, t.cOff, t.ldc))).toBe(true);
  } finally {
    use.release();
  }
  expect(firstDifference(A, t.a)).toBe(-1);
  expect(firstDifference(B, t.b)).toBe(-1);
  return C.slice();
}

/** A case of random operands stored with padding (ld ≠ cols, offsets), C's padding and, for beta 0, some of its elements NaN. */
function randomCase(rng: Rng, transA: boolean, transB: boolean, [m, n, k]: [number, number, number], alpha: number, beta: number): Case {
  const [ar, ac] = transA ? [k, m] : [m, k];
  const [br, bc] = transB ? [n, k] : [k, n];
  const lda = ac + 3;
  const ldb = bc + 1;
  const ldc = n + 5;
  const a = Float32Array.from(rng.randn(ar * lda + 7));
  const b = Float32Array.from(rng.randn(br * ldb + 2));
  const cOff = 4;
  // Padding NaN (it must stay as it was); beta 0 must not read C: NaNs inside it must not show.
  const c = Float32Array.from(rng.randn(m * ldc + cOff + 1), (v, i) => {
    const inside = i >= cOff && i < cOff + m * ldc && (i - cOff) % ldc < n;
    return !inside || (beta === 0 && i % 11 === 0) ? Number.NaN : v;
  });
  return { transA, transB, m, n, k, alpha, beta, a, aOff: 5, lda, b, bOff: 1, ldb, c, cOff, ldc };
}

const placements = ['', 'a', 'b', 'c', 'ab', 'ac', 'bc', 'abc'];

describe('gemmWasm on resident operands', () => {
  const lease = acquireGemmThreads(3);
  afterAll(() => lease.release());

  // Above PARALLEL_MIN_FLOPS (split by rows, by columns), and a small one on one thread.
  const sizes: [number, number, number][] = [
    [131, 97, 89],
    [37, 301, 101],
    [13, 11, 9],
  ];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`gives the copy path's bits for op(A)${transA ? 'ᵀ' : ''}·op(B)${transB ? 'ᵀ' : ''} at beta 0, 1 and 0.25, any residency, 1–3 threads`, () => {
        const rng = new Rng(70 + (transA ? 2 : 0) + (transB ? 1 : 0));
        expect(2 * 131 * 97 * 89).toBeGreaterThan(PARALLEL_MIN_FLOPS);
        for (const size of sizes) {
          for (const [alpha, beta] of [
            [1, 0],
            [0.5, 1],
            [-2, 0.25],
          ] as const) {
            const t = randomCase(rng, transA, transB, size, alpha, beta);
            const want = run(t, '', 1);
            for (const where of placements) {
              for (const threads of [1, 2, 3]) {
                if (where === '' && threads === 1) continue;
                expect([where, threads, firstDifference(run(t, where, threads), want)]).toEqual([where, threads, -1]);
              }
            }
          }
        }
      });
    }
  }

  it('zeroes or scales C in place without a product (alpha 0, k 0)', () => {
    const rng = new Rng(75);
    for (const [alpha, k, beta] of [
      [0, 40, 0],
      [0, 40, 0.25],
      [1, 0, 0],
      [1, 0, -3],
    ] as const) {
      const t = randomCase(rng, false, false, [40, 50, k], alpha, beta);
      const want = run(t, '', 1);
      for (const where of ['c', 'abc']) expect(firstDifference(run(t, where, 2), want)).toBe(-1);
    }
  });

  it('copies C where its array is also an operand (in place it would overwrite what it reads)', () => {
    const rng = new Rng(76);
    const [m, n, k] = [40, 48, 36];
    // A is the first k columns of a shared array, C its last n columns: C ← A·B + C.
    const ld = k + n;
    const start = Float32Array.from(rng.randn(m * ld));
    const b = Float32Array.from(rng.randn(k * n));
    const plain = start.slice();
    gemmWasm(false, false, m, n, k, 1, mat(plain, 0, ld), mat(b, 0, n), 1, mat(plain, k, ld));
    const shared = resident(start);
    gemmWasm(false, false, m, n, k, 1, mat(shared, 0, ld), mat(resident(b), 0, n), 1, mat(shared, k, ld));
    expect(firstDifference(shared, plain)).toBe(-1);
  });

  // 700 columns, depth 20: C done in blocks of 372 rows (gemm-operands.test.ts checks those give the unblocked bits).
  for (const [transA, transB] of [
    [true, false],
    [false, true],
  ] as const) {
    it(`gives the copy path's bits in blocks of rows of C for op(A)${transA ? 'ᵀ' : ''}·op(B)${transB ? 'ᵀ' : ''}, 1 and 3 threads`, () => {
      expect(gemmChunkRows(600, 700, 20, 4, 256)).toBe(372);
      const rng = new Rng(transA ? 77 : 78);
      for (const [alpha, beta] of [
        [1, 0],
        [0.5, 1],
        [-2, 0.25],
      ] as const) {
        const t = randomCase(rng, transA, transB, [600, 700, 20], alpha, beta);
        const want = run(t, '', 1);
        for (const where of ['c', 'abc', 'ab']) {
          for (const threads of [1, 3]) expect([where, threads, firstDifference(run(t, where, threads), want)]).toEqual([where, threads, -1]);
        }
      }
    });
  }
});

describe('gemmWasm on resident operands with tiny elements', () => {
  const lease = acquireGemmThreads(3);
  afterAll(() => lease.release());

  /**
   * Elements between 2^-140 and 2^-90, one power per row (`byRow`) or column of the stored matrix (`ld` apart): per
   * row or column of C, so that C's elements below 2^-126 underflow entirely.
   */
  const tiny = (rng: Rng, count: number, ld: number, byRow: boolean) =>
    Float32Array.from(rng.randn(count), (v, i) => v * 2 ** -(90 + ((4 * (byRow ? Math.floor(i / ld) : i % ld)) % 50)));

  // The tiny operand the smaller one (scanned first), then the larger one (scanned where it has at most 2^20 elements).
  for (const [transA, transB, size, which] of [
    [false, true, [12, 300, 70], 'a'],
    [true, false, [300, 70, 12], 'b'],
    [false, true, [300, 12, 70], 'a'],
    [true, true, [40, 90, 130], 'b'],
  ] as const) {
    it(`scales a copy of a resident tiny ${which.toUpperCase()} (op(A)${transA ? 'ᵀ' : ''}·op(B)${transB ? 'ᵀ' : ''}, ${size.join(' × ')}), the copy path's bits, the input unchanged`, () => {
      const rng = new Rng(80 + size[0]);
      for (const beta of [0, 1, 0.25]) {
        const t = randomCase(rng, transA, transB, [...size], 1.5, beta);
        // The tiny operand's whole stored array (padding included, so a scan of it as one range would see them too).
        if (which === 'a') t.a = tiny(rng, t.a.length, t.lda, !transA);
        else t.b = tiny(rng, t.b.length, t.ldb, transB);
        const want = run(t, '', 1);
        const was = setUnderflowScaling(false);
        const unscaled = run(t, '', 1);
        setUnderflowScaling(was);
        // The scaling ran: unscaled, the underflowing products give other bits (with beta ≠ 0, C's start values ≈ 1 hide them).
        if (beta === 0) expect(firstDifference(unscaled, want)).not.toBe(-1);
        for (const where of placements) {
          for (const threads of [1, 2, 3]) expect([where, threads, firstDifference(run(t, where, threads), want)]).toEqual([where, threads, -1]);
        }
      }
    });
  }

  it('decides row by row as on a packed copy: tiny elements in the padding of a resident operand do not count', () => {
    const rng = new Rng(85);
    // B of more than 2^20 elements (never scanned) whose products with A underflow; A normal inside, 2^-100 in its padding.
    const [m, n, k] = [4, 1025, 1024];
    const t = randomCase(rng, false, false, [m, n, k], 1, 0);
    t.a = t.a.map((v, i) => (i >= t.aOff && (i - t.aOff) % t.lda >= k ? 2 ** -100 : v * 2 ** -10));
    t.b = t.b.map((v) => v * 2 ** -120);
    const want = run(t, '', 1);
    const was = setUnderflowScaling(false);
    const unscaled = run(t, '', 1);
    setUnderflowScaling(was);
    expect(firstDifference(unscaled, want)).toBe(-1);
    // Had A been scaled (as one tiny element inside it makes it), the bits would differ.
    const inside = { ...t, a: t.a.slice() };
    inside.a[t.aOff + 3] = 2 ** -100;
    expect(firstDifference(run(inside, '', 1), want)).not.toBe(-1);
    for (const where of ['a', 'ab', 'abc']) expect(firstDifference(run(t, where, 2), want)).toBe(-1);
  });

  it('moves the arena, with the copied operands, where the scaled copy of a resident operand does not fit', () => {
    const inst = gemmInstance()!;
    const rng = new Rng(86);
    // A (copied) fills the arena but for its last KiB; the resident tiny B's copy (64 kB) then needs more.
    const k = 64;
    const n = 256;
    const m = Math.floor((inst.arenaBytes - 1024) / 4 / k);
    const a = Float32Array.from(rng.randn(m * k));
    const b = tiny(rng, k * n, n, false);
    const c = new Float32Array(m * n);
    const t: Case = { transA: false, transB: false, m, n, k, alpha: 1, beta: 0, a, aOff: 0, lda: k, b, bOff: 0, ldb: n, c, cOff: 0, ldc: n };
    // The resident run first: the copy path's run asks for a larger arena.
    const before = inst.heap;
    const got = run(t, 'bc', 1);
    expect(inst.heap).not.toBe(before);
    expect(firstDifference(got, run(t, '', 1))).toBe(-1);
  });
});

describe('the backend’s fully connected and 1×1 convolutions on resident tensors', () => {
  const geometry = (groups = 1): ConvGeometry => ({ stride: [1, 1], pad: [0, 0, 0, 0], dilate: [1, 1], groups });
  // Fully connected (filters cover the image; y too small to be resident), 1×1 (one group and two), with and without a bias.
  const cases: { name: string; x: number[]; f: number[]; groups: number }[] = [
    { name: 'fully connected 4×4×64×40', x: [16, 4, 4, 64], f: [4, 4, 64, 40], groups: 1 },
    // Batch 1 (fewer rows than threads in the forward); the filter derivative (16384 × 20, depth 1) in blocks of rows.
    { name: 'fully connected 8×8×256×20, batch 1', x: [1, 8, 8, 256], f: [8, 8, 256, 20], groups: 1 },
    { name: '1×1 32→48', x: [4, 16, 16, 32], f: [1, 1, 32, 48], groups: 1 },
    { name: '1×1 32→48 in 2 groups', x: [4, 16, 16, 32], f: [1, 1, 16, 48], groups: 2 },
  ];
  it('does the batch-1 filter derivative in blocks of rows', () => {
    expect(gemmChunkRows(8 * 8 * 256, 20, 1, 4, 256)).toBeLessThan(8 * 8 * 256);
  });
  for (const c of cases) {
    it(`gives the bits of plain arrays for Conv, ConvBackwardData and ConvBackwardFilter (${c.name}) on 1–3 threads`, () => {
      const rng = new Rng(90 + c.f[3]!);
      const size = (s: number[]) => s.reduce((p, v) => p * v, 1);
      const y = [c.x[0]!, c.x[1]! - c.f[0]! + 1, c.x[2]! - c.f[1]! + 1, c.f[3]!];
      const xv = Float32Array.from(rng.randn(size(c.x)));
      const fv = Float32Array.from(rng.randn(size(c.f)));
      const bv = Float32Array.from(rng.randn(c.f[3]!));
      const dyv = Float32Array.from(rng.randn(size(y)));
      const results = (threads: number, residentTensors: boolean) => {
        setModuleArrayBudget(residentTensors ? undefined : 0);
        const be = createCpuBackend({ threads });
        try {
          const x = be.tensor(xv, c.x);
          const f = be.tensor(fv, c.f);
          const dy = be.tensor(dyv, y);
          expect(isModuleArray(be.view(x).data)).toBe(residentTensors);
          const g = geometry(c.groups);
          const outs: Tensor[] = [
            be.run('Conv', { x, f, b: null }, g),
            be.run('Conv', { x, f, b: be.tensor(bv, [c.f[3]!]) }, g),
            be.run('ConvBackwardData', { dy, f }, { ...g, xShape: c.x }),
            be.run('ConvBackwardFilter', { x, dy }, { ...g, fShape: c.f }),
          ];
          // The inputs are as they were.
          expect(firstDifference(be.readSync(x) as Float32Array, xv)).toBe(-1);
          expect(firstDifference(be.readSync(f) as Float32Array, fv)).toBe(-1);
          expect(firstDifference(be.readSync(dy) as Float32Array, dyv)).toBe(-1);
          return outs.map((o) => ({ resident: isModuleArray(be.view(o).data), values: be.readSync(o) as Float32Array }));
        } finally {
          be.dispose();
          setModuleArrayBudget();
        }
      };
      const want = results(1, false);
      for (const threads of [1, 2, 3]) {
        const got = results(threads, true);
        // The large outputs were written in place.
        expect(got.some((o) => o.resident)).toBe(true);
        for (let i = 0; i < want.length; i++) expect([threads, i, firstDifference(got[i]!.values, want[i]!.values)]).toEqual([threads, i, -1]);
      }
    });
  }
});
