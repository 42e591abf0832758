import { forwardPasses, imagesPerThread, type ThreadBuffers, packedPatchesSize, runTasks, shares, taskThreads, threadBuffers, threadScratchSize, writeTask } from './conv-tasks.js';
import type { PatchGeometry } from './im2row.js';
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
 * `y ← φ(x)·F + beta·y` (beta 0 or 1) per image and group, float32, in the
 * WebAssembly memory. With at least as many images as threads, each thread
 * takes whole images (gemm.wat's `conv_images`: φ(x_n) built straight in the
 * GEMM's packed panels, then one SGEMM per group), so φ is built in parallel
 * too; with fewer, this thread builds φ and each SGEMM is split over the
 * threads. Either way every output is the same sum in the same order as on one
 * thread. Returns false (doing nothing) where WebAssembly SIMD is missing.
 */
export function convForwardWasm(p: ConvSizes, x: Float32Array, f: Float32Array, beta: number, y: Float32Array): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const L = p.rowLength;
  const ySize = p.pixels * p.k;
  const phiSize = packedPatchesSize(p.pixels, L, inst.mr);
  const perThread = phiSize + threadScratchSize(L, p.patch.filterHeight, inst.mr);
  return forwardPasses(p.n, p.imageSize, ySize, f, perThread, x, beta, y, ({ fAt, xAt, yAt, bufAt, tasks, threads, count }) => {
    const buffers = Array.from({ length: tasks }, (_, t) => threadBuffers(bufAt + t * perThread, phiSize, L, p.patch.filterHeight, inst.mr));
    const blocks = writeImageTasks(inst, p, buffers, count, tasks, xAt, yAt, fAt);
    if (p.n >= threads) runTasks(inst, 'conv_images', blocks);
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
 * Writes the task blocks of `count` images split over `tasks` threads
 * (`shares`), x (or dx) at element `xAt`, y (or dy) at `yAt`, F at `fAt`,
 * each thread's buffers from `buffers`; returns their byte addresses.
 */
function writeImageTasks(
  inst: GemmInstance,
  p: ConvSizes,
  buffers: readonly ThreadBuffers[],
  count: number,
  tasks: number,
  xAt: number,
  yAt: number,
  fAt: number,
): number[] {
  const ySize = p.pixels * p.k;
  return shares(count, tasks).map((share) => {
    const b = buffers[share.thread]!;
    writeTask(inst, b.block, share.thread, {
      patch: p.patch,
      c0: 0,
      cg: p.cg,
      groups: p.groups,
      kg: p.kg,
      k: p.k,
      x: 4 * (xAt + share.first * p.imageSize),
      count: share.count,
      y: 4 * (yAt + share.first * ySize),
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
 * is split over the threads and this thread runs row2im. Every value is the
 * same sum in the same order for any thread count. Returns false where
 * WebAssembly SIMD is missing.
 */
export function convBackwardDataWasm(p: ConvSizes, dy: Float32Array, f: Float32Array, dx: Float32Array): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const threads = taskThreads();
  const L = p.rowLength;
  const fSize = L * p.k;
  const ySize = p.pixels * p.k;
  const rowsSize = p.pixels * L;
  const perThread = rowsSize + threadScratchSize(L, p.patch.filterHeight, inst.mr);
  const per = p.n >= threads ? imagesPerThread(p.n, threads, p.imageSize + ySize) : 1;
  const tasks = p.n >= threads ? threads : 1;
  const chunk = Math.min(p.n, tasks * per);
  const arena = wasmArena(fSize + chunk * (p.imageSize + ySize) + tasks * perThread);
  if (arena === null) return false;
  const { heap, at } = arena;
  const fAt = at;
  const xAt = fAt + fSize;
  const yAt = xAt + chunk * p.imageSize;
  const buffers = Array.from({ length: tasks }, (_, t) => threadBuffers(yAt + chunk * ySize + t * perThread, rowsSize, L, p.patch.filterHeight, inst.mr));
  heap.set(f, fAt);
  for (let i0 = 0; i0 < p.n; i0 += chunk) {
    const count = Math.min(chunk, p.n - i0);
    heap.fill(0, xAt, xAt + count * p.imageSize);
    heap.set(dy.subarray(i0 * ySize, (i0 + count) * ySize), yAt);
    const blocks = writeImageTasks(inst, p, buffers, count, tasks, xAt, yAt, fAt);
    if (p.n >= threads) runTasks(inst, 'conv_backward_data_images', blocks);
    else {
      // Fewer images than threads: each product split over the threads, row2im here.
      const b = buffers[0]!;
      for (let i = 0; i < count; i++) {
        for (let g = 0; g < p.groups; g++) {
          heap.fill(0, b.phi >> 2, (b.phi >> 2) + rowsSize);
          sgemmInArena(false, true, p.pixels, L, p.kg, 1, yAt + i * ySize + g * p.kg, p.k, fAt + g * p.kg, p.k, b.phi >> 2, L);
          inst.exports.row2im(b.block, b.phi, g * p.cg, p.cg, 4 * (xAt + i * p.imageSize));
        }
      }
    }
    dx.set(heap.subarray(xAt, xAt + count * p.imageSize), i0 * p.imageSize);
  }
  return true;
}

/**
 * `df ← Σ_n φ(x_n)ᵀ·dy_n` (df starts zeroed), float32, in the WebAssembly
 * memory: per pass and group, the threads build φ (row-major) of their images
 * at once (gemm.wat's `im2row_images`), then one SGEMM per image, in image
 * order and split over the threads, adds φᵀ·dy into the sum, which stays in
 * the module's memory. Returns false where WebAssembly SIMD is missing.
 */
export function convBackwardFilterWasm(p: ConvSizes, x: Float32Array, dy: Float32Array, df: Float32Array): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const threads = taskThreads();
  const L = p.rowLength;
  const fSize = L * p.k;
  const ySize = p.pixels * p.k;
  const phiImage = p.pixels * L;
  const perThread = threadScratchSize(L, p.patch.filterHeight, inst.mr);
  const per = imagesPerThread(p.n, threads, p.imageSize + ySize + phiImage);
  const tasks = Math.min(threads, p.n);
  const chunk = Math.min(p.n, tasks * per);
  const arena = wasmArena(fSize + chunk * (p.imageSize + ySize + phiImage) + tasks * perThread);
  if (arena === null) return false;
  const { heap, at } = arena;
  const fAt = at;
  const xAt = fAt + fSize;
  const yAt = xAt + chunk * p.imageSize;
  const phiAt = yAt + chunk * ySize;
  const buffers = Array.from({ length: tasks }, (_, t) => threadBuffers(phiAt + chunk * phiImage + t * perThread, 0, L, p.patch.filterHeight, inst.mr));
  heap.fill(0, fAt, fAt + fSize);
  for (let i0 = 0; i0 < p.n; i0 += chunk) {
    const count = Math.min(chunk, p.n - i0);
    heap.set(x.subarray(i0 * p.imageSize, (i0 + count) * p.imageSize), xAt);
    heap.set(dy.subarray(i0 * ySize, (i0 + count) * ySize), yAt);
        for (let g = 0; g < p.groups; g++) {
      const blocks: number[] = [];
      for (const share of shares(count, tasks)) {
        const b = buffers[share.thread]!;
        const first = share.first;
        writeTask(inst, b.block, share.thread, {
          patch: p.patch, c0: g * p.cg, cg: p.cg, groups: p.groups, kg: p.kg, k: p.k,
          x: 4 * (xAt + first * p.imageSize), count: share.count, y: 0, f: 0,
          phi: 4 * (phiAt + first * phiImage), phiStride: 4 * phiImage, zeros: b.zeros, scratch: b.scratch, src: b.src,
        });
        blocks.push(b.block);
      }
      runTasks(inst, 'im2row_images', blocks);
      for (let i = 0; i < count; i++) {
        sgemmInArena(true, false, L, p.kg, p.pixels, 1, phiAt + i * phiImage, L, yAt + i * ySize + g * p.kg, p.k, fAt + g * p.kg, p.k);
      }
    }
  }
  df.set(heap.subarray(fAt, fAt + fSize));
  return true;
}
