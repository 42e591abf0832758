/** One timed operation of an engine: a function running it once and returning a release function. */
export type Run = () => Promise<() => void>;

/** What an engine does for one row of the table: a run, or why it cannot, and an optional labelled stand-in. */
export interface Task {
  run?: Run;
  /** Why the operation cannot run on this engine (shown in the table). */
  missing?: string;
  /** The equivalent operation the engine does have, timed instead and labelled as such. */
  standIn?: { label: string; run: Run };
  /** How the engine computes the row when that needs saying (e.g. tfjs-wasm's best route), shown in the table. */
  route?: string;
}

/**
 * A library under test (convnet-ts, tfjs-backend-cpu, tfjs-backend-wasm,
 * PyTorch, ONNX Runtime, and later WebGPU engines) at one thread count.
 */
export interface Engine {
  name: string;
  /** The thread count it was asked for (1 for engines that cannot take one). */
  threads: number;
  /** Threads it computes with, and how it got that number (printed at start). */
  threadNote: string;
  /** The task for a row of the table (`W1`, `W2 dzdx`, …), or null when the engine skips the row. */
  task(row: string): Task | null;
  /**
   * Picks the engine's fastest route for a row, untimed, before the row is
   * measured (PyTorch: NCHW or channels_last tensors); returns the route's
   * label for the table, or null where the row has one route.
   */
  prepare?(row: string, quick: boolean): Promise<string | null>;
  /** Makes the engine current before each of its runs, untimed (tfjs: switches the global backend to its own, so no tensor moves between backends). */
  activate?(): Promise<void>;
  /** Sum and sum of absolute values of the row's output (W1's convolution, W2's derivatives, W4's product), untimed: proves every engine computed on the same data. */
  checksum?(row: string): Promise<[number, number] | null>;
  /** Frees the engine's tensors (and child processes). */
  dispose(): void | Promise<void>;
}

/** Sum and sum of absolute values, in float64. */
export function sums(values: ArrayLike<number>): [number, number] {
  let s = 0;
  let a = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    s += v;
    a += Math.abs(v);
  }
  return [s, a];
}
