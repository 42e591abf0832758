import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { type Affinity, processAffinity } from './affinity.js';
import type { BenchArgs, EngineName } from './args.js';
import { convnetEngine } from './convnet-engine.js';
import type { Engine } from './engine.js';
import { type Contender, type MeasureOptions, measureInterleaved } from './measure.js';
import { loadOrt, onnxruntimeEngine } from './onnxruntime-engine.js';
import { maxPeaks, measurePeaks, type Peak } from './peak.js';
import { pytorchEngine, TorchChild } from './pytorch-engine.js';
import { type Cell, formatMs } from './table.js';
import { tfjsEngine } from './tfjs-engine.js';
import { makeData, ROWS } from './workloads.js';

export { ENGINE_NAMES as ENGINES, type EngineName } from './args.js';

/** The machine, as printed at the top of the report: CPU model, logical cores, the SIMD features Linux reports, Node. */
export function machine(): string {
  const list = cpus();
  return `${list[0]?.model ?? 'unknown CPU'}, ${list.length} logical cores${simdFeatures()}; Node ${process.version} (${process.arch})`;
}

/** `; AVX2, FMA, AVX-512F` from /proc/cpuinfo's flags (Linux only; empty elsewhere). */
function simdFeatures(): string {
  try {
    const flags = new Set(/^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.split(' ') ?? []);
    const named: [string, string][] = [['sse4_2', 'SSE4.2'], ['avx', 'AVX'], ['avx2', 'AVX2'], ['fma', 'FMA'], ['avx512f', 'AVX-512F'], ['avx512_vnni', 'AVX-512 VNNI'], ['asimd', 'NEON']];
    const have = named.filter(([f]) => flags.has(f)).map(([, n]) => n);
    return have.length ? `; ${have.join(', ')}` : '';
  } catch {
    return '';
  }
}

/**
 * Cells that take over 20 s each on a 2-core machine (tfjs-backend-cpu's
 * convolutions and SGD step; tfjs-wasm's AlexNet step): skipped by `--quick`,
 * and labelled so in the table.
 */
export function slowCell(engine: EngineName, row: string): boolean {
  if (engine === 'tfjs-cpu') return row !== 'W4';
  return engine === 'tfjs-wasm' && row === 'W5';
}

/**
 * Repetitions: the full run times 9 repetitions after two warm-ups (W5: 3
 * after one; these VMs' speed drifts by ±30 % within minutes, so the median
 * needs more than 5);
 * `--quick` times 2, and keeps the warm-up as the only sample when it took
 * over 1 s. tfjs-backend-cpu and the slow cells (see `slowCell`) get no
 * warm-up, and a first run over 10 s (2 s in `--quick`) is the only sample.
 */
function plan(engine: EngineName, row: string, quick: boolean): MeasureOptions | null {
  const slow = engine === 'tfjs-cpu' || slowCell(engine, row);
  if (quick && slowCell(engine, row)) return null;
  if (slow) return { warmup: 0, reps: 3, budgetMs: quick ? 2000 : 10000 };
  if (quick) return { warmup: 1, reps: 2, budgetMs: 1000 };
  return row === 'W5' ? { warmup: 1, reps: 3 } : { warmup: 2, reps: 9 };
}

/**
 * The untimed pause before every run, after its engine's processes were
 * pinned: PyTorch's worker threads keep spinning after their work (measured
 * here: 127 ms of CPU in the 0.5 s after a 2-thread convolution), which took
 * a core from whichever engine ran next (LeNet's 2-thread step, ~45 ms, ran
 * entirely inside that window); and the pinning's fork (`taskset`) slows the
 * Node engines' next run for a while (measureInterleaved).
 */
export const SETTLE_MS = 250;

/**
 * Untimed runs before each timed run shorter than this, right after the
 * pause (measureInterleaved): the timed run then finds the machine busy, as
 * a training loop does, not just back from 250 ms idle.
 */
export const LEAD_IN_MS = 200;

/** tfjs-backend-cpu's Conv2DBackpropFilter at W2's size ran over 13 minutes here without finishing (and W5 needs it 8 times): not run even in the full mode. */
export function hopelessCell(engine: EngineName, row: string): boolean {
  return engine === 'tfjs-cpu' && (row === 'W2 dzdf' || row === 'W5');
}

/** What a run of the bench found: its cells, the measured peaks, the sameness checks and the notes on skipped engines. */
export interface BenchReport {
  cells: Cell[];
  peaks: Peak[];
  /** "W1 pytorch 2T: sum … |sum| … (rel. diff … from convnet-ts)" lines. */
  checks: string[];
  /** Engines skipped, and why. */
  notes: string[];
}

/** The rows whose outputs are checksummed across engines. */
export const CHECKED_ROWS: readonly string[] = ['W1', 'W2 dzdx', 'W2 dzdf', 'W4'];

/** Relative difference of two checksums: |a − b| / |b|'s sum of absolute values (the second entry). */
function relDiff(a: [number, number], b: [number, number]): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1])) / b[1];
}

/**
 * Runs the selected workloads in one process. Every engine is set up first
 * (one per thread count for convnet-ts, PyTorch and ONNX Runtime), the
 * machine's peak probed (again at the end: the higher of the two counts), W1/W2/W4 outputs checksummed against convnet-ts's;
 * then, workload by workload, repetition by repetition, each engine runs in
 * turn (`measureInterleaved`: for W in workloads, for rep in reps, for engine
 * in engines), so load from other jobs tilts no ratio.
 */
export async function runBench(args: BenchArgs, log: (line: string) => void = () => {}): Promise<BenchReport> {
  const data = makeData(8, args.only.includes('W5'));
  const rows = args.only.flatMap((w) => ROWS[w]);
  const live: { name: EngineName; engine: Engine }[] = [];
  const notes: string[] = [];
  let torch: TorchChild | null = null;
  let affinity: Affinity | null = null;
  const add = (name: EngineName, engine: Engine) => {
    live.push({ name, engine });
    log(`${engine.name} ${engine.threads}T: threads ${engine.threadNote}`);
  };
  try {
    for (const name of args.engines) {
      if (name === 'convnet-ts') for (const t of args.threads) add(name, convnetEngine(data, t));
      else if (name === 'tfjs-cpu' || name === 'tfjs-wasm') add(name, await tfjsEngine(name === 'tfjs-cpu' ? 'cpu' : 'wasm', data, 1));
      else if (name === 'pytorch') {
        const child = await TorchChild.start(data);
        if (typeof child === 'string') notes.push(child);
        else {
          torch = child;
          for (const t of args.threads) add(name, pytorchEngine(child, data, t));
        }
      } else if (name === 'onnxruntime' && args.only.some((w) => w === 'W1' || w === 'W2' || w === 'W4')) {
        const ort = await loadOrt();
        if (typeof ort === 'string') notes.push(ort);
        else for (const t of args.threads) add(name, await onnxruntimeEngine(ort, data, t));
      }
    }
    for (const n of notes) log(n);
    const child = torch;
    const pinning = processAffinity(() => (child && child.pid > 0 ? [process.pid, child.pid] : [process.pid]));
    affinity = typeof pinning === 'string' ? null : pinning;
    log(`affinity: ${affinity ? affinity.note : pinning}`);
    const probe = () => measurePeaks(args.threads, child ? async (n) => (await child.request({ op: 'probe', threads: n })).gflops ?? 0 : null, args.peakGflops);
    const logPeaks = (when: string, peaks: readonly Peak[]) => {
      for (const p of peaks) {
        const parts = [p.wasmSimd ? `WebAssembly SIMD probe ${p.wasmSimd.toFixed(1)}` : '', p.nativeSgemm ? `native SGEMM ${p.nativeSgemm.toFixed(1)}` : ''].filter(Boolean);
        log(`peak ${when} ${p.threads}T: ${p.gflops.toFixed(1)} GFLOP/s (${p.source})${parts.length ? `; ${parts.join(', ')}` : ''}`);
      }
    };
    let peaks = await probe();
    logPeaks('at start', peaks);
    const checks = await sameness(live.map((l) => l.engine), rows, log);
    const cells: Cell[] = [];
    for (const row of rows) {
      const contenders: Contender[] = [];
      const timed: Cell[] = [];
      for (const { name, engine } of live) {
        const task = engine.task(row);
        if (task === null) continue;
        const base: Cell = { engine: engine.name, threads: engine.threads, row };
        if (hopelessCell(name, row)) {
          cells.push({ ...base, missing: 'not run: over 13 min here (naive Conv2DBackpropFilter)' });
          continue;
        }
        const reps = plan(name, row, args.quick);
        if (reps === null) {
          cells.push({ ...base, missing: 'skipped in --quick (over 20 s here; run without --quick)' });
          continue;
        }
        const run = task.run ?? task.standIn?.run;
        const cell: Cell = { ...base };
        if (task.missing) cell.missing = task.missing;
        affinity?.pin(engine.threads);
        const route = run ? await engine.prepare?.(row, args.quick) : null;
        if (route) cell.route = route;
        else if (task.route) cell.route = task.route;
        if (!task.run && task.standIn) cell.label = task.standIn.label;
        cells.push(cell);
        if (!run) continue;
        const activate = engine.activate?.bind(engine);
        const threads = engine.threads;
        const before = async () => {
          affinity?.pin(threads);
          await activate?.();
        };
        contenders.push({ run, opts: reps, before });
        timed.push(cell);
      }
      const outcomes = await measureInterleaved(contenders, SETTLE_MS, LEAD_IN_MS);
      for (const [i, outcome] of outcomes.entries()) {
        const cell = timed[i]!;
        if ('measurement' in outcome) {
          cell.measurement = outcome.measurement;
          log(`  ${row} ${cell.engine} ${cell.threads}T: ${formatMs(outcome.measurement.medianMs)}${cell.label ? ` (${cell.label})` : ''}`);
        } else {
          // A peer failing an operation is a result, not the end of the run.
          const e = outcome.error;
          cell.missing = `failed: ${e instanceof Error ? e.message : String(e)}`;
          log(`  ${row} ${cell.engine} ${cell.threads}T: ${cell.missing}`);
        }
      }
    }
    if (args.peakGflops === undefined) {
      const after = await probe();
      logPeaks('at end', after);
      peaks = maxPeaks(peaks, after);
    }
    return { cells, peaks, checks, notes };
  } finally {
    // Unpinned again: runBench may be a library call in a longer process.
    affinity?.pin(Number.POSITIVE_INFINITY);
    for (const { engine } of live) await engine.dispose();
    await torch?.close();
  }
}

/** Checksums of W1's, W2's and W4's outputs on every engine that gives one, against the first engine's (convnet-ts's): the same data in, the same numbers out. */
async function sameness(engines: readonly Engine[], rows: readonly string[], log: (line: string) => void): Promise<string[]> {
  const lines: string[] = [];
  for (const row of rows.filter((r) => CHECKED_ROWS.includes(r))) {
    let ref: [number, number] | null = null;
    for (const e of engines) {
      await e.activate?.();
      const s = await e.checksum?.(row);
      if (!s) continue;
      ref ??= s;
      const line = `${row} ${e.name} ${e.threads}T: sum ${s[0].toPrecision(9)}, sum |.| ${s[1].toPrecision(9)}${s === ref ? ' (reference)' : `, rel. diff ${relDiff(s, ref).toExponential(1)}`}`;
      lines.push(line);
      log(`same data: ${line}`);
    }
  }
  return lines;
}
