import {
  copiedSize,
  type ForwardStart,
  forwardPasses,
  imagesPerThread,
  imageUnits,
  packedPatchesSize,
  passIn,
  passOperand,
  runClaimed,
  runSgemmLists,
  shares,
  type ThreadBuffers,
  taskThreads,
  threadBuffers,
  threadScratchSize,
  writeTask,
} from './conv-tasks.js';
import type { PatchGeometry } from './im2row.js';
import { PARALLEL_MIN_FLOPS, splitShares, splitSgemm } from './parallel-sgemm.js';
import type { SgemmCall } from './thread-pool.js';
import { sgemmInArena, sgemmPackedA, wasmArena } from './wasm-gemm.js';
import { type GemmInstance, gemmInstance } from './wasm-instance.js';

/** The sizes of a patches-path convolution (see `ConvPlan` in kernels/conv.ts). */
export interface ConvSizes {
  patch: PatchGeometry;
  n: number;
  c: number;
  k: number;
  groups: number;
  cg: number;
  kg: number;
  imageSize: number;
  pixels: number;
  rowLength: number;
}

/**
 * `y ← φ(x)·F + start` (beta 0 or 1 times y, or a bias: `ForwardStart`) per image and group, float32, in the
 * WebAssembly memory. With at least as many images as threads, each thread
 * takes whole images (gemm.wat's `conv_images`: φ(x_n) built straight in the
 * GEMM's packed panels, then one SGEMM per group), so φ is built in parallel
 * too; with fewer, this thread builds φ and each SGEMM is split over the
 * threads. Either way every output is the same sum in the same order as on one
 * thread. Returns false (doing nothing) where WebAssembly SIMD is missing.
 */
export function convForwardWasm(p: ConvSizes, x: Float32Array, f: Float32Array, start: ForwardStart, y: Float32Array): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const L = p.rowLength;
  const ySize = p.pixels * p.k;
  const phiSize = packedPatchesSize(p.pixels, L, inst.mr);
  const perThread = phiSize + threadScratchSize(L, p.patch.filterHeight, inst.mr);
  return forwardPasses(p.n, p.imageSize, ySize, f, perThread, x, start, y, ({ fAt, xAt, yAt, bufAt, tasks, threads, count }) => {
    const buffers = Array.from({ length: tasks }, (_, t) => threadBuffers(bufAt + t * perThread, phiSize, L, p.patch.filterHeight, inst.mr));
    const blocks = writeImageTasks(inst, p, buffers, xAt, yAt, fAt);
    if (p.n >= threads) runClaimed(inst, 'conv_images', blocks, imageUnits(count, xAt, p.imageSize, yAt, ySize));
    else {
      // Fewer images than threads: φ here, each product split over the threads.
      const b = buffers[0]!;
      for (let i = 0; i < count; i++) {
        for (let g = 0; g < p.groups; g++) {
          inst.exports.im2row_packed(b.block, 4 * (xAt + i * p.imageSize), g * p.cg, p.cg, b.phi);
          sgemmPackedA(p.pixels, p.kg, L, 1, b.phi >> 2, fAt + g * p.kg, p.k, yAt + i * ySize + g * p.kg, p.k);
        }
      }
    }
  });
}

/**
 * Writes each thread's task block (its buffers from `buffers`), x (or dx)
 * at element `xAt`, y (or dy) at `yAt`, F at `fAt`, for image 0 (`runClaimed`
 * points them at the images they take); returns their byte addresses.
 */
function writeImageTasks(inst: GemmInstance, p: ConvSizes, buffers: readonly ThreadBuffers[], xAt: number, yAt: number, fAt: number): number[] {
  return buffers.map((b, t) => {
    writeTask(inst, b.block, t, {
      patch: p.patch,
      c0: 0,
      cg: p.cg,
      groups: p.groups,
      kg: p.kg,
      k: p.k,
      x: 4 * xAt,
      count: 0,
      y: 4 * yAt,
      f: 4 * fAt,
      phi: b.phi,
      phiStride: 0,
      zeros: b.zeros,
      scratch: b.scratch,
      src: b.src,
    });
    return b.block;
  });
}

/**
 * `dx ← φ*(dy·Fᵀ)` (dx starts zeroed) per image and group, float32, in the
 * WebAssembly memory. With at least as many images as threads, each thread
 * takes whole images (gemm.wat's `conv_backward_data_images`: the product
 * dy_n·F_gᵀ in its buffer, then row2im into dx_n); with fewer, each product
 * is split over the threads and this thread runs row2im (`forwardPasses`
 * with dy as the input and dx, zeroed, as the output: resident ones are read
 * and written in place). Every value is the same sum in the same order for
 * any thread count. Returns false where WebAssembly SIMD is missing.
 */
export function convBackwardDataWasm(p: ConvSizes, dy: Float32Array, f: Float32Array, dx: Float32Array): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const L = p.rowLength;
  const ySize = p.pixels * p.k;
  const rowsSize = p.pixels * L;
  const perThread = rowsSize + threadScratchSize(L, p.patch.filterHeight, inst.mr);
  // The passes of a forward with dy as its input and dx (zeroed) as its output.
  return forwardPasses(p.n, ySize, p.imageSize, f, perThread, dy, 0, dx, ({ heap, fAt, xAt: dyAt, yAt: dxAt, bufAt, tasks, threads, count }) => {
    const buffers = Array.from({ length: tasks }, (_, t) => threadBuffers(bufAt + t * perThread, rowsSize, L, p.patch.filterHeight, inst.mr));
    const blocks = writeImageTasks(inst, p, buffers, dxAt, dyAt, fAt);
    if (p.n >= threads) runClaimed(inst, 'conv_backward_data_images', blocks, imageUnits(count, dxAt, p.imageSize, dyAt, ySize));
    else {
      // Fewer images than threads: each product split over the threads, row2im here.
      const b = buffers[0]!;
      for (let i = 0; i < count; i++) {
        for (let g = 0; g < p.groups; g++) {
          heap.fill(0, b.phi >> 2, (b.phi >> 2) + rowsSize);
          sgemmInArena(false, true, p.pixels, L, p.kg, 1, dyAt + i * ySize + g * p.kg, p.k, fAt + g * p.kg, p.k, b.phi >> 2, L);
          inst.exports.row2im(b.block, b.phi, g * p.cg, p.cg, 4 * (dxAt + i * p.imageSize));
        }
      }
    }
  });
}

/**
 * Partial sums of the filter derivative where each image's product is too small
 * to split over threads (`PARALLEL_MIN_FLOPS`): the batch in this many blocks of
 * consecutive images (fewer for fewer images), whose sums the threads compute
 * at once and which are then added in block order. A constant, not the thread
 * count, so the bits do not depend on it; 16 blocks keep up to 16 threads busy.
 */
export const FILTER_BLOCKS = 16;

/** At most this many floats of block sums (`FILTER_BLOCKS`·L·K; 16 MiB): beyond, one sum split over the threads. */
const FILTER_BLOCK_FLOATS = 2 ** 22;

/**
 * How the filter derivative of `p` sums its images: 1 (one sum in image order,
 * each image's product split over the threads by rows or columns of df), or
 * the count of image blocks summed apart (`FILTER_BLOCKS`). Shapes only.
 */
export function filterBlocks(p: ConvSizes): number {
  const blocks = Math.min(FILTER_BLOCKS, p.n);
  const small = 2 * p.rowLength * p.kg * p.pixels < PARALLEL_MIN_FLOPS;
  return small && blocks > 1 && blocks * p.rowLength * p.k <= FILTER_BLOCK_FLOATS ? blocks : 1;
}

/**
 * `df ← Σ_n φ(x_n)ᵀ·dy_n` (df starts zeroed), float32, in the WebAssembly
 * memory: per pass and group, the threads build φ (row-major) of their images
 * at once (gemm.wat's `im2row_images`), then the products φ_nᵀ·dy_n are added
 * in image order, in one dispatch of `sgemm` lists (`runSgemmLists`): where
 * an image's product is large enough, each thread takes the same rows or
 * columns of df in every image's product (`splitSgemm`); where it is small,
 * the images go in `filterBlocks(p)` blocks, each thread summing whole blocks
 * into their own sums, which are added in block order at the end. Either
 * way every value is the same sum in the same order for any thread count.
 * Resident x and dy (`inPlaceAt`) are read in place; the passes then hold
 * only φ. Returns false where WebAssembly SIMD is missing.
 */
export function convBackwardFilterWasm(p: ConvSizes, x: Float32Array, dy: Float32Array, df: Float32Array): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const threads = taskThreads();
  const L = p.rowLength;
  const fSize = L * p.k;
  const ySize = p.pixels * p.k;
  const phiImage = p.pixels * L;
  const blocks = filterBlocks(p);
  const perThread = threadScratchSize(L, p.patch.filterHeight, inst.mr);
  const xs = passOperand(inst, x, p.imageSize);
  const dys = passOperand(inst, dy, ySize);
  const per = imagesPerThread(p.n, threads, copiedSize(xs) + copiedSize(dys) + phiImage);
  const tasks = Math.min(threads, p.n);
  const chunk = Math.min(p.n, tasks * per);
  const arena = wasmArena(blocks * fSize + chunk * (copiedSize(xs) + copiedSize(dys) + phiImage) + tasks * perThread);
  if (arena === null) return false;
  const { heap, at } = arena;
  const fAt = at;
  const xCopyAt = fAt + blocks * fSize;
  const yCopyAt = xCopyAt + chunk * copiedSize(xs);
  const phiAt = yCopyAt + chunk * copiedSize(dys);
  const buffers = Array.from({ length: tasks }, (_, t) => threadBuffers(phiAt + chunk * phiImage + t * perThread, 0, L, p.patch.filterHeight, inst.mr));
  // Block b's images: [floor(b·n/blocks), floor((b+1)·n/blocks)), its sum at fAt + b·fSize.
  const blockOf = new Int32Array(p.n);
  for (let b = 0; b < blocks; b++) blockOf.fill(b, Math.floor((b * p.n) / blocks), Math.floor(((b + 1) * p.n) / blocks));
  heap.fill(0, fAt, fAt + blocks * fSize);
  for (let i0 = 0; i0 < p.n; i0 += chunk) {
    const count = Math.min(chunk, p.n - i0);
    const xAt = passIn(heap, xs, i0, count, xCopyAt);
    const yAt = passIn(heap, dys, i0, count, yCopyAt);
    for (let g = 0; g < p.groups; g++) {
      const tasksBlocks = buffers.map((b, t) => {
        writeTask(inst, b.block, t, {
          patch: p.patch, c0: g * p.cg, cg: p.cg, groups: p.groups, kg: p.kg, k: p.k,
          x: 4 * xAt, count: 0, y: 0, f: 0,
          phi: 4 * phiAt, phiStride: 4 * phiImage, zeros: b.zeros, scratch: b.scratch, src: b.src,
        });
        return b.block;
      });
      // Word 22: the images' φ, `phiImage` floats each.
      runClaimed(inst, 'im2row_images', tasksBlocks.slice(0, count), {
        units: count,
        at: [{ word: 18, base: 4 * xAt, stride: 4 * p.imageSize }, { word: 22, base: 4 * phiAt, stride: 4 * phiImage }],
        count: 19,
      });
      // φ_iᵀ·dy_i (L × kg, depth pixels) into group g's columns of image i's sum.
      const product = (i: number): SgemmCall => ({
        m: L, n: p.kg, k: p.pixels, alpha: 1,
        a: 4 * (phiAt + i * phiImage), lda: L, ta: 1,
        b: 4 * (yAt + i * ySize + g * p.kg), ldb: p.k, tb: 0,
        c: 4 * (fAt + blockOf[i0 + i]! * fSize + g * p.kg), ldc: p.k,
      });
      runSgemmLists(inst, blocks === 1 ? splitLists(count, threads, product, inst) : blockLists(count, tasks, (i) => blockOf[i0 + i]!, product));
    }
  }
  if (blocks === 1) df.set(heap.subarray(fAt, fAt + fSize));
  else {
    for (let e = 0; e < fSize; e++) {
      let sum = heap[fAt + e]!;
      for (let b = 1; b < blocks; b++) sum = Math.fround(sum + heap[fAt + b * fSize + e]!);
      df[e] = sum;
    }
  }
  return true;
}

/**
 * The `sgemm` lists of `count` products, in order, each split over `threads`
 * as `sgemmParallel` would split it alone (`splitSgemm`, from
 * `PARALLEL_MIN_FLOPS` on): list t holds part t of every product. The
 * products must have the same sizes, so their parts are the same blocks.
 */
function splitLists(count: number, threads: number, product: (i: number) => SgemmCall, inst: GemmInstance): SgemmCall[][] {
  const lists: SgemmCall[][] = [];
  for (let i = 0; i < count; i++) {
    const c = product(i);
    const parts = threads > 1 && 2 * c.m * c.n * c.k >= PARALLEL_MIN_FLOPS ? splitSgemm(c, threads, inst.mr, inst.nr, splitShares()) : [c];
    for (const [t, part] of parts.entries()) {
      if (lists[t] === undefined) lists[t] = [];
      lists[t].push(part);
    }
  }
  return lists;
}

/**
 * The `sgemm` lists of `count` products, in order, whose image i adds into
 * block `blockOf(i)`'s sum: the runs of images of one block split over at
 * most `tasks` threads as whole runs (`shares` of the runs), so each block's
 * sum is one thread's, in image order.
 */
function blockLists(count: number, tasks: number, blockOf: (i: number) => number, product: (i: number) => SgemmCall): SgemmCall[][] {
  const runs: number[] = [];
  for (let i = 0; i < count; i++) if (i === 0 || blockOf(i) !== blockOf(i - 1)) runs.push(i);
  runs.push(count);
  return shares(runs.length - 1, tasks).map((share) => {
    const list: SgemmCall[] = [];
    for (let i = runs[share.first]!; i < runs[share.first + share.count]!; i++) list.push(product(i));
    return list;
  });
}
