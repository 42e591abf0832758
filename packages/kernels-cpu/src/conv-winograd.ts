import { forwardPasses, imagesPerThread, runTasks, shares, TASK_WORDS, taskThreads, ungroupedImagesTask, writeTask } from './conv-tasks.js';
import type { ConvSizes } from './conv-wasm.js';
import { sgemmInArena, wasmArena } from './wasm-gemm.js';
import { type GemmExports, gemmInstance } from './wasm-instance.js';

/**
 * Winograd F(m×m, 3×3), m = 2 or 4, for 3×3, stride-1, undilated, ungrouped
 * float32 convolutions (scripts/gen-winograd.mjs generates the module's
 * `winograd2_images` and `winograd4_images`): each m × m block of outputs is
 * Aᵀ[Σ_c U_c ⊙ V_c]A with U = G·g·Gᵀ (the filter, transformed here) and
 * V = Bᵀ·d·B (the (m+2) × (m+2) input window, transformed in the module), so
 * a tile of m² outputs takes (m+2)²·C·K multiplies instead of 9·m²·C·K: 16
 * instead of 36 for F(2×2), 36 instead of 144 for F(4×4). The sums differ from
 * the direct im2row path by rounding only (conv-winograd.test.ts bounds both
 * against float64; the README gives the measured errors).
 *
 * Used where `winogradApplies`, on by default (a backend created with
 * `winograd: false` takes the direct path, e.g. for its bits): F(4×4) where the
 * output is at least 8 × 8 (measured 1.46× faster than F(2×2) on W1, with
 * about 12× its rounding error: still about 4·10⁻⁷·√(9C) of max |y|), else
 * F(2×2) (fewer outputs wasted in partial tiles); `winograd: 2 | 4`
 * forces one. The data derivative of such a convolution is itself one
 * (flipped filters, channels and filters swapped, pad 2 − pad), so it takes
 * the same route; the filter derivative is the forward's adjoint in g
 * (`convBackwardFilterWinograd`).
 */
/** The output tile m of F(m×m, 3×3). */
export type WinogradTile = 2 | 4;

/**
 * A backend's Winograd choice (`CpuBackendOptions.winograd`): `true` picks the
 * tile by size, `2` or `4` forces F(2×2) or F(4×4), `false` takes the direct
 * im2row path.
 */
export type WinogradOption = boolean | WinogradTile;

/** The tile for an Ho × Wo output under `option` (not false): forced, or F(4×4) from 8 × 8 outputs on. */
export function winogradTile(outHeight: number, outWidth: number, option: WinogradOption = true): WinogradTile {
  if (option === 2 || option === 4) return option;
  return outHeight >= 8 && outWidth >= 8 ? 4 : 2;
}

/** G (α × 3, α = m + 2) of F(m×m, 3×3): the same matrices as scripts/gen-winograd.mjs's `WINOGRAD`. */
const G: Record<WinogradTile, readonly (readonly number[])[]> = {
  2: [
    [1, 0, 0],
    [1 / 2, 1 / 2, 1 / 2],
    [1 / 2, -1 / 2, 1 / 2],
    [0, 0, 1],
  ],
  4: [
    [1 / 4, 0, 0],
    [-1 / 6, -1 / 6, -1 / 6],
    [-1 / 6, 1 / 6, -1 / 6],
    [1 / 24, 1 / 12, 1 / 6],
    [1 / 24, -1 / 12, 1 / 6],
    [0, 0, 1],
  ],
};

/** Below this many output pixels per image the transforms' overhead outweighs the saved multiplies (measured: README). */
const MIN_PIXELS = 64;

/**
 * True where `p` (a patches-path convolution) goes through Winograd: 3×3,
 * stride 1, dilation 1, one group, C ≥ 8 and K multiples of 4, at least
 * `MIN_PIXELS` outputs per image. (Not the thread count: that would make the
 * bits depend on it.)
 */
export function winogradApplies(p: ConvSizes, option: WinogradOption): boolean {
  const g = p.patch;
  return (
    option !== false &&
    g.filterHeight === 3 &&
    g.filterWidth === 3 &&
    g.strideY === 1 &&
    g.strideX === 1 &&
    g.dilateY === 1 &&
    g.dilateX === 1 &&
    p.groups === 1 &&
    p.c % 4 === 0 &&
    p.k % 4 === 0 &&
    p.c >= 8 &&
    p.pixels >= MIN_PIXELS
  );
}

/** U[ξ][c][k] = (G·g_{c,k}·Gᵀ)_ξ (ξ = α·i + j) of `[3, 3, C, K]` filters f, in float64 then rounded once. */
export function winogradFilter(f: Float32Array, c: number, k: number, m: WinogradTile = 2): Float32Array {
  const g = G[m];
  const a = m + 2;
  const ck = c * k;
  const u = new Float32Array(a * a * ck);
  const w = new Float64Array(9);
  const t = new Float64Array(3 * a);
  for (let e = 0; e < ck; e++) {
    for (let q = 0; q < 9; q++) w[q] = f[q * ck + e]!;
    // t = G·w (α × 3), then U = t·Gᵀ (α × α).
    for (let i = 0; i < a; i++) for (let j = 0; j < 3; j++) t[3 * i + j] = g[i]![0]! * w[j]! + g[i]![1]! * w[3 + j]! + g[i]![2]! * w[6 + j]!;
    for (let i = 0; i < a; i++) {
      for (let j = 0; j < a; j++) u[(a * i + j) * ck + e] = t[3 * i]! * g[j]![0]! + t[3 * i + 1]! * g[j]![1]! + t[3 * i + 2]! * g[j]![2]!;
    }
  }
  return u;
}

/**
 * `y ← conv(x, f) + beta·y` (beta 0 or 1) by Winograd F(m×m, 3×3), float32,
 * where `winogradApplies(p)`: with at least as many images as threads, the
 * threads take whole images (`winograd<m>_images`: per image, V, (m+2)²
 * SGEMMs V_ξ·U_ξ, then the output transform); with fewer, this thread transforms
 * and each SGEMM is split over the threads. Every output is the same sum in
 * the same order either way, so any thread count gives the same bits.
 * Returns false (doing nothing) where the module cannot run.
 */
export function convForwardWinograd(p: ConvSizes, x: Float32Array, f: Float32Array, beta: number, y: Float32Array, option: WinogradOption): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const g = p.patch;
  const m = winogradTile(g.outHeight, g.outWidth, option);
  const entries = (m + 2) ** 2;
  const tiles = Math.ceil(g.outHeight / m) * Math.ceil(g.outWidth / m);
  const ySize = p.pixels * p.k;
  const vSize = entries * tiles * p.c;
  const mSize = entries * tiles * p.k;
  const ops = transforms(inst.exports, m);
  const perThread = vSize + mSize + p.c + TASK_WORDS;
  return forwardPasses(p.n, p.imageSize, ySize, winogradFilter(f, p.c, p.k, m), perThread, x, beta, y, ({ heap, fAt, xAt, yAt, bufAt, tasks, threads, count }) => {
    const blocks: number[] = [];
    for (const share of shares(count, tasks)) {
      const v = 4 * (bufAt + share.thread * perThread);
      const m = v + 4 * vSize;
      const zeros = m + 4 * mSize;
      const block = zeros + 4 * p.c;
      writeTask(inst, block, share.thread, ungroupedImagesTask(p, share, xAt, yAt, { f: 4 * fAt, phi: v, phiStride: 0, zeros, scratch: m, src: 0 }));
      blocks.push(block);
    }
    if (p.n >= threads) runTasks(inst, `winograd${m}_images`, blocks);
    else {
      // Fewer images than threads: the transforms here, each product split over the threads.
      const v = bufAt;
      const mAt = v + vSize;
      for (let i = 0; i < count; i++) {
        ops.input(blocks[0]!, 4 * (xAt + i * p.imageSize), 4 * v);
        heap.fill(0, mAt, mAt + mSize);
        for (let xi = 0; xi < entries; xi++) {
          sgemmInArena(false, false, tiles, p.k, p.c, 1, v + xi * tiles * p.c, p.c, fAt + xi * p.c * p.k, p.k, mAt + xi * tiles * p.k, p.k);
        }
        ops.output(blocks[0]!, 4 * mAt, 4 * (yAt + i * ySize));
      }
    }
  });
}

/** The module's input and output transforms of F(m×m, 3×3). */
function transforms(e: GemmExports, m: WinogradTile): { input: (d: number, x: number, v: number) => void; output: (d: number, mAt: number, y: number) => void } {
  return m === 2 ? { input: e.winograd2_input, output: e.winograd2_output } : { input: e.winograd4_input, output: e.winograd4_output };
}

/**
 * The data derivative of a 3×3 stride-1 convolution as the convolution
 * Winograd computes: `dx = conv(dy, f′)` with `f′[fy, fx, k, c] = f[2 − fy,
 * 2 − fx, c, k]` and pads `2 − pad` (dx's size is then H × W). Returns the
 * sizes of that convolution and its filters, or null where it does not apply.
 */
export function winogradDataPlan(p: ConvSizes, option: WinogradOption): { sizes: ConvSizes; filters: (f: Float32Array) => Float32Array } | null {
  if (!winogradApplies(p, option)) return null;
  const g = p.patch;
  const sizes: ConvSizes = {
    patch: {
      height: g.outHeight,
      width: g.outWidth,
      channels: p.k,
      filterHeight: 3,
      filterWidth: 3,
      outHeight: g.height,
      outWidth: g.width,
      padTop: 2 - g.padTop,
      padLeft: 2 - g.padLeft,
      strideY: 1,
      strideX: 1,
      dilateY: 1,
      dilateX: 1,
    },
    n: p.n,
    c: p.k,
    k: p.c,
    groups: 1,
    cg: p.k,
    kg: p.c,
    imageSize: g.outHeight * g.outWidth * p.k,
    pixels: g.height * g.width,
    rowLength: 9 * p.k,
  };
  if (!winogradApplies(sizes, option)) return null;
  const filters = (f: Float32Array): Float32Array => {
    const out = new Float32Array(f.length);
    for (let fy = 0; fy < 3; fy++) {
      for (let fx = 0; fx < 3; fx++) {
        const src = ((2 - fy) * 3 + (2 - fx)) * p.c * p.k;
        const dst = (fy * 3 + fx) * p.k * p.c;
        for (let c = 0; c < p.c; c++) for (let k = 0; k < p.k; k++) out[dst + k * p.c + c] = f[src + c * p.k + k]!;
      }
    }
    return out;
  };
  return { sizes, filters };
}

/**
 * `df ← Σ_n ∂⟨y_n, dy_n⟩/∂f` by Winograd, the adjoint of the forward in g:
 * dg = Σ_t Gᵀ[(A·dy_t·Aᵀ) ⊙ (Bᵀ·d_t·B)]G. Per pass, the threads transform
 * their images (`winograd<m>_filter_images`: V and Ŷ = A·dy·Aᵀ per image);
 * then, image by image in order, the (m+2)² products Û_ξ += V_ξᵀ·Ŷ_ξ (C × K,
 * depth T, each split over the threads by rows or columns of Û); finally
 * df = Gᵀ·Û·G per (c, k) in float64. Every sum has the same order for any
 * thread count. Where `winogradApplies(p)`; false where the module cannot run.
 */
export function convBackwardFilterWinograd(p: ConvSizes, x: Float32Array, dy: Float32Array, df: Float32Array, option: WinogradOption): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const g = p.patch;
  const m = winogradTile(g.outHeight, g.outWidth, option);
  const a = m + 2;
  const entries = a * a;
  const tiles = Math.ceil(g.outHeight / m) * Math.ceil(g.outWidth / m);
  const ySize = p.pixels * p.k;
  const vSize = entries * tiles * p.c;
  const wSize = entries * tiles * p.k;
  const uSize = entries * p.c * p.k;
  const threads = taskThreads();
  const perImage = p.imageSize + ySize + vSize + wSize;
  const per = imagesPerThread(p.n, threads, perImage);
  const tasks = Math.min(threads, p.n);
  const chunk = Math.min(p.n, tasks * per);
  const perThread = Math.max(p.c, p.k) + TASK_WORDS;
  const arena = wasmArena(uSize + chunk * perImage + tasks * perThread);
  if (arena === null) return false;
  const { heap, at } = arena;
  const uAt = at;
  const xAt = uAt + uSize;
  const yAt = xAt + chunk * p.imageSize;
  const vAt = yAt + chunk * ySize;
  const wAt = vAt + chunk * vSize;
  const bufAt = wAt + chunk * wSize;
  heap.fill(0, uAt, uAt + uSize);
  for (let i0 = 0; i0 < p.n; i0 += chunk) {
    const count = Math.min(chunk, p.n - i0);
    heap.set(x.subarray(i0 * p.imageSize, (i0 + count) * p.imageSize), xAt);
    heap.set(dy.subarray(i0 * ySize, (i0 + count) * ySize), yAt);
    const blocks = shares(count, tasks).map((share) => {
      const zeros = 4 * (bufAt + share.thread * perThread);
      const block = zeros + 4 * Math.max(p.c, p.k);
      writeTask(inst, block, share.thread, ungroupedImagesTask(p, share, xAt, yAt, { f: 0, phi: 4 * (vAt + share.first * vSize), phiStride: 4 * vSize, zeros, scratch: 4 * (wAt + share.first * wSize), src: 4 * wSize }));
      return block;
    });
    runTasks(inst, `winograd${m}_filter_images`, blocks);
    for (let i = 0; i < count; i++) {
      for (let xi = 0; xi < entries; xi++) {
        sgemmInArena(true, false, p.c, p.k, tiles, 1, vAt + i * vSize + xi * tiles * p.c, p.c, wAt + i * wSize + xi * tiles * p.k, p.k, uAt + xi * p.c * p.k, p.k);
      }
    }
  }
  // df[fy, fx, c, k] = Σ_{i, j} G[i][fy]·Û[αi + j][c][k]·G[j][fx].
  const G4 = G[m];
  const ck = p.c * p.k;
  const u = heap.subarray(uAt, uAt + uSize);
  for (let e = 0; e < ck; e++) {
    for (let fy = 0; fy < 3; fy++) {
      for (let fx = 0; fx < 3; fx++) {
        let s = 0;
        for (let i = 0; i < a; i++) {
          const gi = G4[i]![fy]!;
          if (gi === 0) continue;
          let r = 0;
          for (let j = 0; j < a; j++) r += u[(a * i + j) * ck + e]! * G4[j]![fx]!;
          s += gi * r;
        }
        df[(fy * 3 + fx) * ck + e] = s;
      }
    }
  }
  return true;
}
