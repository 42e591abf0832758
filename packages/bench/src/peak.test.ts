import { describe, expect, it } from 'vitest';
import { maxPeaks, measurePeaks, probeModule } from './peak.js';

describe('the peak probe', () => {
  it('is a valid WebAssembly SIMD module whose loop keeps its values near 1', () => {
    const bytes = probeModule();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const { run } = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as { run: (n: number) => number };
    // 12 accumulators, each acc·0.999 + 0.001 from 0, summed: 12·(1 − 0.999^(2n)).
    expect(run(0)).toBe(0);
    expect(run(1000)).toBeCloseTo(12 * (1 - 0.999 ** 2000), 3);
  });

  it('measures every thread count, --peak overrides, and the higher of two probes counts', async () => {
    const probed = await measurePeaks([1], async () => 50);
    expect(probed[0]).toMatchObject({ threads: 1, gflops: 50, nativeSgemm: 50, source: 'native SGEMM probe (torch.mm 512³–2048³, best)' });
    expect(probed[0]!.wasmSimd).toBeGreaterThan(0);
    expect(await measurePeaks([1, 2], null, 193)).toEqual([
      { threads: 1, gflops: 193, source: '--peak' },
      { threads: 2, gflops: 193, source: '--peak' },
    ]);
    const lower = { ...probed[0]!, gflops: 40, nativeSgemm: 40, wasmSimd: 1 };
    expect(maxPeaks([lower], probed)[0]).toMatchObject({ gflops: 50, nativeSgemm: 50, wasmSimd: probed[0]!.wasmSimd });
  });
});
