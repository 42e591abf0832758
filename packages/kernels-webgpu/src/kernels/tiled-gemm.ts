/// <reference types="@webgpu/types" />
import type { Shape, Tensor } from '@convnet-ts/tensor';
import { storageOf } from '../storage.js';
import type { WebGPUBackend } from '../webgpu-backend.js';

/**
 * A workgroup tile of a matrix product C = A·B: `tm` rows × `tn` columns of
 * C, the reduction walked `tk` at a time; each thread owns a 4 × 4 register
 * tile (4 consecutive rows × 4 consecutive columns), so a workgroup has
 * `(tm/4)·(tn/4)` threads and holds `(tm + tn)·tk` floats of workgroup memory.
 */
export interface ConvTile {
  tm: number;
  tn: number;
  tk: number;
}

/** Largest first; the first that fits the device's limits is used. `tk` is a multiple of 4 (vec4 loads along the reduction). */
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
 * How one operand tile is read from global memory. `fast` names the tile
 * index that consecutive threads step through (the one contiguous in
 * memory): `'mn'` the row of A / column of B, `'k'` the reduction index.
 * `scalar(i, k)` is a WGSL f32 expression for the element at global row (or
 * column) `i` and reduction index `k`, both in bounds; `vec4`, when given,
 * reads the 4 elements from (i, k) along `fast` as one vec4 (the caller
 * guarantees alignment and that the bound along `fast` is a multiple of 4).
 */
export interface TileOperand {
  fast: 'mn' | 'k';
  scalar: (i: string, k: string) => string;
  vec4?: (i: string, k: string) => string;
}

/**
 * The parts of one tiled product that differ between kernels; everything
 * else — tile loads into workgroup memory, the 4 × 4 register accumulation,
 * the epilogue loop — is `tiledGemm`'s.
 */
export interface TiledGemmSpec {
  tile: ConvTile;
  /** WGSL statements defining `m0`, `n0` (the tile's first row and column) and whatever the loads and the store use. */
  prologue: string;
  /** WGSL bounds: rows of C, columns of C, and the reduction range [kBegin, kEnd). */
  rows: string;
  cols: string;
  kBegin: string;
  kEnd: string;
  a: TileOperand;
  b: TileOperand;
  /** WGSL statements storing f32 `v` at C[row, col] (in bounds). */
  store: string;
  /** WGSL statements storing vec4 `v4` at C[row, col..col+3]; used when `cols` is a multiple of 4. */
  store4?: string;
}

/**
 * WGSL of a tiled product C[m, n] = Σ_k A[m, k]·B[k, n]: workgroup memory
 * declarations (`helpers`) and the body of `main`. Per reduction step the
 * workgroup loads A's TM × TK and B's TK × TN tiles (0 outside the bounds),
 * then each thread adds its 4 × 4 outer products from vec4 reads of
 * workgroup memory: As[k][i], Bs[k][j] with 4 consecutive rows/columns per
 * vec4.
 */
export function tiledGemm(spec: TiledGemmSpec): { helpers: string; body: string } {
  const { tm, tn, tk } = spec.tile;
  const threads = tileThreads(spec.tile);
  const helpers = `const TM = ${tm}u;
const TN = ${tn}u;
const TK = ${tk}u;
const NT = ${threads}u;
var<workgroup> As: array<vec4<f32>, ${(tm * tk) / 4}>;
var<workgroup> Bs: array<vec4<f32>, ${(tn * tk) / 4}>;`;
  const store = spec.store4
    ? `  for (var a = 0u; a < 4u; a++) {
    let row = m0 + ty * 4u + a;
    let col = n0 + tx * 4u;
    if (row >= ${spec.rows} || col >= ${spec.cols}) { continue; }
    let v4 = acc[a];
${spec.store4}
  }`
    : `  for (var a = 0u; a < 4u; a++) {
    let row = m0 + ty * 4u + a;
    if (row >= ${spec.rows}) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let col = n0 + tx * 4u + j;
      if (col >= ${spec.cols}) { continue; }
      let v = acc[a][j];
${spec.store}
    }
  }`;
  const body = `${spec.prologue}
  let kBegin = ${spec.kBegin};
  let kEnd = ${spec.kEnd};
  let tx = li % (TN / 4u);
  let ty = li / (TN / 4u);
  var acc: array<vec4<f32>, 4>;
  for (var kt = kBegin; kt < kEnd; kt += TK) {
${loadTile('As', 'TM', 'm0', spec.rows, spec.a)}
${loadTile('Bs', 'TN', 'n0', spec.cols, spec.b)}
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let av = As[kk * (TM / 4u) + ty];
      let bv = Bs[kk * (TN / 4u) + tx];
      acc[0] += av.x * bv;
      acc[1] += av.y * bv;
      acc[2] += av.z * bv;
      acc[3] += av.w * bv;
    }
    workgroupBarrier();
  }
${store}`;
  return { helpers, body };
}

/** WGSL loading one operand tile (`span` rows or columns from `first`, TK reduction steps from kt) into `dst[k][i]`. */
function loadTile(dst: string, span: string, first: string, bound: string, op: TileOperand): string {
  const slot = (k: string, i: string) => `${dst}[(${k}) * (${span} / 4u) + (${i}) / 4u][(${i}) % 4u]`;
  if (op.vec4 && op.fast === 'mn') {
    return `    for (var e = li; e < TK * ${span} / 4u; e += NT) {
      let iq = e % (${span} / 4u);
      let kk = e / (${span} / 4u);
      let gi = ${first} + iq * 4u;
      let gk = kt + kk;
      var v = vec4<f32>();
      if (gi < ${bound} && gk < kEnd) { v = ${op.vec4('gi', 'gk')}; }
      ${dst}[kk * (${span} / 4u) + iq] = v;
    }`;
  }
  if (op.vec4) {
    return `    for (var e = li; e < TK * ${span} / 4u; e += NT) {
      let kq = e % (TK / 4u);
      let ii = e / (TK / 4u);
      let gi = ${first} + ii;
      let gk = kt + kq * 4u;
      var v = vec4<f32>();
      if (gi < ${bound} && gk < kEnd) { v = ${op.vec4('gi', 'gk')}; }
      for (var c = 0u; c < 4u; c++) { ${slot('kq * 4u + c', 'ii')} = v[c]; }
    }`;
  }
  const [fastIndex, slowIndex, fastSpan] = op.fast === 'k' ? ['kk', 'ii', 'TK'] : ['ii', 'kk', span];
  return `    for (var e = li; e < TK * ${span}; e += NT) {
      let ${fastIndex} = e % ${fastSpan};
      let ${slowIndex} = e / ${fastSpan};
      let gi = ${first} + ii;
      let gk = kt + kk;
      var v = 0.0;
      if (gi < ${bound} && gk < kEnd) { v = ${op.scalar('gi', 'gk')}; }
      ${slot('kk', 'ii')} = v;
    }`;
}

/** Workgroups the split of a long reduction aims for (a rule of sizes, unmeasured until a GPU run). */
const TARGET_WORKGROUPS = 512;
/** Each split walks at least this many reduction tiles. */
const MIN_STEPS_PER_SPLIT = 8;

/**
 * Splits a reduction of `length` terms into `splits` contiguous chunks of
 * `chunk` terms (a multiple of `tk`) when the output gives only `tiles`
 * workgroups, so the grid fills the GPU; the partial results are then added
 * by one `ReduceSum` (deterministic, no atomics).
 */
export function splitReduction(length: number, tiles: number, tk: number): { splits: number; chunk: number } {
  const wanted = Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / tiles), Math.floor(length / (tk * MIN_STEPS_PER_SPLIT))));
  const chunk = Math.ceil(length / wanted / tk) * tk;
  return { splits: Math.ceil(length / chunk), chunk };
}

/** The sum over the first axis of split partials [S, …shape] (one `ReduceSum`), reshaped to `shape`; `partials` is disposed. */
export function addSplits(gpu: WebGPUBackend, partials: Tensor, shape: Shape): Tensor {
  const summed = gpu.run('ReduceSum', { x: partials }, { axes: [0] });
  partials.dispose();
  const result = summed.reshape(shape);
  summed.dispose();
  return result;
}

/** Whether a workgroup grid fits the device's `maxComputeWorkgroupsPerDimension`. */
export function gridFits(gpu: WebGPUBackend, counts: readonly number[]): boolean {
  const max = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  return counts.every((v) => v <= max);
}

/** WGSL prologue of a grouped convolution product: group g = wg.z, the tile's corner (m0, n0), the group's first input (c0) and output (k0) channels. */
export const GROUP_PROLOGUE = `  let g = wg.z;
  let m0 = wg.x * TM;
  let n0 = wg.y * TN;
  let c0 = g * u.cg;
  let k0 = g * u.kg;`;

/** A filter derivative and, when its product had the row of ones, the bias derivative beside it. */
export interface FilterDerivatives {
  df: Tensor;
  db: Tensor | null;
}

/**
 * `full` [R + 1, K] (R = Hf·Wf·C/G, row R the bias derivative Σ dY) as two
 * views: df in `fShape` and db [1, 1, 1, K] (the shape `ReduceSum` over the
 * first three axes gives); `full` itself is disposed. Without the row, df is `full`.
 */
export function splitBiasRow(gpu: WebGPUBackend, full: Tensor, fShape: Shape, bias: boolean): FilterDerivatives {
  if (!bias) {
    const df = full.reshape(fShape);
    full.dispose();
    return { df, db: null };
  }
  const { shared, offset } = storageOf(full);
  const r = fShape.slice(0, 3).reduce((p, d) => p * d, 1);
  const k = fShape[3]!;
  const df = gpu.view(shared, offset, fShape);
  const db = gpu.view(shared, offset + r * k, [1, 1, 1, k]);
  full.dispose();
  return { df, db };
}
