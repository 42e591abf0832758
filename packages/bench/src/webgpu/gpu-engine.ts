/** What one run of a row leaves: its result, to read back or release. */
export interface GpuResult {
  /** Reads the result back to the host (waits for the GPU work that makes it). */
  read(): Promise<Float32Array>;
  release(): void;
}

/** Dispatches and queue submissions counted over one run. */
export interface GpuCounts {
  dispatches: number;
  submissions: number;
}

/** A library under test on a WebGPU device (convnet-ts, tfjs-backend-webgpu). */
export interface GpuEngine {
  name: string;
  /** The adapter its device came from, in words. */
  adapter: string;
  /** Encodes one run of `row` (`W1`, `W2 dzdx`, …, `AlexNet`) and returns its result, or null when the engine has no such operation. */
  op(row: string): (() => GpuResult) | null;
  /** Submits everything encoded and waits until the device's queue has finished it (no read-back). */
  settle(): Promise<void>;
  /** Zeroes the counts, then `counts()` gives those of the runs since. */
  resetCounts(): void;
  counts(): GpuCounts;
  /** Where the counts come from, for the table. */
  countsSource: string;
  /** Makes the engine current before its runs (tfjs: its global backend), untimed. */
  activate?(): Promise<void>;
  dispose(): void;
}
