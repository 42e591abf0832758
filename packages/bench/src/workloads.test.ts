import { describe, expect, it } from 'vitest';
import { ALEXNET, ALEXNET_SIZE, alexnetForwardFlops, FLOPS, makeAlexnetData } from './workloads.js';

describe('W5, cnn_imagenet_init’s AlexNet without LRN', () => {
  it('leaves fc6 a 5×5×256 map at 224×224 and ends at one pixel of 1000 scores', () => {
    let size = ALEXNET_SIZE;
    const sizes: number[] = [];
    for (const { filter, stride, pad, pool } of ALEXNET) {
      size = Math.floor((size + 2 * pad - filter[0]) / stride) + 1;
      if (pool) size = Math.floor((size - 3) / 2) + 1;
      sizes.push(size);
    }
    expect(sizes).toEqual([26, 12, 12, 12, 5, 1, 1, 1]);
    expect(ALEXNET[5]!.filter).toEqual([5, 5, 256, 4096]);
    // Grouped layers: filter depth = half the channels coming in.
    expect(ALEXNET.map((l, i) => (i === 0 ? 3 : ALEXNET[i - 1]!.filter[3]) / l.filter[2])).toEqual([1, 2, 1, 2, 2, 1, 1, 1]);
    // conv1's forward: 2·32·54²·96·11·11·3 flops; the step is 3× forward less conv1's dzdx.
    const { total, first } = alexnetForwardFlops(32);
    expect(first).toBe(2 * 32 * 54 * 54 * 96 * 363);
    expect(FLOPS.W5).toBe(3 * total - first);
  });

  it('seeds the same data every time, N(0, std²) by layer', () => {
    const [a, b] = [makeAlexnetData(), makeAlexnetData()];
    expect(a.labels).toEqual(b.labels);
    // Element by element (toEqual on 4 M values takes minutes).
    const [fa, fb] = [a.params[7]!.f.values, b.params[7]!.f.values];
    expect(fa.length).toBe(4096 * 1000);
    expect(fa.every((v, i) => v === fb[i])).toBe(true);
    const f = a.params[0]!.f.values;
    const variance = f.reduce((s, v) => s + v * v, 0) / f.length;
    expect(variance).toBeCloseTo(2 / (11 * 11 * 3), 3);
  });
});
