/// <reference types="@webgpu/types" />
import type { Tensor } from '@convnet-ts/tensor';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { splitIndex } from './nd-index.js';

type ReduceLimits = Pick<
  GPUSupportedLimits,
  'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupSizeX' | 'maxComputeWorkgroupStorageSize'
>;

/** Threads of one tree-reduction workgroup: the largest power of two ≤ 256 the device's limits allow. */
export function reduceThreads(limits: ReduceLimits): number {
  const max = Math.min(256, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX, limits.maxComputeWorkgroupStorageSize / 4);
  return 2 ** Math.floor(Math.log2(Math.max(max, 1)));
}

/**
 * Whether `ReduceSum` of `count` terms into `outputs` values runs as a tree:
 * when each output has at least a workgroup's worth of terms and there are
 * too few outputs (< 2¹⁶) for one thread each to fill a GPU. A rule of sizes,
 * not of GPU models; its break-even is unmeasured until a GPU run.
 */
export function useReduceTree(count: number, outputs: number, threads: number): boolean {
  return count >= threads && outputs < 2 ** 16;
}

/**
 * `ReduceSum` with one workgroup per output value (a 2-D grid, `u.gx`
 * workgroups wide): thread t sums terms t, t + T, t + 2T, … of the reduced
 * axes (the direct kernel's offset walk), then the T partial sums are added
 * pairwise in workgroup memory, log₂ T steps:
 *
 *     y[o] = Σ_t p_t,  p_t = Σ_{j ≡ t (mod T)} x[base(o) + off(j)]
 *
 * `walk` is the WGSL of the direct kernel that turns `j` (with `base`) into
 * `off`; `u32` its uniforms. Returns undefined when the grid does not fit.
 */
export function reduceSumTree(
  gpu: WebGPUBackend,
  x: Tensor,
  y: Tensor,
  rank: number,
  base: string,
  walk: string,
  u32: Readonly<Record<string, number>>,
  threads: number,
): Tensor | undefined {
  const grid = itemGrid(gpu, y.size);
  if (!grid) return undefined;
  const [gx, gy] = grid;
  gpu.dispatch({
    kernel: 'ReduceSum',
    variant: `tree${threads}:rank${rank}`,
    inputs: { x },
    outputs: { y },
    u32: { ...u32, gx },
    threads: y.size,
    workgroups: [gx, gy, 1],
    workgroupSize: threads,
    helpers: treeHelpers(threads, ['partial']),
    body: `  let o = wg.x + wg.y * u.gx;
  let i = min(o, u.threads - 1u);
${splitIndex(rank)}
${base}
  var acc = 0.0;
  for (var j = li; j < u.count; j += NT) {
${walk}
  }
  partial[li] = acc;
${treeCombine('partial', (a, b) => `${a} + ${b}`)}
  if (li == 0u && o < u.threads) { y[o] = partial[0]; }`,
  });
  return y;
}

/**
 * WGSL: combines the NT values of workgroup array `array` pairwise, log₂ NT
 * steps in a fixed order (so the result never varies run to run), leaving
 * the result in `array[0]` for every thread. Every thread of the workgroup
 * must reach it (it holds barriers); `combine` is a WGSL expression of two
 * operands. Reusing `array` afterwards needs a `workgroupBarrier()` first.
 */
export function treeCombine(array: string, combine: (a: string, b: string) => string): string {
  return `  workgroupBarrier();
  for (var s = NT / 2u; s > 0u; s = s >> 1u) {
    if (li < s) { ${array}[li] = ${combine(`${array}[li]`, `${array}[li + s]`)}; }
    workgroupBarrier();
  }`;
}

/** WGSL: the constant NT and one `var<workgroup>` array of NT floats per name. */
export function treeHelpers(threads: number, arrays: readonly string[]): string {
  return [`const NT = ${threads}u;`, ...arrays.map((a) => `var<workgroup> ${a}: array<f32, ${threads}>;`)].join('\n');
}

/** WGSL: max of two values, NaN if either is (the CPU's running-maximum rule). Needs IS_NAN. */
export const NAN_MAX_COMBINE = `
fn combine_max(a: f32, b: f32) -> f32 { if (is_nan(a)) { return a; } if (is_nan(b) || b > a) { return b; } return a; }`;

/** Workgroups `[x, y]` for one workgroup per item (x at most the per-dimension limit), or undefined when they do not fit. */
export function itemGrid(gpu: WebGPUBackend, items: number): [number, number] | undefined {
  const max = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  const gx = Math.max(1, Math.min(items, max));
  const gy = Math.ceil(items / gx);
  return gy > max ? undefined : [gx, gy];
}

/** Rows at least this long (softmax over channels, the softmax loss's derivative) get one workgroup each. */
export const ROW_TREE_MIN = 64;

/** Threads of a row's workgroup: a power of two within the limits, at most the row length. */
export function rowThreads(gpu: WebGPUBackend, length: number): number {
  return Math.min(reduceThreads(gpu.device.limits), 2 ** Math.floor(Math.log2(Math.max(length, 1))));
}

/**
 * WGSL prologue of a row program (one workgroup per row of `u.c` values of
 * `x`, row `r` of `u.rows`; `real` is false for the grid's spare
 * workgroups): the row maximum `m` (NaN if the row holds one, −∞ for a row
 * of −∞) and `sum` = Σ e^(x − m) (0 unless m is finite), both as trees in
 * the workgroup arrays `rmax` and `rsum`. Needs SPECIAL_VALUES, IS_NAN,
 * IS_FINITE and NAN_MAX_COMBINE.
 */
export const ROW_MAX_SUM = `  let row = wg.x + wg.y * u.gx;
  let real = row < u.rows;
  let r = min(row, u.rows - 1u);
  let base = r * u.c;
  var mx = neg_inf();
  for (var k = li; k < u.c; k += NT) { mx = combine_max(mx, x[base + k]); }
  rmax[li] = mx;
${treeCombine('rmax', (a, b) => `combine_max(${a}, ${b})`)}
  let m = rmax[0];
  var acc = 0.0;
  if (is_finite(m)) { for (var k = li; k < u.c; k += NT) { acc += exp(x[base + k] - m); } }
  rsum[li] = acc;
${treeCombine('rsum', (a, b) => `${a} + ${b}`)}
  let sum = rsum[0];`;

/** The shared fields of a row program over `rows` rows of `c`, or undefined when the grid does not fit. */
export function rowProgram(gpu: WebGPUBackend, rows: number, c: number, threads: number, arrays: readonly string[] = ['rmax', 'rsum']) {
  const grid = itemGrid(gpu, rows);
  if (!grid) return undefined;
  return {
    workgroups: [grid[0], grid[1], 1] as const,
    workgroupSize: threads,
    u32: { c, rows, gx: grid[0] },
    arrays: treeHelpers(threads, arrays),
  };
}
