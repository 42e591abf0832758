import type { ConvGeometry, Shape, Tensor } from '@convnet-ts/tensor';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { convUniforms } from './conv-tiled.js';
import { type ConvTile, gridFits, GROUP_PROLOGUE, tiledGemm, tileThreads } from './tiled-gemm.js';

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
  const [n, h, w] = xShape as [number, number, number, number];
  const [, ho, wo, k] = dy.shape as [number, number, number, number];
  const [hf, wf, cg] = f.shape as [number, number, number];
  const groups = attrs.groups;
  const kg = k / groups;
  const m = n * h * w;
  const { tm, tn, tk } = tile;
  const counts = [Math.ceil(m / tm), Math.ceil(cg / tn), groups] as const;
  if (!gridFits(gpu, counts)) return undefined;
  const dx = gpu.empty(xShape);
  const gemm = tiledGemm({
    tile,
    prologue: GROUP_PROLOGUE,
    rows: 'u.m',
    cols: 'u.cg',
    kBegin: '0u',
    kEnd: 'u.r',
    // Consecutive threads read consecutive output channels: of one pixel of dy, of one tap and channel of f.
    a: { fast: 'k', scalar: (row, col) => `gather_dy(${row}, ${col}, k0)` },
    b: { fast: 'k', scalar: (d, col) => `f[((${col} / u.kg) * u.cg + ${d}) * u.k + k0 + ${col} % u.kg]` },
    store: '      dx[row * u.c + c0 + col] = v;',
  });
  const geometry = convUniforms(xShape, f.shape, ho, wo, k, attrs);
  gpu.dispatch({
    kernel: 'ConvBackwardData',
    variant: `tiled${tm}x${tn}x${tk}`,
    inputs: { dy, f },
    outputs: { dx },
    u32: { ...geometry.u32, m, r: hf * wf * kg },
    i32: geometry.i32,
    threads: dx.size,
    workgroups: counts,
    workgroupSize: tileThreads(tile),
    helpers: `${GATHER_DY}\n${gemm.helpers}`,
    body: gemm.body,
  });
  return dx;
}
