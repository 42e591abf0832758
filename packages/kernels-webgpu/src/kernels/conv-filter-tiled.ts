import type { ConvGeometry, Shape, Tensor } from '@convnet-ts/tensor';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { type ConvTile, GATHER_X, tileThreads } from './conv-tiled.js';

/** Workgroups the split over output pixels aims for (a rule of sizes, unmeasured until a GPU run). */
const TARGET_WORKGROUPS = 512;
/** Each split walks at least this many reduction tiles. */
const MIN_STEPS_PER_SPLIT = 8;

/**
 * Convolution filter derivative (manual §6.1) as an implicit GEMM per group g,
 * the im2row matrix A of the forward pass (`GATHER_X`) transposed:
 *
 *     dF_g[r, k] = Σ_m A[m, r] · dY[m, g·K/G + k],  m = (n, i″, j″) over N·H″·W″
 *
 * which is df[i′, j′, d, g·K/G + k] in f's own layout (row r, stride K).
 * The m sum is split into S contiguous chunks so the grid has enough
 * workgroups (x over r tiles, y over k tiles, z over S·G); with S > 1 each
 * chunk writes its own partial [S, Hf, Wf, C/G, K] and one `ReduceSum`
 * over the first axis adds them (deterministic: no atomics).
 * Returns undefined when the grid would exceed the device's per-dimension
 * limit; the caller then runs the direct kernel.
 */
export function convFilterTiled(
  gpu: WebGPUBackend,
  x: Tensor,
  dy: Tensor,
  fShape: Shape,
  attrs: ConvGeometry,
  tile: ConvTile,
): Tensor | undefined {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [, ho, wo, k] = dy.shape as [number, number, number, number];
  const [hf, wf, cg] = fShape as [number, number, number];
  const groups = attrs.groups;
  const kg = k / groups;
  const m = n * ho * wo;
  const r = hf * wf * cg;
  if (m === 0 || r === 0 || kg === 0) return undefined;
  const { tm, tn, tk } = tile;
  const tiles = Math.ceil(r / tm) * Math.ceil(kg / tn) * groups;
  const splits = Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / tiles), Math.floor(m / (tk * MIN_STEPS_PER_SPLIT))));
  const chunk = Math.ceil(m / splits / tk) * tk;
  const s = Math.ceil(m / chunk);
  const counts = [Math.ceil(r / tm), Math.ceil(kg / tn), groups * s] as const;
  const max = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  if (counts.some((v) => v > max) || s * r * k * 4 > gpu.maxTensorBytes) return undefined;
  const out = gpu.empty(s > 1 ? [s, ...fShape] : fShape);
  const threads = tileThreads(tile);
  gpu.dispatch({
    kernel: 'ConvBackwardFilter',
    variant: `tiled${tm}x${tn}x${tk}`,
    inputs: { x, dy },
    outputs: { out },
    u32: { n, h, w, c, ho, wo, k, kg, cg, hf, wf, m, r, groups, chunk },
    i32: { sy: attrs.stride[0], sx: attrs.stride[1], dily: attrs.dilate[0], dilx: attrs.dilate[1], pt: attrs.pad[0], pl: attrs.pad[2] },
    threads: out.size,
    workgroups: counts,
    workgroupSize: threads,
    helpers: `${GATHER_X}
const TM = ${tm}u;
const TN = ${tn}u;
const TK = ${tk}u;
const NT = ${threads}u;
var<workgroup> As: array<f32, ${tm * tk}>;
var<workgroup> Bs: array<f32, ${tn * tk}>;`,
    body: `  let g = wg.z % u.groups;
  let split = wg.z / u.groups;
  let r0 = wg.x * TM;
  let n0 = wg.y * TN;
  let c0 = g * u.cg;
  let k0 = g * u.kg;
  let mBegin = split * u.chunk;
  let mEnd = min(mBegin + u.chunk, u.m);
  let tx = li % (TN / 4u);
  let ty = li / (TN / 4u);
  var acc: array<vec4<f32>, 4>;
  for (var m0 = mBegin; m0 < mEnd; m0 += TK) {
    // Aᵀ tile, TK × TM: consecutive threads read consecutive channels of one pixel.
    for (var e = li; e < TK * TM; e += NT) {
      let rr = e % TM;
      let mm = e / TM;
      var v = 0.0;
      if (m0 + mm < mEnd && r0 + rr < u.r) { v = gather_x(m0 + mm, r0 + rr, c0); }
      As[mm * TM + rr] = v;
    }
    // dY tile, TK × TN: consecutive threads read consecutive output channels.
    for (var e = li; e < TK * TN; e += NT) {
      let nn = e % TN;
      let mm = e / TN;
      var v = 0.0;
      if (m0 + mm < mEnd && n0 + nn < u.kg) { v = dy[(m0 + mm) * u.k + k0 + n0 + nn]; }
      Bs[mm * TN + nn] = v;
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
    let row = r0 + ty + a * (TM / 4u);
    if (row >= u.r) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let col = n0 + tx + j * (TN / 4u);
      if (col >= u.kg) { continue; }
      out[(split * u.r + row) * u.k + k0 + col] = acc[a][j];
    }
  }`,
  });
  if (s === 1) return out;
  const summed = gpu.run('ReduceSum', { x: out }, { axes: [0] });
  out.dispose();
  const df = summed.reshape(fShape);
  summed.dispose();
  return df;
}
