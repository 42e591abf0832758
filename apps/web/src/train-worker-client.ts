/**
 * The page's side of the training worker (train-worker.ts), shared by the
 * Train view and the "Train on your images" view: starts the worker with its
 * first message, routes every message it posts — and a worker that fails to
 * start, as an `error` message — to `onMessage`, and stops it.
 */
import type { FromWorker, ToWorker } from './protocol.js';

export interface TrainWorker {
  /** Asks the worker to hold the network between two updates (it answers `paused`). */
  pause(): void;
  /** Lets a paused run go on (it answers `resumed`). */
  resume(): void;
  /** Terminates the worker; no message arrives after this. */
  stop(): void;
}

export function startTrainWorker(first: ToWorker, onMessage: (m: FromWorker) => void): TrainWorker {
  const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
  let live = true;
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    if (live) onMessage(e.data);
  };
  worker.onerror = (e) => {
    if (live) onMessage({ type: 'error', message: e.message || 'the worker failed to start' });
  };
  worker.postMessage(first);
  return {
    pause: () => worker.postMessage({ type: 'pause' } satisfies ToWorker),
    resume: () => worker.postMessage({ type: 'resume' } satisfies ToWorker),
    stop: () => {
      live = false;
      worker.terminate();
    },
  };
}
