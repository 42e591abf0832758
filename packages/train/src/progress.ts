/**
 * Terminal reporting (cnn_train's console line: epoch, batch, images/s and
 * the running statistics, plus the seconds spent waiting for data next to
 * the seconds computing), written to a stream (default process.stdout):
 *
 * - `terminalProgress()` — an `onProgress` handler: on a TTY a bar redrawn in
 *   place with images/s and the time left in the pass; elsewhere (logs, CI)
 *   one plain line per finished pass;
 * - `terminalReport()` — `{ onProgress, onEpoch }` for `train`'s options: the
 *   same bar on a TTY, plus one line per epoch (train and val statistics,
 *   seconds, time left in the run), the only output when not on a TTY.
 *
 * Time left: a pass's seconds so far × (batches left / batches done); the
 * run's adds the mean seconds of the epochs this report saw finish (and of
 * their val passes, while in a train pass) times the epochs still to come.
 */
import type { EpochStats, PassStats, ProgressEvent } from './stats.js';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * `data 0.42 s / compute 11.9 s`: seconds waiting for the source's batches
 * next to the rest of the time (computing); empty without `dataTime`
 * (statistics from before it). Loading is the bottleneck when the first
 * number is not small against the second.
 */
export function formatDataTime(dataTime: number | undefined, time: number): string {
  return dataTime === undefined ? '' : `data ${dataTime.toFixed(2)} s / compute ${Math.max(0, time - dataTime).toFixed(1)} s`;
}

const dataTimeOf = (passes: readonly (PassStats | null)[]): number | undefined =>
  passes.some((p) => p && p.dataTime === undefined) ? undefined : passes.reduce((t, p) => t + (p?.dataTime ?? 0), 0);

/** `objective 0.123  top1err 0.045  …  1234 im/s  data 0.42 s / compute 11.9 s` */
export function formatStats(s: PassStats): string {
  const errs = Object.entries(s.errors).map(([k, v]) => `${k} ${v.toFixed(4)}`);
  const data = formatDataTime(s.dataTime, s.time);
  return [`objective ${s.objective.toFixed(4)}`, ...errs, `${s.speed.toFixed(0)} im/s`, ...(data ? [data] : [])].join('  ');
}

/** `objective 0.123 top1err 0.045 …` (no speed), for the lines that hold several passes. */
const formatValues = (s: PassStats): string =>
  [`objective ${s.objective.toFixed(4)}`, ...Object.entries(s.errors).map(([k, v]) => `${k} ${v.toFixed(4)}`)].join(' ');

/** Seconds as `m:ss` (or `h:mm:ss` from an hour). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

const defaultStream = (): ProgressStream | undefined => (globalThis as { process?: { stdout: ProgressStream } }).process?.stdout;
const head = (e: ProgressEvent) => `${e.mode.padEnd(5)} epoch ${String(e.epoch).padStart(2, '0')}/${e.numEpochs}`;
const passLeft = (e: ProgressEvent) => (e.batch > 0 ? (e.stats.time * (e.numBatches - e.batch)) / e.batch : Number.NaN);

/** The bar line of a batch event, cut to the terminal's width. */
function barLine(e: ProgressEvent, out: ProgressStream, runLeft: number | null): string {
  const width = 24;
  const filled = Math.round((width * e.batch) / e.numBatches);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const eta = `ETA ${formatDuration(passLeft(e))}${runLeft === null ? '' : ` (run ${formatDuration(runLeft)})`}`;
  // Speed, data wait and time left first: a narrow terminal cuts the statistics, not them.
  const data = formatDataTime(e.stats.dataTime, e.stats.time);
  const line = `${head(e)} ${bar} ${e.batch}/${e.numBatches}  ${e.stats.speed.toFixed(0)} im/s  ${data ? `${data}  ` : ''}${eta}  ${formatValues(e.stats)}`;
  const cols = out.columns ?? 120;
  return `\r${line.slice(0, cols - 1)}\u001b[K`;
}

/** An `onProgress` handler: a bar on a TTY, one line per finished pass elsewhere. */
export function terminalProgress(stream?: ProgressStream): (event: ProgressEvent) => void {
  const out = stream ?? defaultStream();
  return (e) => {
    if (!out) return;
    if (!out.isTTY) {
      if (e.phase === 'end') out.write(`${head(e)}: ${formatStats(e.stats)}  (${e.stats.time.toFixed(1)} s)\n`);
      return;
    }
    out.write(barLine(e, out, null));
    if (e.phase === 'end') out.write(`  (${e.stats.time.toFixed(1)} s)\n`);
  };
}

export interface TerminalReport {
  onProgress: (event: ProgressEvent) => void;
  onEpoch: (epoch: number, stats: readonly EpochStats[]) => void;
}

/**
 * `epoch 03/10  train objective 0.0601 top1err 0.0195  val objective 0.1019 top1err 0.0330  12.3 s, 512 im/s  data 0.42 s / compute 11.9 s  ETA 1:26`
 * (seconds and data wait of both passes; images/s of the training pass).
 */
export function formatEpoch(s: EpochStats, numEpochs: number, runLeft: number | null): string {
  const seconds = s.train.time + (s.val?.time ?? 0);
  const data = formatDataTime(dataTimeOf([s.train, s.val]), seconds);
  return [
    `epoch ${String(s.epoch).padStart(2, '0')}/${numEpochs}`,
    `train ${formatValues(s.train)}`,
    ...(s.val ? [`val ${formatValues(s.val)}`] : []),
    `${seconds.toFixed(1)} s, ${s.train.speed.toFixed(0)} im/s`,
    ...(data ? [data] : []),
    ...(runLeft === null ? [] : [`ETA ${formatDuration(runLeft)}`]),
  ].join('  ');
}

/** `{ onProgress, onEpoch }` printing a bar (TTY only) and one line per epoch (see the module doc). */
export function terminalReport(stream?: ProgressStream): TerminalReport {
  const out = stream ?? defaultStream();
  const epochSeconds: number[] = [];
  const valSeconds: number[] = [];
  let numEpochs = 0;
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  return {
    onProgress: (e) => {
      numEpochs = e.numEpochs;
      if (!out?.isTTY) return;
      const later = epochSeconds.length > 0 ? (e.numEpochs - e.epoch) * mean(epochSeconds) : null;
      const val = e.mode === 'train' && valSeconds.length > 0 ? mean(valSeconds) : 0;
      out.write(barLine(e, out, later === null ? null : passLeft(e) + val + later));
    },
    onEpoch: (epoch, stats) => {
      const s = stats[stats.length - 1];
      if (!out || !s) return;
      epochSeconds.push(s.train.time + (s.val?.time ?? 0));
      if (s.val) valSeconds.push(s.val.time);
      const total = Math.max(numEpochs, epoch);
      const left = epoch < total ? (total - epoch) * mean(epochSeconds) : null;
      out.write(`${out.isTTY ? '\r\u001b[K' : ''}${formatEpoch(s, total, left)}\n`);
    },
  };
}
