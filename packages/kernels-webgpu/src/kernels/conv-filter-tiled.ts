import type { ConvGeometry, Shape, Tensor } from '@convnet-ts/tensor';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { convUniforms, GATHER_X } from './conv-tiled.js';
import { addSplits, type ConvTile, type FilterDerivatives, gridFits, splitBiasRow, splitReduction, tiledGemm, tileThreads } from './tiled-gemm.js';

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
 * over the first axis adds them (deterministic: no atomics). With `bias`,
 * A gets a row of ones (r = Hf·Wf·C/G), so the same product also gives the
 * bias derivative Σ_m dY[m, k] (returned as `db`, a view beside df).
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
  bias = false,
): FilterDerivatives | undefined {
  const [n] = x.shape as [number];
  const [, ho, wo, k] = dy.shape as [number, number, number, number];
  const [hf, wf, cg] = fShape as [number, number, number];
  const groups = attrs.groups;
  const kg = k / groups;
  const m = n * ho * wo;
  const r = hf * wf * cg;
  if (m === 0 || r === 0 || kg === 0) return undefined;
  // With the bias row: rows r + 1, the last one A[m, r] = 1, so it sums dY over the pixels.
  const rb = r + (bias ? 1 : 0);
  const { tm, tn, tk } = tile;
  const { splits: s, chunk } = splitReduction(m, Math.ceil(rb / tm) * Math.ceil(kg / tn) * groups, tk);
  const counts = [Math.ceil(rb / tm), Math.ceil(kg / tn), groups * s] as const;
  if (!gridFits(gpu, counts) || s * rb * k * 4 > gpu.maxTensorBytes) return undefined;
  const out = gpu.empty(s > 1 ? [s, rb, k] : [rb, k]);
  const gemm = tiledGemm({
    tile,
    prologue: `  let g = wg.z % u.groups;
  let split = wg.z / u.groups;
  let m0 = wg.x * TM;
  let n0 = wg.y * TN;
  let c0 = g * u.cg;
  let k0 = g * u.kg;`,
    rows: 'u.rb',
    cols: 'u.kg',
    kBegin: 'split * u.chunk',
    kEnd: 'min(split * u.chunk + u.chunk, u.m)',
    // Aᵀ: consecutive threads read consecutive channels of one pixel; dY: consecutive output channels.
    a: { fast: 'mn', scalar: (tap, pixel) => `gather_or_one(${pixel}, ${tap}, c0)` },
    b: { fast: 'mn', scalar: (col, pixel) => `dy[${pixel} * u.k + k0 + ${col}]` },
    store: '      out[(split * u.rb + row) * u.k + k0 + col] = v;',
  });
  const geometry = convUniforms(x.shape, fShape, ho, wo, k, attrs);
  gpu.dispatch({
    kernel: 'ConvBackwardFilter',
    variant: `tiled${tm}x${tn}x${tk}`,
    inputs: { x, dy },
    outputs: { out },
    u32: { ...geometry.u32, m, r, rb, groups, chunk },
    i32: geometry.i32,
    threads: out.size,
    workgroups: counts,
    workgroupSize: tileThreads(tile),
    helpers: `${GATHER_X}
fn gather_or_one(pixel: u32, tap: u32, c0: u32) -> f32 { if (tap >= u.r) { return 1.0; } return gather_x(pixel, tap, c0); }
${gemm.helpers}`,
    body: gemm.body,
  });
  return splitBiasRow(gpu, s === 1 ? out : addSplits(gpu, out, [rb, k]), fShape, bias);
}
