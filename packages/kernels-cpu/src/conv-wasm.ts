import type { PatchGeometry } from './im2row.js';
import { im2rowPacked, packedPatchesSize } from './im2row-packed.js';
import { sgemmInArena, sgemmPackedA, wasmArena } from './wasm-gemm.js';

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
 * φ(x) (im2row, manual §6.1) of the image at `xAt` in `heap`, channels
 * `[c0, c0 + cg)`, written at `outAt` — the same matrix as `im2row` builds, but
 * inside the WebAssembly memory so the GEMM reads it without a copy, and with
 * `copyWithin` (a memmove) per run of contiguous values: one run of Wf·C values
 * per filter row when there is one group and the row lies inside the image.
 */
export function im2rowInHeap(heap: Float32Array, xAt: number, g: PatchGeometry, c0: number, cg: number, outAt: number): void {
  const { height, width, channels, filterHeight, filterWidth, outHeight, outWidth } = g;
  const whole = cg === channels && g.dilateX === 1;
  const span = filterWidth * cg;
  let o = outAt;
  for (let oy = 0; oy < outHeight; oy++) {
    const y0 = oy * g.strideY - g.padTop;
    for (let ox = 0; ox < outWidth; ox++) {
      const x0 = ox * g.strideX - g.padLeft;
      for (let fy = 0; fy < filterHeight; fy++) {
        const iy = y0 + fy * g.dilateY;
        if (iy < 0 || iy >= height) {
          heap.fill(0, o, o + span);
          o += span;
          continue;
        }
        const rowStart = xAt + iy * width * channels + c0;
        if (whole && x0 >= 0 && x0 + filterWidth <= width) {
          const s = rowStart + x0 * channels;
          heap.copyWithin(o, s, s + span);
          o += span;
          continue;
        }
        for (let fx = 0; fx < filterWidth; fx++) {
          const ix = x0 + fx * g.dilateX;
          if (ix < 0 || ix >= width) heap.fill(0, o, o + cg);
          else {
            const s = rowStart + ix * channels;
            heap.copyWithin(o, s, s + cg);
          }
          o += cg;
        }
      }
    }
  }
}

/**
 * `y ← φ(x)·F + beta·y` per image and group, float32, in the WebAssembly
 * memory: F once, then per image x_n in, φ(x_n) built in place already in the
 * GEMM's packed panels (`im2rowPacked`), one SGEMM per group, y_n out. Returns false (doing nothing) where WebAssembly SIMD is missing.
 */
export function convForwardWasm(p: ConvSizes, x: Float32Array, f: Float32Array, beta: number, y: Float32Array): boolean {
  const fSize = p.rowLength * p.k;
  const ySize = p.pixels * p.k;
  const phiSize = packedPatchesSize(p.pixels, p.rowLength);
  const arena = wasmArena(fSize + ySize + p.imageSize + phiSize + 5 * p.rowLength);
  if (arena === null) return false;
  const { heap, at } = arena;
  const fAt = at;
  const yAt = fAt + fSize;
  const xAt = yAt + ySize;
  const phi = { out: xAt + p.imageSize, zeros: xAt + p.imageSize + phiSize, scratch: xAt + p.imageSize + phiSize + p.rowLength };
  heap.set(f, fAt);
  for (let i = 0; i < p.n; i++) {
    if (beta === 0) heap.fill(0, yAt, yAt + ySize);
    else heap.set(y.subarray(i * ySize, (i + 1) * ySize), yAt);
    heap.set(x.subarray(i * p.imageSize, (i + 1) * p.imageSize), xAt);
    for (let g = 0; g < p.groups; g++) {
      im2rowPacked(heap, xAt, p.patch, g * p.cg, p.cg, phi);
      sgemmPackedA(p.pixels, p.kg, p.rowLength, 1, phi.out, fAt + g * p.kg, p.k, yAt + g * p.kg, p.k);
    }
    y.set(heap.subarray(yAt, yAt + ySize), i * ySize);
  }
  return true;
}

/**
 * `df ← Σ_n φ(x_n)ᵀ·dy_n` (df starts zeroed), float32, in the WebAssembly
 * memory: the sum stays there across images, one SGEMM with op(A) = φᵀ per
 * image and group. Returns false where WebAssembly SIMD is missing.
 */
export function convBackwardFilterWasm(p: ConvSizes, x: Float32Array, dy: Float32Array, df: Float32Array): boolean {
  const fSize = p.rowLength * p.k;
  const ySize = p.pixels * p.k;
  const phiSize = p.pixels * p.rowLength;
  const arena = wasmArena(fSize + ySize + p.imageSize + phiSize);
  if (arena === null) return false;
  const { heap, at } = arena;
  const fAt = at;
  const yAt = fAt + fSize;
  const xAt = yAt + ySize;
  const phiAt = xAt + p.imageSize;
  heap.fill(0, fAt, fAt + fSize);
  for (let i = 0; i < p.n; i++) {
    heap.set(dy.subarray(i * ySize, (i + 1) * ySize), yAt);
    heap.set(x.subarray(i * p.imageSize, (i + 1) * p.imageSize), xAt);
    for (let g = 0; g < p.groups; g++) {
      im2rowInHeap(heap, xAt, p.patch, g * p.cg, p.cg, phiAt);
      sgemmInArena(true, false, p.rowLength, p.kg, p.pixels, 1, phiAt, p.rowLength, yAt + g * p.kg, p.k, fAt + g * p.kg, p.k);
    }
  }
  df.set(heap.subarray(fAt, fAt + fSize));
  return true;
}
