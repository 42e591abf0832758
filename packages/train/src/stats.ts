/**
 * Statistics of a pass over a set (cnn_train's `stats.train(epoch)` /
 * `stats.val(epoch)`): images seen, seconds (and of them, seconds waiting
 * for data), images per second, the mean objective per image and each
 * error's mean per image.
 */

export interface PassStats {
  /** Images seen. */
  num: number;
  /** Seconds spent. */
  time: number;
  /**
   * Seconds of `time` spent waiting for the source's `getBatch` (reading,
   * decoding); `time − dataTime` is computing. Loading is the bottleneck
   * when it is a large part of `time` (prefetching hides it while it is
   * below the compute time). Always set by the trainer; optional in the type
   * only because statistics from before it (older checkpoints) lack it.
   */
  dataTime?: number;
  /** Images per second. */
  speed: number;
  /** Mean objective per image (the weighted sum of derOutputs, or extractStatsFn's `objective`). */
  objective: number;
  /**
   * Mean per image of each statistic, by name: the error function's
   * (`top1err`, `top5err`, `binerr`, or a custom function's names), then
   * `extractStatsFn`'s (its running averages; an `objective` it returns is
   * `objective` above instead).
   */
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
  #dataTime = 0;
  readonly #errors = new Map<string, number>();
  readonly #start = performance.now();

  #extractedObjective: number | null = null;

  /** Adds a batch's sums; an `objective` among `extracted` stands for the trainer's. */
  add(images: number, objective: number, errors: Readonly<Record<string, number>>, extracted: Readonly<Record<string, number>> = {}): void {
    this.#num += images;
    this.#objective += objective;
    for (const [k, v] of Object.entries(errors)) this.#errors.set(k, (this.#errors.get(k) ?? 0) + v);
    for (const [k, v] of Object.entries(extracted)) {
      if (k === 'objective') this.#extractedObjective = (this.#extractedObjective ?? 0) + v;
      else this.#errors.set(k, (this.#errors.get(k) ?? 0) + v);
    }
  }

  /** Adds seconds spent waiting for data. */
  addDataTime(seconds: number): void {
    this.#dataTime += seconds;
  }

  snapshot(): PassStats {
    const time = (performance.now() - this.#start) / 1000;
    const per = (v: number) => (this.#num > 0 ? v / this.#num : 0);
    const errors: Record<string, number> = {};
    for (const [k, v] of this.#errors) errors[k] = per(v);
    const objective = per(this.#extractedObjective ?? this.#objective);
    return { num: this.#num, time, dataTime: this.#dataTime, speed: time > 0 ? this.#num / time : 0, objective, errors };
  }
}
