import {
  claimStep,
  type ForwardPass,
  type ForwardStart,
  type ImageTask,
  forwardPasses,
  imageUnits,
  inPlaceAt,
  runClaimed,
  runTasks,
  shares,
  storingPasses,
  TASK_WORDS,
  taskThreads,
  type TaskBuffers,
  type Units,
  ungroupedImagesTask,
  writeTask,
} from './conv-tasks.js';
import type { ConvSizes } from './conv-wasm.js';
import { sgemmInArena, wasmArena } from './wasm-gemm.js';
import { type GemmInstance, gemmInstance, scratchOf } from './wasm-instance.js';
import { winogradG } from './wasm/gemm-binary.js';

/**
 * Winograd F(m×m, r×r) for float32 stride-1, undilated convolutions with
 * 3×3 or 5×5 filters, m = 2 or 4 (scripts/gen-winograd.mjs generates the
 * module's transforms from the matrices): each m × m block of outputs is
 * Aᵀ[Σ_c U_c ⊙ V_c]A with U = G·g·Gᵀ (the filter, transformed here) and
 * V = Bᵀ·d·B (the α × α input window, α = m + r − 1, transformed in the
 * module), so a tile of m² outputs takes α²·C·K multiplies instead of
 * r²·m²·C·K: 16 instead of 36 for F(2×2, 3×3), 36 instead of 144 for
 * F(4×4, 3×3), 36 instead of 100 for F(2×2, 5×5), 64 instead of 400 for
 * F(4×4, 5×5). Groups run one after another (each group's channel and
 * filter slices, its own U); channel and filter counts need not be
 * multiples of 4 (the module pads them with zeros internally). The data
 * derivative is the forward's adjoint in d on the same tiles
 * (`convBackwardDataWinograd`), the filter derivative its adjoint in g
 * (`convBackwardFilterWinograd`). The sums differ from the direct im2row
 * path by rounding only
 * (conv-winograd.test.ts bounds them against float64; the README gives the
 * measured errors).
 */
/** The output tile m of F(m×m, r×r). */
export type WinogradTile = 2 | 4;

/**
 * A backend's Winograd choice (`CpuBackendOptions.winograd`): `true` picks
 * the tile by size (F(4×4, r×r) where the output is at least 8 × 8, else
 * F(2×2, r×r)), `2` or `4` forces that tile, `false` takes the direct
 * im2row path. Covered: float32, stride 1, no dilation, 3×3 or 5×5 filters,
 * at least 8 channels and 4 filters per group, at least 64 (3×3) or 36
 * (5×5) output pixels, at most 0.6 of the direct method's multiplies; any
 * groups, pads, channel and filter counts; forward, data derivative and
 * filter derivative. Results differ from the direct path by rounding
 * (max |error| / max |y| per √(depth of the sum), measured on N(0, 1) data:
 * direct ≈ 3·10⁻⁸, F(2×2, 3×3) ≈ 2·10⁻⁸, F(4×4, 3×3) ≈ 1.5–4.5·10⁻⁷,
 * F(2×2, 5×5) ≈ 1–2·10⁻⁷, F(4×4, 5×5) ≈ 1.2–2.5·10⁻⁷ for the forward and
 * data derivative; filter derivative per √(N·Ho·Wo): 2–3.5·10⁻⁸, 1–2·10⁻⁷,
 * 4–6·10⁻⁷, 2.7–5·10⁻⁷). A NaN input spreads to the outputs whose window holds
 * it and, except under F(2×2, 3×3), possibly to the rest of their output
 * tiles; an infinite input can give NaN where the direct sum gives ±∞ (the
 * transforms form ∞ − ∞).
 */
export type WinogradOption = boolean | WinogradTile;

/** One F(m×m, r×r): its export-name stem (gen-winograd.mjs's `winogradName`) and G (α × r). */
interface Variant {
  m: WinogradTile;
  r: 3 | 5;
  name: string;
  G: readonly (readonly number[])[];
}

/** Each F(m×m, r×r), with the G its module transforms were generated for (build-wasm.mjs writes gen-winograd.mjs's into gemm-binary.ts). */
export const WINOGRAD_VARIANTS: Record<'2x3' | '4x3' | '2x5' | '4x5', Variant> = {
  '2x3': { m: 2, r: 3, name: 'winograd2', G: winogradG['2x3'] },
  '4x3': { m: 4, r: 3, name: 'winograd4', G: winogradG['4x3'] },
  '2x5': { m: 2, r: 5, name: 'winograd2x5', G: winogradG['2x5'] },
  '4x5': { m: 4, r: 5, name: 'winograd4x5', G: winogradG['4x5'] },
};

/** The tile for an Ho × Wo output (3×3 or 5×5 filters alike) under `option` (not false): forced, or F(4×4) from 8 × 8 outputs on. */
export function winogradTile(outHeight: number, outWidth: number, option: WinogradOption = true): WinogradTile {
  if (option === 2 || option === 4) return option;
  return outHeight >= 8 && outWidth >= 8 ? 4 : 2;
}

/** The variant for `p` (where `winogradApplies`). */
function variantOf(p: ConvSizes, option: WinogradOption): Variant {
  const g = p.patch;
  const m = winogradTile(g.outHeight, g.outWidth, option);
  if (g.filterHeight === 5) return WINOGRAD_VARIANTS[m === 4 ? '4x5' : '2x5'];
  return WINOGRAD_VARIANTS[m === 4 ? '4x3' : '2x3'];
}

/**
 * Below this many output pixels per image the transforms' overhead outweighs
 * the saved multiplies, per filter size (measured: README; for 5×5, LeNet's
 * conv2 on 6 × 6 outputs ran 1.4× faster, smaller maps were not tried).
 */
const MIN_PIXELS: Record<3 | 5, number> = { 3: 64, 5: 36 };

/**
 * The most multiplies Winograd may take per image as a fraction of the
 * direct method's (α²·tiles against r²·Ho·Wo): partial tiles and padding
 * waste Winograd's. Between the measured (README): LeNet's 5×5 data
 * derivative as a forward with pad 4, 0.81 of the direct multiplies, ran
 * 0.64× as fast; F(2×2, 3×3) on W1 (0.44) 1.7× faster, shapes at 0.36–0.39
 * 1.4–1.7× faster.
 */
const MAX_MULTIPLY_RATIO = 0.6;

/**
 * True where `p` (a patches-path convolution) goes through Winograd: 3×3
 * or 5×5, stride 1, dilation 1, at least 8 channels and 4 filters per group,
 * at least `MIN_PIXELS` outputs per image and at most `MAX_MULTIPLY_RATIO`
 * of the direct multiplies. (Not the thread count: that would make the bits
 * depend on it.)
 */
export function winogradApplies(p: ConvSizes, option: WinogradOption): boolean {
  const g = p.patch;
  if (
    !(
      option !== false &&
      (g.filterHeight === 3 || g.filterHeight === 5) &&
      g.filterWidth === g.filterHeight &&
      g.strideY === 1 &&
      g.strideX === 1 &&
      g.dilateY === 1 &&
      g.dilateX === 1 &&
      p.cg >= 8 &&
      p.kg >= 4 &&
      p.pixels >= MIN_PIXELS[g.filterHeight]
    )
  ) {
    return false;
  }
  return worthIt(p, option, p.pixels);
}

/** Whether Winograd's multiplies for `p` are at most `MAX_MULTIPLY_RATIO` of the direct method's for `pixels` outputs. */
function worthIt(p: ConvSizes, option: WinogradOption, pixels: number): boolean {
  const w = variantOf(p, option);
  return (w.m + w.r - 1) ** 2 * tileCount(p, w.m) <= MAX_MULTIPLY_RATIO * w.r * w.r * pixels;
}

/** `n` rounded up to a multiple of 4 (the module's padded channel and filter counts). */
const round4 = (n: number): number => (n + 3) & ~3;

/**
 * Floats from one plane ξ of V, M or Ŷ to the next for `rows` rows of `row`
 * floats: an odd number of 64-byte lines (gen-winograd.mjs's `$wino_plane`),
 * so that the α² vectors of a tile do not share a few L1 sets.
 */
export function planeFloats(rows: number, row: number): number {
  return ((Math.ceil((rows * row) / 16) | 1) * 16);
}

/** Tiles of an m × m output tiling of the output of `p`. */
function tileCount(p: ConvSizes, m: number): number {
  return Math.ceil(p.patch.outHeight / m) * Math.ceil(p.patch.outWidth / m);
}

/**
 * U[g][ξ][c][k] = (G·g_{c,k}·Gᵀ)_ξ (ξ = α·i + j) of `[r, r, cg, K]` filters f
 * (group g's filters the columns from g·kg), in float64 then rounded once:
 * the reference of the module's `<name>_filter_transform_task`
 * (`winogradFilterInModule`), which the convolutions use.
 */
export function winogradFilter(f: Float32Array, p: Pick<ConvSizes, 'cg' | 'kg' | 'groups' | 'k'>, w: Variant): Float32Array {
  const { G, r } = w;
  const a = w.m + r - 1;
  const { cg, kg, k } = p;
  const u = new Float32Array(p.groups * a * a * cg * kg);
  // t[i][x][·] = Σ_y G[i][y]·f[y][x][c][·] (α × r rows of K), then s = Σ_x G[j][x]·t[i][x][·] per entry ξ = (i, j).
  const t = new Float64Array(a * r * k);
  const s = new Float64Array(k);
  for (let c = 0; c < cg; c++) {
    t.fill(0);
    for (let i = 0; i < a; i++) {
      for (let y = 0; y < r; y++) {
        const gi = G[i]![y]!;
        if (gi === 0) continue;
        for (let x = 0; x < r; x++) {
          const from = ((y * r + x) * cg + c) * k;
          const to = (i * r + x) * k;
          for (let o = 0; o < k; o++) t[to + o] = t[to + o]! + gi * f[from + o]!;
        }
      }
    }
    for (let i = 0; i < a; i++) {
      for (let j = 0; j < a; j++) {
        s.fill(0);
        for (let x = 0; x < r; x++) {
          const gj = G[j]![x]!;
          if (gj === 0) continue;
          const from = (i * r + x) * k;
          for (let o = 0; o < k; o++) s[o] = s[o]! + gj * t[from + o]!;
        }
        for (let g = 0; g < p.groups; g++) {
          const to = ((g * a * a + a * i + j) * cg + c) * kg;
          for (let o = 0; o < kg; o++) u[to + o] = s[g * kg + o]!;
        }
      }
    }
  }
  return u;
}

/**
 * `winogradFilter` in the module (f64x2, two filters at a time), the
 * channels split over the threads; the same float64 sums up to their order,
 * so within one rounding of it (AlexNet's conv3: 40 ms in TypeScript).
 * Null where the module cannot run.
 */
export function winogradFilterInModule(f: Float32Array, p: Pick<ConvSizes, 'cg' | 'kg' | 'groups' | 'k'>, w: Variant): Float32Array | null {
  const uSize = winogradFilterInPlace(f, p, w, 'plain');
  if (uSize === null) return null;
  const inst = gemmInstance()!;
  return new Float32Array(inst.memory.buffer, inst.heap, uSize).slice();
}

/**
 * How U is laid out for its consumer, per (g, ξ) one block: `plain`
 * U[g][ξ][c][k] (`winogradFilter`'s); `forward` the same with rows of
 * `uRow(kg)` floats (the forward's products read B = U_ξ unpacked, the
 * columns past kg zero); `data` transposed, U[g][ξ][k][c] with rows of
 * `uRow(cg)` (the data derivative's B = U_ξᵀ).
 */
type FilterLayout = 'plain' | 'forward' | 'data';

/**
 * Floats per row of the padded layouts for `count` filters (forward) or
 * channels (data): round4(count), 16 more where that is a multiple of 32
 * (gen-winograd.mjs's `$wino_row`: rows 128·j bytes apart share few L1 sets).
 */
function uRow(count: number): number {
  const n = round4(count);
  return n % 32 === 0 ? n + 16 : n;
}

/** Floats per (g, ξ) block of `layout`, and the element strides of c and k within it. */
function filterLayout(p: Pick<ConvSizes, 'cg' | 'kg'>, layout: FilterLayout): { block: number; sc: number; so: number } {
  if (layout === 'plain') return { block: p.cg * p.kg, sc: p.kg, so: 1 };
  if (layout === 'forward') return { block: p.cg * uRow(p.kg), sc: uRow(p.kg), so: 1 };
  return { block: p.kg * uRow(p.cg), sc: 1, so: uRow(p.cg) };
}

/**
 * `winogradFilterInModule`'s U, in `layout`, left where the convolutions' passes want it,
 * at the start of the module's arena (`forwardPasses` with its size for
 * filters), instead of copied out and back in (AlexNet's conv3: 3.5 M floats
 * each way), with `extra` floats after it for the caller. The filters are read in place where they are a resident array
 * (`inPlaceAt`), else copied in after U. Returns U's size in floats, or
 * null where the module cannot run. Subnormal elements of U are flushed to +0
 * (the products' operands, as the GEMM's packing flushes them).
 */
function winogradFilterInPlace(f: Float32Array, p: Pick<ConvSizes, 'cg' | 'kg' | 'groups' | 'k'>, w: Variant, layout: FilterLayout, extra = 0): number | null {
  const inst = gemmInstance();
  if (inst === null) return null;
  const a = w.m + w.r - 1;
  const { block, sc, so } = filterLayout(p, layout);
  const uSize = p.groups * a * a * block;
  // The forward's U (rows of c) by channels, the data derivative's Uᵀ (rows of k) by filter pairs: each thread writes rows
  // of its own (split by channels, the threads' stores into Uᵀ's rows shared cache lines: LeNet's conv2, 0.64 ms at 2
  // threads, 0.24 on one).
  const byFilters = layout === 'data';
  const units = byFilters ? Math.ceil(p.k / 2) : p.cg;
  const tasks = Math.min(taskThreads(), units);
  const resident = inPlaceAt(inst, f);
  const inPlace = resident >= 0;
  const copied = inPlace ? 0 : f.length + 1;
  // U, then the filters with one float of slack (an odd K's last pair reads one past) unless read in place and per task a sink float and a task block (the caller's `extra` floats afterwards).
  const arena = wasmArena(uSize + Math.max(copied + tasks * (4 + TASK_WORDS), extra));
  if (arena === null) return null;
  const { heap, at } = arena;
  const uAt = at;
  const fAt = inPlace ? resident : uAt + uSize;
  if (!inPlace) heap.set(f, fAt);
  // The padded layouts' columns past the group's count stay zero.
  if (layout !== 'plain') heap.fill(0, uAt, uAt + uSize);
  const bufAt = uAt + uSize + copied;
  const blocks = Array.from({ length: tasks }, (_, t) => {
    const sink = 4 * (bufAt + t * (4 + TASK_WORDS));
    const taskAt = sink + 16;
    writeChannelTask(inst, taskAt, { first: 0, count: 0 }, p, fAt, uAt);
    const words = new Int32Array(inst.memory.buffer, taskAt, TASK_WORDS);
    words[19] = byFilters ? 1 : 0;
    words[23] = sink;
    words[24] = block;
    words[30] = sc;
    words[31] = so;
    return taskAt;
  });
  runClaimed(inst, `${w.name}_filter_transform_task`, blocks, unitRange(units));
  return uSize;
}

/**
 * Units [0, count) of a task over the range [word 13, word 28) (channels, (g, ξ) pairs, vectors), claimed by the
 * threads (`runClaimed`): a thread that starts late (a worker waking some 50–100 µs after the call on the loaded VM)
 * takes fewer, where `runTasks`'s fixed halves had the calling thread wait for it (LeNet's conv2 filter transform:
 * 0.16 ms at 1 thread, 0.19 at 2).
 */
function unitRange(count: number): Units {
  return { units: count, at: [{ word: 13, base: 0, stride: 1 }], end: 28 };
}

/**
 * The task block at byte address `block` of the filter transform and of the
 * filter derivative's last step over `share`'s channels: the filters (`[r,
 * r, cg, K]`) at element `fAt`, U (or Û) at `uAt`.
 */
function writeChannelTask(inst: GemmInstance, block: number, share: { first: number; count: number }, p: Pick<ConvSizes, 'cg' | 'kg' | 'groups' | 'k'>, fAt: number, uAt: number): void {
  const words = new Int32Array(inst.memory.buffer, block, TASK_WORDS);
  words[13] = share.first;
  words[28] = share.first + share.count;
  words[14] = p.cg;
  words[15] = p.groups;
  words[16] = p.kg;
  words[17] = p.k;
  words[18] = 4 * fAt;
  words[21] = 4 * uAt;
}

/**
 * The images whose tiles one forward (or data-derivative) product takes at
 * once: enough for about this many rows (LeNet's conv2, 16 tiles an image,
 * CPU time on the loaded machine: 64 to 256 alike for the forward, 64 the
 * best for the data derivative, 16 worse).
 */
const FORWARD_ROWS = 64;
/**
 * The images whose tiles one filter-derivative product sums over: depth about
 * this many rows (LeNet's conv2: 64 took 10.1 ms, 256 15 ms, 32 11 ms).
 */
const PRODUCT_ROWS = 64;

/**
 * Floats of V and Ŷ (and of x and dy where they are copied in, not
 * resident) one filter-derivative pass keeps, so that the products read V
 * and Ŷ from cache: about 1 MiB (LeNet's conv2: 10.1 ms against 13–15 ms at
 * 4 and 16 MiB).
 */
const PASS_FLOATS = 2 ** 18;

/** Floats of a thread's tile scratch (word 29 of its task block: the input transform's α² intermediate vectors, α ≤ 8). */
const TILE_SCRATCH = 256;

/** The task of `share`'s images with each group's channels and filters (word 30 and 31 set by `writeWinogradTask`). */
function groupedTask(p: ConvSizes, share: { first: number; count: number }, xAt: number, yAt: number, buffers: TaskBuffers): ImageTask {
  return { ...ungroupedImagesTask(p, share, xAt, yAt, buffers), cg: p.cg, groups: p.groups, kg: p.kg };
}

/** Writes `task` at byte address `at` as `writeTask` does, with the Winograd words 30 and 31 (gen-winograd.mjs). */
function writeWinogradTask(inst: GemmInstance, at: number, thread: number, task: ImageTask, word30: number, word31: number): void {
  writeTask(inst, at, thread, task);
  const words = new Int32Array(inst.memory.buffer, at, TASK_WORDS);
  words[30] = word30;
  words[31] = word31;
}

/** The module's transforms of `w` (gen-winograd.mjs; the exports' names are built from `w.name`). */
function transforms(inst: GemmInstance, w: Variant): { input: Transform; output: Transform } {
  const e = inst.exports as unknown as Record<string, Transform>;
  return { input: e[`${w.name}_input`]!, output: e[`${w.name}_output`]! };
}

/** A transform of the module: task block, source, destination (byte addresses), the group's channel (filter) count, rows of V (M); the output transform also the bias (byte address; 0: added into y). */
type Transform = (d: number, from: number, to: number, count: number, rows: number, bias?: number) => void;

/** The sizes of the image-batch task ops (`<name>_images`, `<name>_data_images`): tiles, padded counts, each thread's buffers. */
interface ImageBatches {
  w: Variant;
  /** α². */
  entries: number;
  /** Tiles per image. */
  tiles: number;
  cp: number;
  kp: number;
  /** Images per batch: about `FORWARD_ROWS` tile rows. */
  batch: number;
  /** Floats of V (the images' side) and of M (the outputs' side) per thread. */
  vSize: number;
  mSize: number;
  zerosSize: number;
  perThread: number;
}

function imageBatches(p: ConvSizes, option: WinogradOption): ImageBatches {
  const w = variantOf(p, option);
  const entries = (w.m + w.r - 1) ** 2;
  const tiles = tileCount(p, w.m);
  const cp = round4(p.cg);
  const kp = round4(p.kg);
  const batch = Math.max(1, Math.floor(FORWARD_ROWS / tiles));
  const vSize = entries * planeFloats(batch * tiles, cp);
  const mSize = entries * planeFloats(batch * tiles, kp);
  const zerosSize = Math.max(cp, kp);
  return { w, entries, tiles, cp, kp, batch, vSize, mSize, zerosSize, perThread: vSize + mSize + zerosSize + TASK_WORDS + TILE_SCRATCH };
}

/**
 * Writes the task block of each of `tasks` threads (images at element
 * `imagesAt`, outputs at `outputsAt`, U at `fAt`), with V, M, the zeros
 * and the block in that thread's buffers from `bufAt`; returns the blocks'
 * byte addresses (`runClaimed` points them at the images they take).
 */
function imageBatchTasks(inst: GemmInstance, p: ConvSizes, b: ImageBatches, tasks: number, bufAt: number, imagesAt: number, outputsAt: number, fAt: number, bias = 0): number[] {
  return Array.from({ length: tasks }, (_, t) => {
    const v = 4 * (bufAt + t * b.perThread);
    const m = v + 4 * b.vSize;
    const zeros = m + 4 * b.mSize;
    const block = zeros + 4 * b.zerosSize;
    const tile = block + 4 * TASK_WORDS;
    writeWinogradTask(inst, block, t, groupedTask(p, { first: 0, count: 0 }, imagesAt, outputsAt, { f: 4 * fAt, phi: v, phiStride: tile, zeros, scratch: m, src: 0 }), b.batch, bias);
    return block;
  });
}

/**
 * The units of `count` images of the image-batch ops (images of `imageSize`
 * floats at element `imagesAt`, outputs of `outputSize` at `outputsAt`), claimed in
 * whole batches of `b.batch` images where `claimStep` allows, so that each
 * product takes the tiles of as many images as on one thread (the bits do
 * not depend on it: each tile row of a product is its own sum).
 */
function batchUnits(b: ImageBatches, count: number, tasks: number, imagesAt: number, imageSize: number, outputsAt: number, outputSize: number): Units {
  const step = claimStep(count, tasks);
  return { ...imageUnits(count, imagesAt, imageSize, outputsAt, outputSize), step: step < b.batch ? step : Math.round(step / b.batch) * b.batch };
}

/**
 * `y ← conv(x, f) + start` (beta 0 or 1 times y, or a bias: `ForwardStart`) by Winograd F(m×m, r×r), float32,
 * where `winogradApplies(p)`: with at least as many images as threads, the
 * threads take whole images (`<name>_images`: per group, V of up to
 * `FORWARD_ROWS / T` images, α² products V_ξ·U_ξ over all their tiles
 * (gen-winograd.mjs's `$wino_product_rows`), then the output transforms,
 * which add the bias (or +0, beta 0) as they store y, or add into y (beta
 * 1); with fewer, this thread transforms and each product is an SGEMM
 * split over the threads (the same sums). Every output is the same sum in the same order
 * either way, so any thread count gives the same bits. Returns false (doing
 * nothing) where the module cannot run.
 */
export function convForwardWinograd(p: ConvSizes, x: Float32Array, f: Float32Array, start: ForwardStart, y: Float32Array, option: WinogradOption): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const b = imageBatches(p, option);
  const { w, entries, tiles, cp, kp, vSize } = b;
  const ySize = p.pixels * p.k;
  const ops = transforms(inst, w);
  // A bias (or beta 0: zeros) is added in the output transform's store, y = bias + Σ (putStart's bias, then y += Σ, gave the same sum), so y is neither filled nor read; beta 1 adds into y.
  const stores = typeof start !== 'number' || start === 0;
  const biasSize = stores ? p.k + 4 : 0;
  const u = winogradFilterInPlace(f, p, w, 'forward', biasSize);
  if (u === null) return false;
  if (stores) {
    const { heap, at } = wasmArena(u + biasSize)!;
    heap.fill(0, at + u, at + u + biasSize);
    if (typeof start !== 'number') heap.set(start, at + u);
  }
  const run = ({ heap, fAt, xAt, yAt, bufAt, tasks, threads, count }: ForwardPass): void => {
    const bias = stores ? 4 * (fAt + u) : 0;
    const blocks = imageBatchTasks(inst, p, b, tasks, bufAt, xAt, yAt, fAt, bias);
    if (p.n >= threads) runClaimed(inst, `${w.name}_images`, blocks, batchUnits(b, count, tasks, xAt, p.imageSize, yAt, ySize));
    else {
      // Fewer images than threads: the transforms here, each product split over the threads.
      const v = bufAt;
      const mAt = v + vSize;
      const [vPlane, mPlane] = [planeFloats(tiles, cp), planeFloats(tiles, kp)];
      for (let i = 0; i < count; i++) {
        for (let g = 0; g < p.groups; g++) {
          ops.input(blocks[0]!, 4 * (xAt + i * p.imageSize + g * p.cg), 4 * v, p.cg, tiles);
          heap.fill(0, mAt, mAt + entries * mPlane);
          for (let xi = 0; xi < entries; xi++) {
            sgemmInArena(false, false, tiles, p.kg, p.cg, 1, v + xi * vPlane, cp, fAt + (g * entries + xi) * p.cg * uRow(p.kg), uRow(p.kg), mAt + xi * mPlane, kp);
          }
          ops.output(blocks[0]!, 4 * mAt, 4 * (yAt + i * ySize + g * p.kg), p.kg, tiles, bias === 0 ? 0 : bias + 4 * g * p.kg);
        }
      }
    }
  };
  return stores ? storingPasses(p.n, p.imageSize, ySize, u + biasSize, b.perThread, x, y, run) : forwardPasses(p.n, p.imageSize, ySize, u, b.perThread, x, start, y, run);
}

/**
 * `dx ← ∂⟨conv(x, f), dy⟩/∂x` by Winograd, the forward's adjoint in d: per
 * tile, dd_t = B·[Σ_k U_{c,k} ⊙ (A·dy_t·Aᵀ)]·Bᵀ added into dx over the
 * tile's α × α input window (inside the image), the sums over filters α²
 * products Ŷ_ξ·U_ξᵀ, each pixel's first window stored (dx is not zeroed). It takes the forward's tiles and multiplies (not those
 * of the padded convolution with flipped filters that dx also is, which on
 * small maps costs more than the direct path). With at least as many images as threads
 * the threads take whole images (`<name>_data_images`), else this thread
 * transforms and each product is an SGEMM split over the threads; the bits do not
 * depend on the thread count. Where `winogradApplies(p)`; false (doing
 * nothing) where the module cannot run.
 */
export function convBackwardDataWinograd(p: ConvSizes, dy: Float32Array, f: Float32Array, dx: Float32Array, option: WinogradOption): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const b = imageBatches(p, option);
  const { w, entries, tiles, cp, kp, vSize } = b;
  const ySize = p.pixels * p.k;
  const e = inst.exports as unknown as Record<string, Transform>;
  const dyTransform = e[`${w.name}_dy`]!;
  const adjoint = e[`${w.name}_input_adjoint`]!;
  // The passes of a forward with dy as its input and dx as its output (not zeroed: the adjoint's first window at each pixel stores +0 + …).
  const u = winogradFilterInPlace(f, p, w, 'data');
  if (u === null) return false;
  return storingPasses(p.n, ySize, p.imageSize, u, b.perThread, dy, dx, ({ heap, fAt, xAt, yAt, bufAt, tasks, threads, count }) => {
    // x (word 18) is dx, from yAt; y (word 20) is dy, from xAt.
    const blocks = imageBatchTasks(inst, p, b, tasks, bufAt, yAt, xAt, fAt);
    if (p.n >= threads) runClaimed(inst, `${w.name}_data_images`, blocks, batchUnits(b, count, tasks, yAt, p.imageSize, xAt, ySize));
    else {
      const v = bufAt;
      const mAt = v + vSize;
      const [vPlane, mPlane] = [planeFloats(tiles, cp), planeFloats(tiles, kp)];
      for (let i = 0; i < count; i++) {
        for (let g = 0; g < p.groups; g++) {
          dyTransform(blocks[0]!, 4 * (xAt + i * ySize + g * p.kg), 4 * mAt, p.kg, tiles);
          heap.fill(0, v, v + entries * vPlane);
          for (let xi = 0; xi < entries; xi++) {
            sgemmInArena(false, false, tiles, p.cg, p.kg, 1, mAt + xi * mPlane, kp, fAt + (g * entries + xi) * p.kg * uRow(p.cg), uRow(p.cg), v + xi * vPlane, cp);
          }
          adjoint(blocks[0]!, 4 * v, 4 * (yAt + i * p.imageSize + g * p.cg), p.cg, tiles);
        }
      }
    }
  });
}

/**
 * Floats of the filter derivative's per-batch partial sums one round keeps
 * (`filterDerivativeByBatches`; 4 MiB): LeNet's conv2 (66 560 floats of Û,
 * 7 batches) takes one round. Where fewer than two batches' partials fit,
 * Û is summed in place pass by pass (`filterDerivativeByPasses`).
 */
export const PARTIAL_FLOATS = 2 ** 20;
let partialFloats = PARTIAL_FLOATS;

/** Sets the floats of partials a round keeps (tests: several rounds, or the passes where under 2·|Û|); without an argument, `PARTIAL_FLOATS`. */
export function setPartialFloats(floats = PARTIAL_FLOATS): void {
  partialFloats = floats;
}

/** Floats of the copies of x and dy (where not resident) one round of `filterDerivativeByBatches` keeps (8 MiB). */
const ROUND_COPY_FLOATS = 2 ** 21;

/**
 * `df ← Σ_n ∂⟨y_n, dy_n⟩/∂f` by Winograd, the adjoint of the forward in g:
 * dg = Σ_t Gᵀ[(A·dy_t·Aᵀ) ⊙ (Bᵀ·d_t·B)]G, Û_{g,ξ} = Σ_t V_ξᵀ·Ŷ_ξ summed over
 * batches of `PRODUCT_ROWS / T` images (T tiles an image) in order, each
 * batch's sum added into Û in turn: by batches on the threads
 * (`filterDerivativeByBatches`) where two batches' partials fit in
 * `PARTIAL_FLOATS`, else in passes (`filterDerivativeByPasses`); which one
 * depends on the sizes only, so every sum has the same order for any
 * thread count. Resident x and dy (`inPlaceAt`) are read in place and a
 * resident df written in place. Where `winogradApplies(p)`; false where the
 * module cannot run.
 */
export function convBackwardFilterWinograd(p: ConvSizes, x: Float32Array, dy: Float32Array, df: Float32Array, option: WinogradOption): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const z = filterSizes(inst, p, x, dy, df, variantOf(p, option));
  const round = Math.min(Math.ceil(p.n / z.batch), Math.floor(partialFloats / z.uSize), Math.max(1, Math.floor(ROUND_COPY_FLOATS / (z.batch * Math.max(1, z.xCopied + z.dyCopied)))));
  return round >= 2 ? filterDerivativeByBatches(inst, p, x, dy, df, z, round) : filterDerivativeByPasses(inst, p, x, dy, df, z);
}

/** The sizes both filter-derivative paths use, and where x, dy and df are resident (element offsets, or -1: copied through the arena). */
interface FilterSizes {
  w: Variant;
  /** α², tiles per image, the padded channel and filter counts, dy's floats per image. */
  entries: number;
  tiles: number;
  cp: number;
  kp: number;
  ySize: number;
  /** The (g, ξ) pairs, and the floats of Û[g][ξ][c][k] (rows of kp floats: the products add whole vectors, the columns past kg stay zero). */
  products: number;
  uSize: number;
  /** Images a product sums over at once (`PRODUCT_ROWS` tile rows). */
  batch: number;
  threads: number;
  xResident: number;
  dyResident: number;
  dfResident: number;
  /** Floats per image of x and of dy copied through the arena (0 in place). */
  xCopied: number;
  dyCopied: number;
}

function filterSizes(inst: GemmInstance, p: ConvSizes, x: Float32Array, dy: Float32Array, df: Float32Array, w: Variant): FilterSizes {
  const entries = (w.m + w.r - 1) ** 2;
  const tiles = tileCount(p, w.m);
  const kp = round4(p.kg);
  const ySize = p.pixels * p.k;
  const products = p.groups * entries;
  const xResident = inPlaceAt(inst, x);
  const dyResident = inPlaceAt(inst, dy);
  return {
    w, entries, tiles, cp: round4(p.cg), kp, ySize, products, uSize: products * p.cg * kp,
    batch: Math.max(1, Math.floor(PRODUCT_ROWS / tiles)),
    threads: taskThreads(),
    xResident, dyResident, dfResident: inPlaceAt(inst, df),
    xCopied: xResident < 0 ? p.imageSize : 0,
    dyCopied: dyResident < 0 ? ySize : 0,
  };
}

/**
 * `convBackwardFilterWinograd` a round of `round` batches of images at a
 * time (`<name>_filter_batches_task`): the threads claim whole batches, and
 * for each one transform its images (V and Ŷ in that thread's buffers, still
 * in its cache for the products) and store its partial P_b = Σ V_ξᵀ·Ŷ_ξ over
 * the batch for every (g, ξ), a sum of its own; then Û = ((+0 + P_1) + P_2) + …
 * in batch order (`partials_sum_task`, the floats of Û split over the
 * threads), added to the earlier rounds' Û. These are the bits of adding each
 * batch's sum into Û in turn (`filterDerivativeByPasses`) where a batch's
 * depth is at most the products' KC (256 tile rows), and one claimed dispatch
 * instead of two per pass (LeNet's conv2: 3 dispatches instead of 16, which at
 * 2 threads waited on each other's transforms and caches).
 */
function filterDerivativeByBatches(inst: GemmInstance, p: ConvSizes, x: Float32Array, dy: Float32Array, df: Float32Array, z: FilterSizes, round: number): boolean {
  const { w, entries, tiles, cp, kp, ySize, products, uSize, batch, threads, xResident, dyResident, dfResident, xCopied, dyCopied } = z;
  const chunk = Math.min(p.n, round * batch);
  // Per thread: zeros, its task block and a copy of it (the batches task's), the tile scratch, then V and Ŷ of one batch.
  const head = Math.max(cp, kp) + 2 * TASK_WORDS + TILE_SCRATCH;
  const vBatch = p.groups * entries * planeFloats(batch * tiles, cp);
  const perThread = head + vBatch + p.groups * entries * planeFloats(batch * tiles, kp);
  const blocksAt = Math.max(Math.min(threads, round), Math.min(threads, products * p.cg), Math.min(threads, p.cg));
  const dfCopied = dfResident < 0 ? df.length : 0;
  // Û, the round's partials, its copies of x and dy, the threads' buffers, then df's copy.
  const arena = wasmArena(uSize * (1 + round) + chunk * (xCopied + dyCopied) + blocksAt * perThread + dfCopied);
  if (arena === null) return false;
  const { heap, at } = arena;
  const uAt = at;
  const partAt = uAt + uSize;
  const xCopyAt = partAt + round * uSize;
  const yCopyAt = xCopyAt + chunk * xCopied;
  const bufAt = yCopyAt + chunk * dyCopied;
  const zerosOf = (thread: number) => bufAt + thread * perThread;
  const blockOf = (thread: number) => 4 * (zerosOf(thread) + Math.max(cp, kp));
  for (let i0 = 0; i0 < p.n; i0 += chunk) {
    const count = Math.min(chunk, p.n - i0);
    const units = Math.ceil(count / batch);
    const xAt = xResident >= 0 ? xResident + i0 * p.imageSize : xCopyAt;
    const yAt = dyResident >= 0 ? dyResident + i0 * ySize : yCopyAt;
    if (xResident < 0) heap.set(x.subarray(i0 * p.imageSize, (i0 + count) * p.imageSize), xAt);
    if (dyResident < 0) heap.set(dy.subarray(i0 * ySize, (i0 + count) * ySize), yAt);
    const blocks = Array.from({ length: Math.min(threads, units) }, (_, t) => {
      const block = blockOf(t);
      const v = 4 * (zerosOf(t) + head);
      const buffers = { f: 0, phi: v, phiStride: block + 8 * TASK_WORDS, zeros: 4 * zerosOf(t), scratch: v + 4 * vBatch, src: 0 };
      writeWinogradTask(inst, block, t, groupedTask(p, { first: 0, count: 0 }, xAt, yAt, buffers), batch, 0);
      const words = new Int32Array(inst.memory.buffer, block, TASK_WORDS);
      words[21] = 4 * partAt;
      words[25] = block + 4 * TASK_WORDS;
      words[26] = count;
      words[27] = 4 * uSize;
      return block;
    });
    runClaimed(inst, `${w.name}_filter_batches_task`, blocks, unitRange(units));
    // Û (+)= Σ_b P_b in batch order, claimed by the threads 4 floats a unit.
    const sumBlocks = Array.from({ length: Math.min(threads, products * p.cg) }, (_, t) => {
      const block = blockOf(t);
      const words = new Int32Array(inst.memory.buffer, block, TASK_WORDS);
      words[19] = units;
      words[21] = 4 * uAt;
      words[22] = 4 * partAt;
      words[27] = 4 * uSize;
      words[31] = i0 === 0 ? 0 : 1;
      return block;
    });
    runClaimed(inst, 'partials_sum_task', sumBlocks, unitRange(uSize / 4));
  }
  return filterAdjoint(inst, p, w, df, dfResident, bufAt + blocksAt * perThread, uAt, blockOf);
}

/**
 * df = Gᵀ·Û·G per (c, k) in float64 in the module (`<name>_filter_adjoint_task`, every element of df stored), the
 * channels over the threads (task blocks at `blockOf`): into df in place (`dfResident`), or into the arena at `copyAt` and copied out.
 */
function filterAdjoint(inst: GemmInstance, p: ConvSizes, w: Variant, df: Float32Array, dfResident: number, copyAt: number, uAt: number, blockOf: (thread: number) => number): true {
  const dfAt = dfResident >= 0 ? dfResident : copyAt;
  const adjointBlocks = Array.from({ length: Math.min(taskThreads(), p.cg) }, (_, t) => {
    writeChannelTask(inst, blockOf(t), { first: 0, count: 0 }, p, dfAt, uAt);
    return blockOf(t);
  });
  runClaimed(inst, `${w.name}_filter_adjoint_task`, adjointBlocks, unitRange(p.cg));
  if (dfResident < 0) df.set(new Float32Array(inst.memory.buffer, 4 * dfAt, df.length));
  return true;
}

/**
 * `convBackwardFilterWinograd` in passes, summing into Û in place: per pass,
 * the threads transform their images (`<name>_filter_images`: V and Ŷ = A·dy·Aᵀ per image and
 * group); then the groups·α² products Û_{g,ξ} += V_ξᵀ·Ŷ_ξ (cg × kg) are
 * claimed by the threads (`winograd_filter_products_task`; the images too:
 * `runClaimed`), each summing over
 * the images `PRODUCT_ROWS / T` at a time, in order (passes hold whole such
 * batches, so their bounds depend neither on the thread count nor on whether
 * x and dy are copied); finally df = Gᵀ·Û·G per (c, k) in float64. Every sum
 * has the same order for any thread count. Resident x and dy (`inPlaceAt`)
 * are read in place and a resident df written in place; the others go through
 * the arena (x and dy a pass at a time). Where `winogradApplies(p)`; false
 * where the module cannot run.
 */
function filterDerivativeByPasses(inst: GemmInstance, p: ConvSizes, x: Float32Array, dy: Float32Array, df: Float32Array, z: FilterSizes): boolean {
  const { w, entries, tiles, cp, kp, ySize, products, uSize, batch, threads, xResident, dyResident, dfResident, xCopied, dyCopied } = z;
  // Floats of V and Ŷ per image (the planes' padding aside).
  const vSize = p.groups * entries * tiles * cp;
  const wSize = p.groups * entries * tiles * kp;
  const perImage = xCopied + dyCopied + vSize + wSize;
  const tasks = Math.min(threads, p.n);
  // A pass: whole batches, at least one image per thread, else as many as PASS_FLOATS holds.
  const passImages = Math.max(tasks, Math.floor(PASS_FLOATS / perImage));
  const chunk = Math.min(p.n, Math.max(batch, passImages - (passImages % batch)));
  const perThread = Math.max(cp, kp) + TASK_WORDS + TILE_SCRATCH;
  const blocksAt = Math.max(tasks, Math.min(threads, products), Math.min(threads, p.cg));
  const dfCopied = dfResident < 0 ? df.length : 0;
  // Û, the pass's copies of x and dy, V and Ŷ (planes of the pass's rows), task blocks, then df's copy.
  const vPass = p.groups * entries * planeFloats(chunk * tiles, cp);
  const wPass = p.groups * entries * planeFloats(chunk * tiles, kp);
  const arena = wasmArena(uSize + chunk * (xCopied + dyCopied) + vPass + wPass + blocksAt * perThread + dfCopied);
  if (arena === null) return false;
  const { heap, at } = arena;
  const uAt = at;
  const xCopyAt = uAt + uSize;
  const yCopyAt = xCopyAt + chunk * xCopied;
  const vAt = yCopyAt + chunk * dyCopied;
  const wAt = vAt + vPass;
  const bufAt = wAt + wPass;
  const blockOf = (thread: number) => 4 * (bufAt + thread * perThread) + 4 * Math.max(cp, kp);
  // Û zeroed by the threads that sum into it (each its products' share): `sgemm_zeroed_task` of depth 0 only zeroes its C.
  const productShares = shares(products, Math.min(threads, products));
  const zeroBlocks = productShares.map((share) => {
    const block = blockOf(share.thread);
    const s = scratchOf(inst, share.thread);
    new Int32Array(inst.memory.buffer, block, 15).set([share.count, p.cg * kp, 0, 0, 0, 0, 0, 0, 0, 0, 4 * (uAt + share.first * p.cg * kp), p.cg * kp, s.pa, s.pb, s.tile]);
    return block;
  });
  runTasks(inst, 'sgemm_zeroed_task', zeroBlocks);
  for (let i0 = 0; i0 < p.n; i0 += chunk) {
    const count = Math.min(chunk, p.n - i0);
    const rows = count * tiles;
    // The pass's first image of x and of dy: in place, or copied in.
    const xAt = xResident >= 0 ? xResident + i0 * p.imageSize : xCopyAt;
    const yAt = dyResident >= 0 ? dyResident + i0 * ySize : yCopyAt;
    if (xResident < 0) heap.set(x.subarray(i0 * p.imageSize, (i0 + count) * p.imageSize), xAt);
    if (dyResident < 0) heap.set(dy.subarray(i0 * ySize, (i0 + count) * ySize), yAt);
    // Per image: x (word 18), dy (20), its tiles' rows of V (22) and Ŷ (24), `rows` apart per ξ (word 30).
    const transformBlocks = Array.from({ length: Math.min(tasks, count) }, (_, t) => {
      const buffers = { f: 0, phi: 4 * vAt, phiStride: blockOf(t) + 4 * TASK_WORDS, zeros: 4 * (bufAt + t * perThread), scratch: 4 * wAt, src: 0 };
      writeWinogradTask(inst, blockOf(t), t, groupedTask(p, { first: 0, count: 0 }, xAt, yAt, buffers), rows, 0);
      return blockOf(t);
    });
    const images = imageUnits(count, xAt, p.imageSize, yAt, ySize);
    runClaimed(inst, `${w.name}_filter_images`, transformBlocks, {
      ...images,
      at: [...images.at, { word: 22, base: 4 * vAt, stride: 4 * tiles * cp }, { word: 24, base: 4 * wAt, stride: 4 * tiles * kp }],
    });
    // Products [word 13, word 28): each Û_{g,ξ} its own sum over the pass's images.
    const productBlocks = productShares.map((share) => {
      const task = groupedTask(p, { first: 0, count }, xAt, yAt, { f: 4 * uAt, phi: 4 * vAt, phiStride: 0, zeros: 0, scratch: 4 * wAt, src: 0 });
      writeWinogradTask(inst, blockOf(share.thread), share.thread, task, rows, batch);
      return blockOf(share.thread);
    });
    runClaimed(inst, 'winograd_filter_products_task', productBlocks, unitRange(products));
  }
  return filterAdjoint(inst, p, w, df, dfResident, bufAt + blocksAt * perThread, uAt, blockOf);
}
