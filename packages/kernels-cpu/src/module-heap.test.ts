import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { ALIGN, ModuleHeap } from './module-heap.js';

/** A heap over a byte range of a pretend memory that grows to what it is asked (recording each growth). */
function heapOver(start: number, end: number) {
  const grown: number[] = [];
  let size = end;
  const heap = new ModuleHeap(start, end, (bytes) => {
    grown.push(bytes);
    size = Math.ceil(bytes / 65536) * 65536;
    return size;
  });
  return { heap, grown, size: () => size };
}

describe('ModuleHeap', () => {
  it('gives aligned, disjoint blocks first fit from its start', () => {
    const { heap, grown } = heapOver(100, 65536);
    const a = heap.alloc(10);
    const b = heap.alloc(ALIGN + 1);
    const c = heap.alloc(1);
    expect(a).toBe(128);
    expect(b).toBe(a + ALIGN);
    expect(c).toBe(b + 2 * ALIGN);
    expect([a, b, c].every((v) => v % ALIGN === 0)).toBe(true);
    expect(heap.sizeOf(b)).toBe(2 * ALIGN);
    expect(heap.usedBytes).toBe(4 * ALIGN);
    expect(grown).toEqual([]);
  });

  it('reuses freed blocks and merges neighbours, so that a freed run holds a block as large as its sum', () => {
    const { heap } = heapOver(0, 65536);
    const blocks = [1, 2, 3, 4].map(() => heap.alloc(1000));
    heap.free(blocks[1]!);
    heap.free(blocks[2]!);
    // Blocks 1 and 2 are one free block: a block of twice their size fits there.
    expect(heap.alloc(2 * 1024)).toBe(blocks[1]);
    heap.free(blocks[0]!);
    heap.free(blocks[1]!);
    heap.free(blocks[3]!);
    expect(heap.freeBlocks()).toEqual([{ at: 0, bytes: 65536 }]);
    expect(heap.usedBytes).toBe(0);
  });

  it('grows the memory when nothing fits, by at least an eighth, extending a free block at its end', () => {
    const { heap, grown, size } = heapOver(0, 65536);
    const a = heap.alloc(60000);
    const b = heap.alloc(20000);
    expect(grown.length).toBe(1);
    // The free tail (65536 − 60032 bytes) and the new pages are one block: b starts where a ends.
    expect(b).toBe(a + 60032);
    expect(size()).toBeGreaterThanOrEqual(b + 20000);
    const c = heap.alloc(10);
    expect(c).toBe(b + 20032);
    expect(grown.length).toBe(1);
  });

  it('refuses to free what is not a live block', () => {
    const { heap } = heapOver(0, 65536);
    const a = heap.alloc(100);
    expect(() => heap.free(a + ALIGN)).toThrow(RangeError);
    heap.free(a);
    expect(() => heap.free(a)).toThrow(/not the start of a live block/);
  });

  it('keeps blocks disjoint and the free list merged under random allocations and frees', () => {
    const rng = new Rng(4);
    const { heap, size } = heapOver(64, 65536);
    const live = new Map<number, number>();
    for (let step = 0; step < 2000; step++) {
      if (live.size > 0 && rng.uniform() < 0.45) {
        const keys = [...live.keys()];
        const at = keys[Math.floor(rng.uniform() * keys.length)]!;
        heap.free(at);
        live.delete(at);
      } else {
        const bytes = 1 + Math.floor(rng.uniform() * 20000);
        const at = heap.alloc(bytes);
        expect(at % ALIGN).toBe(0);
        live.set(at, bytes);
      }
    }
    const spans = [...live].map(([at]) => [at, at + heap.sizeOf(at)!] as const).concat(heap.freeBlocks().map((f) => [f.at, f.at + f.bytes] as const));
    spans.sort((p, q) => p[0] - q[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    const free = heap.freeBlocks();
    for (let i = 1; i < free.length; i++) expect(free[i]!.at).toBeGreaterThan(free[i - 1]!.at + free[i - 1]!.bytes);
    // Every byte from the start to the memory's end is in a live block or a free one.
    const covered = spans.reduce((s, [a, b]) => s + (b - a), 0);
    expect(covered).toBe(size() - 64);
  });
});
