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
  /** The last run's time (warm-up or timed); Infinity before the first. */
  lastMs: number;
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
 * `settleMs`, every run waits that long (untimed) after its `before` hook, so
 * threads the engine before it left spinning after its work (OpenBLAS's and
 * OpenMP's in PyTorch, ONNX Runtime's) have gone to sleep, and so has
 * whatever the hook disturbed: the bench's hook pins the processes with
 * `taskset`, a fork of this process, and a Node engine's two-thread LeNet
 * step timed right after a fork took 26–28 ms instead of 18, and 18 again
 * with the pause between the two.
 *
 * With `leadInMs`, a run whose previous run took less than that is preceded
 * (after the pause) by untimed runs of its own for `leadInMs`, so the timed
 * one finds the machine as a training loop or a stream of inferences does,
 * busy: on a VM an idle vCPU is slow to come back. Here convnet-ts's LeNet
 * step (W3) right after 250 ms idle took 33 ms at one thread and 21 at two;
 * after 50 ms of steps 25.9 and 16.4, after 200 ms 25.3 and 14.9, after
 * 400 ms 24.6 and 14.6 (medians of 12, interleaved). Longer runs need none:
 * their start is a small part of them.
 */
export async function measureInterleaved(contenders: readonly Contender[], settleMs = 0, leadInMs = 0): Promise<Outcome[]> {
  const states: State[] = contenders.map((c) => ({ c, times: [], peak: 0, warm: 0, done: c.opts.reps <= 0 && c.opts.warmup <= 0, failed: false, lastMs: Number.POSITIVE_INFINITY }));
  while (states.some((s) => !s.done)) {
    for (const s of states) {
      if (s.done) continue;
      const { warmup, reps, budgetMs } = s.c.opts;
      const warming = s.warm < warmup;
      try {
        await s.c.before?.();
        if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
        if (s.lastMs < leadInMs) {
          const until = performance.now() + leadInMs;
          do (await s.c.run())();
          while (performance.now() < until);
        }
        const base = inUse();
        const t0 = performance.now();
        const release = await s.c.run();
        const ms = performance.now() - t0;
        s.lastMs = ms;
        s.peak = Math.max(s.peak, inUse() - base);
        release();
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
