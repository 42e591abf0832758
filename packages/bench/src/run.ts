import { cpus } from 'node:os';
import type { BenchArgs } from './args.js';
import { convnetEngine } from './convnet-engine.js';
import type { Engine } from './engine.js';
import { type MeasureOptions, measure } from './measure.js';
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
 * Repetitions: the full run times 5 repetitions after one warm-up; `--quick`
 * times 3, or keeps the warm-up as the only sample when it took over 1.5 s.
 * tfjs-backend-cpu is 20–100× slower, so it gets 3 runs in the full mode and
 * only W4 in `--quick` (its W1 alone takes over half a minute here).
 */
function plan(engine: EngineName, row: string, quick: boolean): MeasureOptions | null {
  if (engine === 'tfjs-cpu') {
    if (quick && row !== 'W4') return null;
    return { warmup: 0, reps: quick ? 1 : 3 };
  }
  return quick ? { warmup: 1, reps: 3, budgetMs: 1500 } : { warmup: 1, reps: 5 };
}

async function makeEngine(name: EngineName, data: BenchData, threads: number): Promise<Engine> {
  if (name === 'convnet-ts') return convnetEngine(data);
  return tfjsEngine(name === 'tfjs-cpu' ? 'cpu' : 'wasm', data, threads);
}

/** Runs the selected workloads on each engine in turn, one process, and returns every cell. */
export async function runBench(args: BenchArgs, engines: readonly EngineName[] = ENGINES, log: (line: string) => void = () => {}): Promise<Cell[]> {
  const data = makeData();
  const rows = args.only.flatMap((w) => ROWS[w]);
  const cells: Cell[] = [];
  for (const name of engines) {
    const engine = await makeEngine(name, data, args.threads);
    log(`${engine.name}: threads ${engine.threads}`);
    for (const row of rows) {
      const task = engine.task(row);
      const reps = plan(name, row, args.quick);
      if (task === null) continue;
      if (reps === null) {
        cells.push({ engine: engine.name, row, missing: 'skipped in --quick (too slow)' });
        continue;
      }
      const run = task.run ?? task.standIn?.run;
      const cell: Cell = { engine: engine.name, row };
      if (task.missing) cell.missing = task.missing;
      if (!task.run && task.standIn) cell.label = task.standIn.label;
      if (run) {
        try {
          cell.measurement = await measure(run, reps);
          log(`  ${row}: ${formatMs(cell.measurement.medianMs)}${cell.label ? ` (${cell.label})` : ''}`);
        } catch (error) {
          // A peer failing an operation is a result, not the end of the run.
          cell.missing = `failed: ${error instanceof Error ? error.message : String(error)}`;
          log(`  ${row}: ${cell.missing}`);
        }
      }
      cells.push(cell);
    }
    engine.dispose();
  }
  return cells;
}
