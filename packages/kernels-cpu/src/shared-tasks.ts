/**
 * Tasks the GEMM workers run on tensors' own arrays, where those live on a
 * SharedArrayBuffer (cpu-backend.ts gives large float32 tensors one when the
 * backend has more than one thread and the workers can take a message
 * synchronously: Node's `receiveMessageOnPort`). Each task is a
 * self-contained function (no imports, no closure: its source is shipped to
 * the workers inside their script, as js-tasks.ts's are) of one message (the
 * operands as Float32Arrays, structured-cloned: the same memory), the
 * thread's module exports and the module memory's buffer.
 *
 * V8 reads and writes float32 elements of a SharedArrayBuffer about 1.5×
 * slower in a JavaScript loop than those of an ArrayBuffer (axpby on 37.7 M
 * floats 140 vs 92 ms, a copy loop 100 vs 65 ms; int32 elements and
 * `TypedArray.set` run at the same speed on both), so the maps do not loop
 * in JavaScript: each thread copies its own range of the operands (elements
 * of the maps, images of pooling) into its own part of the module's memory
 * with `set`, runs the module's task export there (`rows_map_task`,
 * `pool_max_images`, …), and copies its outputs back, in passes that stay
 * in L2. An operand that is one of the module's resident arrays
 * (module-arrays.ts; a mix of resident and other shared tensors) is read or
 * written in place instead: each pass points the task block's words at its
 * own units. Each unit is computed as on the calling thread's route
 * (rows-wasm.ts's `mapWasm`, pool-wasm.ts), so any split gives the same bits.
 */

/** One operand of a shared task: its whole array and where this thread's pass of it sits in the module's memory. */
export interface SharedOperand {
  data: Float32Array;
  /** Floats per unit (an element of a map, an image of pooling). */
  per: number;
  /** This thread's place for it in the module's memory (a float index), where it is not resident. */
  at: number;
  /** Its element offset in the module's memory where it is resident (read and written there, never copied), else -1. */
  resident: number;
  /** The task block's words that hold its byte address (set each pass where it is resident). */
  words: number[];
}

/**
 * A task over units `[first, end)` (elements or images) in passes of `pass`
 * units: each pass copies the inputs' units into the module's memory (or
 * zeroes the output's place, `zero`), runs the export `op` on the task
 * block at byte `block` (int32 `words`, word `countWord` set to the pass's
 * units; float64 `floats` from byte 32), and copies the output's units back;
 * resident operands are used where they are.
 */
export interface SharedPassMessage {
  /** The task's index in the workers' table (`sharedTasksSource`): 0, `sharedPassTask`. */
  task: 0;
  op: string;
  first: number;
  end: number;
  pass: number;
  inputs: SharedOperand[];
  output: SharedOperand;
  zero: boolean;
  block: number;
  words: number[];
  countWord: number;
  floats: number[];
}

/** The module's task exports by name, as a shared task calls them. */
export type SharedTaskExports = Record<string, (block: number) => void>;

/** `SharedPassMessage`'s passes on this thread (the module's exports and its memory's buffer). */
export function sharedPassTask(m: SharedPassMessage, wasm: SharedTaskExports, buffer: ArrayBufferLike): void {
  const heap = new Float32Array(buffer);
  const words = new Int32Array(buffer, m.block, m.words.length);
  words.set(m.words);
  if (m.floats.length > 0) new Float64Array(buffer, m.block + 32, m.floats.length).set(m.floats);
  const o = m.output;
  for (let u = m.first; u < m.end; u += m.pass) {
    const count = Math.min(m.pass, m.end - u);
    for (const a of m.inputs) {
      if (a.resident >= 0) for (const w of a.words) words[w] = 4 * (a.resident + u * a.per);
      else heap.set(a.data.subarray(u * a.per, (u + count) * a.per), a.at);
    }
    const outAt = o.resident >= 0 ? o.resident + u * o.per : o.at;
    if (o.resident >= 0) for (const w of o.words) words[w] = 4 * outAt;
    if (m.zero) heap.fill(0, outAt, outAt + count * o.per);
    words[m.countWord] = count;
    wasm[m.op]!(m.block);
    if (o.resident < 0) o.data.set(heap.subarray(o.at, o.at + count * o.per), u * o.per);
  }
}

/** The workers' shared-task table, as a JavaScript expression (`[sharedPassTask]`). */
export function sharedTasksSource(): string {
  return `[(${sharedPassTask.toString()})]`;
}
