import type { PoolAttrs } from '@convnet-ts/tensor';
import { runClaimed, shares, TASK_WORDS } from './conv-tasks.js';
import {
  copiedPerUnit,
  copyIn,
  copyOut,
  everyResident,
  instanceFor,
  type PassOperand,
  passFloatsNow,
  passOperands,
  placeSlots,
  runSharedPasses,
  sharedRouteOn,
  sharedThreads,
  threadsFor,
  unitAt,
  zeroUnits,
} from './rows-wasm.js';
import type { TaskOp } from './thread-pool.js';
import type { GemmInstance } from './wasm-instance.js';

/** The sizes of a max pooling: input `[n, h, w, c]`, output `ho × wo`, and its attributes. */
export interface PoolSizes {
  n: number;
  h: number;
  w: number;
  c: number;
  ho: number;
  wo: number;
  attrs: PoolAttrs;
}

/**
 * Max pooling of float32 NHWC images in WebAssembly SIMD
 * (wasm/pool-max.part.wat's `pool_max_images`, four channels at a time:
 * `f32x4.pmax` with a NaN check, a window holding a NaN scanned again by the
 * full rule; 2×2 and 3×3 windows unrolled), each thread taking whole images;
 * the same values as kernels/pool.ts's loops (strict `>` from −∞, row by
 * row). Returns false (doing nothing) where WebAssembly SIMD is missing.
 */
export function maxPoolWasm(s: PoolSizes, x: Float32Array, y: Float32Array): boolean {
  return runPool(s, 'pool_max_images', x, null, y);
}

/**
 * `dx ← the max-pooling derivative of dy` (`pool_max_backward_images`: each
 * output's derivative added at the first maximum of its window in
 * column-major order, outputs in order; where the windows tile the image,
 * every dx element stored once instead), each thread taking whole images.
 * Returns false where WebAssembly SIMD is missing.
 */
export function maxPoolBackwardWasm(s: PoolSizes, x: Float32Array, dy: Float32Array, dx: Float32Array): boolean {
  return runPool(s, 'pool_max_backward_images', x, dy, dx);
}

/**
 * Average pooling of float32 NHWC images in WebAssembly SIMD
 * (kernels-rows.part.wat's `pool_avg_images`), whole images per thread,
 * the values of kernels/pool.ts's loops (float32 sums in row-major window
 * order, scaled by 1/valid pixels in float64). False where SIMD is missing.
 */
export function avgPoolWasm(s: PoolSizes, x: Float32Array, y: Float32Array): boolean {
  return runPool(s, 'pool_avg_images', x, null, y);
}

/**
 * `dx ← the average-pooling derivative of dy` (`pool_avg_backward_images`:
 * outputs in order, dy·(1/valid) added over each window in float64), whole
 * images per thread. False where SIMD is missing or the tensor is small
 * (rows-wasm.ts's thresholds).
 */
export function avgPoolBackwardWasm(s: PoolSizes, dy: Float32Array, dx: Float32Array): boolean {
  return runPool(s, 'pool_avg_backward_images', null, dy, dx);
}

/**
 * Floats of x, y (or dy) and dx one thread's images of a pass keep in the
 * module's memory (2 MiB): a pass stays in the core's L2 cache (4 MiB here)
 * from the copy in to the copy out, so the kernel and the copies touch main
 * memory once (backward, against the convolutions' 16 MiB passes, medians
 * of 15 in one process at load 6: AlexNet pool1 71 → 51 ms at 1 thread,
 * even at 2; pool2 30 → 27; LeNet pool1 even, 2.8 vs 3.1).
 */
const POOL_PASS_FLOATS = 2 ** 19;

/**
 * Runs `op` per thread on its share of the images: where x, dy and the
 * output are all resident in the module's memory, on their own addresses,
 * all images in one pass; else over shared tensors each thread copies its
 * own images (`poolShared`); else this thread copies the operands that are
 * not resident (x, and dy for the backward; average pooling's backward
 * reads no x) into the arena a pass at a time and the output back out, the
 * resident ones read and written in place. The backward ops zero their own
 * images' dx where they need it; average pooling's backward is given it zeroed.
 */
function runPool(s: PoolSizes, op: TaskOp, x: Float32Array | null, dy: Float32Array | null, out: Float32Array): boolean {
  const image = s.h * s.w * s.c;
  const kernel = op === 'pool_avg_backward_images' ? 'avgPoolBackward' : 'pool';
  const inst = instanceFor(kernel, s.n * image);
  if (inst === null) return false;
  const outImage = s.ho * s.wo * s.c;
  const backward = dy !== null;
  // The forward writes y; the backward reads dy and writes dx (an image's size).
  const ops = passOperands(inst, [x, dy, out], [image, outImage, backward ? image : outImage]);
  const [xo, dyo, oo] = ops as [PassOperand, PassOperand, PassOperand];
  const inPlace = everyResident(ops);
  // Whole images per thread, and only as many threads as have enough elements (the worker dispatch costs tens of µs).
  const threads = threadsFor(kernel, s.n * image);
  const per = inPlace ? Math.ceil(s.n / threads) : Math.max(1, Math.min(Math.ceil(s.n / threads), Math.floor(Math.min(POOL_PASS_FLOATS, passFloatsNow()) / copiedPerUnit(ops))));
  const tasks = Math.min(threads, s.n);
  if (!inPlace && poolShared(s, op, x, dy, out, tasks, per)) return true;
  const chunk = Math.min(s.n, tasks * per);
  const place = placeSlots(ops, chunk, tasks * TASK_WORDS + 1);
  if (place === null) return false;
  const { heap } = place;
  const blocksAt = 4 * place.free;
  for (let i0 = 0; i0 < s.n; i0 += chunk) {
    const count = Math.min(chunk, s.n - i0);
    copyIn(heap, xo, i0, count);
    copyIn(heap, dyo, i0, count);
    if (op === 'pool_avg_backward_images') zeroUnits(heap, oo, i0, count);
    const blocks = Array.from({ length: Math.min(tasks, count) }, (_, t) => {
      const block = blocksAt + 4 * t * TASK_WORDS;
      writePoolTask(inst, block, s, { x: 0, count: 0, y: 0, dx: 0 });
      return block;
    });
    // Words 11 x, 13 y (or dy), 14 dx: each image's, `per` floats apart; word 12 the images' count.
    const unit = (word: number, o: PassOperand) => ({ word, base: 4 * unitAt(o, i0), stride: o.data === null ? 0 : 4 * o.per });
    runClaimed(inst, op, blocks, { units: count, at: [unit(11, xo), unit(13, backward ? dyo : oo), ...(backward ? [unit(14, oo)] : [])], count: 12 });
    copyOut(heap, oo, i0, count);
  }
  return true;
}

/**
 * `runPool` with each thread copying its own images in and out through its
 * own part of the module's memory (rows-wasm.ts's `runSharedPasses`), where
 * every operand lives on a SharedArrayBuffer and at least two threads run;
 * false (nothing done) otherwise. Each image is computed as in `runPool`.
 */
function poolShared(s: PoolSizes, op: TaskOp, x: Float32Array | null, dy: Float32Array | null, out: Float32Array, tasks: number, per: number): boolean {
  const inputs = [x, dy].filter((a) => a !== null);
  if (!sharedRouteOn(op === 'pool_avg_backward_images' ? 'avgPoolBackward' : 'pool')) return false;
  if (sharedThreads([...inputs, out], tasks) < tasks || tasks < 2) return false;
  const ranges = shares(s.n, tasks).map((r) => ({ first: r.first, end: r.first + r.count }));
  const backward = dy !== null;
  // The pool task block's address words: 11 x, 13 y or dy, 14 dx.
  const addressWords = [...(x === null ? [] : [[11]]), ...(dy === null ? [] : [[13]]), backward ? [14] : [13]];
  return runSharedPasses(op, ranges, per, inputs, out, op === 'pool_avg_backward_images', (at, outAt) => {
    const inAt = (a: Float32Array | null) => (a === null ? 0 : 4 * at[inputs.indexOf(a)]!);
    return poolWords(s, { x: inAt(x), count: 0, y: backward ? inAt(dy) : 4 * outAt, dx: backward ? 4 * outAt : 0 });
  }, 12, addressWords);
}

/** The pool task block's words (wasm/pool-max.part.wat's layout; word 12 the images' count). */
function poolWords(s: PoolSizes, images: { x: number; count: number; y: number; dx: number }): number[] {
  const { poolSize, pad, stride } = s.attrs;
  return [s.h, s.w, s.c, s.ho, s.wo, poolSize[0], poolSize[1], stride[0], stride[1], pad[0], pad[2], images.x, images.count, images.y, images.dx];
}

/** The pool task block at byte address `at`. */
function writePoolTask(inst: GemmInstance, at: number, s: PoolSizes, images: { x: number; count: number; y: number; dx: number }): void {
  const words = poolWords(s, images);
  new Int32Array(inst.memory.buffer, at, words.length).set(words);
}
