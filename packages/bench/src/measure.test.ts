import { describe, expect, it } from 'vitest';
import { type Contender, measureInterleaved } from './measure.js';

/** A contender that logs `name:warm|run` and its `before` hook in `log`; it throws on the run numbered `failAt`. */
function contender(name: string, opts: Contender['opts'], log: string[], failAt = -1): Contender {
  let calls = 0;
  return {
    opts,
    before: async () => {
      log.push(`${name}:before`);
    },
    run: async () => {
      if (calls++ === failAt) throw new Error(`${name} broke`);
      log.push(`${name}:${calls}`);
      return () => log.push(`${name}:release`);
    },
  };
}

describe('measureInterleaved', () => {
  it('runs the contenders in turn, repetition by repetition, each on its own plan', async () => {
    const log: string[] = [];
    const outcomes = await measureInterleaved([
      contender('a', { warmup: 1, reps: 2 }, log),
      contender('b', { warmup: 0, reps: 3 }, log),
    ]);
    const runs = log.filter((l) => /:\d$/.test(l));
    // Round 1: a's warm-up, b's first timed run; then a's two timed runs alternate with b's.
    expect(runs).toEqual(['a:1', 'b:1', 'a:2', 'b:2', 'a:3', 'b:3']);
    // Every run is preceded by its own hook and followed by its release.
    expect(log.slice(0, 6)).toEqual(['a:before', 'a:1', 'a:release', 'b:before', 'b:1', 'b:release']);
    const [a, b] = outcomes.map((o) => ('measurement' in o ? o.measurement.timesMs.length : -1));
    expect([a, b]).toEqual([2, 3]);
  });

  it('pauses settleMs between each run hook and its run, outside the timing', async () => {
    const stamps: { what: string; at: number }[] = [];
    const stamped = (name: string, opts: Contender['opts']): Contender => ({
      opts,
      before: async () => void stamps.push({ what: `${name}:before`, at: performance.now() }),
      run: async () => {
        stamps.push({ what: `${name}:run`, at: performance.now() });
        return () => {};
      },
    });
    const outcomes = await measureInterleaved([stamped('a', { warmup: 1, reps: 2 }), stamped('b', { warmup: 0, reps: 2 })], 40);
    // Five runs (a's warm-up and two timed, b's two), each starting at least 40 ms after its own hook.
    expect(stamps.map((s) => s.what)).toEqual(['a:before', 'a:run', 'b:before', 'b:run', 'a:before', 'a:run', 'b:before', 'b:run', 'a:before', 'a:run']);
    for (let i = 0; i < stamps.length; i += 2) expect(stamps[i + 1]!.at - stamps[i]!.at).toBeGreaterThanOrEqual(40 - 2);
    for (const o of outcomes) {
      if (!('measurement' in o)) throw new Error('expected a measurement');
      for (const ms of o.measurement.timesMs) expect(ms).toBeLessThan(40);
    }
  });

  it('precedes a run shorter than leadInMs by untimed runs of its own for leadInMs, after the pause', async () => {
    const runs: { name: string; at: number }[] = [];
    const sleeper = (name: string, ms: number): Contender => ({
      opts: { warmup: 1, reps: 2 },
      run: async () => {
        runs.push({ name, at: performance.now() });
        await new Promise((resolve) => setTimeout(resolve, ms));
        return () => {};
      },
    });
    const outcomes = await measureInterleaved([sleeper('short', 5), sleeper('long', 60)], 0, 30);
    const short = runs.filter((r) => r.name === 'short');
    // The warm-up has no lead-in (no run to size it by); each timed run has at least 30 ms of runs before it.
    expect(short.length).toBeGreaterThanOrEqual(1 + 2 * 4);
    expect(runs.filter((r) => r.name === 'long')).toHaveLength(3);
    expect(runs[0]!.name).toBe('short');
    expect(runs[1]!.name).toBe('long');
    for (const o of outcomes) expect(o).toMatchObject({ measurement: { timesMs: [expect.any(Number), expect.any(Number)] } });
  });

  it('keeps an over-budget first run as the only sample, and a failing contender stops alone', async () => {
    const log: string[] = [];
    const slow: Contender = {
      opts: { warmup: 0, reps: 3, budgetMs: 1 },
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push('slow');
        return () => {};
      },
    };
    const outcomes = await measureInterleaved([slow, contender('f', { warmup: 0, reps: 3 }, log, 1), contender('g', { warmup: 1, reps: 2 }, log)]);
    expect(log.filter((l) => l === 'slow')).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ measurement: { timesMs: [expect.any(Number)] } });
    expect(outcomes[1]).toEqual({ error: new Error('f broke') });
    expect(outcomes[2]).toMatchObject({ measurement: { timesMs: [expect.any(Number), expect.any(Number)] } });
  });
});
