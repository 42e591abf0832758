import type { Tensor } from '@convnet-ts/tensor';
import type { Program } from '../program.js';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { type ConvTile, addSplits, splitReduction, gridFits, tiledGemm, tileThreads } from './tiled-gemm.js';
import { IS_POSITIVE } from './wgsl.js';

/**
 * One operand of a strided matrix product: element (i, k) of A (or (k, j) of
 * B) of group g sits at `offset + g·groupStride + i·ld + k` (`trans`: at
 * `offset + g·groupStride + k·ld + i`) of `tensor`.
 */
export interface GemmOperand {
  tensor: Tensor;
  ld: number;
  offset: number;
  groupStride: number;
  trans: boolean;
}

/** Where C[i, j] of group g (and split s) goes: `s·splitStride + g·groupStride + i·ld + j` of `tensor`. */
export interface GemmOutput {
  tensor: Tensor;
  ld: number;
  groupStride: number;
  splitStride: number;
}

/**
 * C_g = A_g · B_g (+ bias_g) for g < groups, m × n, reduction over kd, as a
 * plain tiled GEMM (no im2row index arithmetic): the 1×1 convolution and
 * the fully connected layer, forward and both derivatives.
 */
export interface GemmArgs {
  m: number;
  n: number;
  kd: number;
  groups: number;
  a: GemmOperand;
  b: GemmOperand;
  c: GemmOutput;
  /** bias[g·groupStride + j] added to column j. */
  bias?: { tensor: Tensor; groupStride: number };
  /** A second output r = max(C, 0) (the Relu kernel's leak-0 rule), written by the same threads. */
  relu?: Tensor;
  /** The reduction split into `splits` chunks of `chunk` (a multiple of the tile's tk); chunk s goes to split s of C. */
  splits?: { splits: number; chunk: number };
  /** A has an extra row m of ones, so C's row m is Σ_k B[k, j] (the bias derivative beside the filter's). */
  onesRow?: boolean;
}

const aligned = (...v: number[]) => v.every((x) => x % 4 === 0);

/** vec4 loads of an operand are used when every index it reads along its contiguous axis starts on a multiple of 4. */
function operandVec4(op: GemmOperand, fastBound: number): boolean {
  return aligned(op.ld, op.offset, op.groupStride, fastBound, op.tensor.size);
}

/**
 * The program of a strided GEMM (see `GemmArgs`), or undefined when the grid
 * exceeds the device's per-dimension limit. vec4 loads along each operand's
 * contiguous axis (the reduction for an untransposed A, the column for an
 * untransposed B) and vec4 stores where every offset and bound is a multiple
 * of 4; scalar otherwise. Workgroups: x over row tiles, y over column tiles,
 * z over groups × splits.
 */
export function gemmProgram(gpu: WebGPUBackend, kernel: string, args: GemmArgs, tile: ConvTile): Program | undefined {
  const { m, n, kd, groups, a, b, c, bias, relu } = args;
  const mb = m + (args.onesRow ? 1 : 0);
  const split = args.splits ?? { splits: 1, chunk: kd };
  const { tm, tn, tk } = tile;
  const counts = [Math.ceil(mb / tm), Math.ceil(n / tn), groups * split.splits] as const;
  if (!gridFits(gpu, counts)) return undefined;
  const vecA = !args.onesRow && operandVec4(a, a.trans ? m : kd) && aligned(split.chunk);
  const vecB = operandVec4(b, b.trans ? kd : n) && aligned(split.chunk);
  const vecC =
    aligned(c.ld, c.groupStride, c.splitStride, n, c.tensor.size) && (!bias || aligned(bias.groupStride, bias.tensor.size)) && (!relu || aligned(relu.size));
  const atA = (i: string, k: string) => (a.trans ? `abase + ${k} * u.lda + ${i}` : `abase + ${i} * u.lda + ${k}`);
  const atB = (j: string, k: string) => (b.trans ? `bbase + ${j} * u.ldb + ${k}` : `bbase + ${k} * u.ldb + ${j}`);
  const relu1 = relu ? '\n      r[idx] = bitcast<f32>(select(0u, bitcast<u32>(out), is_positive(out)));' : '';
  const relu4 = relu
    ? `\n    r[idx / 4u] = vec4<f32>(${[0, 1, 2, 3].map((e) => `bitcast<f32>(select(0u, bitcast<u32>(out[${e}]), is_positive(out[${e}])))`).join(', ')});`
    : '';
  const { helpers, body } = tiledGemm({
    tile,
    prologue: `  let g = wg.z % u.groups;
  let s = wg.z / u.groups;
  let m0 = wg.x * TM;
  let n0 = wg.y * TN;
  let abase = u.aoff + g * u.ag;
  let bbase = u.boff + g * u.bg;
  let cbase = s * u.cs + g * u.cg;`,
    rows: 'u.mb',
    cols: 'u.n',
    kBegin: 's * u.chunk',
    kEnd: 'min(s * u.chunk + u.chunk, u.kd)',
    a: {
      fast: a.trans ? 'mn' : 'k',
      scalar: (i, k) => (args.onesRow ? `a_or_one(${i}, ${atA(i, k)})` : `a[${atA(i, k)}]`),
      vec4: vecA ? (i, k) => `a[(${atA(i, k)}) / 4u]` : undefined,
    },
    b: {
      fast: b.trans ? 'k' : 'mn',
      scalar: (j, k) => `b[${atB(j, k)}]`,
      vec4: vecB ? (j, k) => `b[(${atB(j, k)}) / 4u]` : undefined,
    },
    store: `      let idx = cbase + row * u.ldc + col;
      let out = v${bias ? ' + bias[g * u.biasg + col]' : ''};
      c[idx] = out;${relu1}`,
    store4: vecC
      ? `    let idx = cbase + row * u.ldc + col;
    let out = v4${bias ? ' + bias[(g * u.biasg + col) / 4u]' : ''};
    c[idx / 4u] = out;${relu4}`
      : undefined,
  });
  const vec4: string[] = [...(vecA ? ['a'] : []), ...(vecB ? ['b'] : []), ...(vecC ? ['c', ...(bias ? ['bias'] : []), ...(relu ? ['r'] : [])] : [])];
  const flags = `${args.onesRow ? '1' : ''}${a.trans ? 'At' : 'A'}${vecA ? '4' : ''}${b.trans ? 'Bt' : 'B'}${vecB ? '4' : ''}C${vecC ? '4' : ''}`;
  return {
    kernel,
    variant: `gemm${tm}x${tn}x${tk}:${flags}:${bias ? 'bias' : 'nobias'}:${relu ? 'relu' : 'linear'}`,
    inputs: bias ? { a: a.tensor, b: b.tensor, bias: bias.tensor } : { a: a.tensor, b: b.tensor },
    outputs: relu ? { c: c.tensor, r: relu } : { c: c.tensor },
    vec4,
    u32: {
      m,
      mb,
      n,
      kd,
      groups,
      chunk: split.chunk,
      lda: a.ld,
      ldb: b.ld,
      ldc: c.ld,
      aoff: a.offset,
      boff: b.offset,
      ag: a.groupStride,
      bg: b.groupStride,
      cg: c.groupStride,
      cs: c.splitStride,
      biasg: bias?.groupStride ?? 0,
    },
    threads: c.tensor.size,
    workgroups: counts,
    workgroupSize: tileThreads(tile),
    helpers: `${relu ? IS_POSITIVE : ''}${args.onesRow ? '\nfn a_or_one(i: u32, index: u32) -> f32 { if (i >= u.m) { return 1.0; } return a[index]; }' : ''}\n${helpers}`,
    body,
  };
}

/**
 * A strided GEMM whose reduction is split (as `splitReduction` decides) when
 * the output gives few workgroups: the partials [S, …shape] are added by one
 * `ReduceSum`. Returns the product of `shape`, or undefined when the grid
 * does not fit.
 */
export function gemmSplit(
  gpu: WebGPUBackend,
  kernel: string,
  shape: readonly number[],
  args: Omit<GemmArgs, 'c' | 'splits'> & { c: Omit<GemmOutput, 'tensor' | 'splitStride'> },
  tile: ConvTile,
): Tensor | undefined {
  const size = shape.reduce((p, d) => p * d, 1);
  const tiles = Math.ceil((args.m + (args.onesRow ? 1 : 0)) / tile.tm) * Math.ceil(args.n / tile.tn) * args.groups;
  const splits = splitReduction(args.kd, tiles, tile.tk);
  if (splits.splits * size * 4 > gpu.maxTensorBytes) return undefined;
  const out = gpu.empty(splits.splits > 1 ? [splits.splits, ...shape] : shape);
  const p = gemmProgram(gpu, kernel, { ...args, c: { ...args.c, tensor: out, splitStride: size }, splits }, tile);
  if (!p) {
    out.dispose();
    return undefined;
  }
  gpu.dispatch(p);
  return splits.splits === 1 ? out : addSplits(gpu, out, shape);
}
