import type { ConvGeometry, Shape, Tensor } from '@convnet-ts/tensor';
import type { Program } from '../program.js';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { gemmProgram, gemmSplit } from './gemm.js';
import { type ConvTile, type FilterDerivatives, splitBiasRow } from './tiled-gemm.js';

/**
 * A convolution that is a plain matrix product of x's rows: `rows` rows of
 * `width` values (`lda` apart), each group's `cg` columns starting at g·cg.
 *
 * - 1×1 filter, stride 1, no padding: a row is a pixel (N·H·W rows of C values).
 * - fully connected (one group, no padding, the filter covers the whole input,
 *   so H″ = W″ = 1): a row is an image (N rows of H·W·C values, f's own layout).
 */
export interface GemmLayout {
  rows: number;
  lda: number;
  /** Reduction length per group: C/G for 1×1, H·W·C for fully connected. */
  cg: number;
}

/** The plain-GEMM layout of this convolution, or undefined when it needs the im2row gather. */
export function gemmLayout(xShape: Shape, fShape: Shape, g: ConvGeometry): GemmLayout | undefined {
  const [n, h, w, c] = xShape as [number, number, number, number];
  const [hf, wf, cg] = fShape as [number, number, number];
  const unpadded = g.pad.every((p) => p === 0);
  if (!unpadded) return undefined;
  if (hf === 1 && wf === 1 && g.stride[0] === 1 && g.stride[1] === 1) return { rows: n * h * w, lda: c, cg };
  if (g.groups === 1 && hf === h && wf === w && g.dilate[0] === 1 && g.dilate[1] === 1) return { rows: n, lda: h * w * c, cg: h * w * c };
  return undefined;
}

/**
 * Forward (manual §4.1, §4.2 for fully connected): per group,
 * Y_g = X_g · F_g (+ b_g), X_g the layout's rows restricted to the group's
 * columns, F_g = f[…, g·K/G : (g+1)·K/G] as a (C/G or H·W·C) × K/G matrix of
 * row stride K. With `relu`, also writes max(y, 0) there.
 */
export function convGemmProgram(gpu: WebGPUBackend, x: Tensor, f: Tensor, b: Tensor | null, y: Tensor, layout: GemmLayout, groups: number, tile: ConvTile, relu?: Tensor): Program | undefined {
  const k = f.shape[3]!;
  const kg = k / groups;
  return gemmProgram(
    gpu,
    'Conv',
    {
      m: layout.rows,
      n: kg,
      kd: layout.cg,
      groups,
      a: { tensor: x, ld: layout.lda, offset: 0, groupStride: layout.cg, trans: false },
      b: { tensor: f, ld: k, offset: 0, groupStride: kg, trans: false },
      c: { tensor: y, ld: k, groupStride: kg, splitStride: 0 },
      ...(b ? { bias: { tensor: b, groupStride: kg } } : {}),
      ...(relu ? { relu } : {}),
    },
    tile,
  );
}

/** Data derivative (manual §6.1): dX_g = dY_g · F_gᵀ, written into the group's columns of dx. */
export function convDataGemm(gpu: WebGPUBackend, dy: Tensor, f: Tensor, xShape: Shape, layout: GemmLayout, groups: number, tile: ConvTile): Tensor | undefined {
  const k = f.shape[3]!;
  const kg = k / groups;
  const dx = gpu.empty(xShape);
  const p = gemmProgram(
    gpu,
    'ConvBackwardData',
    {
      m: layout.rows,
      n: layout.cg,
      kd: kg,
      groups,
      a: { tensor: dy, ld: k, offset: 0, groupStride: kg, trans: false },
      b: { tensor: f, ld: k, offset: 0, groupStride: kg, trans: true },
      c: { tensor: dx, ld: layout.lda, groupStride: layout.cg, splitStride: 0 },
    },
    tile,
  );
  if (!p) {
    dx.dispose();
    return undefined;
  }
  gpu.dispatch(p);
  return dx;
}

/**
 * Filter derivative (manual §6.1): dF_g = X_gᵀ · dY_g, the row sum split when
 * the filter gives few workgroups. With `bias`, Xᵀ gets a row of ones, so the
 * same product gives db = Σ dY (see `splitBiasRow`).
 */
export function convFilterGemm(
  gpu: WebGPUBackend,
  x: Tensor,
  dy: Tensor,
  fShape: Shape,
  layout: GemmLayout,
  groups: number,
  tile: ConvTile,
  bias = false,
): FilterDerivatives | undefined {
  const k = fShape[3]!;
  const kg = k / groups;
  if (layout.rows === 0) return undefined;
  const r = fShape.slice(0, 3).reduce((p, d) => p * d, 1);
  const full = gemmSplit(
    gpu,
    'ConvBackwardFilter',
    [r + (bias ? 1 : 0), k],
    {
      m: layout.cg,
      n: kg,
      kd: layout.rows,
      groups,
      a: { tensor: x, ld: layout.lda, offset: 0, groupStride: layout.cg, trans: true },
      b: { tensor: dy, ld: k, offset: 0, groupStride: kg, trans: false },
      c: { ld: k, groupStride: kg },
      onesRow: bias,
    },
    tile,
  );
  return full && splitBiasRow(gpu, full, fShape, bias);
}
