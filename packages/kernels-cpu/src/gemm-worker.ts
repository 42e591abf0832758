import { BackendError } from '@convnet-ts/tensor';
import { jsTasksSource } from './js-tasks.js';
import { sharedTasksSource } from './shared-tasks.js';

/**
 * The worker side of the GEMM thread pool (thread-pool.ts), as JavaScript
 * source so that it runs unchanged from TypeScript sources, from `dist`, and
 * in a browser Blob worker, with no file to resolve.
 *
 * The worker instantiates the GEMM module on the shared memory it is given,
 * then loops: wait for its slot's sequence number to change (polling it for
 * the slot's `SPIN_WORD` µs, then `Atomics.wait`), run the op the main
 * thread wrote into the slot, store the sequence number as done and
 * `Atomics.notify`. Ops: 0 `sgemm` with the arguments in the slot, 1 end
 * the loop, 2 a list of `sgemm` calls run in order (word 3: the list's first
 * word in the control block, word 4: its length; `LIST_CALL_WORDS` words per
 * call, laid out as a slot's words 3…17), 3 + i the export named
 * `taskOps[i]` (`taskOpNames`) on the task block whose byte address is in
 * word 3, 3 + taskOps.length + j the JavaScript task `JS_TASK_NAMES[j]`
 * (js-tasks.ts, its source in the worker's script) on the memory's buffer and
 * that block; op -2 (`sharedTask`) takes the next message of its port (Node's
 * `receiveMessageOnPort`: the main thread posted it before waking the
 * worker) and runs shared task `message.task` (shared-tasks.ts) on it, its
 * exports and the memory's buffer: maps over tensors that live on
 * SharedArrayBuffers; op -3 (`claimedTask`) runs `claimUnits` on the task
 * block at word 3 with export `taskOps[word 4]` as thread word 5: the units
 * of one dispatch claimed from a shared counter (`CLAIM_LAYOUT`, from word
 * `claimAt` of the control block). It stores ready = 1 once
 * instantiated, -1 if the module does not instantiate; done = -1 if the op
 * traps or no message waits.
 *
 * Slot layout (int32 words from `slot`): 0 sequence, 1 done, 2 op, 3…17 the
 * 15 arguments of gemm.wat's `sgemm` (argument 4, alpha, as float32 bits),
 * 18 ready, 19 the µs to poll before sleeping (`SPIN_WORD`).
 */
/** Int32 words per call of a worker's `sgemm` list (15 arguments, padded). */
export const LIST_CALL_WORDS = 16;

/**
 * The claim area of the control block (int32 words from its start): word 0
 * the next unclaimed unit (alone on its cache line), then the dispatch's
 * description — the units, units per claim, the task block's count word and
 * end word (-1: none), how many range words, a thread to slow down and by
 * how many µs per claim (tests; -1: none), the share of the units left a
 * claim takes (1/parts) — the range words as (word, base,
 * stride) triples, and each thread's units done.
 */
export const CLAIM_LAYOUT = { next: 0, units: 16, step: 17, countWord: 18, endWord: 19, ranges: 20, slowThread: 21, slowMicros: 22, parts: 23, range: 24, done: 48 } as const;

/** The most range words a claimed dispatch sets (`CLAIM_LAYOUT.range` holds 8 triples). */
export const CLAIM_MAX_RANGES = 8;

/** Int32 words of the claim area: its layout and one units-done word per thread (at most 64). */
export const CLAIM_WORDS = CLAIM_LAYOUT.done + 64;

/**
 * One thread's part of a claimed dispatch: until the units run out, claim
 * the next n units u…u + n − 1 from the shared counter (word `at` of `ctl`,
 * by `Atomics.compareExchange`): a `parts`-th of the units left, rounded up
 * to whole `step`s (guided self-scheduling: few large claims while much is left, small
 * ones at the end, where a slower thread would otherwise hold the others
 * up), and point the thread's own task block (byte `block` of
 * the module's memory `mem`) at them — each range word w = base + u·stride,
 * the count word n, the end word u + n — and run the export on it. Returns
 * the units this thread did (also stored in the area's done word of
 * `thread`). Self-contained (no imports, no closure): the workers get its
 * source (`toString()`), the calling thread runs it as it is.
 */
export function claimUnits(ctl: Int32Array, at: number, mem: Int32Array, block: number, run: (block: number) => void, thread: number): number {
  const units = ctl[at + 16]!;
  const step = ctl[at + 17]!;
  const countWord = ctl[at + 18]!;
  const endWord = ctl[at + 19]!;
  const ranges = ctl[at + 20]!;
  const slowMicros = ctl[at + 21] === thread ? ctl[at + 22]! : 0;
  const parts = ctl[at + 23]!;
  const b = block >> 2;
  let done = 0;
  for (;;) {
    if (slowMicros > 0) {
      const until = Date.now() + slowMicros / 1000;
      while (Date.now() < until) {
        // Spin: a thread that gets less of the core.
      }
    }
    const u = Atomics.load(ctl, at);
    if (u >= units) break;
    // Guided: a share of what is left in whole steps (large claims first, one step at the end), taken only if no
    // other thread claimed meanwhile.
    const n = Math.min(units - u, Math.ceil((units - u) / (parts * step)) * step);
    if (Atomics.compareExchange(ctl, at, u, u + n) !== u) continue;
    for (let r = 0; r < ranges; r++) {
      const q = at + 24 + 3 * r;
      mem[b + ctl[q]!] = ctl[q + 1]! + u * ctl[q + 2]!;
    }
    if (countWord >= 0) mem[b + countWord] = n;
    if (endWord >= 0) mem[b + endWord] = u + n;
    run(block);
    done += n;
  }
  ctl[at + 48 + thread] = done;
  return done;
}

/**
 * Polls word `at` of `ctl` while it holds `value`, for at most `micros` µs
 * (none for 0); true once it changed. Self-contained, like `claimUnits`:
 * the workers poll their slot's sequence number with its source, the
 * calling thread a worker's done word with it as it is.
 */
export function pollWhile(ctl: Int32Array, at: number, value: number, micros: number): boolean {
  if (micros > 0 && Atomics.load(ctl, at) === value) {
    const until = performance.now() + micros / 1000;
    while (Atomics.load(ctl, at) === value && performance.now() < until);
  }
  return Atomics.load(ctl, at) !== value;
}

/**
 * Word of a slot with the µs its worker polls the slot's sequence number
 * after a call (and the calling thread its done word) before sleeping in
 * `Atomics.wait` (`GemmThreadPool.spinMicros`).
 */
export const SPIN_WORD = 19;

export const GEMM_WORKER_SOURCE = `function gemmWorker(d, jsTasks, sharedTasks, receive) {
  const claimUnits = (${claimUnits.toString()});
  const pollWhile = (${pollWhile.toString()});
  const ctl = new Int32Array(d.control);
  const f32 = new Float32Array(d.control);
  const o = d.slot;
  let wasm;
  try {
    wasm = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
  } catch (e) {
    Atomics.store(ctl, o + 18, -1);
    Atomics.notify(ctl, o + 18);
    return;
  }
  Atomics.store(ctl, o + 18, 1);
  Atomics.notify(ctl, o + 18);
  let seen = 0;
  for (;;) {
    if (!pollWhile(ctl, o, seen, ctl[o + ${SPIN_WORD}])) Atomics.wait(ctl, o, seen);
    const seq = Atomics.load(ctl, o);
    if (seq === seen) continue;
    seen = seq;
    const op = ctl[o + 2];
    if (op === 1) return;
    let done = seq;
    try {
      if (op === -2) {
        const m = receive(d.port);
        if (m === undefined) done = -1;
        else sharedTasks[m.message.task](m.message, wasm, d.memory.buffer);
      } else if (op === -3) {
        claimUnits(ctl, d.claimAt, new Int32Array(d.memory.buffer), ctl[o + 3], wasm[d.taskOps[ctl[o + 4]]], ctl[o + 5]);
      } else if (op === 0) {
        wasm.sgemm(ctl[o + 3], ctl[o + 4], ctl[o + 5], f32[o + 6], ctl[o + 7], ctl[o + 8], ctl[o + 9], ctl[o + 10],
          ctl[o + 11], ctl[o + 12], ctl[o + 13], ctl[o + 14], ctl[o + 15], ctl[o + 16], ctl[o + 17]);
      } else if (op === 2) {
        const end = ctl[o + 3] + ${LIST_CALL_WORDS} * ctl[o + 4];
        for (let q = ctl[o + 3]; q < end; q += ${LIST_CALL_WORDS}) {
          wasm.sgemm(ctl[q], ctl[q + 1], ctl[q + 2], f32[q + 3], ctl[q + 4], ctl[q + 5], ctl[q + 6], ctl[q + 7],
            ctl[q + 8], ctl[q + 9], ctl[q + 10], ctl[q + 11], ctl[q + 12], ctl[q + 13], ctl[q + 14]);
        }
      } else if (op >= 3 && op - 3 < d.taskOps.length) wasm[d.taskOps[op - 3]](ctl[o + 3]);
      else if (op - 3 - d.taskOps.length < jsTasks.length) jsTasks[op - 3 - d.taskOps.length](d.memory.buffer, ctl[o + 3]);
      else done = -1;
    } catch (e) {
      done = -1;
    }
    Atomics.store(ctl, o + 1, done);
    Atomics.notify(ctl, o + 1);
    if (done === -1) return;
  }
}`;

/** Op codes of a worker slot below the task ops: gemm.wat's `sgemm` (arguments in the slot), end the loop, a list of `sgemm` calls. */
export const WORKER_OPS = { sgemm: 0, quit: 1, sgemmList: 2, sharedTask: -2, claimedTask: -3 } as const;

/** The first op code of a task op: task op `taskOps[i]` is code `TASK_OP_BASE + i`. */
export const TASK_OP_BASE = 3;

/**
 * The module's task ops: its function exports named `*_images` or `*_task`,
 * each taking the byte address of a task block, in the module's export order.
 */
export function taskOpNames(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.exports(module)
    .filter((e) => e.kind === 'function' && /_(images|task)$/.test(e.name))
    .map((e) => e.name);
}

/** Word of a slot that says whether the worker is ready (1), starting (0) or failed (-1). */
export const READY_WORD = 18;

/** Int32 words per worker slot: 20 used, padded to 128 bytes so slots do not share a cache line. */
export const SLOT_WORDS = 32;

/** What a worker is started with (structured-cloned: the module, the shared memory and control block are shared, not copied). */
export interface GemmWorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  slot: number;
  /** `taskOpNames(module)`: op code `TASK_OP_BASE + i` runs export `taskOps[i]`. */
  taskOps: string[];
  /** The control block's word where the claim area starts (`CLAIM_LAYOUT`). */
  claimAt: number;
  /** Node only: the worker's end of a channel whose messages are shared tasks (`receiveMessageOnPort`). */
  port?: unknown;
}

/** A started worker, in Node or a browser. */
export interface WorkerHandle {
  terminate(): unknown;
}

/** One end of a Node `MessageChannel`. */
export interface NodePort {
  postMessage(message: unknown): void;
  unref(): void;
  close(): void;
}

interface NodeWorkerThreads {
  Worker: new (
    code: string,
    options: { eval: true; workerData: GemmWorkerData; execArgv: string[]; transferList?: unknown[] },
  ) => WorkerHandle & { unref(): void; on(event: 'error', listener: (error: Error) => void): void };
  MessageChannel?: new () => { port1: NodePort; port2: NodePort };
  receiveMessageOnPort?: (port: unknown) => { message: unknown } | undefined;
}

/**
 * A channel to a worker for shared tasks, where workers can take a message
 * synchronously (Node's worker_threads: `receiveMessageOnPort`); null in
 * browsers, whose workers get messages only from their event loop.
 */
export function sharedTaskChannel(): { port1: NodePort; port2: NodePort } | null {
  const threads = nodeBuiltin<NodeWorkerThreads>('node:worker_threads');
  if (threads?.MessageChannel === undefined || threads.receiveMessageOnPort === undefined) return null;
  return new threads.MessageChannel();
}

/** True where workers can run shared tasks (Node's worker_threads, with SharedArrayBuffer). */
export function sharedTasksAvailable(): boolean {
  const threads = nodeBuiltin<NodeWorkerThreads>('node:worker_threads');
  return typeof SharedArrayBuffer !== 'undefined' && threads?.MessageChannel !== undefined && threads.receiveMessageOnPort !== undefined;
}

interface WebWorkerConstructor {
  new (url: string): WorkerHandle & {
    postMessage(data: GemmWorkerData): void;
    addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
  };
}

interface Host {
  process?: { getBuiltinModule?: (id: string) => unknown };
  Worker?: WebWorkerConstructor;
  crossOriginIsolated?: boolean;
}

/** A Node built-in module, synchronously and without an import that would break browsers (`process.getBuiltinModule`, Node ≥ 20.16). */
export function nodeBuiltin<T>(id: string): T | undefined {
  return (globalThis as Host).process?.getBuiltinModule?.(id) as T | undefined;
}

/** True where GEMM workers can start: Node's worker_threads, or Web Workers on a cross-origin isolated page. */
export function workersAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  if (nodeBuiltin<NodeWorkerThreads>('node:worker_threads') !== undefined) return true;
  const host = globalThis as Host;
  return typeof host.Worker === 'function' && host.crossOriginIsolated === true;
}

/** How a page's Content-Security-Policy must allow the GEMM workers, which start from a `blob:` URL. */
export const CSP_WORKER_FIX = "allow blob: workers in the page's Content-Security-Policy: worker-src 'self' blob: (or, without worker-src, child-src or script-src with blob:)";

/**
 * Starts one GEMM worker: a Node worker thread (`eval` of the source as a
 * CommonJS script, without the parent's `execArgv`, which may make `eval`
 * code ES modules (`--input-type=module`) or load hooks; `unref()`ed so it
 * never keeps the process alive), else a Web Worker from a Blob URL (kept:
 * the worker loads it asynchronously), started by a message. `onError` gets
 * the reason when the worker cannot start or dies: a constructor that throws
 * (a CSP that refuses the Blob URL, in some browsers), or its `error` event
 * (the same refusal, in others; its message is often empty).
 */
export function startGemmWorker(data: GemmWorkerData, onError: (reason: string) => void): WorkerHandle {
  const threads = nodeBuiltin<NodeWorkerThreads>('node:worker_threads');
  if (threads !== undefined) {
    const script = `const wt = require('node:worker_threads');\n(${GEMM_WORKER_SOURCE})(wt.workerData, ${jsTasksSource()}, ${sharedTasksSource()}, wt.receiveMessageOnPort);`;
    const worker = new threads.Worker(script, {
      eval: true,
      workerData: data,
      execArgv: [],
      ...(data.port === undefined ? {} : { transferList: [data.port] }),
    });
    worker.on('error', (error) => onError(`its worker thread threw ${error.message}`));
    worker.unref();
    return worker;
  }
  const WebWorker = (globalThis as Host).Worker;
  if (WebWorker === undefined) throw new BackendError('createCpuBackend', 'threads', 'worker threads need Node worker_threads or Web Workers, got neither');
  const url = URL.createObjectURL(new Blob([`onmessage = (e) => (${GEMM_WORKER_SOURCE})(e.data, ${jsTasksSource()}, [], undefined);`], { type: 'text/javascript' }));
  let worker: InstanceType<WebWorkerConstructor>;
  try {
    worker = new WebWorker(url);
  } catch (error) {
    onError(`new Worker(blob:…) threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return { terminate: () => undefined };
  }
  worker.addEventListener('error', (event) => onError(`its Web Worker fired an error event${event.message ? ` (${event.message})` : ' without a message (a Content-Security-Policy or network refusal)'}`));
  worker.postMessage(data);
  return worker;
}
