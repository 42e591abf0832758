import { describe, expect, it } from 'vitest';
import { runBench } from './run.js';
import { formatTable } from './table.js';

describe('runBench', () => {
  it('runs a quick W4 on convnet-ts at 1 and 2 threads, probes the peak and tabulates it (no timing assertions)', async () => {
    const lines: string[] = [];
    const report = await runBench({ quick: true, threads: [1, 2], only: ['W4'], engines: ['convnet-ts'] }, (l) => lines.push(l));
    expect(report.cells.map((c) => [c.engine, c.threads])).toEqual([
      ['convnet-ts', 1],
      ['convnet-ts', 2],
    ]);
    for (const c of report.cells) expect(c.measurement!.medianMs).toBeGreaterThan(0);
    expect(lines[0]).toBe('convnet-ts 1T: threads 1 (no workers)');
    expect(report.peaks.map((p) => p.threads)).toEqual([1, 2]);
    for (const p of report.peaks) {
      expect(p.wasmSimd).toBeGreaterThan(0);
      expect(p.source).toBe('WebAssembly SIMD f32x4 mul+add probe');
    }
    // The two thread counts compute the same product.
    expect(report.checks).toHaveLength(2);
    expect(report.checks[1]).toMatch(/^W4 convnet-ts 2T: .* rel\. diff 0\.0e\+0$/);
    expect(lines.some((l) => /^ {2}W4 convnet-ts 2T: [\d.]+ m?s$/.test(l))).toBe(true);
    const table = formatTable(report.cells, report.peaks);
    expect(table).toMatch(/^W4 +convnet-ts +2 +[\d.]+ m?s +[\d.]+ +[\d.]+ +\d+/m);
    expect(table).toMatch(/^% peak at 2 threads: of \d+ GFLOP\/s \(WebAssembly SIMD f32x4 mul\+add probe\)$/m);
  });

  it('takes --peak instead of the probe', async () => {
    const report = await runBench({ quick: true, threads: [1], only: ['W4'], engines: [], peakGflops: 193 });
    expect(report.cells).toEqual([]);
    expect(report.peaks).toMatchObject([{ threads: 1, gflops: 193, source: '--peak' }]);
  });
});
