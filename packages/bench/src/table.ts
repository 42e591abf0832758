import { FLOPS } from './workloads.js';
import type { Measurement } from './measure.js';

/** One cell of the table: a measurement, or why there is none. */
export interface Cell {
  engine: string;
  row: string;
  /** What was timed when it is not the row's own operation (a stand-in). */
  label?: string;
  measurement?: Measurement;
  /** Why the row's own operation cannot run (kept even when a stand-in was timed). */
  missing?: string;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/** `123.4 ms`, `1.23 s`. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/**
 * The machine's peak in GFLOP/s: 2 cores × 2 AVX-512 FMA units × 16 float32
 * lanes × 2 flops × ~3.7 GHz ≈ 480 (issue 8). WebAssembly SIMD is 128-bit and
 * has no FMA, so one thread of it can reach at most 1/8 of a core's share.
 */
export const MACHINE_PEAK_GFLOPS = 480;

export function gflops(row: string, ms: number): number {
  return (FLOPS[row] ?? Number.NaN) / ms / 1e6;
}

/**
 * A plain-text table: one line per (row, engine) with median time, GFLOP/s,
 * GFLOP/s as a percentage of `MACHINE_PEAK_GFLOPS`, peak memory, then convnet-ts's speed-up over each peer (peer time / ours; a
 * stand-in counts as the peer's best route, and is marked `*`).
 */
export function formatTable(cells: readonly Cell[], ours = 'convnet-ts'): string {
  const lines: string[] = [];
  const head = `${pad('workload', 10)} ${pad('engine', 12)} ${lpad('median', 10)} ${lpad('GFLOP/s', 8)} ${lpad('% peak', 7)} ${lpad('peak MB', 8)}  ${pad('speed-up of convnet-ts', 24)} note`;
  lines.push(head, '-'.repeat(head.length + 10));
  const rows = [...new Set(cells.map((c) => c.row))];
  for (const row of rows) {
    const inRow = cells.filter((c) => c.row === row);
    const mine = inRow.find((c) => c.engine === ours)?.measurement;
    for (const c of inRow) {
      const m = c.measurement;
      const time = m ? formatMs(m.medianMs) : '—';
      const rate = m ? gflops(row, m.medianMs).toFixed(1) : '—';
      const share = m ? `${((100 * gflops(row, m.medianMs)) / MACHINE_PEAK_GFLOPS).toFixed(1)}` : '—';
      const peak = m ? (m.peakBytes / 2 ** 20).toFixed(0) : '—';
      const ratio = c.engine !== ours && m && mine ? `${(m.medianMs / mine.medianMs).toFixed(2)}×${c.label ? ' *' : ''}` : '';
      const note = [c.missing, c.label ? `* timed: ${c.label}` : ''].filter(Boolean).join('; ');
      lines.push(`${pad(row, 10)} ${pad(c.engine, 12)} ${lpad(time, 10)} ${lpad(rate, 8)} ${lpad(share, 7)} ${lpad(peak, 8)}  ${pad(ratio, 24)} ${note}`);
    }
  }
  return lines.join('\n');
}
