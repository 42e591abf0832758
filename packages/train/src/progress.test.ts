import { describe, expect, it } from 'vitest';
import { formatDataTime, formatDuration, formatEpoch, formatStats, terminalProgress, terminalReport } from './progress.js';
import type { EpochStats, PassStats, ProgressEvent } from './stats.js';

const pass = (objective: number, top1err: number, time = 2): PassStats => ({ num: 10, time, speed: 10 / time, objective, errors: { top1err } });
const event = (phase: 'batch' | 'end', batch: number, time: number, mode: 'train' | 'val' = 'train', epoch = 3): ProgressEvent => ({
  phase, epoch, numEpochs: 10, mode, batch, numBatches: 4, stats: pass(0.5, 0.125, time),
});
const epoch = (e: number, seconds: number): EpochStats => ({ epoch: e, learningRate: 0.1, train: pass(0.5, 0.125, seconds - 1), val: pass(0.25, 0.0625, 1) });
const sink = (isTTY: boolean) => {
  const out: string[] = [];
  return { out, stream: { write: (t: string) => out.push(t), isTTY, columns: 300 } };
};

describe('formatDuration', () => {
  it('writes m:ss, and h:mm:ss from an hour', () => {
    expect([0, 9.6, 61, 3599, 3600, 7384].map(formatDuration)).toEqual(['0:00', '0:10', '1:01', '59:59', '1:00:00', '2:03:04']);
  });
});

describe('time waiting for data next to compute time', () => {
  const withData = (p: PassStats, dataTime: number): PassStats => ({ ...p, dataTime });
  it('formats the wait and the rest of the time, and nothing for statistics without dataTime', () => {
    expect(formatDataTime(0.4239, 12.3)).toBe('data 0.42 s / compute 11.9 s');
    expect(formatDataTime(undefined, 12.3)).toBe('');
    expect(formatStats(withData(pass(0.5, 0.125), 1.5))).toBe('objective 0.5000  top1err 0.1250  5 im/s  data 1.50 s / compute 0.5 s');
    expect(formatStats(pass(0.5, 0.125))).toBe('objective 0.5000  top1err 0.1250  5 im/s');
  });

  it('puts both passes’ wait on the epoch line, the pass’s on the bar and on the plain pass line', () => {
    const e: EpochStats = { epoch: 2, learningRate: 0.1, train: withData(pass(0.5, 0.125, 9), 0.25), val: withData(pass(0.25, 0.0625, 1), 0.5) };
    expect(formatEpoch(e, 10, null)).toBe('epoch 02/10  train objective 0.5000 top1err 0.1250  val objective 0.2500 top1err 0.0625  10.0 s, 1 im/s  data 0.75 s / compute 9.3 s');
    // an older checkpoint's val pass without dataTime: no wait shown rather than a wrong one
    expect(formatEpoch({ ...e, val: pass(0.25, 0.0625, 1) }, 10, null)).not.toContain('data');
    const { out, stream } = sink(true);
    const report = terminalProgress(stream);
    report({ ...event('batch', 1, 3), stats: withData(pass(0.5, 0.125, 3), 2.5) });
    expect(out[0]).toBe('\rtrain epoch 03/10 [######..................] 1/4  3 im/s  data 2.50 s / compute 0.5 s  ETA 0:09  objective 0.5000 top1err 0.1250\u001b[K');
    const plain = sink(false);
    terminalProgress(plain.stream)({ ...event('end', 4, 2), stats: withData(pass(0.5, 0.125, 2), 0.125) });
    expect(plain.out).toEqual(['train epoch 03/10: objective 0.5000  top1err 0.1250  5 im/s  data 0.13 s / compute 1.9 s  (2.0 s)\n']);
  });
});

describe('terminalProgress', () => {
  it('prints one plain line per pass when not on a TTY', () => {
    const { out, stream } = sink(false);
    const report = terminalProgress(stream);
    report(event('batch', 1, 0.5));
    report(event('end', 4, 2));
    expect(out).toEqual(['train epoch 03/10: objective 0.5000  top1err 0.1250  5 im/s  (2.0 s)\n']);
  });

  it('redraws a bar in place on a TTY with images/s and the time left in the pass', () => {
    const { out, stream } = sink(true);
    const report = terminalProgress(stream);
    report(event('batch', 1, 3));
    // 3 s for 1 of 4 batches: 9 s left.
    expect(out[0]).toBe('\rtrain epoch 03/10 [######..................] 1/4  3 im/s  ETA 0:09  objective 0.5000 top1err 0.1250\u001b[K');
    report(event('end', 4, 12));
    expect(out.at(-1)).toBe('  (12.0 s)\n');
  });
});

describe('terminalReport', () => {
  it('prints one line per epoch and nothing else when not on a TTY, with the run’s time left', () => {
    const { out, stream } = sink(false);
    const { onProgress, onEpoch } = terminalReport(stream);
    onProgress(event('batch', 2, 1, 'train', 1));
    onProgress(event('end', 4, 2, 'train', 1));
    onEpoch(1, [epoch(1, 10)]);
    onEpoch(2, [epoch(1, 10), epoch(2, 20)]);
    expect(out).toEqual([
      'epoch 01/10  train objective 0.5000 top1err 0.1250  val objective 0.2500 top1err 0.0625  10.0 s, 1 im/s  ETA 1:30\n',
      // 8 epochs left × the mean of 10 s and 20 s.
      'epoch 02/10  train objective 0.5000 top1err 0.1250  val objective 0.2500 top1err 0.0625  20.0 s, 1 im/s  ETA 2:00\n',
    ]);
    onEpoch(10, [epoch(10, 10)]);
    expect(out.at(-1)).toBe('epoch 10/10  train objective 0.5000 top1err 0.1250  val objective 0.2500 top1err 0.0625  10.0 s, 1 im/s\n');
  });

  it('on a TTY, shows the pass’s and, after the first epoch, the run’s time left, and replaces the bar by the epoch line', () => {
    const { out, stream } = sink(true);
    const { onProgress, onEpoch } = terminalReport(stream);
    onProgress(event('batch', 1, 2, 'train', 1));
    expect(out[0]).toContain('[######..................] 1/4  5 im/s  ETA 0:06  objective');
    onEpoch(1, [epoch(1, 10)]);
    expect(out[1]!.startsWith('\r\u001b[Kepoch 01/10 ')).toBe(true);
    expect(out[1]!.endsWith(' ETA 1:30\n')).toBe(true);
    // Epoch 2, train batch 1 of 4 after 2 s: 6 s left in the pass, 1 s of val, 8 epochs × 10 s.
    onProgress(event('batch', 1, 2, 'train', 2));
    expect(out[2]).toContain('ETA 0:06 (run 1:27)');
  });
});
