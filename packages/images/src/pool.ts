/**
 * A pool of decoding workers: jobs go to the least-loaded worker, up to
 * `JOBS_PER_WORKER` in flight each (so a worker never idles while the
 * calling thread computes, and a slow image holds up only its own worker's
 * queue), each result to its job's promise.
 * Environment-neutral: Node's worker_threads and Web Workers both fit
 * `WorkerPort`. Idle workers are `unref`'d where the host has it, so a Node
 * process whose reader is idle can exit.
 */
import { BackendError } from '@convnet-ts/tensor';
import type { ImageArray } from './decoded.js';
import type { ImageErrorData } from './errors.js';
import type { Draws } from './jitter.js';
import type { TransformSpec } from './options.js';
import type { FromWorker, ToWorker, WireSource } from './protocol.js';

export interface WorkerPort {
  post(msg: ToWorker, transfer?: Transferable[]): void;
  onMessage(cb: (msg: FromWorker) => void): void;
  onError(cb: (err: Error) => void): void;
  terminate(): void;
  ref?(): void;
  unref?(): void;
}

export interface PoolJob {
  source: WireSource;
  name: string;
  draws: Draws;
}

export type JobResult = { ok: true; image: ImageArray } | { ok: false; error: ImageErrorData };

interface Pending {
  job: PoolJob;
  specId: number;
  resolve: (r: JobResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  port: WorkerPort;
  /** Jobs posted to this worker and not yet answered, by job id. */
  busy: Map<number, Pending>;
  specs: Set<number>;
}

/**
 * Jobs a worker may hold at once. More than one, so that a worker never
 * waits for the calling thread (busy computing a batch, its event loop
 * blocked) to hand it the next image — what lets prefetching hide decoding.
 */
export const JOBS_PER_WORKER = 64;

let nextSpecId = 1;
let nextJobId = 1;

export class WorkerPool {
  readonly size: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  readonly #specs = new Map<number, TransformSpec>();
  readonly #start: () => WorkerPort;
  #closed = false;

  constructor(size: number, start: () => WorkerPort) {
    this.size = size;
    this.#start = start;
    for (let i = 0; i < size; i++) {
      const slot = { busy: new Map(), specs: new Set() } as unknown as Slot;
      this.#attach(slot);
      this.#slots.push(slot);
    }
  }

  #attach(slot: Slot): void {
    slot.port = this.#start();
    slot.specs.clear();
    slot.port.onMessage((msg) => this.#finish(slot, msg));
    slot.port.onError((err) => this.#crash(slot, err));
    slot.port.unref?.();
  }

  /** Runs every job of one batch with `spec`; results in job order. */
  async run(spec: TransformSpec, jobs: readonly PoolJob[]): Promise<JobResult[]> {
    if (this.#closed) throw new BackendError('readImages', undefined, 'the image reader was closed; make a new one');
    const specId = nextSpecId++;
    this.#specs.set(specId, spec);
    try {
      return await Promise.all(jobs.map((job) => new Promise<JobResult>((resolve, reject) => {
        this.#queue.push({ job, specId, resolve, reject });
        this.#pump();
      })));
    } finally {
      this.#specs.delete(specId);
      for (const s of this.#slots) {
        if (s.specs.delete(specId)) s.port.post({ type: 'forget', specId });
      }
    }
  }

  close(): void {
    this.#closed = true;
    for (const s of this.#slots) s.port.terminate();
    const err = new BackendError('readImages', undefined, 'the image reader was closed while images were being read');
    for (const p of this.#queue.splice(0)) p.reject(err);
    for (const s of this.#slots) for (const p of s.busy.values()) p.reject(err);
  }

  /** Hands queued jobs to the least-loaded workers, up to JOBS_PER_WORKER each. */
  #pump(): void {
    while (this.#queue.length > 0) {
      const slot = this.#slots.reduce((best, s) => (s.busy.size < best.busy.size ? s : best));
      if (slot.busy.size >= JOBS_PER_WORKER) return;
      const p = this.#queue.shift()!;
      const id = nextJobId++;
      slot.busy.set(id, p);
      if (!slot.specs.has(p.specId)) {
        slot.port.post({ type: 'spec', specId: p.specId, spec: this.#specs.get(p.specId)! });
        slot.specs.add(p.specId);
      }
      slot.port.ref?.();
      slot.port.post({ type: 'job', id, specId: p.specId, source: p.job.source, name: p.job.name, draws: p.job.draws });
    }
  }

  #finish(slot: Slot, msg: FromWorker): void {
    const p = slot.busy.get(msg.id);
    if (!p) return;
    slot.busy.delete(msg.id);
    if (slot.busy.size === 0) slot.port.unref?.();
    if (msg.type === 'done') p.resolve({ ok: true, image: msg.image });
    else if (msg.type === 'failed') p.resolve({ ok: false, error: msg.error });
    else p.reject(new BackendError('readImages', p.job.name, `a decoding worker failed on ${p.job.name}: ${msg.message}`));
    this.#pump();
  }

  #crash(slot: Slot, err: Error): void {
    const lost = [...slot.busy.values()];
    slot.busy.clear();
    for (const p of lost) p.reject(new BackendError('readImages', p.job.name, `a decoding worker stopped while reading ${p.job.name}: ${err.message}`));
    if (this.#closed) return;
    slot.port.terminate();
    this.#attach(slot);
    this.#pump();
  }
}
