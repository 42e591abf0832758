/// <reference types="@webgpu/types" />
import type { ConvGeometry, Tensor } from '@convnet-ts/tensor';
import type { Program } from '../program.js';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { type ConvTile, gridFits, GROUP_PROLOGUE, tiledGemm, tileThreads } from './tiled-gemm.js';
import { IS_POSITIVE } from './wgsl.js';

export { CONV_TILES, type ConvTile, type ConvTileLimits, chooseConvTile, tileThreads } from './tiled-gemm.js';

/**
 * WGSL: A[m, r] of the implicit GEMM, the im2row matrix element read from
 * `x` (0 in the padding) — m = (n, i″, j″) an output pixel, r = (i′, j′, d)
 * a filter tap and channel of the group whose first channel is c0.
 */
export const GATHER_X = `fn gather_x(row: u32, col: u32, c0: u32) -> f32 {
  let ox = row % u.wo;
  let oy = (row / u.wo) % u.ho;
  let img = row / (u.wo * u.ho);
  let d = col % u.cg;
  let fx = (col / u.cg) % u.wf;
  let fy = col / (u.cg * u.wf);
  let iy = i32(oy) * u.sy + i32(fy) * u.dily - u.pt;
  let ix = i32(ox) * u.sx + i32(fx) * u.dilx - u.pl;
  if (iy < 0 || iy >= i32(u.h) || ix < 0 || ix >= i32(u.w)) { return 0.0; }
  return x[((img * u.h + u32(iy)) * u.w + u32(ix)) * u.c + c0 + d];
}`;

/** The geometry uniforms every convolution program shares. */
export function convUniforms(xShape: readonly number[], fShape: readonly number[], ho: number, wo: number, k: number, attrs: ConvGeometry) {
  const [n, h, w, c] = xShape as [number, number, number, number];
  const [hf, wf, cg] = fShape as [number, number, number];
  return {
    u32: { n, h, w, c, ho, wo, k, kg: k / attrs.groups, cg, hf, wf },
    i32: { sy: attrs.stride[0], sx: attrs.stride[1], dily: attrs.dilate[0], dilx: attrs.dilate[1], pt: attrs.pad[0], pl: attrs.pad[2] },
  };
}

/** WGSL: r = max(v, 0) by the Relu kernel's leak-0 rule (NaN and −0 give +0). */
export const RELU_OF = (v: string) => `bitcast<f32>(select(0u, bitcast<u32>(${v}), is_positive(${v})))`;

/**
 * Convolution forward (manual §4.1) as an implicit GEMM per group g, the
 * im2row matrix gathered on the fly into workgroup memory, never stored:
 *
 *     Y_g[m, k] = Σ_r A[m, r] · F_g[r, k] (+ b[g·K/G + k]),  m = (n, i″, j″), r = (i′, j′, d)
 *     A[m, r]   = x[n, Sy·i″ + Dy·i′ − Pt, Sx·j″ + Dx·j′ − Pl, g·C/G + d]   (0 outside the image)
 *     F_g[r, k] = f[i′, j′, d, g·K/G + k]   (f's own layout: row r = (i′·Wf + j′)·C/G + d, stride K)
 *
 * Workgroups: x over m tiles, y over k tiles, z over groups. With `relu`,
 * the same threads also write relu = max(y, 0) (the fused bias + ReLU
 * epilogue). Returns undefined when the workgroup grid would exceed the
 * device's per-dimension limit; the caller then runs the direct kernel.
 */
export function convTiledProgram(
  gpu: WebGPUBackend,
  x: Tensor,
  f: Tensor,
  b: Tensor | null,
  attrs: ConvGeometry,
  y: Tensor,
  tile: ConvTile,
  relu?: Tensor,
): Program | undefined {
  const [n, ho, wo, k] = y.shape as [number, number, number, number];
  const [hf, wf, cg] = f.shape as [number, number, number];
  const groups = attrs.groups;
  const kg = k / groups;
  const m = n * ho * wo;
  const counts = [Math.ceil(m / tile.tm), Math.ceil(kg / tile.tn), groups] as const;
  if (!gridFits(gpu, counts)) return undefined;
  const { tm, tn, tk } = tile;
  const gemm = tiledGemm({
    tile,
    prologue: GROUP_PROLOGUE,
    rows: 'u.m',
    cols: 'u.kg',
    kBegin: '0u',
    kEnd: 'u.r',
    // Consecutive threads read consecutive channels of one pixel, and consecutive output channels of f.
    a: { fast: 'k', scalar: (row, col) => `gather_x(${row}, ${col}, c0)` },
    b: { fast: 'mn', scalar: (col, r) => `f[${r} * u.k + k0 + ${col}]` },
    store: `      let out = v${b ? ' + b[k0 + col]' : ''};
      y[row * u.k + k0 + col] = out;${relu ? `\n      relu[row * u.k + k0 + col] = ${RELU_OF('out')};` : ''}`,
  });
  const geometry = convUniforms(x.shape, f.shape, ho, wo, k, attrs);
  return {
    kernel: 'Conv',
    variant: `tiled${tm}x${tn}x${tk}:${b ? 'bias' : 'nobias'}:${relu ? 'relu' : 'linear'}`,
    inputs: b ? { x, f, b } : { x, f },
    outputs: relu ? { y, relu } : { y },
    u32: { ...geometry.u32, m, r: hf * wf * cg },
    i32: geometry.i32,
    threads: y.size,
    workgroups: counts,
    workgroupSize: tileThreads(tile),
    helpers: `${relu ? IS_POSITIVE : ''}\n${GATHER_X}\n${gemm.helpers}`,
    body: gemm.body,
  };
}

/** `convTiledProgram` dispatched now: y (and, with `relu`, max(y, 0) in that tensor), or undefined when the grid does not fit. */
export function convTiled(
  gpu: WebGPUBackend,
  x: Tensor,
  f: Tensor,
  b: Tensor | null,
  attrs: ConvGeometry,
  ho: number,
  wo: number,
  tile: ConvTile,
  relu?: Tensor,
): Tensor | undefined {
  const y = gpu.empty([x.shape[0]!, ho, wo, f.shape[3]!]);
  const p = convTiledProgram(gpu, x, f, b, attrs, y, tile, relu);
  if (!p) {
    y.dispose();
    return undefined;
  }
  gpu.dispatch(p);
  return y;
}
