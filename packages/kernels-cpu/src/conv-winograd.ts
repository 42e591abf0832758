import { forwardPasses, runTasks, shares, TASK_WORDS, writeTask } from './conv-tasks.js';
import type { ConvSizes } from './conv-wasm.js';
import { sgemmInArena } from './wasm-gemm.js';
import { gemmInstance } from './wasm-instance.js';

/**
 * Winograd F(2×2, 3×3) for 3×3, stride-1, undilated, ungrouped float32
 * convolutions (scripts/gen-winograd.mjs generates the module's
 * `winograd_images`): each 2 × 2 block of outputs is Aᵀ[Σ_c U_c ⊙ V_c]A with
 * U = G·g·Gᵀ (the filter, transformed here) and V = Bᵀ·d·B (the 4 × 4 input
 * window, transformed in the module), so each tile of four outputs takes
 * 16·C·K multiplies instead of 36·C·K. The sums differ from the direct
 * im2row path by rounding only: on N(0, 1) data the largest error relative to
 * the float64 result's scale (max |y|) is about 2·10⁻⁷·√(9C) — about 2× the
 * direct path's (conv-winograd.test.ts checks a bound of 4·10⁻⁷·√(9C)).
 *
 * Used where `winogradApplies`: on by default (`setWinograd(false)` turns it
 * off process-wide, e.g. to get the direct path's bits); the data derivative
 * of such a convolution is itself one (flipped filters, channels and filters
 * swapped, pad 2 − pad), so it takes the same route.
 */
let winogradOn = true;

/** Turns the Winograd path on or off for every later float32 convolution (on by default); returns the previous setting. */
export function setWinograd(on: boolean): boolean {
  const was = winogradOn;
  winogradOn = on;
  return was;
}

/** Below this many output pixels per image the transforms' overhead outweighs the saved multiplies (measured: README). */
const MIN_PIXELS = 64;

/**
 * True where `p` (a patches-path convolution) goes through Winograd: 3×3,
 * stride 1, dilation 1, one group, C ≥ 8 and K multiples of 4, at least
 * `MIN_PIXELS` outputs per image. (Not the thread count: that would make the
 * bits depend on it.)
 */
export function winogradApplies(p: ConvSizes): boolean {
  const g = p.patch;
  return (
    winogradOn &&
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

/** U[ξ][c][k] = (G·g_{c,k}·Gᵀ)_ξ (ξ = 4i + j) of `[3, 3, C, K]` filters f, in float64 then rounded once. */
export function winogradFilter(f: Float32Array, c: number, k: number): Float32Array {
  const u = new Float32Array(16 * c * k);
  const g = new Float64Array(9);
  const t = new Float64Array(12);
  const ck = c * k;
  for (let e = 0; e < ck; e++) {
    for (let q = 0; q < 9; q++) g[q] = f[q * ck + e]!;
    // t = G·g (4 × 3), G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
    for (let j = 0; j < 3; j++) {
      const g0 = g[j]!;
      const g1 = g[3 + j]!;
      const g2 = g[6 + j]!;
      t[j] = g0;
      t[3 + j] = 0.5 * (g0 + g1 + g2);
      t[6 + j] = 0.5 * (g0 - g1 + g2);
      t[9 + j] = g2;
    }
    // U = t·Gᵀ (4 × 4).
    for (let i = 0; i < 4; i++) {
      const t0 = t[3 * i]!;
      const t1 = t[3 * i + 1]!;
      const t2 = t[3 * i + 2]!;
      u[(4 * i) * ck + e] = t0;
      u[(4 * i + 1) * ck + e] = 0.5 * (t0 + t1 + t2);
      u[(4 * i + 2) * ck + e] = 0.5 * (t0 - t1 + t2);
      u[(4 * i + 3) * ck + e] = t2;
    }
  }
  return u;
}

/**
 * `y ← conv(x, f) + beta·y` (beta 0 or 1) by Winograd F(2×2, 3×3), float32,
 * where `winogradApplies(p)`: with at least as many images as threads, the
 * threads take whole images (`winograd_images`: per image, V, 16 SGEMMs
 * V_ξ·U_ξ, then the output transform); with fewer, this thread transforms
 * and each SGEMM is split over the threads. Every output is the same sum in
 * the same order either way, so any thread count gives the same bits.
 * Returns false (doing nothing) where the module cannot run.
 */
export function convForwardWinograd(p: ConvSizes, x: Float32Array, f: Float32Array, beta: number, y: Float32Array): boolean {
  const inst = gemmInstance();
  if (inst === null) return false;
  const g = p.patch;
  const tiles = Math.ceil(g.outHeight / 2) * Math.ceil(g.outWidth / 2);
  const ySize = p.pixels * p.k;
  const vSize = 16 * tiles * p.c;
  const mSize = 16 * tiles * p.k;
  const perThread = vSize + mSize + p.c + TASK_WORDS;
  return forwardPasses(p.n, p.imageSize, ySize, winogradFilter(f, p.c, p.k), perThread, x, beta, y, ({ heap, fAt, xAt, yAt, bufAt, tasks, threads, count }) => {
    const blocks: number[] = [];
    for (const share of shares(count, tasks)) {
      const v = 4 * (bufAt + share.thread * perThread);
      const m = v + 4 * vSize;
      const zeros = m + 4 * mSize;
      const block = zeros + 4 * p.c;
      writeTask(inst, block, share.thread, {
        patch: g,
        c0: 0,
        cg: p.c,
        groups: 1,
        kg: p.k,
        k: p.k,
        x: 4 * (xAt + share.first * p.imageSize),
        count: share.count,
        y: 4 * (yAt + share.first * ySize),
        f: 4 * fAt,
        phi: v,
        phiStride: 0,
        zeros,
        scratch: m,
        src: 0,
      });
      blocks.push(block);
    }
    if (p.n >= threads) runTasks(inst, 'winograd_images', blocks);
    else {
      // Fewer images than threads: the transforms here, each product split over the threads.
      const v = bufAt;
      const m = v + vSize;
      for (let i = 0; i < count; i++) {
        inst.exports.winograd_input(blocks[0]!, 4 * (xAt + i * p.imageSize), 4 * v);
        heap.fill(0, m, m + mSize);
        for (let xi = 0; xi < 16; xi++) {
          sgemmInArena(false, false, tiles, p.k, p.c, 1, v + xi * tiles * p.c, p.c, fAt + xi * p.c * p.k, p.k, m + xi * tiles * p.k, p.k);
        }
        inst.exports.winograd_output(blocks[0]!, 4 * m, 4 * (yAt + i * ySize));
      }
    }
  });
}

/**
 * The data derivative of a 3×3 stride-1 convolution as the convolution
 * Winograd computes: `dx = conv(dy, f′)` with `f′[fy, fx, k, c] = f[2 − fy,
 * 2 − fx, c, k]` and pads `2 − pad` (dx's size is then H × W). Returns the
 * sizes of that convolution and its filters, or null where it does not apply.
 */
export function winogradDataPlan(p: ConvSizes): { sizes: ConvSizes; filters: (f: Float32Array) => Float32Array } | null {
  if (!winogradApplies(p)) return null;
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
  if (!winogradApplies(sizes)) return null;
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
