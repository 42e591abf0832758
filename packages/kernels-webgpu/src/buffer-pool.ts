/// <reference types="@webgpu/types" />
import { BufferUsage } from './usage.js';

/** Smallest bucket: 256 bytes, the usual `minStorageBufferOffsetAlignment`. */
const MIN_BUCKET = 256;

/**
 * Storage buffers recycled by size bucket (powers of two from 256 bytes), so
 * a training loop that makes the same shapes every step allocates nothing
 * after the first. Buffers are only destroyed by `clear()`.
 */
export class BufferPool {
  readonly #device: GPUDevice;
  readonly #free = new Map<number, GPUBuffer[]>();
  #allocatedBytes = 0;
  #pooledBytes = 0;

  constructor(device: GPUDevice) {
    this.#device = device;
  }

  /** The bucket size that serves a request of `bytes`. */
  static bucketOf(bytes: number): number {
    let b = MIN_BUCKET;
    while (b < bytes) b *= 2;
    return b;
  }

  /** A buffer of at least `bytes` (usage STORAGE | COPY_SRC | COPY_DST): a pooled one when a bucket has one. */
  acquire(bytes: number, label: string): GPUBuffer {
    const size = BufferPool.bucketOf(bytes);
    const reused = this.#free.get(size)?.pop();
    if (reused) {
      this.#pooledBytes -= size;
      return reused;
    }
    this.#allocatedBytes += size;
    return this.#device.createBuffer({
      label,
      size,
      usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
  }

  /** Returns a buffer to its bucket for reuse. */
  release(buffer: GPUBuffer): void {
    const size = buffer.size;
    let list = this.#free.get(size);
    if (!list) {
      list = [];
      this.#free.set(size, list);
    }
    list.push(buffer);
    this.#pooledBytes += size;
  }

  /** Destroys every pooled (unused) buffer. */
  clear(): void {
    for (const list of this.#free.values()) for (const b of list) b.destroy();
    this.#allocatedBytes -= this.#pooledBytes;
    this.#pooledBytes = 0;
    this.#free.clear();
  }

  /** Bytes of every buffer this pool made and has not destroyed (in use or pooled). */
  get allocatedBytes(): number {
    return this.#allocatedBytes;
  }

  /** Bytes of the buffers waiting in buckets. */
  get pooledBytes(): number {
    return this.#pooledBytes;
  }

  /** Forgets a buffer that was destroyed while in use (backend disposal). */
  forget(buffer: GPUBuffer): void {
    this.#allocatedBytes -= buffer.size;
  }
}
