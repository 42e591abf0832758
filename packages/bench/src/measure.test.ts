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

  it('pauses settleMs after every run, outside the timing', async () => {
    const log: string[] = [];
    const t0 = performance.now();
    const outcomes = await measureInterleaved([contender('a', { warmup: 1, reps: 2 }, log), contender('b', { warmup: 0, reps: 2 }, log)], 40);
    // Five runs (a's warm-up and two timed, b's two), each followed by a 40 ms pause.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(5 * 40 - 5);
    for (const o of outcomes) {
      if (!('measurement' in o)) throw new Error('expected a measurement');
      for (const ms of o.measurement.timesMs) expect(ms).toBeLessThan(40);
    }
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
