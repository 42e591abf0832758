import { Rng } from '@convnet-ts/tensor';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { gemmPortable, type MatrixRef } from './gemm.js';
import { setUnderflowScaling } from './gemm-scaling.js';
import { acquireGemmThreads } from './gemm-threads.js';
import { GEMM_CHUNK_FLOATS, gemmChunkRows, gemmWasm } from './wasm-gemm.js';

const mat = (data: Float32Array, offset: number, ld: number): MatrixRef => ({ data, offset, ld });
const SUBNORMAL = 2 ** -133;

/** The first index where `a` and `b` differ in bits, or −1 (vitest's toEqual is slow on large typed arrays). */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** `rows × cols` (+ padding) of seeded normals with every `every`-th element replaced by ±2^-133 (subnormal in float32). */
function operand(rng: Rng, rows: number, ld: number, every: number): { values: Float32Array; flushed: Float32Array; subnormals: Float32Array } {
  const values = Float32Array.from(rng.randn(rows * ld + 1));
  for (let i = 0; i < values.length; i += every) values[i] = i % 2 === 0 ? SUBNORMAL : -SUBNORMAL;
  const flushed = values.map((v) => (Math.abs(v) < 2 ** -126 ? 0 : v));
  const subnormals = values.map((v) => (Math.abs(v) < 2 ** -126 ? v : 0));
  return { values, flushed, subnormals };
}

describe('gemmWasm operands', () => {
  // Tile edges (m mod 4, n mod 8), depths that are not multiples of 4 and cross KC = 256: every packing path.
  const sizes: [number, number, number][] = [
    [13, 11, 9],
    [37, 29, 70],
    [9, 21, 261],
  ];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`treats subnormal elements of op(A)${transA ? 'ᵀ' : ''} and op(B)${transB ? 'ᵀ' : ''} as +0 (unscaled), bit for bit`, () => {
        const was = setUnderflowScaling(false);
        onTestFinished(() => {
          setUnderflowScaling(was);
        });
        const rng = new Rng(40 + (transA ? 2 : 0) + (transB ? 1 : 0));
        for (const [m, n, k] of sizes) {
          const [ar, lda] = transA ? [k, m + 1] : [m, k + 2];
          const [br, ldb] = transB ? [n, k + 3] : [k, n + 1];
          const a = operand(rng, ar, lda, 7);
          const b = operand(rng, br, ldb, 5);
          const run = (A: Float32Array, B: Float32Array) => {
            const c = new Float32Array(m * n);
            gemmWasm(transA, transB, m, n, k, 1, mat(A, 1, lda), mat(B, 1, ldb), 0, mat(c, 0, n));
            return c;
          };
          expect(run(a.values, b.values)).toEqual(run(a.flushed, b.flushed));
          // Sums of subnormal products alone: nonzero subnormals in IEEE arithmetic, +0 here.
          expect(run(a.subnormals, b.values)).toEqual(new Float32Array(m * n));
          expect(run(a.values, b.subnormals)).toEqual(new Float32Array(m * n));
        }
      });
    }
  }

  it('gives 0 for a subnormal times a large number unscaled (the TypeScript path and the scaled one give the exact product), and keeps NaN and ±∞', () => {
    const one = (v: number) => new Float32Array([v]);
    const c = new Float32Array(1);
    const was = setUnderflowScaling(false);
    gemmWasm(false, false, 1, 1, 1, 1, mat(one(SUBNORMAL), 0, 1), mat(one(2 ** 100), 0, 1), 0, mat(c, 0, 1));
    setUnderflowScaling(was);
    expect(c[0]).toBe(0);
    gemmWasm(false, false, 1, 1, 1, 1, mat(one(SUBNORMAL), 0, 1), mat(one(2 ** 100), 0, 1), 0, mat(c, 0, 1));
    expect(c[0]).toBe(2 ** -33);
    gemmPortable(false, false, 1, 1, 1, 1, mat(one(SUBNORMAL), 0, 1), mat(one(2 ** 100), 0, 1), 0, mat(c, 0, 1));
    expect(c[0]).toBe(2 ** -33);
    // A = [NaN, 1; ∞, 1; SUBNORMAL, 1], B = [1 1; 2 −∞]: rows 0 and 1 NaN or ∞ as IEEE says, row 2 only the second term.
    const a = new Float32Array([Number.NaN, 1, Number.POSITIVE_INFINITY, 1, SUBNORMAL, 1]);
    const b = new Float32Array([1, 1, 2, Number.NEGATIVE_INFINITY]);
    const out = new Float32Array(6);
    gemmWasm(false, false, 3, 2, 2, 1, mat(a, 0, 2), mat(b, 0, 2), 0, mat(out, 0, 2));
    expect(Array.from(out)).toEqual([Number.NaN, Number.NaN, Number.POSITIVE_INFINITY, Number.NaN, 2, Number.NEGATIVE_INFINITY]);
  });
});

describe('gemmWasm in blocks of rows of C', () => {
  const lease = acquireGemmThreads(3);
  afterAll(() => lease.release());

  it('blocks C only where the depth is one KC block and C is large', () => {
    expect(gemmChunkRows(4096, 4096, 32, 4, 256)).toBe(64);
    expect(gemmChunkRows(600, 700, 20, 4, 256)).toBe(372);
    expect(gemmChunkRows(4096, 4096, 257, 4, 256)).toBe(4096);
    expect(gemmChunkRows(512, 512, 32, 4, 256)).toBe(512);
    expect(512 * 512).toBe(GEMM_CHUNK_FLOATS);
  });

  // 700 columns: 372-row blocks (two blocks, the second partial); each block of rows < 372 alone is not blocked.
  for (const [transA, transB] of [
    [true, false],
    [false, true],
  ] as const) {
    it(`gives the bits of the unblocked product for op(A)${transA ? 'ᵀ' : ''}·op(B)${transB ? 'ᵀ' : ''} at every beta, on 1 and 3 threads`, () => {
      const [m, n, k] = [600, 700, 20];
      const rng = new Rng(transA ? 50 : 51);
      const lda = transA ? m + 3 : k + 1;
      const ldb = transB ? k + 2 : n + 5;
      const a = Float32Array.from(rng.randn((transA ? k : m) * lda + 2));
      const b = Float32Array.from(rng.randn((transB ? n : k) * ldb + 1));
      const start = Float32Array.from(rng.randn(m * (n + 4) + 3));
      for (const [alpha, beta] of [
        [1, 0],
        [0.5, 1],
        [-2, 0.25],
      ] as const) {
        // Beta 0 reads nothing of C: NaNs in it (inside its rows) must not show.
        const c0 = beta === 0 ? start.map((v, i) => (i >= 3 && (i - 3) % (n + 4) < n && i % 7 === 0 ? Number.NaN : v)) : start;
        const whole = (threads: number) => {
          const use = acquireGemmThreads(threads);
          const c = c0.slice();
          gemmWasm(transA, transB, m, n, k, alpha, mat(a, 2, lda), mat(b, 1, ldb), beta, mat(c, 3, n + 4));
          use.release();
          return c;
        };
        // The same rows as three products of 200 rows, each below the blocking size.
        const byRows = c0.slice();
        for (let i0 = 0; i0 < m; i0 += 200) {
          expect(gemmChunkRows(200, n, k, 4, 256)).toBe(200);
          const A = mat(a, 2 + (transA ? i0 : i0 * lda), lda);
          gemmWasm(transA, transB, 200, n, k, alpha, A, mat(b, 1, ldb), beta, mat(byRows, 3 + i0 * (n + 4), n + 4));
        }
        const one = whole(1);
        expect(firstDifference(one, byRows)).toBe(-1);
        expect(firstDifference(whole(3), one)).toBe(-1);
        // And against the float64 reference.
        const expected = Float64Array.from(c0);
        gemmPortable(transA, transB, m, n, k, alpha, { data: Float64Array.from(a), offset: 2, ld: lda }, { data: Float64Array.from(b), offset: 1, ld: ldb }, beta, {
          data: expected,
          offset: 3,
          ld: n + 4,
        });
        let worst = 0;
        for (let i = 0; i < one.length; i++) worst = Math.max(worst, Math.abs(one[i]! - expected[i]!));
        expect(worst).toBeLessThan(1e-4);
      }
    });
  }
});

describe('gemmWasm with tiny operands', () => {
  const lease = acquireGemmThreads(3);
  afterAll(() => lease.release());

  /** C = alpha·op(A)·op(B) on `threads` threads, with the underflow scaling on or off. */
  function product(transA: boolean, transB: boolean, [m, n, k]: [number, number, number], a: Float32Array, b: Float32Array, threads: number, scaling = true): Float32Array {
    const use = acquireGemmThreads(threads);
    const was = setUnderflowScaling(scaling);
    try {
      const c = new Float32Array(m * n);
      gemmWasm(transA, transB, m, n, k, 1.5, mat(a, 0, transA ? m : k), mat(b, 0, transB ? k : n), 0, mat(c, 0, n));
      return c;
    } finally {
      setUnderflowScaling(was);
      use.release();
    }
  }

  /**
   * max over C of (|c − reference| − 2^-149) / Σ_p |op(A)[i, p]·op(B)[p, j]| (the scale of a dot product's
   * rounding error, less the resolution of a subnormal result), float64 reference.
   */
  function relativeError(transA: boolean, transB: boolean, [m, n, k]: [number, number, number], a: Float32Array, b: Float32Array, c: Float32Array): number {
    const run = (x: Float32Array, y: Float32Array, f: (v: number) => number) => {
      const out = new Float64Array(m * n);
      const A = { data: Float64Array.from(x, f), offset: 0, ld: transA ? m : k };
      const B = { data: Float64Array.from(y, f), offset: 0, ld: transB ? k : n };
      gemmPortable(transA, transB, m, n, k, 1.5, A, B, 0, { data: out, offset: 0, ld: n });
      return out;
    };
    const want = run(a, b, (v) => v);
    const scale = run(a, b, Math.abs);
    let worst = 0;
    for (let i = 0; i < want.length; i++) if (scale[i]! > 0) worst = Math.max(worst, (Math.abs(c[i]! - want[i]!) - 2 ** -149) / scale[i]!);
    return worst;
  }

  // Elements between 2^-140 and 2^-90 (subnormals included), as in a saturated softmax's derivative; `group(i)`
  // picks the power for element i (a row of C whose terms are all below 2^-122 underflows entirely when unscaled).
  const tinyRows = (rng: Rng, count: number, group: (i: number) => number = (i) => i) =>
    Float32Array.from(rng.randn(count), (v, i) => v * 2 ** -(90 + (group(i) % 50)));
  // The tiny operand the smaller one (A, then B), then the larger one (A: 21 000 elements, B 840).
  const tinyCases: [boolean, boolean, [number, number, number], 'a' | 'b'][] = [
    [false, true, [12, 300, 70], 'a'],
    [true, false, [300, 70, 12], 'b'],
    [false, true, [300, 12, 70], 'a'],
  ];
  for (const [transA, transB, size, tiny] of tinyCases) {
    it(`keeps the precision of products that would underflow, the same bits on 1 and 3 threads (op(A)${transA ? 'ᵀ' : ''}·op(B)${transB ? 'ᵀ' : ''}, ${size.join(' × ')}, tiny ${tiny.toUpperCase()})`, () => {
      const rng = new Rng(60 + size[0] + size[1]);
      const [m, n, k] = size;
      // One power per row of A (A·Bᵀ) or column of B (Aᵀ·B): one per row or column of C.
      const a = tiny === 'a' ? tinyRows(rng, m * k, (i) => Math.floor(i / k) * 4) : Float32Array.from(rng.randn(k * m), (v) => v * 0.05);
      const b = tiny === 'b' ? tinyRows(rng, k * n, (i) => (i % n) * 4) : Float32Array.from(rng.randn(n * k), (v) => v * 0.05);
      const one = product(transA, transB, size, a, b, 1);
      expect(firstDifference(product(transA, transB, size, a, b, 3), one)).toBe(-1);
      expect(relativeError(transA, transB, size, a, b, one)).toBeLessThan(1e-5);
      // Unscaled, the underflowing products lose their precision (and subnormal operands count as 0).
      expect(relativeError(transA, transB, size, a, b, product(transA, transB, size, a, b, 1, false))).toBeGreaterThan(1e-2);
    });
  }

  it('gives the unscaled bits where no product underflows, and leaves operands with ±∞ or NaN unscaled', () => {
    const rng = new Rng(62);
    const size: [number, number, number] = [9, 40, 33];
    const a = Float32Array.from(rng.randn(9 * 33));
    a[5] = 2 ** -70; // tiny: the scaling runs, but its products with B (about 1) are normal
    const b = Float32Array.from(rng.randn(33 * 40));
    expect(firstDifference(product(false, false, size, a, b, 1), product(false, false, size, a, b, 1, false))).toBe(-1);
    const tiny = tinyRows(rng, 9 * 33);
    b[7] = Number.POSITIVE_INFINITY;
    expect(Array.from(product(false, false, size, tiny, b, 1))).toEqual(Array.from(product(false, false, size, tiny, b, 1, false)));
    b[7] = 1;
    tiny[3] = Number.NaN;
    expect(Array.from(product(false, false, size, tiny, b, 1))).toEqual(Array.from(product(false, false, size, tiny, b, 1, false)));
  });
});
