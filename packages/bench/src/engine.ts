/** One timed operation of an engine: a function running it once and returning a release function. */
export type Run = () => Promise<() => void>;

/** What an engine does for one row of the table: a run, or why it cannot, and an optional labelled stand-in. */
export interface Task {
  run?: Run;
  /** Why the operation cannot run on this engine (shown in the table). */
  missing?: string;
  /** The equivalent operation the engine does have, timed instead and labelled as such. */
  standIn?: { label: string; run: Run };
}

/** A library under test (convnet-ts, tfjs-backend-cpu, tfjs-backend-wasm). */
export interface Engine {
  name: string;
  /** Threads it computes with, and how it got that number. */
  threads: string;
  /** The task for a row of the table (`W1`, `W2 dzdx`, …), or null when the engine skips the row. */
  task(row: string): Task | null;
  /** Makes the engine current before each of its runs, untimed (tfjs: switches the global backend to its own, so no tensor moves between backends). */
  activate?(): Promise<void>;
  /** Frees the engine's tensors. */
  dispose(): void;
}
