import { describe, expect, it } from 'vitest';
import type { Batch, BatchContext, BatchSource } from './batch-source.js';
import { cpu64, stripes, tinyNet, weightsOf } from './test-helpers.js';
import { train } from './train.js';

/** A source over `stripes` that logs each call (and each evaluation, through errorFunction) and waits `delayMs` per batch. */
function loggingSource(withPrefetch: boolean, delayMs = 0) {
  const inner = stripes(12);
  const log: string[] = [];
  const contexts: BatchContext[] = [];
  const source: BatchSource = {
    size: inner.size,
    async getBatch(indices, backend, context): Promise<Batch> {
      log.push(`get ${indices.join(',')}`);
      if (context) contexts.push(context);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      return inner.getBatch(indices, backend);
    },
    ...(withPrefetch ? { prefetch: (indices: readonly number[], context: BatchContext) => void log.push(`prefetch ${indices.join(',')} ${context.mode} ${context.epoch}`) } : {}),
  };
  return { source, log, contexts };
}

describe('train: prefetch and data time', () => {
  it('tells the source the next sub-batch before the current one computes, across batches, within each pass', async () => {
    const { source, log, contexts } = loggingSource(true);
    await train(tinyNet(cpu64), source, {
      numEpochs: 1,
      batchSize: 4,
      numSubBatches: 2,
      train: [0, 1, 2, 3, 4, 5],
      val: [6, 7, 8, 9, 10],
      errorFunction: (predictions) => {
        log.push('compute');
        return { none: predictions.backend.zeros([1]) };
      },
    });
    const valLog = log.slice(log.indexOf('get 6,8'));
    // val 6..10 in batches of 4 split in 2 interleaved sub-batches: [6,8] [7,9] | [10]; the last val read has no successor (one epoch)
    expect(valLog).toEqual(['get 6,8', 'prefetch 7,9 val 1', 'compute', 'get 7,9', 'prefetch 10 val 1', 'compute', 'get 10', 'compute']);
    // the train pass: each prefetch names the next get, and comes before the compute of the current one
    const trainLog = log.slice(0, log.indexOf('get 6,8'));
    const gets = trainLog.filter((l) => l.startsWith('get'));
    const prefetches = trainLog.filter((l) => l.startsWith('prefetch'));
    expect(gets.map((g) => g.split(',').length)).toEqual([2, 2, 1, 1]); // 6 images: a batch of 4 in 2 + 2, then one of 2 in 1 + 1
    // the run's first read is announced before it; the train pass's last read announces val's first
    expect(trainLog[0]).toBe(`${gets[0]!.replace('get', 'prefetch')} train 1`);
    expect(prefetches.slice(1, -1).map((l) => l.replace('prefetch', 'get').replace(/ train 1$/, ''))).toEqual(gets.slice(1));
    expect(prefetches.at(-1)).toBe('prefetch 6,8 val 1');
    for (let k = 0; k < gets.length; k++) expect(trainLog[trainLog.indexOf(gets[k]!) + 1]).toMatch(/^prefetch /);
    expect(contexts.map((c) => c.mode)).toEqual(['train', 'train', 'train', 'train', 'val', 'val', 'val']);
  });

  it('announces the first read of every pass — val, the next epoch — while the pass before it computes its last batch', async () => {
    for (const val of [[8, 9, 10], []]) {
      const { source, log } = loggingSource(true);
      await train(tinyNet(cpu64), source, {
        numEpochs: 3,
        batchSize: 3,
        train: [0, 1, 2, 3, 4, 5, 6, 7],
        val,
        errorFunction: (predictions) => {
          log.push('compute');
          return { none: predictions.backend.zeros([1]) };
        },
      });
      // each read (with its pass) is the one announced just before: log = prefetch A, get A, prefetch B, compute, get B, prefetch C, compute, …
      const reads = log.filter((l) => l !== 'compute');
      const gets = reads.filter((l) => l.startsWith('get'));
      expect(gets).toHaveLength(3 * (3 + (val.length > 0 ? 1 : 0)));
      expect(reads).toHaveLength(2 * gets.length);
      for (let k = 0; k < gets.length; k++) {
        expect(reads[2 * k]!.startsWith('prefetch ')).toBe(true);
        expect(reads[2 * k + 1]).toBe(reads[2 * k]!.replace('prefetch', 'get').replace(/ (train|val) \d$/, ''));
      }
      // the announcement comes before the compute of the batch before (never after the pass has started waiting)
      const computes = log.flatMap((l, i) => (l === 'compute' ? [i] : []));
      for (let k = 1; k < gets.length; k++) expect(log.indexOf(reads[2 * k]!, log.indexOf(reads[2 * k - 1]!))).toBeLessThan(computes[k - 1]!);
      // epochs 2 and 3 open with a read announced during the epoch before
      expect(reads.filter((l) => / train [23]$/.test(l) && l.startsWith('prefetch'))).toHaveLength(2 * 3);
    }
  });

  it('gives the same network and statistics with and without a prefetching source', async () => {
    const run = (withPrefetch: boolean) =>
      train(tinyNet(cpu64), loggingSource(withPrefetch).source, { numEpochs: 2, batchSize: 5, numSubBatches: 2, learningRate: 0.1, val: [0, 1, 2] });
    const a = await run(false);
    const b = await run(true);
    expect(weightsOf(b.net)).toEqual(weightsOf(a.net));
    expect(b.stats.map((s) => [s.train.objective, s.val!.objective, s.train.errors])).toEqual(a.stats.map((s) => [s.train.objective, s.val!.objective, s.train.errors]));
  });

  it('reports the seconds spent waiting for getBatch in each pass', async () => {
    const { source } = loggingSource(false, 25);
    const { stats } = await train(tinyNet(cpu64), source, { numEpochs: 1, batchSize: 4, train: [0, 1, 2, 3, 4, 5, 6, 7], val: [8, 9] });
    const s = stats[0]!;
    // 2 train batches and 1 val batch, each waiting ≥ 25 ms (timers may fire a millisecond early)
    expect(s.train.dataTime).toBeGreaterThanOrEqual(0.048);
    expect(s.train.dataTime).toBeLessThanOrEqual(s.train.time);
    expect(s.val!.dataTime).toBeGreaterThanOrEqual(0.024);
    expect(s.val!.dataTime).toBeLessThanOrEqual(s.val!.time);
  });
});
