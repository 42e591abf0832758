import { describe, expect, it } from 'vitest';
import { runBench } from './run.js';
import { formatTable } from './table.js';

describe('runBench', () => {
  it('runs a quick W4 on convnet-ts and tabulates it (no timing assertions)', async () => {
    const lines: string[] = [];
    const cells = await runBench({ quick: true, threads: 1, only: ['W4'] }, ['convnet-ts'], (l) => lines.push(l));
    expect(cells).toHaveLength(1);
    const m = cells[0]!.measurement!;
    expect(m.timesMs.length).toBeGreaterThanOrEqual(1); // quick mode times a slow run once
    expect(m.medianMs).toBeGreaterThan(0);
    expect(lines[0]).toBe('convnet-ts: threads 1 (GEMM without workers)');
    expect(lines[1]).toMatch(/^ {2}W4 convnet-ts: [\d.]+ m?s$/);
    const table = formatTable(cells);
    expect(table).toMatch(/^W4 +convnet-ts +[\d.]+ m?s +[\d.]+ +\d+/m);
  });
});
