import { BackendError } from '@convnet-ts/tensor';
import {
  copiedSize,
  type ForwardPass,
  type ForwardStart,
  forwardPasses,
  imagesPerThread,
  imageUnits,
  passIn,
  passOperand,
  runClaimed,
  storingPasses,
  TASK_WORDS,
  taskThreads,
  ungroupedImagesTask,
  writeTask,
} from './conv-tasks.js';
import type { ConvSizes } from './conv-wasm.js';
import { taskExport } from './thread-pool.js';
import { wasmArena } from './wasm-gemm.js';
import { type GemmInstance, gemmInstance } from './wasm-instance.js';

/**
 * The direct convolutions for few input channels (first layers: C = 1 or 3)
 * and their filter derivative: no im2row. With C ≤ 4 a row of φ is Hf runs
 * of only Wf·C floats, so building φ and packing it for the GEMM costs as
 * much as the product (LeNet's 5×5×1×20 filter derivative ran at a sixth of
 * the GEMM's GFLOP/s). Two layouts:
 *
 * - Phase planes (scripts/gen-direct.mjs: `conv_planes_images`,
 *   `conv_direct_filter_task`): each image rearranged once into
 *   `P[py, φ, c][q] = x̃[py, q·sx + φ, c]` (x̃ zero-padded, φ < sx), where tap
 *   (fy, fx, c) of 8 output pixels along a row is 8 contiguous floats for any
 *   stride (manual §4.1):
 *
 *       forward     y[oy, ox, k] += Σ_l x̃(l; oy, ox)·F[l, k]                    4 filters × 8 pixels per tile
 *       derivative  dF[l, k]     = Σ_n Σ_(oy, ox) x̃_n(l; oy, ox)·dy_n[oy, ox, k]   T taps × 4V filters per tile
 *
 *   with l = (fy·Wf + fx)·C + c (the derivative's tiles: scripts/gen-direct-filter.mjs, V by `wideVectors`).
 * - The implicit GEMM (gen-gemm.mjs: `conv_direct_images`), forward only:
 *   the GEMM's micro-kernel reading φ's rows from the padded image.
 *
 * The forwards sum each output over l in order from zero and add the start
 * (y or a bias) last, as im2row + GEMM on y holding the start does: where
 * L ≤ KC (256) the bits are the packed path's, deeper (AlexNet's 11×11×3 =
 * 363) the GEMM splits the sum at KC and they differ by rounding. The
 * derivative sums the pixels of a block of output rows in order, then adds
 * the blocks and the images in order: one thread computes each element, so
 * any thread count gives the same bits (the im2row path blocks the pixels at
 * KC: rounding differs). NaN and ±∞ propagate as in im2row + GEMM (padding
 * enters the products as zeros, so 0·∞ = NaN). The phase-plane kernels keep
 * subnormals (the implicit GEMM flushes those of F as it packs F).
 */
export const DIRECT_MAX_CHANNELS = 4;

let directOn = true;

/** Turns the direct path on or off for every later float32 convolution (on by default; off: im2row + GEMM); returns the previous setting. */
export function setDirectConv(on: boolean): boolean {
  const was = directOn;
  directOn = on;
  return was;
}

/** True where `p` (a patches-path convolution) takes the direct path: C ≤ 4, one group, no dilation, the module available. */
export function directApplies(p: ConvSizes): boolean {
  const g = p.patch;
  return directOn && gemmInstance() !== null && p.c <= DIRECT_MAX_CHANNELS && p.groups === 1 && g.dilateY === 1 && g.dilateX === 1;
}

/** Floats of dy that one block of output rows of the filter derivative reads (64 kB, within L2). */
const DY_BLOCK_FLOATS = 2 ** 14;

/**
 * Images per batch of the filter derivative (`directFilterBatch`): the
 * threads claim whole batches, each summed into a partial of its own (LeNet's
 * conv1, 100 images: 13 batches).
 */
export const DIRECT_FILTER_BATCH = 8;

/** The most batches (partials) of one filter derivative; more images make the batches larger. */
const DIRECT_FILTER_PARTIALS = 64;

/** Units (batches × groups of tiles) the filter derivative has at least, where there are that many tiles. */
const DIRECT_FILTER_UNITS = 8;

/** Images per batch of the direct filter derivative of `n` images (the sizes alone, never the threads, decide it). */
export function directFilterBatch(n: number): number {
  return Math.max(DIRECT_FILTER_BATCH, Math.ceil(n / DIRECT_FILTER_PARTIALS));
}

/** Floats read past a buffer's last element by the kernels' 8-wide loads (results of those lanes are dropped). */
const SLACK = 8;

/** Taps per filter-derivative tile of V filter vectors (gen-direct-filter.mjs `wideTaps`). */
const WIDE_TAPS = [6, 4, 2, 2, 2] as const;

/** Entries of the tap offset table are a multiple of this (of 4 and of every tile's taps), zeros past L. */
const TABLE_MULTIPLE = 12;

/**
 * The filter vectors V (4V filters) of the filter derivative's tiles for K
 * filters (gen-direct-filter.mjs `wideVectors`): the least padding
 * 4V·⌈K/4V⌉ − K, then the most accumulators (taps × V), then the widest.
 */
export function wideVectors(k: number): number {
  const padded = (v: number) => 4 * v * Math.ceil(k / (4 * v));
  let best = 5;
  for (let v = 4; v >= 1; v--) {
    if (padded(v) < padded(best) || (padded(v) === padded(best) && WIDE_TAPS[v - 1]! * v > WIDE_TAPS[best - 1]! * best)) best = v;
  }
  return best;
}

/** The phase planes' sizes and the tap offset table of `p` (see the header). */
interface Planes {
  /** Rows (Hp = (Ho − 1)·sy + Hf) and width (Wq = ⌈Wp / sx⌉, Wp = (Wo − 1)·sx + Wf) of each plane; row py of all planes lies together. */
  hp: number;
  wq: number;
  /** Floats of one image's C·sx planes. */
  floats: number;
  /** off[l]: tap l's byte offset in an image's planes from output pixel (0, 0); ⌈L/12⌉·12 entries, 0 past L. */
  table: Int32Array;
  /** One channel, sx = 1 and no padding: the plane is the image itself (the forward reads x in place). */
  own: boolean;
}

function planesOf(p: ConvSizes): Planes {
  const g = p.patch;
  const hp = (g.outHeight - 1) * g.strideY + g.filterHeight;
  const wq = Math.ceil(((g.outWidth - 1) * g.strideX + g.filterWidth) / g.strideX);
  const table = new Int32Array(Math.ceil(p.rowLength / TABLE_MULTIPLE) * TABLE_MULTIPLE);
  for (let fy = 0; fy < g.filterHeight; fy++) {
    for (let fx = 0; fx < g.filterWidth; fx++) {
      for (let c = 0; c < p.c; c++) {
        table[(fy * g.filterWidth + fx) * p.c + c] = 4 * (((fy * g.strideX + (fx % g.strideX)) * p.c + c) * wq + Math.floor(fx / g.strideX));
      }
    }
  }
  const own = p.c === 1 && g.strideX === 1 && g.padTop === 0 && g.padLeft === 0 && wq === g.width && hp <= g.height;
  return { hp, wq, floats: p.c * g.strideX * hp * wq, table, own };
}

/** A task block (gen-direct.mjs's words) at byte address `at`. */
function writeDirectTask(inst: GemmInstance, at: number, p: ConvSizes, planes: Planes, words: Record<number, number>): void {
  const g = p.patch;
  const block = new Int32Array(inst.memory.buffer, at, TASK_WORDS).fill(0);
  block.set([g.height, g.width, p.c, g.filterHeight, g.filterWidth, g.outHeight, g.outWidth, g.strideY, g.strideX, g.padTop, g.padLeft]);
  block.set([planes.hp, g.strideX * p.c * planes.wq, planes.wq], 11);
  block[17] = p.k;
  block[23] = 4 * planes.floats;
  for (const [w, v] of Object.entries(words)) block[Number(w)] = v;
}

/**
 * `y ← conv(x, f) + start` (beta 0 or 1 times y, or a bias: `ForwardStart`) where `directApplies(p)`, float32:
 * by the phase planes for one channel, else by the implicit GEMM (measured:
 * LeNet's 5×5×1×20 ran 1.2–1.6× faster on the planes, AlexNet's 11×11×3×96
 * stride 4 10–15 % slower). Returns false (doing nothing) where the module
 * cannot run.
 */
export function convForwardDirect(p: ConvSizes, x: Float32Array, f: Float32Array, start: ForwardStart, y: Float32Array): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const kc = inst.exports.KC.value as number;
  const nc = inst.exports.NC.value as number;
  const packedF = Math.ceil(p.k / inst.nr) * inst.nr * p.rowLength <= kc * nc;
  return p.c === 1 || !packedF ? convForwardPlanes(p, x, f, start, y) : convForwardImplicit(inst, p, x, f, start, y);
}

/**
 * The implicit GEMM (gemm.wat's `conv_direct_images`, gen-gemm.mjs): each
 * image copied once into a zero-padded buffer, F packed into the GEMM's
 * NR-column panels (so K·L within its B scratch), and the micro-kernel
 * (`kernel_rows`) reads its MR rows of φ straight from the buffer, Hf runs
 * of Wf·C floats, over the whole depth L at once. The threads take whole
 * images (one task with fewer images than threads).
 */
function convForwardImplicit(inst: GemmInstance, p: ConvSizes, x: Float32Array, f: Float32Array, start: ForwardStart, y: Float32Array): boolean {
  const g = p.patch;
  const padded = ((g.outHeight - 1) * g.strideY + g.filterHeight) * ((g.outWidth - 1) * g.strideX + g.filterWidth) * p.c;
  const perThread = padded + inst.mr + TASK_WORDS;
  const ySize = p.pixels * p.k;
  return forwardPasses(p.n, p.imageSize, ySize, f, perThread, x, start, y, ({ fAt, xAt, yAt, bufAt, tasks, count }) => {
    const blocks = Array.from({ length: tasks }, (_, t) => {
      const pad = 4 * (bufAt + t * perThread);
      const table = pad + 4 * padded;
      const block = table + 4 * inst.mr;
      writeTask(inst, block, t, ungroupedImagesTask(p, { first: 0, count: 0 }, xAt, yAt, { f: 4 * fAt, phi: pad, phiStride: 0, zeros: 0, scratch: table, src: 0 }));
      return block;
    });
    runClaimed(inst, 'conv_direct_images', blocks, imageUnits(count, xAt, p.imageSize, yAt, ySize));
  });
}

/**
 * `y ← conv(x, f) + start` (beta 0 or 1 times y, or a bias: `ForwardStart`) on the phase planes
 * (`conv_planes_images`), float32, in passes over the batch: the threads take
 * whole images (one task with fewer images than threads), so any thread
 * count gives the same bits. With beta 0 or a bias the kernel stores its sums
 * (plus the bias, which it reads from the arena), so y is written once, neither
 * filled nor copied into the module's memory (`storingPasses`); with beta 1 it adds
 * them to y. Resident x and y are read and written in place (`forwardPasses`),
 * and where the planes are the image itself (`Planes.own`) the kernel reads x
 * without copying it. Returns false (doing nothing) where the module cannot run.
 */
export function convForwardPlanes(p: ConvSizes, x: Float32Array, f: Float32Array, start: ForwardStart, y: Float32Array): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const planes = planesOf(p);
  const ySize = p.pixels * p.k;
  // F in filter tiles (⌈K/4⌉ blocks of L taps × 4 filters, zero past K) at the arena's start, kept there by the
  // passes.
  const L = p.rowLength;
  const fTiles = Math.ceil(p.k / 4) * L * 4;
  const bias = start instanceof Float32Array ? start : null;
  if (bias !== null && bias.length !== p.k) throw new BackendError('convForwardPlanes', 'start', `a bias of ${p.k} floats (one per filter), got ${bias.length}`);
  // F, then the bias (K floats, zeros up to a multiple of 8: the kernel's 8-filter loads) where there is one.
  const biasFloats = bias === null ? 0 : Math.ceil(p.k / 8) * 8;
  const filters = fTiles + biasFloats;
  // Per thread: the offset table, its image's planes (+ slack; none where the image is its own plane), a 16-float
  // scratch and its task block.
  const planeFloats = planes.own ? 0 : planes.floats + SLACK;
  const perThread = planes.table.length + planeFloats + 16 + TASK_WORDS;
  const arena = wasmArena(filters);
  if (arena === null) return false;
  const { heap, at } = arena;
  heap.fill(0, at, at + filters);
  for (let l = 0; l < L; l++) {
    for (let k = 0; k < p.k; k++) heap[at + ((k >> 2) * L + l) * 4 + (k & 3)] = f[l * p.k + k]!;
  }
  if (bias !== null) heap.set(bias, at + fTiles);
  const mode = bias !== null ? 2 : start === 0 ? 0 : 1;
  const run = ({ heap, fAt, xAt, yAt, bufAt, tasks, count }: ForwardPass) => {
    const blocks = Array.from({ length: Math.min(tasks, count) }, (_, t) => {
      const mine = bufAt + t * perThread;
      new Int32Array(heap.buffer, 4 * mine, planes.table.length).set(planes.table);
      const block = 4 * (mine + perThread - TASK_WORDS);
      writeDirectTask(inst, block, p, planes, {
        21: 4 * fAt,
        22: 4 * (mine + planes.table.length),
        24: 4 * mine,
        27: 4 * (mine + planes.table.length + planeFloats),
        28: mode,
        30: 4 * (fAt + fTiles),
        31: planes.own ? 1 : 0,
      });
      return block;
    });
    runClaimed(inst, 'conv_planes_images', blocks, imageUnits(count, xAt, p.imageSize, yAt, ySize));
  };
  // With beta 0 or a bias the kernel stores its sums (plus the bias): y needs no start value.
  return mode === 1 ? forwardPasses(p.n, p.imageSize, ySize, filters, perThread, x, start, y, run) : storingPasses(p.n, p.imageSize, ySize, filters, perThread, x, y, run);
}

/**
 * `df ← Σ_n φ(x_n)ᵀ·dy_n` (the whole of df written) by the direct path
 * where `directApplies(p)`, float32, over batches of `directFilterBatch(n)`
 * images: P_b = the batch's sum (per tile of T taps × 4V filters, V by
 * `wideVectors`, over its images in order, in blocks of output rows whose dy,
 * about 64 kB, stays in cache across the tiles), then dF = Σ_b P_b from +0 in
 * batch order (`partials_sum_task`); the batches depend on n alone, so the
 * bits do not depend on the threads or passes. Per pass over the batch, the
 * threads build their images' planes (`direct_planes_images`; not where the
 * image is its own plane, as LeNet's conv1's: the tiles read x), then claim
 * the pass's batches (`conv_direct_filter_batches_task`; with fewer than
 * `DIRECT_FILTER_UNITS` batches each split into groups of tiles): each thread
 * reads only its batches' dy, where splitting the tiles had every thread
 * stream all of dy (LeNet's conv1 in the step at 2 threads, interleaved,
 * load 1.3: 2.68 → 2.25 ms, 1T 4.3 alike). dF (⌈L/T⌉·T rows of 4V·⌈K/4V⌉,
 * the padding dropped at the end) and the partials stay in the module's
 * memory between passes. Resident x and dy (`inPlaceAt`) are read in place;
 * the passes then hold only the planes. Returns false (doing nothing) where
 * the module cannot run.
 */
export function convBackwardFilterDirect(p: ConvSizes, x: Float32Array, dy: Float32Array, df: Float32Array): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const planes = planesOf(p);
  const L = p.rowLength;
  const v = wideVectors(p.k);
  const taps = WIDE_TAPS[v - 1]!;
  const rows = Math.ceil(L / taps) * taps;
  const kp = 4 * v * Math.ceil(p.k / (4 * v));
  const tiles = (rows / taps) * (kp / (4 * v));
  const ySize = p.pixels * p.k;
  const threads = taskThreads();
  const batch = directFilterBatch(p.n);
  const batches = Math.ceil(p.n / batch);
  const xs = passOperand(inst, x, p.imageSize);
  const dys = passOperand(inst, dy, ySize);
  // Where the image is its own plane (one channel, stride 1, no padding), the tiles read x (in place or its pass's copy).
  const planeFloats = planes.own ? 0 : planes.floats;
  // A pass: whole batches (so the sums do not depend on the passes), at least one per thread where they fit.
  const perThread = imagesPerThread(p.n, threads, copiedSize(xs) + planeFloats + copiedSize(dys));
  const chunk = threads * perThread >= p.n ? p.n : Math.max(batch, Math.floor((threads * perThread) / batch) * batch);
  // Few batches: each also split into groups of tiles (the sizes alone decide), so that the threads have units to share.
  const groups = Math.min(tiles, Math.ceil(DIRECT_FILTER_UNITS / batches));
  const tasks = Math.max(1, Math.min(threads, Math.ceil(chunk / batch) * groups));
  const partial = rows * kp;
  // Element offsets from the arena's start: the offset table, dF, the batches' partials, the pass's copies of x and dy
  // (dy's 8-wide loads read up to 7 floats past a pass's dy: slack; in place, past the array, inside the memory:
  // `inPlaceAt`), the pass's planes (+ slack), the task blocks (each with a copy: the batches task's).
  const tableAt = 0;
  const dfAt = tableAt + planes.table.length;
  const partialsAt = dfAt + partial;
  const xAt = partialsAt + batches * partial;
  const yAt = xAt + chunk * copiedSize(xs);
  const planesAt = yAt + chunk * copiedSize(dys) + SLACK;
  const blocksAt = planesAt + chunk * planeFloats + SLACK;
  const arena = wasmArena(blocksAt + 3 * tasks * TASK_WORDS);
  if (arena === null) return false;
  const { heap, at } = arena;
  new Int32Array(heap.buffer, 4 * (at + tableAt), planes.table.length).set(planes.table);
  heap.fill(0, at + planesAt - SLACK, at + planesAt);
  // With groups of tiles the partials are zeroed here (fewer than DIRECT_FILTER_UNITS of them), else by their batch's unit.
  if (groups > 1) heap.fill(0, at + partialsAt, at + xAt);
  const block = (i: number) => 4 * (at + blocksAt + i * TASK_WORDS);
  // Output rows per block: their dy rows (Wo·K floats each) within about 64 kB, so they stay in cache across the tiles.
  const blockRows = Math.max(1, Math.floor(DY_BLOCK_FLOATS / (p.patch.outWidth * p.k)));
  for (let i0 = 0; i0 < p.n; i0 += chunk) {
    const count = Math.min(chunk, p.n - i0);
    const xIn = passIn(heap, xs, i0, count, at + xAt);
    const dyIn = passIn(heap, dys, i0, count, at + yAt);
    // Planes: word 18 the images, 19 their count, 22 their planes.
    const planesIn = planes.own ? xIn : at + planesAt;
    if (!planes.own) {
      const planeBlocks = Array.from({ length: Math.min(tasks, count) }, (_, t) => {
        writeDirectTask(inst, block(t), p, planes, {});
        return block(t);
      });
      runClaimed(inst, 'direct_planes_images', planeBlocks, {
        units: count,
        at: [
          { word: 18, base: 4 * xIn, stride: 4 * p.imageSize },
          { word: 22, base: 4 * planesIn, stride: 4 * planes.floats },
        ],
        count: 19,
      });
    }
    // The pass's units (words 30 and 31 the first and end unit): per batch, `groups` groups of tiles, each into its partial.
    const units = Math.ceil(count / batch) * groups;
    const batchBlocks = Array.from({ length: Math.min(tasks, units) }, (_, t) => {
      writeDirectTask(inst, block(t), p, planes, {
        14: batch,
        18: groups,
        15: count,
        16: v,
        20: 4 * dyIn,
        21: 4 * (at + partialsAt + (i0 / batch) * partial),
        22: 4 * planesIn,
        24: 4 * (at + tableAt),
        26: tiles,
        27: 4 * partial,
        28: block(tasks + t),
        29: blockRows,
      });
      return block(t);
    });
    runClaimed(inst, 'conv_direct_filter_batches_task', batchBlocks, { units, at: [{ word: 30, base: 0, stride: 1 }], end: 31 });
  }
  // dF = Σ_b P_b from +0 in batch order, on this thread (a few thousand floats for LeNet's conv1).
  const sum = new Int32Array(heap.buffer, block(0), TASK_WORDS).fill(0);
  sum[19] = batches;
  sum[21] = 4 * (at + dfAt);
  sum[22] = 4 * (at + partialsAt);
  sum[27] = 4 * partial;
  sum[28] = partial / 4;
  taskExport(inst, 'partials_sum_task')(block(0));
  for (let l = 0; l < L; l++) df.set(heap.subarray(at + dfAt + l * kp, at + dfAt + l * kp + p.k), l * p.k);
  return true;
}
