import { describe, expect, it } from 'vitest';
import { measure } from './measure.js';
import { hopelessCell, slowCell } from './run.js';
import { formatTable, MACHINE_PEAK_GFLOPS } from './table.js';

describe('the slow cells --quick skips', () => {
  it('are tfjs-cpu but W4, and tfjs-wasm W2; never convnet-ts', () => {
    expect(['W1', 'W2 dzdx', 'W2 dzdf', 'W3', 'W4'].map((r) => slowCell('tfjs-cpu', r))).toEqual([true, true, true, true, false]);
    expect(['W1', 'W2 dzdx', 'W2 dzdf', 'W3', 'W4'].map((r) => slowCell('tfjs-wasm', r))).toEqual([false, true, true, false, false]);
    expect(['W1', 'W2 dzdx', 'W2 dzdf', 'W3', 'W4'].some((r) => slowCell('convnet-ts', r))).toBe(false);
  });

  it('even the full run leaves out only tfjs-cpu W2 dzdf', () => {
    expect(hopelessCell('tfjs-cpu', 'W2 dzdf')).toBe(true);
    expect(hopelessCell('tfjs-cpu', 'W2 dzdx')).toBe(false);
    expect(hopelessCell('tfjs-wasm', 'W2 dzdf')).toBe(false);
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
  it('prints GFLOP/s as a percentage of the machine peak, and the speed-up', () => {
    expect(MACHINE_PEAK_GFLOPS).toBe(480);
    const m = (ms: number) => ({ medianMs: ms, timesMs: [ms], peakBytes: 2 * 2 ** 20 });
    const table = formatTable([
      { engine: 'convnet-ts', row: 'W4', measurement: m(100) },
      { engine: 'tfjs-cpu', row: 'W4', missing: 'skipped in --quick (over 20 s here; run without --quick)' },
      { engine: 'tfjs-wasm', row: 'W4', measurement: m(150) },
    ]).split('\n');
    // 2·1024³ flops in 100 ms = 21.5 GFLOP/s = 4.5 % of 480.
    expect(table[2]).toMatch(/^W4 +convnet-ts +100\.0 ms +21\.5 +4\.5 +2 +$/);
    expect(table[3]).toMatch(/^W4 +tfjs-cpu +— +— +— +— +skipped in --quick/);
    expect(table[4]).toMatch(/^W4 +tfjs-wasm +150\.0 ms +14\.3 +3\.0 +2 +1\.50× +$/);
  });
});
