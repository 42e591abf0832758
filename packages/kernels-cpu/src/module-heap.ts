/**
 * Blocks of a WebAssembly memory, for the GEMM module's scratch, its
 * operand arena and the float32 tensors that live in the module's memory
 * (module-arrays.ts). First fit over an address-ordered free list that
 * coalesces neighbours; the memory grows (through `grow`, which may throw a
 * `BackendError`) when no free block fits, by at least an eighth of its size
 * so that growing is rare. Blocks are `ALIGN` bytes aligned, so v128 loads
 * of a block's start are aligned and two blocks never share a cache line.
 */
export const ALIGN = 64;

export class ModuleHeap {
  /** Free blocks by address: starts and lengths in bytes, parallel arrays. */
  #freeAt: number[] = [];
  #freeBytes: number[] = [];
  /** Allocated blocks: start → length in bytes. */
  #used = new Map<number, number>();
  #end: number;
  readonly #grow: (bytes: number) => number;

  /**
   * A heap over bytes `[start, end)` of a memory, `end` its size now; `grow(bytes)` makes the memory
   * at least `bytes` long and returns its new size.
   */
  constructor(start: number, end: number, grow: (bytes: number) => number) {
    const at = roundUp(start);
    this.#end = end;
    this.#grow = grow;
    if (end > at) this.#insertFree(at, end - at);
    else this.#end = at;
  }

  /** The start of a new block of at least `bytes` bytes (not zeroed). */
  alloc(bytes: number): number {
    const size = roundUp(Math.max(bytes, 1));
    for (let i = 0; i < this.#freeAt.length; i++) {
      if (this.#freeBytes[i]! >= size) return this.#take(i, size);
    }
    // None fits: grow, merging with a free block that ends at the memory's end.
    const last = this.#freeAt.length - 1;
    const tail = last >= 0 && this.#freeAt[last]! + this.#freeBytes[last]! === this.#end ? this.#freeBytes[last]! : 0;
    const want = this.#end + Math.max(size - tail, Math.ceil(this.#end / 8 / ALIGN) * ALIGN);
    const oldEnd = this.#end;
    this.#end = this.#grow(want);
    this.#insertFree(oldEnd, this.#end - oldEnd);
    const i = this.#freeAt.length - 1;
    return this.#take(i, size);
  }

  /** Gives block `at` back (a `RangeError` for an address that is not a live block's start). */
  free(at: number): void {
    const size = this.#used.get(at);
    if (size === undefined) throw new RangeError(`ModuleHeap.free: ${at} is not the start of a live block`);
    this.#used.delete(at);
    this.#insertFree(at, size);
  }

  /** The length in bytes of live block `at`, or undefined. */
  sizeOf(at: number): number | undefined {
    return this.#used.get(at);
  }

  /** Bytes in live blocks. */
  get usedBytes(): number {
    let s = 0;
    for (const b of this.#used.values()) s += b;
    return s;
  }

  /** Free blocks (for tests: coalescing leaves no two adjacent). */
  freeBlocks(): { at: number; bytes: number }[] {
    return this.#freeAt.map((at, i) => ({ at, bytes: this.#freeBytes[i]! }));
  }

  #take(i: number, size: number): number {
    const at = this.#freeAt[i]!;
    const rest = this.#freeBytes[i]! - size;
    if (rest === 0) {
      this.#freeAt.splice(i, 1);
      this.#freeBytes.splice(i, 1);
    } else {
      this.#freeAt[i] = at + size;
      this.#freeBytes[i] = rest;
    }
    this.#used.set(at, size);
    return at;
  }

  /** Inserts `[at, at + bytes)` into the free list, merged with the free blocks it touches. */
  #insertFree(at: number, bytes: number): void {
    if (bytes <= 0) return;
    const starts = this.#freeAt;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    let start = at;
    let size = bytes;
    let i = lo;
    if (i > 0 && starts[i - 1]! + this.#freeBytes[i - 1]! === at) {
      i--;
      start = starts[i]!;
      size += this.#freeBytes[i]!;
      starts.splice(i, 1);
      this.#freeBytes.splice(i, 1);
    }
    if (i < starts.length && starts[i] === start + size) {
      size += this.#freeBytes[i]!;
      starts.splice(i, 1);
      this.#freeBytes.splice(i, 1);
    }
    starts.splice(i, 0, start);
    this.#freeBytes.splice(i, 0, size);
  }
}

function roundUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}
