import { median } from '../measure.js';
import { type NetRow, NET_ROWS, WEBGPU_ROWS, type WebgpuData, type WebgpuRow } from './data.js';
import type { GpuCounts, GpuEngine, GpuResult } from './gpu-engine.js';
import { knownPeak, type Peak } from './peaks.js';

/** Median and every timed run, in milliseconds. */
export interface Timing {
  medianMs: number;
  timesMs: number[];
}

/** One (row, engine) cell of the WebGPU table. */
export interface WebgpuCell {
  row: string;
  engine: string;
  /** The adapter of the engine's device, in words (`describeAdapter`). */
  adapter: string;
  /** Encode + submit, then wait for the queue to finish the work (`onSubmittedWorkDone`), no read-back. */
  gpuDone?: Timing;
  /** Encode + submit, then read the result back to the host (W1/W2 outputs are 25.7 MB; a step reads its loss). */
  readBack?: Timing;
  /** Flops of one run (a step: as packages/bench counts W3). */
  flops: number;
  /** flops / GPU-done median, in TFLOP/s. */
  tflops?: number;
  /** The adapter's FP32 peak (vendor figure), or null when unknown. */
  peak: Peak | null;
  /** Images per second of an SGD step (batch / GPU-done median). */
  imagesPerSecond?: number;
  batch?: number;
  /** Dispatches and submissions of one run (the first, counted apart from the timing, settle included). */
  counts?: GpuCounts;
  countsSource?: string;
  /** Against convnet-ts's result of the same first run: max |this − convnet-ts| and max |convnet-ts| (W1, W2, W4; LeNet: the loss). */
  check?: { maxAbsDiff: number; maxAbsRef: number; what: string };
  /** Why the row was not timed, or failed. */
  missing?: string;
  /** Sizes different from the workload's definition, and other remarks. */
  note?: string;
}

export interface PlanOptions {
  /** Untimed runs after the first (checked) one. */
  warmup: number;
  /** Timed repetitions; each times one GPU-done and one read-back run of every engine, interleaved. */
  reps: number;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): { diff: number; ref: number } {
  if (a.length !== b.length) return { diff: Number.NaN, ref: Number.NaN };
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    // NaN anywhere makes the difference NaN, so it cannot pass a bound.
    diff = d > diff || Number.isNaN(d) ? d : diff;
    ref = Math.max(ref, Math.abs(b[i]!));
  }
  return { diff, ref };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The rows `only` selects (`W2` = both derivatives; case-insensitive), in table order; all when absent. */
export function selectRows(only: readonly string[] | undefined): WebgpuRow[] {
  if (!only || only.length === 0) return [...WEBGPU_ROWS];
  const want = only.map((s) => s.trim().toUpperCase());
  const known = new Set(['W1', 'W2', 'W3', 'W4', 'ALEXNET', 'LENET']);
  for (const w of want) if (!known.has(w)) throw new RangeError(`webgpu bench: unknown workload ${w} (known: W1, W2, W3 (= LeNet), W4, AlexNet)`);
  return WEBGPU_ROWS.filter((r) => want.includes(r.split(' ')[0]!.toUpperCase()) || (r === 'W3' && want.includes('LENET')));
}

/**
 * Times every row on every engine, interleaved so load falls on all alike: per row, a first run of each
 * engine (counted: dispatches, submissions; its result compared with convnet-ts's, the first engine's),
 * `warmup` untimed runs, then `reps` rounds, each a GPU-done run of every engine then a read-back run of
 * every engine. Medians are reported. An engine failing a row is a result; the others go on.
 */
export async function timeRows(
  engines: readonly GpuEngine[],
  data: WebgpuData,
  rows: readonly WebgpuRow[],
  plan: PlanOptions,
  log: (line: string) => void,
): Promise<WebgpuCell[]> {
  const cells: WebgpuCell[] = [];
  for (const row of rows) {
    const net = (NET_ROWS as readonly string[]).includes(row) ? data.nets[row as NetRow] : undefined;
    const live: { e: GpuEngine; cell: WebgpuCell; op: () => GpuResult; done: number[]; read: number[] }[] = [];
    let reference: Float32Array | undefined;
    for (const e of engines) {
      const peak = knownPeak(e.adapter);
      const cell: WebgpuCell = { row, engine: e.name, adapter: e.adapter, flops: data.flops[row] ?? Number.NaN, peak };
      if (net) cell.batch = net.net.input[0];
      if (data.notes[row]) cell.note = data.notes[row];
      cells.push(cell);
      const op = e.op(row);
      if (!op) {
        cell.missing = `no ${row} operation`;
        continue;
      }
      try {
        await e.activate?.();
        e.resetCounts();
        const r = op();
        await e.settle();
        cell.counts = e.counts();
        cell.countsSource = e.countsSource;
        const values = await r.read();
        r.release();
        const dropout = net?.net.layers.some((l) => l.kind === 'dropout') ?? false;
        if (reference === undefined) reference = values;
        else if (dropout) cell.check = { maxAbsDiff: Number.NaN, maxAbsRef: Number.NaN, what: 'not compared: dropout masks differ between engines' };
        else {
          const { diff, ref } = maxAbsDiff(values, reference);
          cell.check = { maxAbsDiff: diff, maxAbsRef: ref, what: net ? 'loss of the first step' : 'output' };
        }
        if (cell.check) log(`  ${row} ${e.name}: ${cell.check.what}: max |diff| ${cell.check.maxAbsDiff.toExponential(2)}, max |convnet-ts| ${cell.check.maxAbsRef.toExponential(2)}`);
        live.push({ e, cell, op, done: [], read: [] });
      } catch (err) {
        cell.missing = `failed: ${message(err)}`;
        log(`  ${row} ${e.name}: ${cell.missing}`);
      }
    }
    const once = async (l: (typeof live)[number], mode: 'done' | 'read'): Promise<number> => {
      await l.e.activate?.();
      const t0 = performance.now();
      const r = l.op();
      if (mode === 'done') await l.e.settle();
      else await r.read();
      const ms = performance.now() - t0;
      r.release();
      return ms;
    };
    const failed = new Set<(typeof live)[number]>();
    const each = async (fn: (l: (typeof live)[number]) => Promise<void>): Promise<void> => {
      for (const l of live) {
        if (failed.has(l)) continue;
        try {
          await fn(l);
        } catch (err) {
          failed.add(l);
          l.cell.missing = `failed: ${message(err)}`;
          log(`  ${row} ${l.e.name}: ${l.cell.missing}`);
        }
      }
    };
    for (let i = 0; i < plan.warmup; i++) await each(async (l) => void (await once(l, 'read')));
    for (let i = 0; i < plan.reps; i++) {
      await each(async (l) => void l.done.push(await once(l, 'done')));
      await each(async (l) => void l.read.push(await once(l, 'read')));
    }
    for (const l of live) {
      if (failed.has(l) || l.done.length === 0) continue;
      const c = l.cell;
      c.gpuDone = { medianMs: median(l.done), timesMs: l.done };
      c.readBack = { medianMs: median(l.read), timesMs: l.read };
      c.tflops = c.flops / (c.gpuDone.medianMs * 1e9);
      if (c.batch !== undefined) c.imagesPerSecond = c.batch / (c.gpuDone.medianMs / 1000);
      log(`  ${row} ${c.engine}: GPU done ${c.gpuDone.medianMs.toFixed(2)} ms, read back ${c.readBack.medianMs.toFixed(2)} ms`);
    }
  }
  return cells;
}
