/** Median time and peak memory of one workload on one engine. */
export interface Measurement {
  /** Median wall time of one run, in milliseconds. */
  medianMs: number;
  /** Every timed run, in milliseconds. */
  timesMs: number[];
  /** Peak of (V8 heap + external memory, which holds typed arrays and WebAssembly memories) above the level before the workload, in bytes. */
  peakBytes: number;
}

export interface MeasureOptions {
  /** Untimed runs first (JIT tier-up, first allocations). */
  warmup: number;
  /** Timed runs. */
  reps: number;
  /** When set and the first run (warm-up or timed) takes longer than this, that run is the one sample (slow peers). */
  budgetMs?: number;
}

function inUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/**
 * Runs `run` warmup + reps times; `run` returns a function that releases what
 * it kept (so the memory sample after each run sees its results alive).
 * Memory is sampled after each run: a lower bound of the true peak, which
 * includes temporaries freed before the run returns.
 */
export async function measure(run: () => Promise<() => void>, opts: MeasureOptions): Promise<Measurement> {
  const base = inUse();
  let peak = 0;
  for (let i = 0; i < opts.warmup; i++) {
    const t0 = performance.now();
    const release = await run();
    const ms = performance.now() - t0;
    peak = Math.max(peak, inUse() - base);
    release();
    if (opts.budgetMs !== undefined && ms > opts.budgetMs) return { medianMs: ms, timesMs: [ms], peakBytes: Math.max(0, peak) };
  }
  const timesMs: number[] = [];
  for (let i = 0; i < opts.reps; i++) {
    const t0 = performance.now();
    const release = await run();
    const ms = performance.now() - t0;
    timesMs.push(ms);
    peak = Math.max(peak, inUse() - base);
    release();
    if (i === 0 && opts.warmup === 0 && opts.budgetMs !== undefined && ms > opts.budgetMs) break;
  }
  return { medianMs: median(timesMs), timesMs, peakBytes: Math.max(0, peak) };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
