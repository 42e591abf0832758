import { cpus } from 'node:os';
import type { BenchArgs } from './args.js';
import { convnetEngine } from './convnet-engine.js';
import type { Engine } from './engine.js';
import { type Contender, type MeasureOptions, measureInterleaved } from './measure.js';
import { type Cell, formatMs } from './table.js';
import { tfjsEngine } from './tfjs-engine.js';
import { type BenchData, makeData, ROWS } from './workloads.js';

export type EngineName = 'convnet-ts' | 'tfjs-cpu' | 'tfjs-wasm';
export const ENGINES: readonly EngineName[] = ['convnet-ts', 'tfjs-cpu', 'tfjs-wasm'];

/** The machine, as printed at the top of the report. */
export function machine(): string {
  const list = cpus();
  return `${list[0]?.model ?? 'unknown CPU'}, ${list.length} logical cores; Node ${process.version} (${process.arch})`;
}

/**
 * Cells that take over 20 s each on a 2-core machine (tfjs-backend-cpu's
 * convolutions and SGD step; tfjs-backend-wasm's transposed convolution and its
 * naive 3-D filter gradient standing in for dzdf): skipped by `--quick`, and
 * labelled so in the table.
 */
export function slowCell(engine: EngineName, row: string): boolean {
  if (engine === 'tfjs-cpu') return row !== 'W4';
  return engine === 'tfjs-wasm' && row.startsWith('W2');
}

/**
 * Repetitions: the full run times 5 repetitions after one warm-up; `--quick`
 * times 2, and keeps the warm-up as the only sample when it took over 1 s.
 * tfjs-backend-cpu and the slow cells (see `slowCell`) get no warm-up, and a
 * first run over 10 s (2 s in `--quick`) is the only sample.
 */
function plan(engine: EngineName, row: string, quick: boolean): MeasureOptions | null {
  const slow = engine === 'tfjs-cpu' || slowCell(engine, row);
  if (quick && slowCell(engine, row)) return null;
  if (slow) return { warmup: 0, reps: 3, budgetMs: quick ? 2000 : 10000 };
  return quick ? { warmup: 1, reps: 2, budgetMs: 1000 } : { warmup: 1, reps: 5 };
}

/** tfjs-backend-cpu's Conv2DBackpropFilter at W2's size ran over 13 minutes here without finishing: not run even in the full mode. */
export function hopelessCell(engine: EngineName, row: string): boolean {
  return engine === 'tfjs-cpu' && row === 'W2 dzdf';
}

async function makeEngine(name: EngineName, data: BenchData, threads: number): Promise<Engine> {
  if (name === 'convnet-ts') return convnetEngine(data, threads);
  return tfjsEngine(name === 'tfjs-cpu' ? 'cpu' : 'wasm', data, threads);
}

/**
 * Runs the selected workloads in one process. Every engine is set up first;
 * then, workload by workload, repetition by repetition, each engine runs in
 * turn (`measureInterleaved`: for W in workloads, for rep in reps, for engine
 * in engines), so load from other jobs tilts no ratio. Returns every cell.
 */
export async function runBench(args: BenchArgs, engines: readonly EngineName[] = ENGINES, log: (line: string) => void = () => {}): Promise<Cell[]> {
  const data = makeData();
  const rows = args.only.flatMap((w) => ROWS[w]);
  const live: { name: EngineName; engine: Engine }[] = [];
  try {
    for (const name of engines) {
      const engine = await makeEngine(name, data, args.threads);
      live.push({ name, engine });
      log(`${engine.name}: threads ${engine.threads}`);
    }
    const cells: Cell[] = [];
    for (const row of rows) {
      const contenders: Contender[] = [];
      const timed: Cell[] = [];
      for (const { name, engine } of live) {
        const task = engine.task(row);
        if (task === null) continue;
        const reps = plan(name, row, args.quick);
        if (hopelessCell(name, row)) {
          cells.push({ engine: engine.name, row, missing: 'not run: over 13 min here (naive Conv2DBackpropFilter)' });
          continue;
        }
        if (reps === null) {
          cells.push({ engine: engine.name, row, missing: 'skipped in --quick (over 20 s here; run without --quick)' });
          continue;
        }
        const run = task.run ?? task.standIn?.run;
        const cell: Cell = { engine: engine.name, row };
        if (task.missing) cell.missing = task.missing;
        if (!task.run && task.standIn) cell.label = task.standIn.label;
        cells.push(cell);
        if (!run) continue;
        const activate = engine.activate?.bind(engine);
        contenders.push(activate ? { run, opts: reps, before: activate } : { run, opts: reps });
        timed.push(cell);
      }
      const outcomes = await measureInterleaved(contenders);
      for (const [i, outcome] of outcomes.entries()) {
        const cell = timed[i]!;
        if ('measurement' in outcome) {
          cell.measurement = outcome.measurement;
          log(`  ${row} ${cell.engine}: ${formatMs(outcome.measurement.medianMs)}${cell.label ? ` (${cell.label})` : ''}`);
        } else {
          // A peer failing an operation is a result, not the end of the run.
          const e = outcome.error;
          cell.missing = `failed: ${e instanceof Error ? e.message : String(e)}`;
          log(`  ${row} ${cell.engine}: ${cell.missing}`);
        }
      }
    }
    return cells;
  } finally {
    for (const { engine } of live) engine.dispose();
  }
}
