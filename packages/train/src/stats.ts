/**
 * Statistics of a pass over a set (cnn_train's `stats.train(epoch)` /
 * `stats.val(epoch)`): images seen, seconds, images per second, the mean
 * objective per image and each error's mean per image.
 */

export interface PassStats {
  /** Images seen. */
  num: number;
  /** Seconds spent. */
  time: number;
  /** Images per second. */
  speed: number;
  /** Mean objective per image. */
  objective: number;
  /** Mean error per image, by name (`top1err`, `top5err`, `binerr`, or a custom function's names). */
  errors: Record<string, number>;
}

export interface EpochStats {
  /** 1-based epoch. */
  epoch: number;
  /** The global learning rate used in this epoch. */
  learningRate: number;
  train: PassStats;
  /** Null when there is no validation set. */
  val: PassStats | null;
}

/** Reported after every batch ('batch') and at the end of each pass ('end'). */
export interface ProgressEvent {
  phase: 'batch' | 'end';
  epoch: number;
  numEpochs: number;
  mode: 'train' | 'val';
  /** 1-based batch number and the number of batches in this pass. */
  batch: number;
  numBatches: number;
  /** The pass's statistics so far. */
  stats: PassStats;
}

/** Sums over a pass, turned into `PassStats` by `snapshot`. */
export class PassAccumulator {
  #num = 0;
  #objective = 0;
  readonly #errors = new Map<string, number>();
  readonly #start = performance.now();

  add(images: number, objective: number, errors: Readonly<Record<string, number>>): void {
    this.#num += images;
    this.#objective += objective;
    for (const [k, v] of Object.entries(errors)) this.#errors.set(k, (this.#errors.get(k) ?? 0) + v);
  }

  snapshot(): PassStats {
    const time = (performance.now() - this.#start) / 1000;
    const per = (v: number) => (this.#num > 0 ? v / this.#num : 0);
    const errors: Record<string, number> = {};
    for (const [k, v] of this.#errors) errors[k] = per(v);
    return { num: this.#num, time, speed: time > 0 ? this.#num / time : 0, objective: per(this.#objective), errors };
  }
}
