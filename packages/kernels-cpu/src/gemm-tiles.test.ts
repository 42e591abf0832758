import { Rng, type Shape, sizeOf, type Tensor } from '@convnet-ts/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { gemmModuleBinary, type Tile } from '../scripts/gemm-module.mjs';
import { createCpuBackend } from './cpu-backend.js';
import { useGemmModule } from './gemm-threads.js';
import { gemmWasm } from './wasm-gemm.js';
import { shippedGemmModule } from './wasm-instance.js';

/**
 * Every micro-kernel tile that scripts/gen-gemm.mjs generates computes each
 * element of C as the same sum in the same order, so it gives the shipped
 * tile's bits: GEMMs of every transpose, and the convolutions (whose forward
 * multiplies φ packed straight into the tile's MR-row panels), at 1 and 3
 * threads, on sizes that leave edge tiles in both dimensions.
 */
const tiles: Tile[] = [
  { mr: 4, nr: 8 },
  { mr: 5, nr: 8 },
  { mr: 6, nr: 8 },
  { mr: 8, nr: 8 },
  { mr: 4, nr: 12 },
  { mr: 3, nr: 16 },
  { mr: 1, nr: 4 },
];

async function use(tile: Tile | null) {
  const bytes = tile === null ? null : { shared: await gemmModuleBinary(tile, { shared: true }), plain: await gemmModuleBinary(tile, { shared: false }) };
  const inst = useGemmModule(bytes);
  if (inst === null) throw new Error('WebAssembly SIMD is required by this test');
  return inst;
}

/** C = 0.75·op(A)·op(B) + 0.5·C for each transpose, sizes not multiples of any tile. */
function gemms(): Float32Array[] {
  const rng = new Rng(3);
  const out: Float32Array[] = [];
  for (const [m, n, k] of [
    [37, 29, 300],
    [131, 70, 513],
    [5, 3, 2],
  ] as const) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = Float32Array.from(rng.randn(m * k));
        const b = Float32Array.from(rng.randn(k * n));
        const c = Float32Array.from(rng.randn(m * n));
        gemmWasm(ta, tb, m, n, k, 0.75, { data: a, offset: 0, ld: ta ? m : k }, { data: b, offset: 0, ld: tb ? k : n }, 0.5, { data: c, offset: 0, ld: n });
        out.push(c);
      }
    }
  }
  return out;
}

/** Conv, ConvBackwardData and ConvBackwardFilter of one seeded problem on `threads`. */
async function convs(threads: number, xShape: Shape, k: number): Promise<Float32Array[]> {
  const cpu = createCpuBackend({ threads });
  try {
    await cpu.ready();
    const geometry = { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 } as const;
    const rng = new Rng(8);
    const x = cpu.tensor(rng.randn(sizeOf(xShape)), xShape);
    const f = cpu.tensor(rng.randn(3 * 3 * xShape[3]! * k), [3, 3, xShape[3]!, k]);
    const y = cpu.run('Conv', { x, f, b: null }, geometry);
    const dy = cpu.tensor(rng.randn(y.size), y.shape);
    const dx = cpu.run('ConvBackwardData', { dy, f }, { ...geometry, xShape: x.shape });
    const df = cpu.run('ConvBackwardFilter', { x, dy }, { ...geometry, fShape: f.shape });
    return [y, dx, df].map((t: Tensor) => Float32Array.from(t.dataSync() as Float32Array));
  } finally {
    cpu.dispose();
  }
}

async function all(): Promise<Float32Array[]> {
  return [...gemms(), ...(await convs(1, [3, 11, 13, 3], 10)), ...(await convs(3, [3, 11, 13, 3], 10)), ...(await convs(1, [1, 15, 17, 16], 21))];
}

/** The first index where `a` and `b` differ (as bit patterns of their values), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('generated micro-kernel tiles', () => {
  afterAll(() => {
    useGemmModule(null);
  });

  it('the shipped module is the generated 4 × 8 tile without FMA', async () => {
    const inst = await use(null);
    expect([inst.mr, inst.nr, inst.fma]).toEqual([4, 8, false]);
  });

  it('the unshared module (the shared one with its memory import flag flipped) runs on a plain memory and gives the same product', () => {
    for (const fma of [false, true]) {
      if (fma && !WebAssembly.validate(shippedGemmModule(true).shared)) continue;
      const { shared, plain } = shippedGemmModule(fma);
      expect(plain.length).toBe(shared.length);
      const run = (bytes: Uint8Array<ArrayBuffer>, memory: WebAssembly.Memory) => {
        const e = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as {
          sgemm(...args: number[]): void;
        };
        const h = new Float32Array(memory.buffer);
        const [m, n, k] = [9, 13, 70];
        const a = 300_000;
        const b = a + m * k;
        const c = b + k * n;
        for (let i = 0; i < m * k; i++) h[a + i] = Math.sin(i);
        for (let i = 0; i < k * n; i++) h[b + i] = Math.cos(i);
        e.sgemm(m, n, k, 1, 4 * a, k, 0, 4 * b, n, 0, 4 * c, n, 1024, 1024 + 4 * 128 * 256, 0);
        return Array.from(h.subarray(c, c + m * n));
      };
      const got = run(plain, new WebAssembly.Memory({ initial: 64, maximum: 65536 }));
      expect(() => run(plain, new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true }))).toThrow();
      expect(got).toEqual(run(shared, new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true })));
    }
  });

  it('every tile gives the shipped tile’s bits for GEMMs and convolutions at 1 and 3 threads', async () => {
    await use(null);
    const want = await all();
    for (const tile of tiles) {
      const inst = await use(tile);
      expect([inst.mr, inst.nr]).toEqual([tile.mr, tile.nr]);
      const got = await all();
      for (let i = 0; i < want.length; i++) expect({ tile, i, at: firstDifference(got[i]!, want[i]!) }).toEqual({ tile, i, at: -1 });
    }
  }, 120_000);
});
