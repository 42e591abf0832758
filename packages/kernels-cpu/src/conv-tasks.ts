import { gemmPool, gemmThreads } from './gemm-threads.js';
import type { ConvSizes } from './conv-wasm.js';
import type { PatchGeometry } from './im2row.js';
import { JS_TASKS, type JsTaskName } from './js-tasks.js';
import { residentOffset } from './module-arrays.js';
import { type SgemmCall, type TaskOp, taskExport, type UnitClaims, type UnitWord } from './thread-pool.js';
import { wasmArena } from './wasm-gemm.js';
import { type GemmInstance, gemmInstance, scratchOf } from './wasm-instance.js';

/** Int32 words of a task block (gemm.wat's conv section: 30 used). */
export const TASK_WORDS = 32;

/** Elements of a thread's φ buffer for `pixels` rows of `rowLength`, packed in `mr`-row panels (`ta = 2`). */
export function packedPatchesSize(pixels: number, rowLength: number, mr: number): number {
  return Math.ceil(pixels / mr) * mr * rowLength;
}

/**
 * What one thread does with `conv_images`, `im2row_images` or
 * `conv_backward_data_images` (which reads dy at `y` and adds into dx at
 * `x`); addresses are byte addresses in the module's memory.
 */
export interface ImageTask {
  patch: PatchGeometry;
  /** The channel block `[c0, c0 + cg)` (`im2row_images`). */
  c0: number;
  cg: number;
  groups: number;
  /** Filters per group, and all of them (the leading dimension of F and y). */
  kg: number;
  k: number;
  x: number;
  count: number;
  y: number;
  f: number;
  /**
   * Where φ goes: one packed image (`conv_images`), `count` row-major images
   * `phiStride` bytes apart (`im2row_images`), or one image's dy·Fᵀ
   * (`conv_backward_data_images`).
   */
  phi: number;
  phiStride: number;
  /** This thread's scratch: `Wf·cg` floats of zeros, MR rows of φ, MR·Hf int32 run addresses. */
  zeros: number;
  scratch: number;
  src: number;
}

/** What differs between the image tasks of the kernels (their buffers; byte addresses). */
export type TaskBuffers = Pick<ImageTask, 'f' | 'phi' | 'phiStride' | 'zeros' | 'scratch' | 'src'>;

/**
 * The task of `share`'s images of an ungrouped convolution of sizes `p`
 * (every channel and filter): images from float offset `xAt` of the module's
 * memory, their outputs (`p.pixels·p.k` floats each) from `yAt`.
 */
export function ungroupedImagesTask(p: ConvSizes, share: { first: number; count: number }, xAt: number, yAt: number, buffers: TaskBuffers): ImageTask {
  return {
    patch: p.patch,
    c0: 0,
    cg: p.c,
    groups: 1,
    kg: p.k,
    k: p.k,
    x: 4 * (xAt + share.first * p.imageSize),
    count: share.count,
    y: 4 * (yAt + share.first * p.pixels * p.k),
    ...buffers,
  };
}

/** Writes `task` as the task block at byte address `at`, with thread `thread`'s sgemm scratch. */
export function writeTask(inst: GemmInstance, at: number, thread: number, task: ImageTask): void {
  const g = task.patch;
  const s = scratchOf(inst, thread);
  const words = [
    g.height, g.width, g.channels, g.filterHeight, g.filterWidth, g.outHeight, g.outWidth, g.strideY, g.strideX,
    g.padTop, g.padLeft, g.dilateY, g.dilateX,
    task.c0, task.cg, task.groups, task.kg, task.k,
    task.x, task.count, task.y, task.f,
    task.phi, task.zeros, task.scratch, s.pa, s.pb, s.tile, task.src, task.phiStride,
  ];
  new Int32Array(inst.memory.buffer, at, TASK_WORDS).set(words);
}

/** Elements of a thread's own buffers besides φ: zeros (`L`), scratch (MR·L), run addresses (MR·Hf) and its task block, for rows of `L`. */
export function threadScratchSize(rowLength: number, filterHeight: number, mr: number): number {
  return (1 + mr) * rowLength + mr * filterHeight + TASK_WORDS;
}

/** Byte addresses of a thread's buffers (see `ImageTask`) and of its task block. */
export interface ThreadBuffers {
  phi: number;
  zeros: number;
  scratch: number;
  src: number;
  block: number;
}

/** Byte addresses of a thread's buffers laid out from element `at` (`phiSize` elements of φ first), for an `mr`-row micro-kernel. */
export function threadBuffers(at: number, phiSize: number, rowLength: number, filterHeight: number, mr: number): ThreadBuffers {
  const phi = 4 * at;
  const zeros = phi + 4 * phiSize;
  const scratch = zeros + 4 * rowLength;
  const src = scratch + 4 * mr * rowLength;
  return { phi, zeros, scratch, src, block: src + 4 * mr * filterHeight };
}

/**
 * Images whose inputs and outputs (and φ, for the filter derivative) a pass
 * keeps in the module's memory at once, in floats (16 MiB); a pass holds at
 * least one image per thread.
 */
export const CHUNK_FLOATS = 2 ** 22;
let chunkFloats = CHUNK_FLOATS;

/** Sets the floats a pass holds (tests: many passes on small tensors); without an argument, `CHUNK_FLOATS`. */
export function setChunkFloats(floats = CHUNK_FLOATS): void {
  chunkFloats = floats;
}

/**
 * Images per thread in one pass: all of them spread over the threads, as
 * far as `CHUNK_FLOATS` allows for `floatsPerImage` (all of them where 0:
 * nothing per image in the arena).
 */
export function imagesPerThread(n: number, threads: number, floatsPerImage: number): number {
  return Math.max(1, Math.min(Math.ceil(n / threads), Math.floor(chunkFloats / (threads * floatsPerImage))));
}

/**
 * Splits `count` images over at most `tasks` threads, in order, the shares
 * differing by at most one image; empty shares are left out, so the threads
 * that get one are 0, 1, … in order.
 */
export function shares(count: number, tasks: number): { thread: number; first: number; count: number }[] {
  const out: { thread: number; first: number; count: number }[] = [];
  for (let t = 0; t < tasks; t++) {
    const first = Math.floor((t * count) / tasks);
    const end = Math.floor(((t + 1) * count) / tasks);
    if (end > first) out.push({ thread: out.length, first, count: end - first });
  }
  return out;
}

/** How many threads image tasks can use now: the GEMM's thread count where its worker pool runs, else 1. */
export function taskThreads(): number {
  return gemmPool() === null ? 1 : gemmThreads();
}

/** Runs `op` on each task block: block 0 on this thread, the others on the GEMM workers (see `GemmThreadPool.runTasks`). */
export function runTasks(inst: GemmInstance, op: TaskOp, blocks: readonly number[]): void {
  const pool = gemmPool();
  if (pool !== null && blocks.length > 1) pool.runTasks(op, blocks);
  else {
    const run = taskExport(inst, op);
    for (const b of blocks) run(b);
  }
}

let claimedOn = true;

/**
 * Turns claimed dispatch (`runClaimed`) on or off for later calls (on by
 * default; off: the static split, each thread one fixed share of the units,
 * for tests and benchmarks); returns the previous setting.
 */
export function setClaimedTasks(on: boolean): boolean {
  const was = claimedOn;
  claimedOn = on;
  return was;
}

/**
 * The smallest claim is a `CLAIMS_PER_THREAD`-th of a thread's even share
 * (`claimStep`): the claims at the end, short enough that a slow thread's
 * last one holds the others up little; the first claims are larger
 * (`claimUnits`: 1/(2·threads) of the units left).
 */
export const CLAIMS_PER_THREAD = 8;

let claimsPerThread = CLAIMS_PER_THREAD;

/** Sets the smallest claims per thread's share that `claimStep` gives (benchmarks); without an argument, `CLAIMS_PER_THREAD`. */
export function setClaimsPerThread(claims = CLAIMS_PER_THREAD): void {
  claimsPerThread = claims;
}

/** The smallest claim of `units` units on `threads` threads (a multiple of which every claim is): `CLAIMS_PER_THREAD` of them per thread's share, at least one unit. */
export function claimStep(units: number, threads: number): number {
  return Math.max(1, Math.floor(units / (claimsPerThread * threads)));
}

/**
 * The units of a claimed dispatch: `units` of them, their range words
 * (`UnitWord`: `base + u·stride` for a claim's first unit u), the count word
 * (the units claimed) and the end word (the claim's end unit), if any;
 * `step`, the smallest claim, of which every claim is a multiple (default `claimStep`).
 */
export interface Units {
  units: number;
  at: readonly UnitWord[];
  count?: number;
  end?: number;
  step?: number;
}

/**
 * The units of a task over `count` images of the image-task layout
 * (`writeTask`, gen-direct.mjs: word 18 x, 19 the count, 20 y): images of
 * `xSize` floats from element `xAt`, outputs of `ySize` from `yAt`.
 */
export function imageUnits(count: number, xAt: number, xSize: number, yAt: number, ySize: number): Units {
  return { units: count, at: [{ word: 18, base: 4 * xAt, stride: 4 * xSize }, { word: 20, base: 4 * yAt, stride: 4 * ySize }], count: 19 };
}

/** Points block `at` (byte address) at units `[first, first + count)` of `u`. */
function pointAt(inst: GemmInstance, at: number, u: Units, first: number, count: number): void {
  const block = new Int32Array(inst.memory.buffer, at, TASK_WORDS);
  for (const w of u.at) block[w.word] = w.base + first * w.stride;
  if (u.count !== undefined) block[u.count] = count;
  if (u.end !== undefined) block[u.end] = first + count;
}

/**
 * Runs `op` over the units `u` with one task block per thread (`blocks`,
 * each with its own scratch, every other word written): with the pool and
 * more than one block, the threads claim `step` units at a time
 * (`GemmThreadPool.runClaimed`), so a slower thread takes fewer; with claimed
 * dispatch off (`setClaimedTasks`), each block gets a fixed share in order
 * (`shares`) and `runTasks` runs them; on one thread, block 0 takes every
 * unit in one call. The op's units must be independent with outputs of
 * their own, so the bits do not depend on which thread takes which.
 */
export function runClaimed(inst: GemmInstance, op: TaskOp, blocks: readonly number[], u: Units): void {
  const pool = gemmPool();
  if (u.units === 0) return;
  if (pool === null || blocks.length < 2) {
    pointAt(inst, blocks[0]!, u, 0, u.units);
    taskExport(inst, op)(blocks[0]!);
  } else if (claimedOn) {
    const claims: UnitClaims = { units: u.units, step: u.step ?? claimStep(u.units, blocks.length), at: u.at };
    if (u.count !== undefined) claims.count = u.count;
    if (u.end !== undefined) claims.end = u.end;
    pool.runClaimed(op, blocks, claims);
  } else {
    const parts = shares(u.units, blocks.length);
    for (const share of parts) pointAt(inst, blocks[share.thread]!, u, share.first, share.count);
    runTasks(inst, op, parts.map((share) => blocks[share.thread]!));
  }
}

/**
 * Runs `lists` of `sgemm` calls: list t on thread t, each in order, in one
 * dispatch of the worker pool (`GemmThreadPool.runLists`), or every list in
 * turn on this thread without a pool. The lists must write disjoint parts of
 * the memory, so the results do not depend on which thread runs which list.
 */
export function runSgemmLists(inst: GemmInstance, lists: readonly (readonly SgemmCall[])[]): void {
  const pool = gemmPool();
  if (pool !== null && lists.length > 1) pool.runLists(lists);
  else {
    const s = scratchOf(inst, 0);
    for (const list of lists) for (const c of list) inst.exports.sgemm(c.m, c.n, c.k, c.alpha, c.a, c.lda, c.ta, c.b, c.ldb, c.tb, c.c, c.ldc, s.pa, s.pb, s.tile);
  }
}

/** Runs the JavaScript task `name` on each task block as `runTasks` runs a module's (js-tasks.ts). */
export function runJsTasks(inst: GemmInstance, name: JsTaskName, blocks: readonly number[]): void {
  const pool = gemmPool();
  if (pool !== null && blocks.length > 1) pool.runJsTasks(name, blocks);
  else for (const b of blocks) JS_TASKS[name](inst.memory.buffer, b);
}

/** Puts a pass's `floats` elements of y (from `from`) into `heap` at `at` as `start` says: zeros, y's values, or the bias broadcast. */
export function putStart(heap: Float32Array, at: number, start: ForwardStart, y: Float32Array, from: number, floats: number): void {
  if (start instanceof Float32Array) broadcastBias(heap, at, start, floats / start.length);
  else if (start === 0) heap.fill(0, at, at + floats);
  else heap.set(y.subarray(from, from + floats), at);
}

/** One pass of `forwardPasses`: element offsets into the module's memory (`heap`) and the pass's images. */
export interface ForwardPass {
  heap: Float32Array;
  /** The filters, the pass's images of x and of y, and the first task's buffers (`perThread` floats each). */
  fAt: number;
  xAt: number;
  yAt: number;
  bufAt: number;
  /** Tasks the threads take (the thread count with at least as many images, else 1), and the thread count. */
  tasks: number;
  threads: number;
  /** The pass's first image and its image count. */
  i0: number;
  count: number;
}

/**
 * What a forward adds its sums to: beta 0 (nothing) or 1 (y's own values),
 * or a bias vector of K floats, the same for every pixel (`y ← conv(x) + 1·bᵀ`),
 * written straight into the module's copy of y so that y is neither filled
 * nor read on this side.
 */
export type ForwardStart = number | Float32Array;

/**
 * Writes `bias` (K floats) into `out` at element `at`, `pixels` times one
 * after another: once, then doubled with `copyWithin` (a few large copies
 * instead of one `set` per pixel: LeNet's conv1, 1.15 M floats, 1.1–3.4 ms
 * per `set` loop against 0.33–0.65 ms).
 */
export function broadcastBias(out: Float32Array | Float64Array, at: number, bias: ArrayLike<number>, pixels: number): void {
  const k = bias.length;
  const end = at + pixels * k;
  if (pixels === 0 || k === 0) return;
  for (let j = 0; j < k; j++) out[at + j] = bias[j]!;
  for (let done = k; at + done < end; done *= 2) out.copyWithin(at + done, at, Math.min(at + 2 * done, end) - done);
}

/**
 * Bytes past an operand's last element that the kernels may load (lanes
 * they drop or mask: Winograd's 4-channel blocks, the direct filter
 * derivative's 8-filter rows of dy); an array used in place needs them
 * inside the module's memory.
 */
const READ_PAST_BYTES = 64;

/**
 * The element offset of `a` in `inst`'s memory where a kernel may read or
 * write it in place: a whole resident array of `inst` (module-arrays.ts)
 * with `READ_PAST_BYTES` of memory after it; else -1 (copied through the
 * arena).
 */
export function inPlaceAt(inst: GemmInstance, a: Float32Array): number {
  const at = residentOffset(inst, a);
  return at >= 0 && 4 * (at + a.length) + READ_PAST_BYTES <= inst.memory.buffer.byteLength ? at : -1;
}

/** The images of a tensor that passes over a batch take: in place (`home`, an element offset) or copied through the arena (`home` −1). */
export interface PassOperand {
  data: Float32Array;
  /** Floats per image. */
  size: number;
  home: number;
}

/** `data` (images of `size` floats) as a pass operand of `inst`: in place where `inPlaceAt` allows. */
export function passOperand(inst: GemmInstance, data: Float32Array, size: number): PassOperand {
  return { data, size, home: inPlaceAt(inst, data) };
}

/** Floats per image that the arena holds for `op`: its size where copied, 0 in place. */
export function copiedSize(op: PassOperand): number {
  return op.home < 0 ? op.size : 0;
}

/**
 * The element offset of images `[i0, i0 + count)` of `op` for a pass: in
 * place, or at `copyAt` in the arena, where they are copied now (`input`
 * true) or only placed (an output, copied out by `passOut`).
 */
export function passIn(heap: Float32Array, op: PassOperand, i0: number, count: number, copyAt: number, input = true): number {
  if (op.home >= 0) return op.home + i0 * op.size;
  if (input) heap.set(op.data.subarray(i0 * op.size, (i0 + count) * op.size), copyAt);
  return copyAt;
}

/** Copies a pass's images `[i0, i0 + count)` of output `op` out of the arena at `at` (nothing in place). */
export function passOut(heap: Float32Array, op: PassOperand, i0: number, count: number, at: number): void {
  if (op.home < 0) op.data.set(heap.subarray(at, at + count * op.size), i0 * op.size);
}

/**
 * Runs a float32 convolution forward `y ← conv(x) + start` (`ForwardStart`:
 * beta 0 or 1 times y, or a bias per filter)
 * in passes over the batch, in the module's memory: `filters` first (or,
 * given as a count, that many floats already at the arena's start), then
 * a pass's images of x (`imageSize` each) and y (`ySize` each), then
 * `perThread` floats per task. Per pass, x and y (zeros where beta is 0, the
 * bias broadcast where `start` is one) are put in, `run` computes (adding
 * into y), y is copied out, so every element of y is written. Where x or y
 * is a resident array (`inPlaceAt`), its images are not copied: the pass's
 * `xAt` or `yAt` points at them in place (y's start put there), and with
 * both resident the whole batch is one pass. With at least as many
 * images as threads each thread takes whole images (as many per pass as
 * `imagesPerThread` allows), else a pass is one image for one task (its
 * products then split over the threads; all the images where nothing is
 * copied). Returns false where the module cannot run (touching nothing).
 */
export function forwardPasses(n: number, imageSize: number, ySize: number, filters: Float32Array | number, perThread: number, x: Float32Array, start: ForwardStart, y: Float32Array, run: (pass: ForwardPass) => void): boolean {
  return imagePasses(n, imageSize, ySize, filters, perThread, x, start, y, run);
}

/**
 * `forwardPasses` for a kernel that stores every element of y (no start
 * value: y is neither zeroed nor copied in).
 */
export function storingPasses(n: number, imageSize: number, ySize: number, filters: Float32Array | number, perThread: number, x: Float32Array, y: Float32Array, run: (pass: ForwardPass) => void): boolean {
  return imagePasses(n, imageSize, ySize, filters, perThread, x, null, y, run);
}

/** `forwardPasses`, or `storingPasses` where `start` is null. */
function imagePasses(n: number, imageSize: number, ySize: number, filters: Float32Array | number, perThread: number, x: Float32Array, start: ForwardStart | null, y: Float32Array, run: (pass: ForwardPass) => void): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const threads = taskThreads();
  const xs = passOperand(inst, x, imageSize);
  const ys = passOperand(inst, y, ySize);
  const copied = copiedSize(xs) + copiedSize(ys);
  const per = n >= threads ? imagesPerThread(n, threads, copied) : copied === 0 ? n : 1;
  const tasks = n >= threads ? threads : 1;
  const chunk = Math.min(n, tasks * per);
  const fSize = typeof filters === 'number' ? filters : filters.length;
  const arena = wasmArena(fSize + chunk * copied + tasks * perThread);
  if (arena === null) return false;
  const { heap, at: fAt } = arena;
  const xCopyAt = fAt + fSize;
  const yCopyAt = xCopyAt + chunk * copiedSize(xs);
  const bufAt = yCopyAt + chunk * copiedSize(ys);
  if (typeof filters !== 'number') heap.set(filters, fAt);
  for (let i0 = 0; i0 < n; i0 += chunk) {
    const count = Math.min(chunk, n - i0);
    const xAt = passIn(heap, xs, i0, count, xCopyAt);
    const yAt = passIn(heap, ys, i0, count, yCopyAt, false);
    // In place, y's own values (beta 1) are already there.
    if (start !== null && !(ys.home >= 0 && typeof start === 'number' && start !== 0)) putStart(heap, yAt, start, y, i0 * ySize, count * ySize);
    run({ heap, fAt, xAt, yAt, bufAt, tasks, threads, i0, count });
    passOut(heap, ys, i0, count, yAt);
  }
  return true;
}
