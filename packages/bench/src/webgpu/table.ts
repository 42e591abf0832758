import type { WebgpuCell } from './run-webgpu.js';

const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);
const ms = (v: number | undefined): string => (v === undefined ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(2)} ms`);
const sci = (v: number): string => (v === 0 ? '0' : Number.isNaN(v) ? 'NaN' : v.toExponential(1));

/**
 * The WebGPU rows as plain text: per (row, engine) the GPU-done and read-back medians, TFLOP/s (GPU done),
 * its share of the adapter's FP32 peak (vendor figure, listed below the table) or "unknown", images/s of
 * the SGD steps, dispatches/submissions of one run, convnet-ts's speed-up (tfjs GPU-done median / convnet-ts's),
 * and the check against convnet-ts's result (max abs difference / max |convnet-ts|).
 */
export function formatWebgpuTable(cells: readonly WebgpuCell[]): string {
  const head = `${pad('workload', 9)} ${pad('engine', 11)} ${lpad('GPU done', 10)} ${lpad('read back', 10)} ${lpad('TFLOP/s', 8)} ${lpad('% peak', 7)} ${lpad('images/s', 9)} ${lpad('disp/subm', 10)} ${lpad('speed-up', 8)}  check vs convnet-ts; note`;
  const lines = [head, '-'.repeat(head.length + 12)];
  for (const row of [...new Set(cells.map((c) => c.row))]) {
    const inRow = cells.filter((c) => c.row === row);
    const ours = inRow.find((c) => c.engine === 'convnet-ts')?.gpuDone?.medianMs;
    for (const c of inRow) {
      const t = c.tflops;
      const share = t === undefined ? '—' : c.peak ? ((100 * t) / c.peak.tflops).toFixed(1) : 'unknown';
      const ips = c.imagesPerSecond === undefined ? '' : c.imagesPerSecond < 10 ? c.imagesPerSecond.toPrecision(2) : c.imagesPerSecond.toFixed(0);
      const counts = c.counts ? `${c.counts.dispatches}/${c.counts.submissions}` : '—';
      const up = c.engine !== 'convnet-ts' && ours !== undefined && c.gpuDone ? `${(c.gpuDone.medianMs / ours).toFixed(2)}×` : '';
      const check = c.check ? (Number.isNaN(c.check.maxAbsRef) ? c.check.what : `${c.check.what}: ${sci(c.check.maxAbsDiff)} / ${sci(c.check.maxAbsRef)}`) : '';
      const batch = c.batch !== undefined ? `batch ${c.batch}` : '';
      const note = [check, batch, c.note, c.missing].filter(Boolean).join('; ');
      lines.push(
        `${pad(row, 9)} ${pad(c.engine, 11)} ${lpad(ms(c.gpuDone?.medianMs), 10)} ${lpad(ms(c.readBack?.medianMs), 10)} ${lpad(t === undefined ? '—' : t < 0.1 ? t.toPrecision(2) : t.toFixed(2), 8)} ${lpad(share, 7)} ${lpad(ips, 9)} ${lpad(counts, 10)} ${lpad(up, 8)}  ${note}`,
      );
    }
  }
  const adapters = [...new Set(cells.map((c) => `${c.engine}: ${c.adapter}`))];
  lines.push('', `adapters: ${adapters.join('; ')}`);
  const peaks = [...new Set(cells.map((c) => (c.peak ? `${c.peak.tflops} TFLOP/s FP32 (${c.peak.source})` : 'unknown (adapter not in the vendor table)')))];
  lines.push(`peak: ${peaks.join('; ')}`);
  const sources = [...new Set(cells.flatMap((c) => (c.countsSource ? [`${c.engine}: ${c.countsSource}`] : [])))];
  if (sources.length > 0) lines.push(`disp/subm: dispatches/queue submissions of one run (counted on the first run, settle included); ${sources.join('; ')}`);
  lines.push('GPU done: encode + submit + onSubmittedWorkDone; read back: encode + submit + read the result; TFLOP/s from GPU done; speed-up = tfjs GPU done / convnet-ts GPU done');
  return lines.join('\n');
}
