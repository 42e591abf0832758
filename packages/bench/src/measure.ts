/** Median time and peak memory of one workload on one engine. */
export interface Measurement {
  /** Median wall time of one run, in milliseconds. */
  medianMs: number;
  /** Every timed run, in milliseconds. */
  timesMs: number[];
  /** Peak of (V8 heap + external memory, which holds typed arrays and WebAssembly memories) above the level just before a run, in bytes. */
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

/** One engine's part of an interleaved measurement: its run, its plan, and an untimed hook before each run. */
export interface Contender {
  run: () => Promise<() => void>;
  opts: MeasureOptions;
  /** Called before every run of this contender, outside the timing (tfjs: switch to its backend). */
  before?: () => Promise<void>;
}

/** A contender's result: its measurement, or the error its run threw (the others go on). */
export type Outcome = { measurement: Measurement } | { error: unknown };

interface State {
  c: Contender;
  times: number[];
  peak: number;
  /** Warm-up runs done (they count down the warm-up before any timed run). */
  warm: number;
  done: boolean;
  failed: boolean;
  error?: unknown;
}

/**
 * Times several contenders on one workload interleaved, so load from other
 * jobs falls on all of them alike: round i runs warm-up i (then timed run i)
 * of every contender still going, in order. Each contender keeps its own plan:
 * `warmup` untimed runs, then `reps` timed ones; with `budgetMs`, a warm-up
 * over budget is its one sample, and without warm-up a first timed run over
 * budget is. `run` returns a function releasing what it kept, so the memory
 * sample after each run (V8 heap + external, above the level just before it)
 * sees its results alive; with a baseline per run, garbage the other
 * contenders leave does not count. A lower bound of the true peak. With
 * `settleMs`, every run is followed by that long a pause (untimed) before the
 * next one, so threads an engine leaves spinning after its work (OpenBLAS's
 * and OpenMP's in PyTorch, ONNX Runtime's) have gone to sleep before the next
 * engine is timed.
 */
export async function measureInterleaved(contenders: readonly Contender[], settleMs = 0): Promise<Outcome[]> {
  const states: State[] = contenders.map((c) => ({ c, times: [], peak: 0, warm: 0, done: c.opts.reps <= 0 && c.opts.warmup <= 0, failed: false }));
  while (states.some((s) => !s.done)) {
    for (const s of states) {
      if (s.done) continue;
      const { warmup, reps, budgetMs } = s.c.opts;
      const warming = s.warm < warmup;
      try {
        await s.c.before?.();
        const base = inUse();
        const t0 = performance.now();
        const release = await s.c.run();
        const ms = performance.now() - t0;
        s.peak = Math.max(s.peak, inUse() - base);
        release();
        if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
        const over = budgetMs !== undefined && ms > budgetMs;
        if (warming) {
          s.warm++;
          if (over) s.times = [ms];
          if (over || (s.warm >= warmup && reps <= 0)) s.done = true;
        } else {
          s.times.push(ms);
          if ((warmup === 0 && s.times.length === 1 && over) || s.times.length >= reps) s.done = true;
        }
      } catch (error) {
        s.error = error;
        s.failed = true;
        s.done = true;
      }
    }
  }
  return states.map((s) =>
    s.failed
      ? { error: s.error }
      : { measurement: { medianMs: median(s.times), timesMs: s.times, peakBytes: Math.max(0, s.peak) } },
  );
}

/** `measureInterleaved` of one contender; rethrows its error. */
export async function measure(run: () => Promise<() => void>, opts: MeasureOptions): Promise<Measurement> {
  const [outcome] = await measureInterleaved([{ run, opts }]);
  if (outcome === undefined || 'error' in outcome) throw outcome?.error ?? new Error('measure: no outcome');
  return outcome.measurement;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
