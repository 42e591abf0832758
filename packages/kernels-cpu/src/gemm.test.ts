import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { gemm, gemmPortable, type MatrixRef, WASM_MIN_FLOPS } from './gemm.js';
import { gemmWasm, wasmGemmAvailable } from './wasm-gemm.js';

/** C ← alpha·op(A)·op(B) + beta·C by the definition, one element at a time. */
function naive(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  aOff: number,
  lda: number,
  b: Float64Array,
  bOff: number,
  ldb: number,
  beta: number,
  c: Float64Array,
  cOff: number,
  ldc: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[aOff + p * lda + i]! : a[aOff + i * lda + p]!;
        const bv = transB ? b[bOff + j * ldb + p]! : b[bOff + p * ldb + j]!;
        s += av * bv;
      }
      const ci = cOff + i * ldc + j;
      c[ci] = alpha * s + (beta === 0 ? 0 : beta * c[ci]!);
    }
  }
}

const rand = (rng: Rng, n: number) => Float64Array.from(rng.randn(n));

describe('gemm', () => {
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [7, 3, 5],
    [5, 7, 3],
    [13, 11, 9],
    [1, 17, 4],
    [17, 1, 6],
    [6, 4, 1],
  ];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`matches the definition for op(A)${transA ? 'ᵀ' : ''}·op(B)${transB ? 'ᵀ' : ''} on odd sizes, offsets and padded rows`, () => {
        const rng = new Rng(transA ? (transB ? 4 : 3) : transB ? 2 : 1);
        for (const [m, n, k] of sizes) {
          for (const [alpha, beta] of [
            [1, 0],
            [0.5, 1],
            [-2, 0.25],
          ] as const) {
            const [ar, ac] = transA ? [k, m] : [m, k];
            const [br, bc] = transB ? [n, k] : [k, n];
            const lda = ac + 2;
            const ldb = bc + 1;
            const ldc = n + 3;
            const a = rand(rng, 3 + ar * lda);
            const b = rand(rng, 5 + br * ldb);
            const c0 = rand(rng, 1 + m * ldc);
            const expected = Float64Array.from(c0);
            naive(transA, transB, m, n, k, alpha, a, 3, lda, b, 5, ldb, beta, expected, 1, ldc);
            const c = Float64Array.from(c0);
            gemm(transA, transB, m, n, k, alpha, { data: a, offset: 3, ld: lda }, { data: b, offset: 5, ld: ldb }, beta, {
              data: c,
              offset: 1,
              ld: ldc,
            });
            for (let i = 0; i < c.length; i++) expect(c[i]).toBeCloseTo(expected[i]!, 12);
          }
        }
      });
    }
  }

  it('computes a hand-checked product and leaves the padding of C untouched', () => {
    // [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50]; C has a padding column holding 9.
    const c = new Float32Array([0, 0, 9, 0, 0, 9]);
    gemm(false, false, 2, 2, 2, 1, { data: new Float32Array([1, 2, 3, 4]), offset: 0, ld: 2 }, { data: new Float32Array([5, 6, 7, 8]), offset: 0, ld: 2 }, 0, {
      data: c,
      offset: 0,
      ld: 3,
    });
    expect(Array.from(c)).toEqual([19, 22, 9, 43, 50, 9]);
  });

  it('overwrites C when beta = 0, even NaNs', () => {
    const c = new Float64Array([Number.NaN]);
    gemm(false, true, 1, 1, 2, 1, { data: new Float64Array([1, 2]), offset: 0, ld: 2 }, { data: new Float64Array([3, 4]), offset: 0, ld: 2 }, 0, {
      data: c,
      offset: 0,
      ld: 1,
    });
    expect(c[0]).toBe(11);
  });

  it('scales C by beta when k = 0 or alpha = 0', () => {
    const c = new Float64Array([2, 4]);
    gemm(false, false, 1, 2, 0, 1, { data: new Float64Array(0), offset: 0, ld: 0 }, { data: new Float64Array(0), offset: 0, ld: 2 }, 0.5, {
      data: c,
      offset: 0,
      ld: 2,
    });
    expect(Array.from(c)).toEqual([1, 2]);
    gemm(true, true, 1, 2, 1, 0, { data: new Float64Array([1]), offset: 0, ld: 1 }, { data: new Float64Array([1, 1]), offset: 0, ld: 1 }, 3, {
      data: c,
      offset: 0,
      ld: 2,
    });
    expect(Array.from(c)).toEqual([3, 6]);
  });
});

/**
 * The float32 product of a fast path against the float64 reference on the same
 * values; the bound is the classical one for a k-term dot product in float32.
 */
function checkFast(
  fast: (ta: boolean, tb: boolean, m: number, n: number, k: number, alpha: number, A: MatrixRef, B: MatrixRef, beta: number, C: MatrixRef) => unknown,
  rng: Rng,
  transA: boolean,
  transB: boolean,
  [m, n, k]: [number, number, number],
  alpha: number,
  beta: number,
): void {
  const [ar, ac] = transA ? [k, m] : [m, k];
  const [br, bc] = transB ? [n, k] : [k, n];
  const lda = ac + 3;
  const ldb = bc + 1;
  const ldc = n + 2;
  const a = Float32Array.from(rng.randn(2 + ar * lda));
  const b = Float32Array.from(rng.randn(1 + br * ldb));
  const c = Float32Array.from(rng.randn(3 + m * ldc));
  const expected = Float64Array.from(c);
  const abs = new Float64Array(c.length);
  const mat = (data: Float32Array | Float64Array, offset: number, ld: number) => ({ data, offset, ld });
  gemmPortable(transA, transB, m, n, k, alpha, mat(Float64Array.from(a), 2, lda), mat(Float64Array.from(b), 1, ldb), beta, mat(expected, 3, ldc));
  const absA = Float64Array.from(a, Math.abs);
  const absB = Float64Array.from(b, Math.abs);
  gemmPortable(transA, transB, m, n, k, Math.abs(alpha), mat(absA, 2, lda), mat(absB, 1, ldb), 0, mat(abs, 3, ldc));
  fast(transA, transB, m, n, k, alpha, mat(a, 2, lda), mat(b, 1, ldb), beta, mat(c, 3, ldc));
  for (let i = 0; i < c.length; i++) {
    const bound = 2e-7 * (k + 2) * (abs[i]! + Math.abs(expected[i]!)) + 1e-30;
    if (!(Math.abs(c[i]! - expected[i]!) <= bound)) {
      expect.fail(`element ${i} of C: ${c[i]} vs ${expected[i]} (bound ${bound}) for m=${m} n=${n} k=${k}`);
    }
  }
}

describe('gemmWasm', () => {
  it('runs here (Node 20 has WebAssembly SIMD)', () => {
    expect(wasmGemmAvailable()).toBe(true);
  });

  // Odd sizes, edge tiles (m mod 4, n mod 8), and sizes crossing the MC = 128, KC = 256 and NC = 2048 blocks.
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 4],
    [13, 11, 9],
    [17, 1, 6],
    [1, 17, 33],
    [37, 29, 70],
    [131, 19, 260],
    [6, 2053, 5],
  ];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`matches the TypeScript reference for op(A)${transA ? 'ᵀ' : ''}·op(B)${transB ? 'ᵀ' : ''} across block edges`, () => {
        const rng = new Rng(10 + (transA ? 2 : 0) + (transB ? 1 : 0));
        for (const size of sizes) {
          for (const [alpha, beta] of [
            [1, 0],
            [0.5, 1],
            [-2, 0.25],
          ] as const) {
            checkFast(gemmWasm, rng, transA, transB, size, alpha, beta);
          }
        }
      });
    }
  }

  it('overwrites NaNs in C when beta = 0 and only scales C when alpha = 0 or k = 0', () => {
    const c = new Float32Array([Number.NaN, 5]);
    const one = (data: Float32Array, ld: number) => ({ data, offset: 0, ld });
    gemmWasm(false, false, 1, 2, 1, 1, one(new Float32Array([2]), 1), one(new Float32Array([3, 4]), 2), 0, one(c, 2));
    expect(Array.from(c)).toEqual([6, 8]);
    gemmWasm(false, false, 1, 2, 0, 1, one(new Float32Array(0), 0), one(new Float32Array(0), 2), 0.5, one(c, 2));
    expect(Array.from(c)).toEqual([3, 4]);
    gemmWasm(false, false, 1, 2, 1, 0, one(new Float32Array([Number.NaN]), 1), one(new Float32Array([1, 1]), 2), 2, one(c, 2));
    expect(Array.from(c)).toEqual([6, 8]);
  });

  it('is what gemm uses for float32 products above the threshold', () => {
    const rng = new Rng(20);
    const side = Math.ceil(Math.cbrt(WASM_MIN_FLOPS / 2)) + 1;
    for (const transA of [false, true]) {
      for (const transB of [false, true]) checkFast(gemm, rng, transA, transB, [side, side + 3, side + 1], 1.5, 0.5);
    }
  });
});
