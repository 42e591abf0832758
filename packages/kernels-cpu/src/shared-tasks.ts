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
 * in JavaScript: each thread copies its own range of the operands into its
 * own part of the module's memory with `set`, runs the module's
 * `rows_map_task` there, and copies its outputs back, in passes that stay
 * in L2. The map is the calling thread's route (rows-wasm.ts's `mapWasm`)
 * element for element, so any split gives the same bits.
 */
export interface SharedMapMessage {
  /** The task's index in the workers' table (`sharedTasksSource`): 0, `sharedMapTask`. */
  task: 0;
  /** rows_map_task's op (rows-wasm.ts's `MAP_OPS`). */
  op: number;
  x: Float32Array;
  /** The second operand (ReLU's x again, its derivative's dy, Axpby's y); unused when `same`. */
  y: Float32Array;
  /** x and y are the same array (ReLU): copied once. */
  same: boolean;
  out: Float32Array;
  /** This thread's elements `[first, end)`. */
  first: number;
  end: number;
  /** Leaky ReLU's leak, Axpby's alpha, Axpby's beta. */
  a: number;
  b: number;
  /** This thread's part of the module's memory (a float index, a multiple of 32) and the floats of one pass per operand (a multiple of 4). */
  at: number;
  pass: number;
}

/** The module exports a shared task calls. */
export interface SharedTaskExports {
  rows_map_task(block: number): void;
}

/** Floats of the module's memory one thread's `sharedMapTask` uses with passes of `pass` floats: the three operands, then its task block. */
export function sharedMapFloats(pass: number): number {
  return Math.ceil((3 * pass + 32) / 32) * 32;
}

/**
 * `out_i = f(x_i, y_i)` for i in `[first, end)` (`rows_map_task`'s op), in
 * passes of `pass` floats: x (and y) copied into the thread's part of the
 * module's memory at `at`, mapped there, the outputs copied back.
 */
export function sharedMapTask(m: SharedMapMessage, wasm: SharedTaskExports, buffer: ArrayBufferLike): void {
  const heap = new Float32Array(buffer);
  const xAt = m.at;
  const yAt = m.same ? xAt : xAt + m.pass;
  const outAt = xAt + 2 * m.pass;
  const blockAt = 4 * (xAt + 3 * m.pass);
  const words = new Int32Array(buffer, blockAt, 5);
  const attrs = new Float64Array(buffer, blockAt + 32, 2);
  attrs[0] = m.a;
  attrs[1] = m.b;
  for (let i0 = m.first; i0 < m.end; i0 += m.pass) {
    const count = Math.min(m.pass, m.end - i0);
    heap.set(m.x.subarray(i0, i0 + count), xAt);
    if (!m.same) heap.set(m.y.subarray(i0, i0 + count), yAt);
    words[0] = m.op;
    words[1] = count;
    words[2] = 4 * xAt;
    words[3] = 4 * yAt;
    words[4] = 4 * outAt;
    wasm.rows_map_task(blockAt);
    m.out.set(heap.subarray(outAt, outAt + count), i0);
  }
}

/** The workers' shared-task table, as a JavaScript expression (`[sharedMapTask]`). */
export function sharedTasksSource(): string {
  return `[(${sharedMapTask.toString()})]`;
}
