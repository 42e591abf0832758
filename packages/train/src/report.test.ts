import { describe, expect, it } from 'vitest';
import { ArrayBatchSource } from './batch-source.js';
import { plotSvg } from './plot.js';
import { terminalProgress } from './progress.js';
import type { ProgressEvent } from './stats.js';
import { cpu32 } from './test-helpers.js';

const pass = (objective: number, top1err: number) => ({ num: 10, time: 2, speed: 5, objective, errors: { top1err } });

describe('ArrayBatchSource', () => {
  it('copies only the requested images, in order, with their labels', () => {
    const images = Float32Array.from({ length: 3 * 2 }, (_, i) => i);
    const s = new ArrayBatchSource({ images, imageShape: [1, 2, 1], labels: [7, 8, 9] });
    const b = s.getBatch([2, 0], cpu32);
    expect(b.images.shape).toEqual([2, 1, 2, 1]);
    expect(Array.from(b.images.dataSync())).toEqual([4, 5, 0, 1]);
    expect(Array.from(b.labels as Float64Array)).toEqual([9, 7]);
    expect(() => s.getBatch([3], cpu32)).toThrow('ArrayBatchSource: indices must be integers in 0..2, got 3');
    expect(() => new ArrayBatchSource({ images, imageShape: [2, 2, 1], labels: [1, 2, 3] })).toThrow(
      'ArrayBatchSource: images must hold labels.length (3) images of 2×2×1 = 12 values, got 6',
    );
  });
});

describe('plotSvg', () => {
  it('draws one panel per statistic with train and val lines', () => {
    const svg = plotSvg([
      { epoch: 1, learningRate: 0.1, train: pass(2, 0.5), val: pass(1.5, 0.4) },
      { epoch: 2, learningRate: 0.1, train: pass(1, 0.25), val: null },
    ]);
    expect(svg).toContain('width="640"');
    expect(svg.match(/<polyline class="train"/g)).toHaveLength(2);
    expect(svg.match(/<polyline class="val"/g)).toHaveLength(2);
    // train objective: epoch 1 at the top-left (value 2 = max), epoch 2 at the right, half-way down.
    expect(svg).toContain('points="52.0,28.0 308.0,116.0"');
  });
});

describe('terminalProgress', () => {
  const event = (phase: 'batch' | 'end', batch: number): ProgressEvent => ({
    phase, epoch: 3, numEpochs: 10, mode: 'train', batch, numBatches: 4, stats: pass(0.5, 0.125),
  });

  it('prints one plain line per pass when not on a TTY', () => {
    const out: string[] = [];
    const report = terminalProgress({ write: (t: string) => out.push(t), isTTY: false });
    report(event('batch', 1));
    report(event('end', 4));
    expect(out).toEqual(['train epoch 03/10: objective 0.5000  top1err 0.1250  5 im/s  (2.0 s)\n']);
  });

  it('redraws a bar in place on a TTY', () => {
    const out: string[] = [];
    const report = terminalProgress({ write: (t: string) => out.push(t), isTTY: true, columns: 200 });
    report(event('batch', 1));
    expect(out[0]).toBe('\rtrain epoch 03/10 [######..................] 1/4  objective 0.5000  top1err 0.1250  5 im/s\u001b[K');
    report(event('end', 4));
    expect(out.at(-1)).toBe('  (2.0 s)\n');
  });
});
