/// <reference types="@webgpu/types" />
import type { ConvGeometry, Tensor } from '@convnet-ts/tensor';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { IS_POSITIVE } from './wgsl.js';

/**
 * A workgroup tile of the implicit GEMM: `tm` output pixels × `tn` output
 * channels, the reduction walked `tk` at a time; each thread owns a 4 × 4
 * register tile, so a workgroup has `(tm/4)·(tn/4)` threads and holds
 * `(tm + tn)·tk` floats of workgroup memory.
 */
export interface ConvTile {
  tm: number;
  tn: number;
  tk: number;
}

/** Largest first; the first that fits the device's limits is used. */
export const CONV_TILES: readonly ConvTile[] = [
  { tm: 64, tn: 64, tk: 16 },
  { tm: 32, tn: 32, tk: 16 },
  { tm: 16, tn: 16, tk: 8 },
];

export type ConvTileLimits = Pick<GPUSupportedLimits, 'maxComputeWorkgroupStorageSize' | 'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupSizeX'>;

/** Threads of a workgroup of `tile`. */
export function tileThreads(tile: ConvTile): number {
  return (tile.tm / 4) * (tile.tn / 4);
}

/** The largest tile whose threads and workgroup memory fit `limits` (chosen from the limits, never the GPU model). */
export function chooseConvTile(limits: ConvTileLimits): ConvTile | undefined {
  return CONV_TILES.find((t) => {
    const threads = tileThreads(t);
    return (
      threads <= limits.maxComputeInvocationsPerWorkgroup &&
      threads <= limits.maxComputeWorkgroupSizeX &&
      (t.tm + t.tn) * t.tk * 4 <= limits.maxComputeWorkgroupStorageSize
    );
  });
}

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

/**
 * Convolution forward (manual §4.1) as an implicit GEMM per group g, the
 * im2row matrix gathered on the fly into workgroup memory, never stored:
 *
 *     Y_g[m, k] = Σ_r A[m, r] · F_g[r, k] (+ b[g·K/G + k]),  m = (n, i″, j″), r = (i′, j′, d)
 *     A[m, r]   = x[n, Sy·i″ + Dy·i′ − Pt, Sx·j″ + Dx·j′ − Pl, g·C/G + d]   (0 outside the image)
 *     F_g[r, k] = f[i′, j′, d, g·K/G + k]   (f's own layout: row r = (i′·Wf + j′)·C/G + d, stride K)
 *
 * Workgroups: x over m tiles, y over k tiles, z over groups. `relu` applies
 * max(·, 0) in the epilogue (the Relu kernel's leak-0 rule: NaN and −0 give +0).
 * Returns undefined when the workgroup grid would exceed the device's
 * per-dimension limit; the caller then runs the direct kernel.
 */
export function convTiled(
  gpu: WebGPUBackend,
  x: Tensor,
  f: Tensor,
  b: Tensor | null,
  attrs: ConvGeometry,
  ho: number,
  wo: number,
  tile: ConvTile,
  relu = false,
): Tensor | undefined {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [hf, wf, cg, k] = f.shape as [number, number, number, number];
  const groups = attrs.groups;
  const kg = k / groups;
  const m = n * ho * wo;
  const counts = [Math.ceil(m / tile.tm), Math.ceil(kg / tile.tn), groups] as const;
  const max = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  if (counts.some((v) => v > max)) return undefined;
  const y = gpu.empty([n, ho, wo, k]);
  const { tm, tn, tk } = tile;
  const threads = tileThreads(tile);
  gpu.dispatch({
    kernel: 'Conv',
    variant: `tiled${tm}x${tn}x${tk}:${b ? 'bias' : 'nobias'}:${relu ? 'relu' : 'linear'}`,
    inputs: b ? { x, f, b } : { x, f },
    outputs: { y },
    u32: { n, h, w, c, ho, wo, k, kg, cg, hf, wf, m, r: hf * wf * cg },
    i32: { sy: attrs.stride[0], sx: attrs.stride[1], dily: attrs.dilate[0], dilx: attrs.dilate[1], pt: attrs.pad[0], pl: attrs.pad[2] },
    threads: y.size,
    workgroups: counts,
    workgroupSize: threads,
    helpers: `${relu ? IS_POSITIVE : ''}
${GATHER_X}
const TM = ${tm}u;
const TN = ${tn}u;
const TK = ${tk}u;
const NT = ${threads}u;
var<workgroup> As: array<f32, ${tm * tk}>;
var<workgroup> Bs: array<f32, ${tn * tk}>;`,
    body: `  let g = wg.z;
  let m0 = wg.x * TM;
  let n0 = wg.y * TN;
  let c0 = g * u.cg;
  let k0 = g * u.kg;
  let tx = li % (TN / 4u);
  let ty = li / (TN / 4u);
  var acc: array<vec4<f32>, 4>;
  for (var r0 = 0u; r0 < u.r; r0 += TK) {
    // A tile, TK × TM: consecutive threads read consecutive channels of one pixel.
    for (var e = li; e < TK * TM; e += NT) {
      let rr = e % TK;
      let mm = e / TK;
      let row = m0 + mm;
      let col = r0 + rr;
      var v = 0.0;
      if (row < u.m && col < u.r) { v = gather_x(row, col, c0); }
      As[rr * TM + mm] = v;
    }
    // F tile, TK × TN: consecutive threads read consecutive output channels.
    for (var e = li; e < TK * TN; e += NT) {
      let nn = e % TN;
      let rr = e / TN;
      var v = 0.0;
      if (n0 + nn < u.kg && r0 + rr < u.r) { v = f[(r0 + rr) * u.k + k0 + n0 + nn]; }
      Bs[rr * TN + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let bv = vec4<f32>(
        Bs[kk * TN + tx], Bs[kk * TN + tx + TN / 4u], Bs[kk * TN + tx + 2u * (TN / 4u)], Bs[kk * TN + tx + 3u * (TN / 4u)]);
      for (var a = 0u; a < 4u; a++) { acc[a] += As[kk * TM + ty + a * (TM / 4u)] * bv; }
    }
    workgroupBarrier();
  }
  for (var a = 0u; a < 4u; a++) {
    let row = m0 + ty + a * (TM / 4u);
    if (row >= u.m) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let col = n0 + tx + j * (TN / 4u);
      if (col >= u.kg) { continue; }
      var v = acc[a][j]${b ? ' + b[k0 + col]' : ''};
      ${relu ? 'v = bitcast<f32>(select(0u, bitcast<u32>(v), is_positive(v)));' : ''}
      y[row * u.k + k0 + col] = v;
    }
  }`,
  });
  return y;
}
