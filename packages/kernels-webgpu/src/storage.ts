/// <reference types="@webgpu/types" />
import type { Tensor } from '@convnet-ts/tensor';

/**
 * One GPU buffer shared by a tensor and its views (reshapes, contiguous
 * slices). `refs` counts the live tensors that use it; the buffer goes back to
 * the pool when the last of them is disposed, so a view keeps its parent's
 * memory alive and either can be disposed first.
 */
export interface SharedBuffer {
  readonly buffer: GPUBuffer;
  /** float32 elements the owning tensor asked for (the buffer may be larger: pool buckets). */
  readonly elements: number;
  refs: number;
}

/** A WebGPU tensor's storage: a shared buffer and the element offset where the tensor starts. */
export interface GpuStorage {
  readonly shared: SharedBuffer;
  /** Offset in float32 elements. */
  readonly offset: number;
}

export function storageOf(t: Tensor): GpuStorage {
  return t.storage as GpuStorage;
}
