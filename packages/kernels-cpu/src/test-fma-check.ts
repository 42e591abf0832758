// Run by relaxed-fma.test.ts, in this process or in a child with relaxed SIMD
// switched on: the float32 GEMM and a Winograd-sized convolution with
// relaxed-SIMD FMA on (the GEMM by useRelaxedSimdFma, the convolutions by the
// backend's `fma` option), against float64 and against the plain path.
import { BackendError, Rng } from '@convnet-ts/tensor';
import { createCpuBackend } from './cpu-backend.js';
import { gemm } from './gemm.js';
import { useRelaxedSimdFma } from './gemm-threads.js';
import { relativeError } from './test-relative-error.js';

export interface FmaCheck {
  on: boolean;
  /** GEMM (67 × 45, depth 300) and conv (3×3, 8 → 16 channels, im2row) error relative to float64 max |y|, FMA on. */
  gemmError: number;
  convError: number;
  /** The FMA conv gives the same bits at 1 and 3 threads, and differs from the plain path's bits. */
  sameAcrossThreads: boolean;
  differsFromPlain: boolean;
  /** A plain backend is refused while an FMA backend's workers run, and allowed once it is disposed. */
  refusesMixedPool: boolean;
}

/** Whether `fma: false` is refused (a BackendError naming fma) while a 2-thread `fma: true` backend lives, and allowed after. */
function refusesMixedPool(): boolean {
  const fused = createCpuBackend({ threads: 2, fma: true });
  let refused = false;
  try {
    createCpuBackend({ threads: 1 }).dispose();
  } catch (e) {
    refused = e instanceof BackendError && e.message.includes('fma');
  } finally {
    fused.dispose();
  }
  const plain = createCpuBackend({ threads: 1 });
  const ok = !plain.fma;
  plain.dispose();
  return refused && ok;
}

/**
 * The conv on a backend with `threads` and `fma`, through im2row and the
 * GEMM's micro-kernel (Winograd's products have a kernel of their own,
 * without FMA); `onFma` receives whether its GEMM fuses.
 */
async function conv(threads: number, fma: boolean, onFma?: (on: boolean) => void): Promise<number[]> {
  const cpu = createCpuBackend({ threads, fma, winograd: false });
  try {
    onFma?.(cpu.fma);
    await cpu.ready();
    const rng = new Rng(5);
    const x = cpu.tensor(rng.randn(3 * 12 * 10 * 8), [3, 12, 10, 8]);
    const f = cpu.tensor(rng.randn(9 * 8 * 16), [3, 3, 8, 16]);
    return Array.from(cpu.run('Conv', { x, f, b: null }, { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 }).dataSync());
  } finally {
    cpu.dispose();
  }
}

export async function checkFma(): Promise<FmaCheck> {
  const plain = await conv(1, false);
  const f64 = createCpuBackend({ dtype: 'float64', threads: 1 });
  const rng = new Rng(5);
  const want = Array.from(
    f64
      .run('Conv', { x: f64.tensor(rng.randn(3 * 12 * 10 * 8), [3, 12, 10, 8]), f: f64.tensor(rng.randn(9 * 8 * 16), [3, 3, 8, 16]), b: null }, { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 })
      .dataSync(),
  );
  f64.dispose();
  let on = useRelaxedSimdFma(true);
  try {
    const [m, n, k] = [67, 45, 300];
    const a = new Rng(6).randn(m * k);
    const b = new Rng(7).randn(k * n);
    const c = new Float32Array(m * n);
    gemm(false, false, m, n, k, 1, { data: Float32Array.from(a), offset: 0, ld: k }, { data: Float32Array.from(b), offset: 0, ld: n }, 0, { data: c, offset: 0, ld: n });
    const c64 = new Float64Array(m * n);
    gemm(false, false, m, n, k, 1, { data: Float64Array.from(Float32Array.from(a)), offset: 0, ld: k }, { data: Float64Array.from(Float32Array.from(b)), offset: 0, ld: n }, 0, { data: c64, offset: 0, ld: n });
    // The backend option, not the switch above, decides for the convolutions.
    const one = await conv(1, true, (fused) => {
      on &&= fused;
    });
    const three = await conv(3, true);
    return {
      on,
      gemmError: relativeError(c, c64),
      convError: relativeError(one, want),
      sameAcrossThreads: one.every((v, i) => Object.is(v, three[i])),
      differsFromPlain: one.some((v, i) => !Object.is(v, plain[i])),
      refusesMixedPool: refusesMixedPool(),
    };
  } finally {
    useRelaxedSimdFma(false);
  }
}

if (process.argv.includes('--fma-check')) console.log(JSON.stringify(await checkFma()));
