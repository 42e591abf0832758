import type { ConvGeometry, Shape, Tensor } from '@convnet-ts/tensor';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { type ConvTile, tileThreads } from './conv-tiled.js';

/**
 * WGSL: B[p, r] of the data derivative's implicit GEMM — dy at the output
 * pixel that input pixel p = (n, i, j) reaches through tap (i′, j′), channel
 * k0 + kk of r = (i′, j′, kk); 0 when that position is off the output grid
 * (outside it, or between strided samples).
 */
const GATHER_DY = `fn gather_dy(row: u32, col: u32, k0: u32) -> f32 {
  let ix = i32(row % u.w);
  let iy = i32((row / u.w) % u.h);
  let img = row / (u.w * u.h);
  let kk = col % u.kg;
  let fx = i32((col / u.kg) % u.wf);
  let fy = i32(col / (u.kg * u.wf));
  let ty = iy + u.pt - fy * u.dily;
  let tx = ix + u.pl - fx * u.dilx;
  if (ty < 0 || tx < 0 || ty % u.sy != 0 || tx % u.sx != 0) { return 0.0; }
  let oy = ty / u.sy;
  let ox = tx / u.sx;
  if (oy >= i32(u.ho) || ox >= i32(u.wo)) { return 0.0; }
  return dy[((img * u.ho + u32(oy)) * u.wo + u32(ox)) * u.k + k0 + kk];
}`;

/**
 * Convolution data derivative (manual §6.1) as an implicit GEMM per group g,
 * a gather: every input pixel sums over the taps that reach it.
 *
 *     dX_g[p, d] = Σ_r B[p, r] · F_g[r, d],  p = (n, i, j), r = (i′, j′, kk) over Hf·Wf·K/G
 *     F_g[r, d]  = f[i′, j′, d, g·K/G + kk]
 *
 * so dx[n, i, j, g·C/G + d]. With a stride, the taps that fall between
 * output samples read 0 (the product does S_y·S_x times the needed work).
 * Workgroups: x over pixel tiles, y over channel tiles, z over groups.
 * Returns undefined when the grid would exceed the device's per-dimension
 * limit; the caller then runs the direct kernel.
 */
export function convDataTiled(gpu: WebGPUBackend, dy: Tensor, f: Tensor, xShape: Shape, attrs: ConvGeometry, tile: ConvTile): Tensor | undefined {
  const [n, h, w, c] = xShape as [number, number, number, number];
  const [, ho, wo, k] = dy.shape as [number, number, number, number];
  const [hf, wf, cg] = f.shape as [number, number, number];
  const groups = attrs.groups;
  const kg = k / groups;
  const m = n * h * w;
  const { tm, tn, tk } = tile;
  const counts = [Math.ceil(m / tm), Math.ceil(cg / tn), groups] as const;
  const max = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  if (counts.some((v) => v > max)) return undefined;
  const dx = gpu.empty(xShape);
  const threads = tileThreads(tile);
  gpu.dispatch({
    kernel: 'ConvBackwardData',
    variant: `tiled${tm}x${tn}x${tk}`,
    inputs: { dy, f },
    outputs: { dx },
    u32: { n, h, w, c, ho, wo, k, kg, cg, hf, wf, m, r: hf * wf * kg },
    i32: { sy: attrs.stride[0], sx: attrs.stride[1], dily: attrs.dilate[0], dilx: attrs.dilate[1], pt: attrs.pad[0], pl: attrs.pad[2] },
    threads: dx.size,
    workgroups: counts,
    workgroupSize: threads,
    helpers: `${GATHER_DY}
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
    // dy tile, TK × TM: consecutive threads read consecutive output channels of one pixel.
    for (var e = li; e < TK * TM; e += NT) {
      let rr = e % TK;
      let mm = e / TK;
      var v = 0.0;
      if (m0 + mm < u.m && r0 + rr < u.r) { v = gather_dy(m0 + mm, r0 + rr, k0); }
      As[rr * TM + mm] = v;
    }
    // F tile, TK × TN: consecutive threads read consecutive output channels of one tap and channel.
    for (var e = li; e < TK * TN; e += NT) {
      let rr = e % TK;
      let nn = e / TK;
      var v = 0.0;
      let col = r0 + rr;
      if (n0 + nn < u.cg && col < u.r) {
        let kk = col % u.kg;
        let tap = col / u.kg;
        v = f[(tap * u.cg + n0 + nn) * u.k + k0 + kk];
      }
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
      if (col >= u.cg) { continue; }
      dx[row * u.c + c0 + col] = acc[a][j];
    }
  }`,
  });
  return dx;
}
