import type { Measurement } from './measure.js';
import type { Peak } from './peak.js';
import { FLOPS, IMAGES } from './workloads.js';

/** One cell of the table: a measurement, or why there is none. */
export interface Cell {
  engine: string;
  /** The thread count the engine ran with. */
  threads: number;
  row: string;
  /** What was timed when it is not the row's own operation (a stand-in). */
  label?: string;
  /** How the engine computes the row, when that needs saying (printed as a numbered footnote). */
  route?: string;
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

export function gflops(row: string, ms: number): number {
  return (FLOPS[row] ?? Number.NaN) / ms / 1e6;
}

/** The peak at `threads` (the nearest thread count probed at or below it, else the lowest). */
export function peakAt(peaks: readonly Peak[], threads: number): Peak | undefined {
  const below = peaks.filter((p) => p.threads <= threads);
  return below.length ? below.reduce((a, b) => (b.threads > a.threads ? b : a)) : peaks[0];
}

/**
 * A plain-text table: one line per (row, engine, threads) with median time,
 * GFLOP/s, GFLOP/s as a percentage of the measured peak at that thread count
 * (`peaks`), images/s (W5), peak memory, then convnet-ts's speed-up over
 * each peer (peer time / ours at the same thread count — a one-thread peer
 * against convnet-ts at 1 thread; a stand-in is marked `*`), and notes. Routes
 * (how a peer computes a row) are numbered footnotes under the table.
 */
export function formatTable(cells: readonly Cell[], peaks: readonly Peak[] = [], ours = 'convnet-ts'): string {
  const lines: string[] = [];
  const head = `${pad('workload', 10)} ${pad('engine', 12)} ${lpad('thr', 3)} ${lpad('median', 10)} ${lpad('GFLOP/s', 8)} ${lpad('% peak', 7)} ${lpad('img/s', 6)} ${lpad('peak MB', 8)}  ${pad('speed-up of convnet-ts', 23)} note`;
  lines.push(head, '-'.repeat(head.length + 10));
  const routes: string[] = [];
  const rows = [...new Set(cells.map((c) => c.row))];
  for (const row of rows) {
    const inRow = cells.filter((c) => c.row === row);
    for (const c of inRow) {
      const m = c.measurement;
      const mine = inRow.find((o) => o.engine === ours && o.threads === c.threads)?.measurement;
      const peak = peakAt(peaks, c.threads);
      const rate = m ? gflops(row, m.medianMs) : Number.NaN;
      const images = IMAGES[row];
      const cols = [
        pad(row, 10),
        pad(c.engine, 12),
        lpad(String(c.threads), 3),
        lpad(m ? formatMs(m.medianMs) : '—', 10),
        lpad(m ? rate.toFixed(1) : '—', 8),
        lpad(m && peak ? ((100 * rate) / peak.gflops).toFixed(1) : '—', 7),
        lpad(m && images ? ((1000 * images) / m.medianMs).toFixed(1) : '', 6),
        lpad(m ? (m.peakBytes / 2 ** 20).toFixed(0) : '—', 8),
      ];
      const ratio = c.engine !== ours && m && mine ? `${(m.medianMs / mine.medianMs).toFixed(2)}×${c.label ? ' *' : ''}` : '';
      let routeMark = '';
      if (c.route) {
        if (!routes.includes(c.route)) routes.push(c.route);
        routeMark = `[${routes.indexOf(c.route) + 1}]`;
      }
      const note = [routeMark, c.missing, c.label ? `* timed: ${c.label}` : ''].filter(Boolean).join('; ');
      lines.push(`${cols.join(' ')}  ${pad(ratio, 23)} ${note}`.trimEnd());
    }
  }
  for (const [i, r] of routes.entries()) lines.push(`[${i + 1}] ${r}`);
  for (const p of peaks) lines.push(`% peak at ${p.threads} thread${p.threads > 1 ? 's' : ''}: of ${p.gflops.toFixed(0)} GFLOP/s (${p.source})`);
  return lines.join('\n');
}
