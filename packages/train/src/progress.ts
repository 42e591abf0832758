/**
 * Terminal reporting for `train`'s `onProgress`: on a TTY, a progress bar
 * redrawn in place during each pass (cnn_train's console line: epoch,
 * batch, images/s and the running statistics); elsewhere (logs, CI), one
 * plain line per finished pass.
 */
import type { PassStats, ProgressEvent } from './stats.js';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** `objective 0.123 top1err 0.045 …` */
export function formatStats(s: PassStats): string {
  const errs = Object.entries(s.errors).map(([k, v]) => `${k} ${v.toFixed(4)}`);
  return [`objective ${s.objective.toFixed(4)}`, ...errs, `${s.speed.toFixed(0)} im/s`].join('  ');
}

/** An `onProgress` handler writing to `stream` (default: process.stdout). */
export function terminalProgress(stream?: ProgressStream): (event: ProgressEvent) => void {
  const out = stream ?? (globalThis as { process?: { stdout: ProgressStream } }).process?.stdout;
  return (e) => {
    if (!out) return;
    const head = `${e.mode.padEnd(5)} epoch ${String(e.epoch).padStart(2, '0')}/${e.numEpochs}`;
    if (!out.isTTY) {
      if (e.phase === 'end') out.write(`${head}: ${formatStats(e.stats)}  (${e.stats.time.toFixed(1)} s)\n`);
      return;
    }
    const width = 24;
    const filled = Math.round((width * e.batch) / e.numBatches);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const line = `${head} ${bar} ${e.batch}/${e.numBatches}  ${formatStats(e.stats)}`;
    const cols = out.columns ?? 120;
    out.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length))}\u001b[K`);
    if (e.phase === 'end') out.write(`  (${e.stats.time.toFixed(1)} s)\n`);
  };
}
