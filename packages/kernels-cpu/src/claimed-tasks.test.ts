import { BackendError, type PoolAttrs, Rng, type Shape, sizeOf, type Tensor } from '@convnet-ts/tensor';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setClaimedTasks } from './conv-tasks.js';
import type { WinogradOption } from './conv-winograd.js';
import { createCpuBackend } from './cpu-backend.js';
import { gemmPool } from './gemm-threads.js';
import { setModuleArrayBudget } from './module-arrays.js';
import { GemmThreadPool } from './thread-pool.js';
import { gemmInstance } from './wasm-instance.js';

/** A convolution layer of the tests: input shape, filter size, filters, stride, pad. */
interface Layer {
  name: string;
  x: Shape;
  f: number;
  k: number;
  stride: number;
  pad: number;
  winograd: WinogradOption;
  /** The claimed ops its kernels dispatch (with at least as many images as threads). */
  ops: string[];
}

/**
 * One layer of each claimed op: LeNet's conv1 (the phase planes: `conv_planes_images`,
 * `conv_direct_filter_batches_task`, each image its own plane; its data derivative by im2row; max pooling of its output on the threads), AlexNet's conv1 shape
 * (`conv_direct_images`, and `direct_planes_images` for its three channels), an im2row layer (`conv_images`,
 * `conv_backward_data_images`, `im2row_images`), and Winograd F(2×2, 3×3) and F(4×4, 5×5) (`winograd*_images`,
 * `*_data_images`, `*_filter_batches_task`); odd image counts, so the claims do not divide them.
 */
const LAYERS: Layer[] = [
  { name: 'planes 5×5×1×20', x: [13, 28, 28, 1], f: 5, k: 20, stride: 1, pad: 0, winograd: false, ops: ['conv_planes_images', 'conv_backward_data_images', 'conv_direct_filter_batches_task', 'pool_max_images', 'pool_max_backward_images'] },
  { name: 'implicit GEMM 11×11×3×16 stride 4', x: [7, 35, 35, 3], f: 11, k: 16, stride: 4, pad: 0, winograd: false, ops: ['conv_direct_images', 'direct_planes_images', 'conv_direct_filter_batches_task'] },
  { name: 'im2row 3×3×16×24', x: [11, 12, 13, 16], f: 3, k: 24, stride: 1, pad: 1, winograd: false, ops: ['conv_images', 'conv_backward_data_images', 'im2row_images'] },
  { name: 'Winograd F(2×2) 3×3×16×24', x: [11, 12, 13, 16], f: 3, k: 24, stride: 1, pad: 1, winograd: 2, ops: ['winograd2_images', 'winograd2_data_images', 'winograd2_filter_batches_task'] },
  { name: 'Winograd F(4×4) 5×5×20×24', x: [17, 12, 12, 20], f: 5, k: 24, stride: 1, pad: 0, winograd: 4, ops: ['winograd4x5_images', 'winograd4x5_data_images', 'winograd4x5_filter_batches_task'] },
];

const POOL: PoolAttrs = { method: 'max', poolSize: [2, 2], pad: [0, 0, 0, 0], stride: [2, 2] };

/** How a run splits the units: claimed (optionally with one thread slowed by `slowMicros` per claim) or the static split. */
interface Split {
  claimed: boolean;
  slowThread?: number;
  slowMicros?: number;
}

/** The ops of the claimed dispatches of the last `layerValues` run, each with the units every thread did. */
let dispatched: { op: string; blocks: number; total: number; units: number[] }[] = [];

/** The forward, data and filter derivatives of `layer` (and max pooling of its output, forward and backward) on `threads`. */
function layerValues(layer: Layer, threads: number, split: Split): Float32Array[] {
  const cpu = createCpuBackend({ threads, winograd: layer.winograd });
  const was = setClaimedTasks(split.claimed);
  dispatched = [];
  const original = GemmThreadPool.prototype.runClaimed;
  const spy = vi.spyOn(GemmThreadPool.prototype, 'runClaimed').mockImplementation(function (this: GemmThreadPool, op, blocks, claims) {
    original.call(this, op, blocks, claims);
    dispatched.push({ op, blocks: blocks.length, total: claims.units, units: this.claimedUnits });
  });
  try {
    gemmPool()?.slowClaims(split.slowThread, split.slowMicros);
    const rng = new Rng(21);
    const c = layer.x[3]!;
    const x = cpu.tensor(rng.randn(sizeOf(layer.x)), layer.x);
    const f = cpu.tensor(rng.randn(layer.f * layer.f * c * layer.k), [layer.f, layer.f, c, layer.k]);
    const b = cpu.tensor(rng.randn(layer.k), [layer.k]);
    const geometry = { pad: [layer.pad, layer.pad, layer.pad, layer.pad], stride: [layer.stride, layer.stride], dilate: [1, 1], groups: 1 } as const;
    const y = cpu.run('Conv', { x, f, b }, geometry);
    const dy = cpu.tensor(rng.randn(y.size), y.shape);
    const dx = cpu.run('ConvBackwardData', { dy, f }, { ...geometry, xShape: x.shape });
    const df = cpu.run('ConvBackwardFilter', { x, dy }, { ...geometry, fShape: f.shape });
    const p = cpu.run('Pool', { x: y }, POOL);
    const dp = cpu.tensor(rng.randn(p.size), p.shape);
    const dpx = cpu.run('PoolBackward', { x: y, dy: dp }, POOL);
    return [y, dx, df, p, dpx].map((t: Tensor) => (t.dataSync() as Float32Array).slice());
  } finally {
    spy.mockRestore();
    gemmPool()?.slowClaims();
    setClaimedTasks(was);
    cpu.dispose();
  }
}

/** The first index where `a` and `b` differ (as bit patterns of their values), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const ai = new Int32Array(a.buffer, a.byteOffset, a.length);
  const bi = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ai[i] !== bi[i]) return i;
  return -1;
}

const OUTPUTS = ['y', 'dx', 'df', 'pool y', 'pool dx'];

describe('claimed dispatch of the convolutions and pooling', () => {
  afterEach(() => setModuleArrayBudget());

  for (const layer of LAYERS) {
    it(`gives the one-thread bits at 2 and 3 threads, claimed and static, with a slow thread (${layer.name})`, () => {
      const one = layerValues(layer, 1, { claimed: true });
      const splits: Split[] = [{ claimed: true }, { claimed: false }, { claimed: true, slowThread: 1, slowMicros: 2000 }, { claimed: true, slowThread: 0, slowMicros: 2000 }];
      for (const threads of [2, 3]) {
        for (const split of splits) {
          const values = layerValues(layer, threads, split);
          const ops = new Set(dispatched.map((d) => d.op));
          for (const op of layer.ops) expect(ops.has(op) || !split.claimed, `${op} claimed`).toBe(true);
          // Each claimed dispatch did every unit once, on the threads it had.
          for (const d of dispatched) expect(d.units.slice(0, d.blocks).reduce((a, b) => a + b, 0), d.op).toBe(d.total);
          if (!split.claimed) expect(dispatched).toEqual([]);
          for (let i = 0; i < one.length; i++) expect(firstDifference(values[i]!, one[i]!), `${OUTPUTS[i]}, ${threads} threads, ${JSON.stringify(split)}`).toBe(-1);
        }
      }
    }, 120_000);
  }

  it('gives the same bits with the tensors copied through the arena (not resident), over several threads', () => {
    const layer = LAYERS[2]!;
    const one = layerValues(layer, 1, { claimed: true });
    setModuleArrayBudget(0);
    const copied = layerValues(layer, 3, { claimed: true, slowThread: 2, slowMicros: 2000 });
    for (let i = 0; i < one.length; i++) expect(firstDifference(copied[i]!, one[i]!), OUTPUTS[i]).toBe(-1);
  });

  it('gives a slowed thread fewer units', () => {
    // 32 images of LeNet's conv1 on 2 threads: 2 per claim. Thread 1 spins 30 ms before each claim, so the calling
    // thread takes most of the images (all of them if it is done within 30 ms); static, 16 each.
    const x: Shape = [32, 28, 28, 1];
    const run = (split: Split): number[] => {
      const cpu = createCpuBackend({ threads: 2, winograd: false });
      const was = setClaimedTasks(split.claimed);
      try {
        const pool = gemmPool()!;
        pool.slowClaims(split.slowThread, split.slowMicros);
        const rng = new Rng(3);
        const xt = cpu.tensor(rng.randn(sizeOf(x)), x);
        const f = cpu.tensor(rng.randn(25 * 20), [5, 5, 1, 20]);
        cpu.run('Conv', { x: xt, f, b: null }, { pad: [0, 0, 0, 0], stride: [1, 1], dilate: [1, 1], groups: 1 }).dataSync();
        return pool.claimedUnits.slice(0, 2);
      } finally {
        gemmPool()?.slowClaims();
        setClaimedTasks(was);
        cpu.dispose();
      }
    };
    const slowed = run({ claimed: true, slowThread: 1, slowMicros: 30_000 });
    expect(slowed[0]! + slowed[1]!).toBe(32);
    expect(slowed[0]!).toBeGreaterThan(slowed[1]!);
    const fair = run({ claimed: true });
    expect(fair[0]! + fair[1]!).toBe(32);
  });

  it('refuses an unknown op, more than 8 range words and a step below 1', () => {
    const pool = new GemmThreadPool(gemmInstance()!, 2);
    try {
      const at = { word: 18, base: 0, stride: 4 };
      expect(() => pool.runClaimed('no_such_images', [0, 0], { units: 1, step: 1, at: [] })).toThrow(BackendError);
      expect(() => pool.runClaimed('conv_images', [0, 0], { units: 1, step: 1, at: new Array(9).fill(at) })).toThrow(/at most 8 range words, got 9/);
      expect(() => pool.runClaimed('conv_images', [0, 0], { units: 1, step: 0, at: [at] })).toThrow(/positive integer step, got 0/);
    } finally {
      pool.terminate();
    }
  });
});
