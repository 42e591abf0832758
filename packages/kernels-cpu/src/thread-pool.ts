import { BackendError, describeValue, OptionError } from '@convnet-ts/tensor';
import {
  CLAIM_LAYOUT,
  CLAIM_MAX_RANGES,
  CLAIM_WORDS,
  claimUnits,
  CSP_WORKER_FIX,
  type GemmWorkerData,
  LIST_CALL_WORDS,
  type NodePort,
  pollWhile,
  READY_WORD,
  sharedTaskChannel,
  SLOT_WORDS,
  SPIN_WORD,
  startGemmWorker,
  TASK_OP_BASE,
  taskOpNames,
  WORKER_OPS,
  type WorkerHandle,
} from './gemm-worker.js';
import { JS_TASK_NAMES, JS_TASKS, type JsTaskName } from './js-tasks.js';
import { type SharedPassMessage, sharedPassTask, type SharedTaskExports } from './shared-tasks.js';
import { type GemmInstance, reserveThreads, scratchOf } from './wasm-instance.js';

/** One `sgemm` of gemm.wat: `C ← alpha·op(A)·op(B) + C`, byte addresses, leading dimensions in elements. */
export interface SgemmCall {
  m: number;
  n: number;
  k: number;
  alpha: number;
  a: number;
  lda: number;
  ta: number;
  b: number;
  ldb: number;
  tb: number;
  c: number;
  ldc: number;
}

/**
 * Calls of a worker's `sgemm` list per dispatch: longer lists go in rounds
 * (`runLists`). 256 calls are 16 KiB of the control block per worker.
 */
export const LIST_CALLS = 256;

/** Claimed dispatches shorter than this (ms) do not move `speedShares`: a worker wakes some 20 µs after this thread starts. */
const LEARN_MIN_MS = 1;

/**
 * An export of the module that runs one task block: any function export
 * named `*_images` or `*_task` (`taskOpNames`) taking the block's byte address.
 */
export type TaskOp = string;

/** A word of a task block that a claim points at its first unit u: `base + u·stride` (a byte address, or a unit index with stride 1). */
export interface UnitWord {
  word: number;
  base: number;
  stride: number;
}

/**
 * Units `[0, units)` of a task op (images, image batches, tiles: each
 * computed alone into outputs of its own) as the threads claim them: a
 * share of those left, 1/(2·threads) of them in whole `step`s, each claim setting the words `at` of the claiming
 * thread's block, word `count` (if any) to the units claimed and word `end`
 * (if any) to the claim's end unit.
 */
export interface UnitClaims {
  units: number;
  step: number;
  at: readonly UnitWord[];
  count?: number;
  end?: number;
}

/** The fields of a `SecurityPolicyViolationEvent` the pool reads. */
interface CspViolation {
  effectiveDirective?: string;
  violatedDirective?: string;
  blockedURI?: string;
}

/** A browser global (a window or a worker's scope); Node's has no addEventListener. */
interface EventHost {
  addEventListener?: (type: 'securitypolicyviolation', listener: (event: CspViolation) => void) => void;
  removeEventListener?: (type: 'securitypolicyviolation', listener: (event: CspViolation) => void) => void;
}

/**
 * How long (µs) a worker polls for its next call, and the calling thread for
 * a worker's result, before sleeping in `Atomics.wait` (`spinMicros`). On
 * the 2-vCPU KVM machines here, waking a sleeping thread on the other vCPU
 * took about 37 µs each way: an empty two-thread dispatch cost 75 µs asleep
 * and 0.6–0.9 µs polling, and LeNet's two-thread step (bench W3) went
 * 17.9 → 15.6 ms (interleaved in one process). The gaps between that step's
 * 20 dispatches (the blocks' JavaScript, kernels kept on one thread) have
 * a median of 91 µs, 90 % are under 275 µs and 95 % under 770; polls of
 * 200 µs to 2 ms measured alike. An idle pool polls for at most this long,
 * then sleeps. OpenMP runtimes do the same for longer (Intel's spins 200 ms).
 */
export const DEFAULT_SPIN_MICROS = 500;

/** Throws unless `micros` is a poll time `where` accepts: an integer from 0 (sleep at once) to 100 000 µs. */
export function checkSpinMicros(where: string, micros: number): void {
  if (!Number.isInteger(micros) || micros < 0 || micros > 100_000) {
    throw new OptionError(where, 'spinMicros', `spinMicros must be an integer number of µs from 0 to 100000, got ${describeValue(micros)}`);
  }
}

/** True where this thread may block in `Atomics.wait` (Node's main thread, workers; not a browser's main thread). */
export const canBlock = ((): boolean => {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
})();

/**
 * Worker threads that run `sgemm` calls on the GEMM module's shared memory.
 * `run` is synchronous: it writes calls 1… into the workers' slots of a shared
 * control block (Int32Array), wakes them (`Atomics.notify`), runs call 0 on
 * this thread, then waits for the others (`Atomics.wait`, or a spin on
 * `Atomics.load` where this thread may not block). Worker w uses scratch
 * area w + 1 of the memory and this thread area 0, so the calls must write
 * disjoint parts of C. Calls meant for a worker that is not ready yet (or
 * failed to start) run on this thread after its own: a browser's worker may
 * not start before the page's thread returns to its event loop, so nothing
 * here waits for a worker to start (Node callers use `waitReady`).
 */
export class GemmThreadPool {
  readonly #inst: GemmInstance;
  readonly #workers: WorkerHandle[] = [];
  /** This thread's end of each worker's shared-task channel (Node), else empty. */
  readonly #ports: NodePort[] = [];
  readonly #ctl: Int32Array<SharedArrayBuffer>;
  readonly #f32: Float32Array<SharedArrayBuffer>;
  /** The control block's word where worker 0's list of sgemm calls starts (after the slots). */
  readonly #listBase: number;
  /** The control block's word where the claim area starts (`CLAIM_LAYOUT`, after the lists). */
  readonly #claimAt: number;
  /** Task op name → its index in `taskOpNames` (a claimed dispatch's word 4). */
  readonly #taskIndex = new Map<string, number>();
  /** The thread a claimed dispatch slows down and by how many µs per claim (tests), -1 for none. */
  #slowThread = -1;
  #slowMicros = 0;
  /** Each thread's estimated share of the pool's speed (`speedShares`), from the claimed dispatches so far. */
  readonly #speed: Float64Array;
  /** Task op name → its op code in a worker slot. */
  readonly #taskCodes = new Map<string, number>();
  #seq = 0;
  #spinMicros = DEFAULT_SPIN_MICROS;
  #failed = false;
  #workerCalls = 0;
  /** Why the first worker that could not start did not (null while none failed). */
  #startFailure: string | null = null;
  /** The Content-Security-Policy refusal of a `blob:` worker this page reported, if any. */
  #cspViolation: string | null = null;
  readonly #onViolation = (event: CspViolation): void => {
    const directive = event.effectiveDirective ?? event.violatedDirective ?? '';
    if (/^(worker|child|script)-src/.test(directive) && (event.blockedURI ?? '').startsWith('blob')) {
      this.#cspViolation ??= `its ${directive} directive refused ${event.blockedURI}`;
    }
  };

  /** A pool of `threads - 1` workers (plus this thread); needs a shared memory. */
  constructor(inst: GemmInstance, threads: number) {
    if (!inst.shared) throw new BackendError('createCpuBackend', 'threads', `threads ${threads} needs a shared WebAssembly memory, got an unshared one`);
    this.#inst = inst;
    // The workers' slots, then each worker's list of sgemm calls (`runLists`).
    const lists = Math.max(1, threads - 1) * (SLOT_WORDS + LIST_CALLS * LIST_CALL_WORDS);
    const control = new SharedArrayBuffer((lists + CLAIM_WORDS) * 4);
    this.#ctl = new Int32Array(control);
    this.#f32 = new Float32Array(control);
    this.#listBase = Math.max(1, threads - 1) * SLOT_WORDS;
    this.#claimAt = lists;
    this.#speed = new Float64Array(threads).fill(1 / threads);
    for (let w = 0; w < threads - 1; w++) this.#ctl[w * SLOT_WORDS + SPIN_WORD] = this.#spinMicros;
    reserveThreads(inst, threads);
    const taskOps = taskOpNames(inst.module);
    for (const [i, name] of taskOps.entries()) {
      this.#taskCodes.set(name, TASK_OP_BASE + i);
      this.#taskIndex.set(name, i);
    }
    (globalThis as EventHost).addEventListener?.('securitypolicyviolation', this.#onViolation);
    for (let w = 0; w < threads - 1; w++) {
      const data: GemmWorkerData = { module: inst.module, memory: inst.memory, control, slot: w * SLOT_WORDS, taskOps, claimAt: this.#claimAt };
      const channel = sharedTaskChannel();
      if (channel !== null) {
        channel.port1.unref();
        this.#ports.push(channel.port1);
        data.port = channel.port2;
      }
      this.#workers.push(startGemmWorker(data, (reason) => this.#workerFailed(w, reason)));
    }
  }

  /**
   * Marks worker `w` failed to start (its calls then run on this thread, as
   * for a slow start), after the current task so that a page's
   * `securitypolicyviolation` event, queued with the worker's error, names
   * the cause; warns once with the cause and the fix.
   */
  #workerFailed(w: number, reason: string): void {
    setTimeout(() => {
      if (this.#workers.length === 0) return; // terminated meanwhile: nobody to tell
      const at = w * SLOT_WORDS + READY_WORD;
      if (Atomics.compareExchange(this.#ctl, at, 0, -1) !== 0 || this.#startFailure !== null) return;
      const csp = this.#cspViolation === null ? '' : `; the page's Content-Security-Policy refused it (${this.#cspViolation})`;
      this.#startFailure = `GEMM worker ${w + 1} did not start: ${reason}${csp}. Fix: ${CSP_WORKER_FIX}`;
      console.warn(`convnet-ts cpu: ${this.#startFailure}. Until then its share of every GEMM runs on the calling thread (the same results, slower).`);
    }, 0);
  }

  /** The µs each thread polls before sleeping (`DEFAULT_SPIN_MICROS`). */
  get spinMicros(): number {
    return this.#spinMicros;
  }

  /** Sets `spinMicros` (`checkSpinMicros`); the workers take it from their next wait. */
  set spinMicros(micros: number) {
    checkSpinMicros('GemmThreadPool', micros);
    this.#spinMicros = micros;
    for (let w = 0; w < this.threads - 1; w++) Atomics.store(this.#ctl, w * SLOT_WORDS + SPIN_WORD, micros);
  }

  /** Why a worker did not start (cause and fix), or null while none has failed. */
  get startFailure(): string | null {
    return this.#startFailure;
  }

  /** This thread and the workers. */
  get threads(): number {
    return this.#workers.length + 1;
  }

  /** How many calls and tasks the workers have run (the rest ran on the calling thread). */
  get workerCalls(): number {
    return this.#workerCalls;
  }

  /** Runs `calls` (at most `threads`): call 0 here, call t on worker t − 1 if ready; returns when all are done. */
  run(calls: readonly SgemmCall[]): void {
    this.#dispatch(
      calls.length,
      (w, t, seq) => this.#post(w, calls[t]!, seq),
      (t) => this.#runHere(calls[t]!),
    );
  }

  /**
   * Runs `lists` (at most `threads`), each list's calls in order on one
   * thread and its scratch: the first non-empty list here, the next ones on
   * the workers that are ready (the others' here, after it); returns when all
   * are done. Lists longer than `LIST_CALLS` go in rounds of `LIST_CALLS`
   * calls per list, so each list still runs in order. The lists must write
   * disjoint parts of memory.
   */
  runLists(lists: readonly (readonly SgemmCall[])[]): void {
    if (lists.length > this.threads) throw new BackendError('gemm', 'calls', `at most ${this.threads} lists, got ${lists.length}`);
    const longest = Math.max(0, ...lists.map((l) => l.length));
    for (let from = 0; from < longest; from += LIST_CALLS) {
      const part = lists.filter((l) => l.length > from).map((l) => l.slice(from, from + LIST_CALLS));
      this.#dispatch(
        part.length,
        (w, t, seq) => this.#postList(w, part[t]!, seq),
        (t) => {
          for (const c of part[t]!) this.#runHere(c);
        },
      );
    }
  }

  /**
   * Runs the JavaScript task `name` (js-tasks.ts) on each task block as
   * `runTasks` runs a module's: block 0 here, the others on the workers,
   * each on the module's shared memory.
   */
  runJsTasks(name: JsTaskName, blocks: readonly number[]): void {
    const index = JS_TASK_NAMES.indexOf(name);
    if (index < 0) throw new BackendError('gemm', 'task', `a JavaScript task (${JS_TASK_NAMES.join(', ')}), got ${JSON.stringify(name)}`);
    const code = TASK_OP_BASE + this.#taskCodes.size + index;
    const task = JS_TASKS[name];
    this.#dispatch(
      blocks.length,
      (w, t, seq) => this.#postTask(w, code, blocks[t]!, seq),
      (t) => task(this.#inst.memory.buffer, blocks[t]!),
    );
  }

  /** True when the workers can run shared tasks (`runShared`): Node's worker_threads. */
  get sharedTasks(): boolean {
    return this.#ports.length === this.#workers.length && this.#workers.length > 0;
  }

  /**
   * Runs `sharedPassTask` on each message (at most `threads`): message 0
   * here, the others posted on the workers' channels (their operands on
   * SharedArrayBuffers, so the workers compute on the same arrays) and run
   * there; the messages must write disjoint elements.
   */
  runShared(messages: readonly SharedPassMessage[]): void {
    if (!this.sharedTasks) throw new BackendError('gemm', 'threads', 'workers that take shared tasks (Node worker_threads), got none');
    this.#dispatch(
      messages.length,
      (w, t, seq) => {
        this.#ports[w]!.postMessage(messages[t]!);
        this.#postTask(w, WORKER_OPS.sharedTask, 0, seq);
      },
      (t) => sharedPassTask(messages[t]!, this.#inst.exports as unknown as SharedTaskExports, this.#inst.memory.buffer),
    );
  }

  /** Runs `op` on each task block (byte addresses, at most `threads`) as `run` runs calls; each block names its own scratch. */
  runTasks(op: TaskOp, blocks: readonly number[]): void {
    const code = this.#taskCodes.get(op);
    if (code === undefined) throw new BackendError('gemm', 'op', `a task op of the module (an export named *_images or *_task), got ${JSON.stringify(op)}`);
    this.#dispatch(
      blocks.length,
      (w, t, seq) => this.#postTask(w, code, blocks[t]!, seq),
      (t) => taskExport(this.#inst, op)(blocks[t]!),
    );
  }

  /**
   * Runs `op` over `claims.units` units on the blocks' threads (block 0
   * here, block t on worker t − 1 where it is ready), each thread claiming
   * the next units from a shared counter until none are left (`claimUnits`:
   * 1/(2·threads) of those left, in whole `claims.step`s), so a thread that
   * runs slower does fewer of them; each
   * block names its own scratch, and its range words are rewritten per claim.
   * Which thread computes a unit changes nothing else: the op's units must
   * be independent, with outputs of their own. Returns when all are done.
   */
  runClaimed(op: TaskOp, blocks: readonly number[], claims: UnitClaims): void {
    const index = this.#taskIndex.get(op);
    if (index === undefined) throw new BackendError('gemm', 'op', `a task op of the module (an export named *_images or *_task), got ${JSON.stringify(op)}`);
    if (claims.at.length > CLAIM_MAX_RANGES) throw new BackendError('gemm', 'claims', `at most ${CLAIM_MAX_RANGES} range words, got ${claims.at.length}`);
    if (!Number.isInteger(claims.step) || claims.step < 1) throw new BackendError('gemm', 'claims', `a positive integer step, got ${claims.step}`);
    const ctl = this.#ctl;
    const a = this.#claimAt;
    ctl.fill(0, a + CLAIM_LAYOUT.done, a + CLAIM_WORDS);
    ctl[a + CLAIM_LAYOUT.units] = claims.units;
    ctl[a + CLAIM_LAYOUT.step] = claims.step;
    ctl[a + CLAIM_LAYOUT.countWord] = claims.count ?? -1;
    ctl[a + CLAIM_LAYOUT.endWord] = claims.end ?? -1;
    ctl[a + CLAIM_LAYOUT.ranges] = claims.at.length;
    ctl[a + CLAIM_LAYOUT.slowThread] = this.#slowThread;
    ctl[a + CLAIM_LAYOUT.slowMicros] = this.#slowMicros;
    ctl[a + CLAIM_LAYOUT.parts] = 2 * blocks.length;
    for (const [r, w] of claims.at.entries()) ctl.set([w.word, w.base, w.stride], a + CLAIM_LAYOUT.range + 3 * r);
    // The posts' Atomics.store publishes the description and the counter to the workers.
    Atomics.store(ctl, a + CLAIM_LAYOUT.next, 0);
    const run = taskExport(this.#inst, op);
    const t0 = performance.now();
    this.#dispatch(
      blocks.length,
      (w, t, seq) => {
        const o = w * SLOT_WORDS;
        ctl[o + 2] = WORKER_OPS.claimedTask;
        ctl[o + 3] = blocks[t]!;
        ctl[o + 4] = index;
        ctl[o + 5] = t;
        Atomics.store(ctl, o, seq);
        Atomics.notify(ctl, o);
      },
      // A worker that is not ready has no share to run here: the others claim its units.
      (t) => {
        if (t === 0) claimUnits(ctl, a, new Int32Array(this.#inst.memory.buffer), blocks[0]!, run, 0);
      },
    );
    if (blocks.length === this.threads && performance.now() - t0 >= LEARN_MIN_MS) this.#learnSpeed(claims.units, claims.step);
  }

  /**
   * Folds the last claimed dispatch into `speedShares`: where every thread
   * took part, it ran at least `LEARN_MIN_MS` and there were at least 4
   * claims' worth of units per thread (so the split says something about
   * speed, not about who claimed first or the workers' wake-up), each
   * thread's estimate moves a fifth of the way towards its fraction of the
   * units.
   */
  #learnSpeed(units: number, step: number): void {
    if (units < 4 * step * this.threads) return;
    const done = this.claimedUnits;
    let total = 0;
    for (const d of done) total += d;
    if (total !== units) return;
    for (let t = 0; t < this.threads; t++) this.#speed[t] = 0.8 * this.#speed[t]! + (0.2 * done[t]!) / total;
  }

  /**
   * Each thread's estimated share of the pool's throughput (0 this one, t
   * worker t − 1; they sum to 1, equal until claimed dispatches have been
   * seen): the fractions of units each thread took in recent claimed
   * dispatches (`runClaimed`), averaged with weight 0.8ⁱ on the i-th last.
   * Static splits (`splitSgemm`) size their parts by it, so a vCPU that runs
   * slower (a busy hyperthread sibling, another VM) gets a smaller part.
   */
  get speedShares(): readonly number[] {
    return Array.from(this.#speed);
  }

  /** The units each thread (0 this one, t worker t − 1) did in the last claimed dispatch. */
  get claimedUnits(): number[] {
    const at = this.#claimAt + CLAIM_LAYOUT.done;
    return Array.from(this.#ctl.subarray(at, at + this.threads));
  }

  /** Tests: makes thread `thread` (0 this one) spin `micros` µs (ms granularity) before each claim of later claimed dispatches; no arguments: none. */
  slowClaims(thread = -1, micros = 0): void {
    this.#slowThread = thread;
    this.#slowMicros = micros;
  }

  #dispatch(count: number, post: (w: number, t: number, seq: number) => void, here: (t: number) => void): void {
    if (this.#failed) throw new BackendError('gemm', 'threads', 'a GEMM worker failed earlier, got no result');
    if (count > this.threads) throw new BackendError('gemm', 'calls', `at most ${this.threads} calls, got ${count}`);
    const seq = ++this.#seq;
    const posted: number[] = [];
    const mine: number[] = [];
    for (let t = 0; t < count; t++) {
      if (t > 0 && this.#ready(t - 1)) {
        post(t - 1, t, seq);
        posted.push(t - 1);
      } else mine.push(t);
    }
    try {
      for (const t of mine) here(t);
    } finally {
      for (const w of posted) this.#wait(w, seq);
    }
    this.#workerCalls += posted.length;
  }

  /** Blocks until every worker is ready or `ms` pass (only where this thread may block); true when all are ready. */
  waitReady(ms: number): boolean {
    const deadline = Date.now() + ms;
    for (let w = 0; w < this.#workers.length; w++) {
      const at = w * SLOT_WORDS + READY_WORD;
      while (Atomics.load(this.#ctl, at) === 0 && canBlock) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        Atomics.wait(this.#ctl, at, 0, left);
      }
      if (Atomics.load(this.#ctl, at) !== 1) return false;
    }
    return true;
  }

  /**
   * Resolves once every worker is ready (true), one failed to start (false),
   * or `ms` pass (false), without blocking this thread: for a browser's page,
   * whose workers start only once it returns to its event loop.
   */
  async whenReady(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (let w = 0; w < this.#workers.length; w++) {
      const at = w * SLOT_WORDS + READY_WORD;
      while (Atomics.load(this.#ctl, at) === 0) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        await new Promise((resolve) => setTimeout(resolve, Math.min(left, 5)));
      }
      if (Atomics.load(this.#ctl, at) !== 1) return false;
    }
    return true;
  }

  #ready(w: number): boolean {
    return Atomics.load(this.#ctl, w * SLOT_WORDS + READY_WORD) === 1;
  }

  /** Stops the workers (a quit message, then `terminate`). The pool cannot run afterwards. */
  terminate(): void {
    const seq = ++this.#seq;
    for (let w = 0; w < this.#workers.length; w++) {
      const o = w * SLOT_WORDS;
      this.#ctl[o + 2] = WORKER_OPS.quit;
      Atomics.store(this.#ctl, o, seq);
      Atomics.notify(this.#ctl, o);
    }
    (globalThis as EventHost).removeEventListener?.('securitypolicyviolation', this.#onViolation);
    for (const worker of this.#workers) void worker.terminate();
    for (const port of this.#ports) port.close();
    this.#workers.length = 0;
    this.#ports.length = 0;
    this.#failed = true;
  }

  #runHere(c: SgemmCall): void {
    const s = scratchOf(this.#inst, 0);
    this.#inst.exports.sgemm(c.m, c.n, c.k, c.alpha, c.a, c.lda, c.ta, c.b, c.ldb, c.tb, c.c, c.ldc, s.pa, s.pb, s.tile);
  }

  #post(w: number, c: SgemmCall, seq: number): void {
    const o = w * SLOT_WORDS;
    const ctl = this.#ctl;
    const s = scratchOf(this.#inst, w + 1);
    ctl[o + 2] = WORKER_OPS.sgemm;
    ctl[o + 3] = c.m;
    ctl[o + 4] = c.n;
    ctl[o + 5] = c.k;
    this.#f32[o + 6] = c.alpha;
    ctl.set([c.a, c.lda, c.ta, c.b, c.ldb, c.tb, c.c, c.ldc, s.pa, s.pb, s.tile], o + 7);
    Atomics.store(ctl, o, seq);
    Atomics.notify(ctl, o);
  }

  /** Worker w's list of `calls` (at most `LIST_CALLS`) in its part of the control block, then op `sgemmList`. */
  #postList(w: number, calls: readonly SgemmCall[], seq: number): void {
    const ctl = this.#ctl;
    const f32 = this.#f32;
    const s = scratchOf(this.#inst, w + 1);
    const list = this.#listBase + w * LIST_CALLS * LIST_CALL_WORDS;
    for (let i = 0; i < calls.length; i++) {
      const c = calls[i]!;
      const q = list + i * LIST_CALL_WORDS;
      ctl[q] = c.m;
      ctl[q + 1] = c.n;
      ctl[q + 2] = c.k;
      f32[q + 3] = c.alpha;
      ctl[q + 4] = c.a;
      ctl[q + 5] = c.lda;
      ctl[q + 6] = c.ta;
      ctl[q + 7] = c.b;
      ctl[q + 8] = c.ldb;
      ctl[q + 9] = c.tb;
      ctl[q + 10] = c.c;
      ctl[q + 11] = c.ldc;
      ctl[q + 12] = s.pa;
      ctl[q + 13] = s.pb;
      ctl[q + 14] = s.tile;
    }
    const o = w * SLOT_WORDS;
    ctl[o + 2] = WORKER_OPS.sgemmList;
    ctl[o + 3] = list;
    ctl[o + 4] = calls.length;
    Atomics.store(ctl, o, seq);
    Atomics.notify(ctl, o);
  }

  #postTask(w: number, code: number, block: number, seq: number): void {
    const o = w * SLOT_WORDS;
    this.#ctl[o + 2] = code;
    this.#ctl[o + 3] = block;
    Atomics.store(this.#ctl, o, seq);
    Atomics.notify(this.#ctl, o);
  }

  #wait(w: number, seq: number): void {
    const at = w * SLOT_WORDS + 1;
    for (;;) {
      const done = Atomics.load(this.#ctl, at);
      if (done === seq) return;
      if (done === -1) {
        this.#failed = true;
        throw new BackendError('gemm', 'threads', `GEMM worker ${w + 1} failed (its module did not instantiate or its op trapped), got no result`);
      }
      if (pollWhile(this.#ctl, at, done, this.#spinMicros)) continue;
      if (canBlock) Atomics.wait(this.#ctl, at, done, 1000);
    }
  }
}

/** The module's export `op` as a function of a task block's byte address. */
export function taskExport(inst: GemmInstance, op: TaskOp): (block: number) => void {
  const f = (inst.exports as unknown as Record<string, unknown>)[op];
  if (typeof f !== 'function') throw new BackendError('gemm', 'op', `a function export of the module, got ${JSON.stringify(op)}`);
  return f as (block: number) => void;
}
