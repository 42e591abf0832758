import { type ConvGeometry, type FloatArray, type Shape, ShapeError } from '@convnet-ts/tensor';
import { convBackwardDataWasm, convBackwardFilterWasm, convForwardWasm } from '../conv-wasm.js';
import { broadcastBias } from '../conv-tasks.js';
import { convBackwardFilterDirect, convForwardDirect, directApplies } from '../conv-direct.js';
import { convBackwardDataWinograd, convBackwardFilterWinograd, convForwardWinograd, winogradApplies } from '../conv-winograd.js';
import type { CpuBackend } from '../cpu-backend.js';
import { gemm, type MatrixRef } from '../gemm.js';
import { im2row, type PatchGeometry, row2im } from '../im2row.js';
import type { CpuKernelTable } from '../kernel-table.js';

/**
 * Convolution and its two derivatives as im2row + GEMM (manual §6.1,
 * notes-im2row-derivatives §1.1), per image and per filter group g:
 *
 *     Y_g = φ_g(X)·F_g        dX = Σ_g φ_g*(dY_g·F_gᵀ)        dF_g = Σ_n φ_g(X_n)ᵀ·dY_{n,g}
 *
 * NHWC maps and `[Hf, Wf, C/G, K]` filters make φ(X), F and Y plain
 * row-major matrices, so no product needs a transposed copy: group g reads
 * channels `[g·C/G, (g+1)·C/G)` and writes filters `[g·K/G, (g+1)·K/G)`,
 * addressed in place by offsets and leading dimensions.
 *
 * Float32 patches go to the WebAssembly path (conv-wasm.ts): φ built inside
 * the module's memory and multiplied there by the SIMD GEMM, forward and for
 * the filter derivative; float64 and engines without WebAssembly SIMD take the
 * TypeScript im2row + `gemm` path below, which is also the reference. Float32
 * 3×3 and 5×5 stride-1 convolutions, any groups, go through Winograd
 * F(2×2, r×r) or F(4×4, r×r) instead — forward, data derivative (the
 * forward's adjoint on the same tiles) and filter derivative — where
 * `winogradApplies` under the backend's `winograd` option (conv-winograd.ts:
 * same sums up to rounding), and convolutions of few
 * channels (C ≤ 4: first layers) and their filter derivatives through a
 * direct kernel that reads the taps straight from a rearranged copy of the
 * image, without φ (conv-direct.ts).
 *
 * Two shapes skip im2row, since φ(X) is then X itself: 1×1 filters with stride
 * 1 and no padding (one product over all N·H·W pixels), and filters that cover
 * the whole unpadded input with one group (fully connected: one product over
 * the batch).
 */
export const convKernels = {
  Conv: (cpu, { x, f, b }, attrs) => {
    const [, H, W] = x.shape as [number, number, number, number];
    const [Hf, Wf] = f.shape as [number, number, number, number];
    const ho = outSize(H, Hf, attrs.pad[0] + attrs.pad[1], attrs.stride[0], attrs.dilate[0]);
    const wo = outSize(W, Wf, attrs.pad[2] + attrs.pad[3], attrs.stride[1], attrs.dilate[1]);
    const p = plan(x.shape, f.shape, ho, wo, attrs);
    // The bias is broadcast by its length: one of another length would shift every pixel's.
    if (b && b.size !== p.k) throw new ShapeError('Conv', 'b', `b of ${p.k} elements (one per filter) expected, got shape [${b.shape.join(', ')}]`);
    // Every path writes every element of y (beta 0 products, or passes copied out whole).
    const y = cpu.allocOverwritten(p.n * p.pixels * p.k);
    convForward(cpu, p, cpu.contiguous(x), cpu.contiguous(f), b ? cpu.contiguous(b) : null, y);
    return cpu.wrap(y, [p.n, ho, wo, p.k]);
  },

  ConvBackwardData: (cpu, { dy, f }, attrs) => {
    const p = plan(attrs.xShape, f.shape, dy.shape[1]!, dy.shape[2]!, attrs);
    const dx = cpu.allocOverwritten(p.n * p.imageSize);
    convBackwardData(cpu, p, cpu.contiguous(dy), cpu.contiguous(f), dx);
    return cpu.wrap(dx, attrs.xShape);
  },

  ConvBackwardFilter: (cpu, { x, dy }, attrs) => {
    const p = plan(x.shape, attrs.fShape, dy.shape[1]!, dy.shape[2]!, attrs);
    const df = cpu.allocOverwritten(p.rowLength * p.k);
    convBackwardFilter(cpu, p, cpu.contiguous(x), cpu.contiguous(dy), df);
    return cpu.wrap(df, attrs.fShape);
  },
} satisfies Partial<CpuKernelTable>;

/** `⌊(H + Pt + Pb − ((Hf − 1)·D + 1)) / S⌋ + 1` (manual §4.1 with dilation). */
function outSize(size: number, filter: number, pad: number, stride: number, dilate: number): number {
  return Math.floor((size + pad - ((filter - 1) * dilate + 1)) / stride) + 1;
}

/** Everything the three products need: sizes, per-group blocks, and which path to take. */
interface ConvPlan {
  patch: PatchGeometry;
  n: number;
  /** C: channels of x (row stride of a pixel). */
  c: number;
  /** K: filters (row stride of a pixel of y and of a row of F). */
  k: number;
  groups: number;
  /** C/G: filter depth. */
  cg: number;
  /** K/G: filters per group. */
  kg: number;
  /** H·W·C. */
  imageSize: number;
  /** Ho·Wo: rows of φ(X). */
  pixels: number;
  /** Hf·Wf·C/G: columns of φ(X), rows of F. */
  rowLength: number;
  /** 'pointwise': 1×1 filters, stride 1, no pad; 'full': fully connected; 'patches': im2row. */
  path: 'pointwise' | 'full' | 'patches';
}

function plan(xShape: Shape, fShape: Shape, ho: number, wo: number, g: ConvGeometry): ConvPlan {
  const [n, h, w, c] = xShape as [number, number, number, number];
  const [hf, wf, cg, k] = fShape as [number, number, number, number];
  const noPad = g.pad.every((v) => v === 0);
  const pointwise = hf === 1 && wf === 1 && noPad && g.stride[0] === 1 && g.stride[1] === 1;
  const full = hf === h && wf === w && noPad && g.groups === 1 && g.dilate[0] === 1 && g.dilate[1] === 1;
  const patch: PatchGeometry = {
    height: h,
    width: w,
    channels: c,
    filterHeight: hf,
    filterWidth: wf,
    outHeight: ho,
    outWidth: wo,
    padTop: g.pad[0],
    padLeft: g.pad[2],
    strideY: g.stride[0],
    strideX: g.stride[1],
    dilateY: g.dilate[0],
    dilateX: g.dilate[1],
  };
  return {
    patch,
    n,
    c,
    k,
    groups: g.groups,
    cg,
    kg: k / g.groups,
    imageSize: h * w * c,
    pixels: ho * wo,
    rowLength: hf * wf * cg,
    path: pointwise ? 'pointwise' : full ? 'full' : 'patches',
  };
}

/**
 * y ← φ(x)·F + 1·bᵀ (the bias b, K values, on every pixel; none where null),
 * every element of y written. The module's paths put b into their copy of y
 * (`ForwardStart`); the others broadcast it into y first and add the product.
 */
function convForward(cpu: CpuBackend, p: ConvPlan, x: FloatArray, f: FloatArray, b: FloatArray | null, y: FloatArray): void {
  const { k, kg, cg } = p;
  if (p.path === 'patches' && x instanceof Float32Array && f instanceof Float32Array && y instanceof Float32Array && (b === null || b instanceof Float32Array)) {
    const start = b ?? 0;
    if (winogradApplies(p, cpu.winograd) && convForwardWinograd(p, x, f, start, y, cpu.winograd)) return;
    if (directApplies(p) && convForwardDirect(p, x, f, start, y)) return;
    if (convForwardWasm(p, x, f, start, y)) return;
  }
  let beta = 0;
  if (b !== null) {
    broadcastBias(y, 0, b, p.n * p.pixels);
    beta = 1;
  }
  if (p.path === 'pointwise') {
    for (let g = 0; g < p.groups; g++) {
      gemm(false, false, p.n * p.pixels, kg, cg, 1, mat(x, g * cg, p.c), mat(f, g * kg, k), beta, mat(y, g * kg, k));
    }
    return;
  }
  if (p.path === 'full') {
    gemm(false, false, p.n, k, p.imageSize, 1, mat(x, 0, p.imageSize), mat(f, 0, k), beta, mat(y, 0, k));
    return;
  }
  const phi = cpu.alloc(p.pixels * p.rowLength);
  for (let i = 0; i < p.n; i++) {
    for (let g = 0; g < p.groups; g++) {
      im2row(x, i * p.imageSize, p.patch, g * cg, cg, phi);
      const yi = mat(y, i * p.pixels * k + g * kg, k);
      gemm(false, false, p.pixels, kg, p.rowLength, 1, mat(phi, 0, p.rowLength), mat(f, g * kg, k), beta, yi);
    }
  }
}

/** dx ← φ*(dy·Fᵀ), every element of dx written (whatever it held). */
function convBackwardData(cpu: CpuBackend, p: ConvPlan, dy: FloatArray, f: FloatArray, dx: FloatArray): void {
  const { k, kg, cg } = p;
  if (p.path === 'pointwise') {
    for (let g = 0; g < p.groups; g++) {
      gemm(false, true, p.n * p.pixels, cg, kg, 1, mat(dy, g * kg, k), mat(f, g * kg, k), 0, mat(dx, g * cg, p.c));
    }
    return;
  }
  if (p.path === 'full') {
    gemm(false, true, p.n, p.imageSize, k, 1, mat(dy, 0, k), mat(f, 0, k), 0, mat(dx, 0, p.imageSize));
    return;
  }
  if (dy instanceof Float32Array && f instanceof Float32Array && dx instanceof Float32Array) {
    if (winogradApplies(p, cpu.winograd) && convBackwardDataWinograd(p, dy, f, dx, cpu.winograd)) return;
    if (convBackwardDataWasm(p, dy, f, dx)) return;
  }
  dx.fill(0);
  const dphi = cpu.alloc(p.pixels * p.rowLength);
  for (let i = 0; i < p.n; i++) {
    for (let g = 0; g < p.groups; g++) {
      const dyi = mat(dy, i * p.pixels * k + g * kg, k);
      gemm(false, true, p.pixels, p.rowLength, kg, 1, dyi, mat(f, g * kg, k), 0, mat(dphi, 0, p.rowLength));
      row2im(dphi, p.patch, g * cg, cg, dx, i * p.imageSize);
    }
  }
}

/** df ← Σ_n φ(x_n)ᵀ·dy_n, every element of df written (whatever it held). */
function convBackwardFilter(cpu: CpuBackend, p: ConvPlan, x: FloatArray, dy: FloatArray, df: FloatArray): void {
  const { k, kg, cg } = p;
  if (p.path === 'pointwise') {
    for (let g = 0; g < p.groups; g++) {
      gemm(true, false, cg, kg, p.n * p.pixels, 1, mat(x, g * cg, p.c), mat(dy, g * kg, k), 0, mat(df, g * kg, k));
    }
    return;
  }
  if (p.path === 'full') {
    gemm(true, false, p.imageSize, k, p.n, 1, mat(x, 0, p.imageSize), mat(dy, 0, k), 0, mat(df, 0, k));
    return;
  }
  if (x instanceof Float32Array && dy instanceof Float32Array && df instanceof Float32Array) {
    if (winogradApplies(p, cpu.winograd) && convBackwardFilterWinograd(p, x, dy, df, cpu.winograd)) return;
    if (directApplies(p) && convBackwardFilterDirect(p, x, dy, df)) return;
    if (convBackwardFilterWasm(p, x, dy, df)) return;
  }
  df.fill(0);
  const phi = cpu.alloc(p.pixels * p.rowLength);
  for (let i = 0; i < p.n; i++) {
    for (let g = 0; g < p.groups; g++) {
      im2row(x, i * p.imageSize, p.patch, g * cg, cg, phi);
      const dyi = mat(dy, i * p.pixels * k + g * kg, k);
      gemm(true, false, p.rowLength, kg, p.pixels, 1, mat(phi, 0, p.rowLength), dyi, 1, mat(df, g * kg, k));
    }
  }
}

function mat(data: FloatArray, offset: number, ld: number): MatrixRef {
  return { data, offset, ld };
}
