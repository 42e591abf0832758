/**
 * What the trainer does when a batch's objective is NaN or ±∞ (a diverged
 * network): `onNonFinite: 'stop'` (the default) throws a
 * `NonFiniteObjectiveError` naming the epoch, the pass and the batch;
 * `'warn'` writes one `console.warn` per pass, at its first such batch, and
 * goes on (the statistics then show the NaN). The check costs nothing extra:
 * the objective is read back after every batch anyway. The batch's update has
 * already been queued when its objective is read, so a stopped run's weights
 * include it; the checkpoints of earlier epochs are untouched.
 */
import { ValueError } from '@convnet-ts/tensor';

export type NonFinitePolicy = 'stop' | 'warn';

/** The objective of a batch became NaN or ±∞. */
export class NonFiniteObjectiveError extends ValueError {
  /** 1-based epoch. */
  readonly epoch: number;
  /** 1-based batch of the pass. */
  readonly batch: number;
  readonly mode: 'train' | 'val';
  /** The batch's objective (NaN, Infinity or -Infinity). */
  readonly value: number;

  constructor(epoch: number, batch: number, numBatches: number, mode: 'train' | 'val', value: number) {
    super('train', 'objective', `${nonFiniteMessage(epoch, batch, numBatches, mode, value)} (the network diverged: lower the learning rate, or pass onNonFinite: 'warn' to go on)`);
    this.epoch = epoch;
    this.batch = batch;
    this.mode = mode;
    this.value = value;
  }
}

function nonFiniteMessage(epoch: number, batch: number, numBatches: number, mode: 'train' | 'val', value: number): string {
  const pass = mode === 'train' ? 'training' : 'validation';
  return `a finite objective expected, got ${value} at epoch ${epoch}, ${pass} batch ${batch} of ${numBatches}`;
}

/** Tracks one pass: throws or warns at the first non-finite batch objective. */
export class NonFiniteCheck {
  #warned = false;

  constructor(
    readonly policy: NonFinitePolicy,
    readonly epoch: number,
    readonly mode: 'train' | 'val',
    readonly numBatches: number,
  ) {}

  /** `batch` is 1-based. */
  check(batch: number, objective: number): void {
    if (Number.isFinite(objective)) return;
    if (this.policy === 'stop') throw new NonFiniteObjectiveError(this.epoch, batch, this.numBatches, this.mode, objective);
    if (this.#warned) return;
    this.#warned = true;
    console.warn(`train: ${nonFiniteMessage(this.epoch, batch, this.numBatches, this.mode, objective)}; going on (onNonFinite: 'warn')`);
  }
}
