import { OptionError, Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type CpuBackendOptions, createCpuBackend } from './cpu-backend.js';
import { gemm } from './gemm.js';
import { im2row, type PatchGeometry } from './im2row.js';
import { relaxedSimdAvailable } from './wasm-instance.js';

const attrs = { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 } as const;

/** A seeded 3×3, pad-1 convolution of `shape` (NHWC) to 8 filters on a backend with `options`. */
function conv(shape: readonly [number, number, number, number], options: CpuBackendOptions): Float32Array {
  const [n, h, w, c] = shape;
  const rng = new Rng(17);
  const cpu = createCpuBackend({ threads: 1, ...options });
  try {
    const y = cpu.run('Conv', { x: cpu.tensor(rng.randn(n * h * w * c), shape), f: cpu.tensor(rng.randn(9 * c * 8), [3, 3, c, 8]), b: null }, attrs);
    return Float32Array.from(y.dataSync() as Float32Array);
  } finally {
    cpu.dispose();
  }
}

/** The same convolution as im2row (TypeScript) and one float32 GEMM per image: the direct path's sums in its order. */
function im2rowGemm(shape: readonly [number, number, number, number]): Float32Array {
  const [n, h, w, c] = shape;
  const rng = new Rng(17);
  const x = Float32Array.from(rng.randn(n * h * w * c));
  const f = Float32Array.from(rng.randn(9 * c * 8));
  const g: PatchGeometry = { height: h, width: w, channels: c, filterHeight: 3, filterWidth: 3, outHeight: h, outWidth: w, padTop: 1, padLeft: 1, strideY: 1, strideX: 1, dilateY: 1, dilateX: 1 };
  const phi = new Float32Array(h * w * 9 * c);
  const y = new Float32Array(n * h * w * 8);
  for (let i = 0; i < n; i++) {
    im2row(x, i * h * w * c, g, 0, c, phi);
    gemm(false, false, h * w, 8, 9 * c, 1, { data: phi, offset: 0, ld: 9 * c }, { data: f, offset: 0, ld: 8 }, 0, { data: y, offset: i * h * w * 8, ld: 8 });
  }
  return y;
}

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('createCpuBackend({ winograd })', () => {
  it("false gives the direct im2row + GEMM path's bits; the default gives Winograd's, F(4×4) from 8 × 8 outputs, F(2×2) below", () => {
    const large = [2, 8, 8, 8] as const;
    const small = [2, 16, 4, 8] as const;
    const direct = conv(large, { winograd: false });
    expect(same(direct, im2rowGemm(large))).toBe(true);
    const auto = conv(large, {});
    expect(same(auto, direct)).toBe(false);
    expect(same(auto, conv(large, { winograd: 4 }))).toBe(true);
    expect(same(auto, conv(large, { winograd: 2 }))).toBe(false);
    expect(same(conv(small, {}), conv(small, { winograd: 2 }))).toBe(true);
    expect(same(conv(small, {}), conv(small, { winograd: 4 }))).toBe(false);
    // Within rounding of the direct path (conv-winograd.test.ts bounds both against float64).
    let err = 0;
    let scale = 0;
    for (let i = 0; i < direct.length; i++) {
      err = Math.max(err, Math.abs(auto[i]! - direct[i]!));
      scale = Math.max(scale, Math.abs(direct[i]!));
    }
    expect(err / scale).toBeLessThan(1e-6 * Math.sqrt(9 * 8));
  });

  it('is per backend: two live backends keep their own choices', () => {
    const a = createCpuBackend({ threads: 1, winograd: false });
    const b = createCpuBackend({ threads: 1 });
    try {
      expect([a.winograd, b.winograd]).toEqual([false, true]);
    } finally {
      a.dispose();
      b.dispose();
    }
    expect(same(conv([2, 8, 8, 8], { winograd: false }), im2rowGemm([2, 8, 8, 8]))).toBe(true);
  });

  it('refuses values other than true, false, 2 and 4 with an OptionError', () => {
    for (const bad of [3, 1, 'auto', null, 0]) {
      expect(() => createCpuBackend({ winograd: bad as unknown as boolean })).toThrow(OptionError);
      expect(() => createCpuBackend({ winograd: bad as unknown as boolean })).toThrow(expect.objectContaining({ argument: 'winograd' }));
    }
    expect(() => createCpuBackend({ winograd: 3 as 2 })).toThrow('createCpuBackend: expected true, false, 2 or 4, got 3');
  });
});

describe('createCpuBackend({ fma })', () => {
  it('is off by default; on only where the engine has relaxed SIMD', () => {
    const plain = createCpuBackend({ threads: 1 });
    expect(plain.fma).toBe(false);
    plain.dispose();
    const fused = createCpuBackend({ threads: 1, fma: true });
    expect(fused.fma).toBe(relaxedSimdAvailable());
    fused.dispose();
    expect(createCpuBackend({ threads: 1 }).fma).toBe(false);
  });

  it('refuses values other than true and false with an OptionError', () => {
    for (const bad of [1, 'yes', null]) {
      expect(() => createCpuBackend({ fma: bad as unknown as boolean })).toThrow(OptionError);
      expect(() => createCpuBackend({ fma: bad as unknown as boolean })).toThrow(expect.objectContaining({ argument: 'fma' }));
    }
    expect(() => createCpuBackend({ fma: 1 as unknown as boolean })).toThrow('createCpuBackend: expected true or false, got 1');
  });

  it('names every option when refusing an unknown one', () => {
    expect(() => createCpuBackend({ winogard: true } as CpuBackendOptions)).toThrow("unknown option 'winogard' (known: 'dtype', 'threads', 'winograd', 'fma')");
  });
});
