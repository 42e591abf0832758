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
  const max = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  const gx = Math.min(y.size, max);
  const gy = Math.ceil(y.size / gx);
  if (gy > max) return undefined;
  gpu.dispatch({
    kernel: 'ReduceSum',
    variant: `tree${threads}:rank${rank}`,
    inputs: { x },
    outputs: { y },
    u32: { ...u32, gx },
    threads: y.size,
    workgroups: [gx, gy, 1],
    workgroupSize: threads,
    helpers: `const NT = ${threads}u;\nvar<workgroup> partial: array<f32, ${threads}>;`,
    body: `  let o = wg.x + wg.y * u.gx;
  let i = min(o, u.threads - 1u);
${splitIndex(rank)}
${base}
  var acc = 0.0;
  for (var j = li; j < u.count; j += NT) {
${walk}
  }
  partial[li] = acc;
  workgroupBarrier();
  for (var s = NT / 2u; s > 0u; s = s >> 1u) {
    if (li < s) { partial[li] += partial[li + s]; }
    workgroupBarrier();
  }
  if (li == 0u && o < u.threads) { y[o] = partial[0]; }`,
  });
  return y;
}
