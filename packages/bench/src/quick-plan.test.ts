import { describe, expect, it } from 'vitest';
import { measure } from './measure.js';
import { hopelessCell, slowCell } from './run.js';
import { formatTable } from './table.js';

describe('the slow cells --quick skips', () => {
  const rows = ['W1', 'W2 dzdx', 'W2 dzdf', 'W3', 'W4', 'W5'];
  it('are tfjs-cpu but W4, and tfjs-wasm W5 (its W2 takes the best route now); never convnet-ts or PyTorch', () => {
    expect(rows.map((r) => slowCell('tfjs-cpu', r))).toEqual([true, true, true, true, false, true]);
    expect(rows.map((r) => slowCell('tfjs-wasm', r))).toEqual([false, false, false, false, false, true]);
    expect(rows.some((r) => slowCell('convnet-ts', r) || slowCell('pytorch', r) || slowCell('onnxruntime', r))).toBe(false);
  });

  it('even the full run leaves out only tfjs-cpu W2 dzdf and W5', () => {
    expect(rows.filter((r) => hopelessCell('tfjs-cpu', r))).toEqual(['W2 dzdf', 'W5']);
    expect(rows.some((r) => hopelessCell('tfjs-wasm', r))).toBe(false);
  });
});

describe('measure', () => {
  it('keeps a first run over the budget as the only sample when there is no warm-up', async () => {
    const slow = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return () => {};
    };
    const once = await measure(slow, { warmup: 0, reps: 3, budgetMs: 1 });
    expect(once.timesMs).toHaveLength(1);
    const all = await measure(slow, { warmup: 0, reps: 3, budgetMs: 1e6 });
    expect(all.timesMs).toHaveLength(3);
  });
});

describe('formatTable', () => {
  it('prints GFLOP/s as a percentage of the peak at the same thread count, images/s, the speed-up at the same threads, routes as footnotes', () => {
    const m = (ms: number) => ({ medianMs: ms, timesMs: [ms], peakBytes: 2 * 2 ** 20 });
    const peaks = [
      { threads: 1, gflops: 100, source: '--peak' },
      { threads: 2, gflops: 200, source: '--peak' },
    ];
    const table = formatTable(
      [
        { engine: 'convnet-ts', threads: 1, row: 'W4', measurement: m(100) },
        { engine: 'convnet-ts', threads: 2, row: 'W4', measurement: m(50) },
        { engine: 'tfjs-cpu', threads: 1, row: 'W4', missing: 'skipped in --quick (over 20 s here; run without --quick)' },
        { engine: 'tfjs-wasm', threads: 1, row: 'W4', measurement: m(150), route: 'best route' },
        { engine: 'pytorch', threads: 2, row: 'W4', measurement: m(25) },
        { engine: 'pytorch', threads: 2, row: 'W5', measurement: m(3200) },
      ],
      peaks,
    ).split('\n');
    // 2·1024³ flops in 100 ms = 21.5 GFLOP/s = 21.5 % of 100 at 1 thread; 42.9 = 21.5 % of 200 at 2.
    expect(table[2]).toMatch(/^W4 +convnet-ts +1 +100\.0 ms +21\.5 +21\.5 +2$/);
    expect(table[3]).toMatch(/^W4 +convnet-ts +2 +50\.0 ms +42\.9 +21\.5 +2$/);
    expect(table[4]).toMatch(/^W4 +tfjs-cpu +1 +— +— +— +— +skipped in --quick/);
    expect(table[5]).toMatch(/^W4 +tfjs-wasm +1 +150\.0 ms +14\.3 +14\.3 +2 +1\.50× +\[1\]$/);
    expect(table[6]).toMatch(/^W4 +pytorch +2 +25\.0 ms +85\.9 +42\.9 +2 +0\.50×$/);
    // W5: 32 images in 3.2 s = 10 images/s.
    expect(table[7]).toMatch(/^W5 +pytorch +2 +3\.20 s +[\d.]+ +[\d.]+ +10\.0 +2$/);
    expect(table).toContain('[1] best route');
    expect(table).toContain('% peak at 2 threads: of 200 GFLOP/s (--peak)');
  });
});
