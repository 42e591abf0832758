/**
 * Where batches come from (cnn_train's `getBatch(imdb, batch)`): a
 * `BatchSource` makes the images tensor and labels of the requested
 * 0-based indices on the trainer's backend, one batch at a time, so any
 * source — arrays in memory, a generator, a file reader, a decoder — is
 * read once per batch and never held twice. `getBatch` may be async. The
 * trainer disposes the images tensor when it is done with the batch.
 *
 * Prefetch (cnn_train's `opts.prefetch`, `processEpoch`): a source with a
 * `prefetch(indices, context)` method is told, right after each `getBatch`
 * returns and before that sub-batch computes, the indices of the sub-batch
 * that comes next (the next sub-batch of this batch, the first of the next
 * batch, or after a pass's last batch the first of the next pass — val,
 * or the next epoch's training — with that pass's context; the run's very
 * first read is announced before it starts), so it can start reading them;
 * the trainer then asks `getBatch` for exactly those indices, except when a
 * `postEpochFn` ends the run early. A source must give the same batch
 * whether or not it was prefetched. The trainer times each wait on
 * `getBatch` (`PassStats.dataTime`).
 */
import type { Labels } from '@convnet-ts/blocks';
import { type Backend, formatShape, ShapeError, type Tensor, ValueError } from '@convnet-ts/tensor';

export interface Batch {
  /** `[N, H, W, C]`, N = number of indices. */
  images: Tensor;
  /** Labels in any form the network's loss accepts (class labels 1..C, one per image, …). */
  labels: Labels;
}

/** Where in training a batch is asked for (so a source can key its random augmentation to the epoch). */
export interface BatchContext {
  /** 1-based epoch. */
  epoch: number;
  mode: 'train' | 'val';
}

export interface BatchSource {
  /** Number of images; valid indices are 0..size − 1. */
  readonly size: number;
  /** The batch of these 0-based indices, in this order, on `backend`; the trainer always passes `context`. */
  getBatch(indices: readonly number[], backend: Backend, context?: BatchContext): Batch | Promise<Batch>;
  /** Optional: start reading the batch that the next `getBatch` call will ask for (same indices and context). */
  prefetch?(indices: readonly number[], context: BatchContext): void;
}

export interface ArraySourceData {
  /** Every image, row-major `[N, H, W, C]`. */
  images: Float32Array;
  /** `[H, W, C]` of one image. */
  imageShape: readonly [number, number, number];
  /** One label per image (class 1..C, or ±1 for binary problems). */
  labels: ArrayLike<number>;
}

/** A source over images already in memory; each batch copies only its own images. */
export class ArrayBatchSource implements BatchSource {
  readonly size: number;
  readonly #data: ArraySourceData;
  readonly #stride: number;

  constructor(data: ArraySourceData) {
    const [h, w, c] = data.imageShape;
    const stride = h * w * c;
    if (!(stride > 0) || ![h, w, c].every((d) => Number.isInteger(d) && d > 0)) {
      throw new ShapeError('ArrayBatchSource', 'imageShape', `imageShape must be [H, W, C] of positive integers, got ${formatShape(data.imageShape)}`);
    }
    if (data.images.length % stride !== 0 || data.images.length / stride !== data.labels.length) {
      throw new ShapeError('ArrayBatchSource', 'images', `images must hold labels.length (${data.labels.length}) images of ${h}×${w}×${c} = ${data.labels.length * stride} values, got ${data.images.length}`);
    }
    this.size = data.labels.length;
    this.#data = data;
    this.#stride = stride;
  }

  getBatch(indices: readonly number[], backend: Backend): Batch {
    const s = this.#stride;
    const values = new Float32Array(indices.length * s);
    const labels = new Float64Array(indices.length);
    indices.forEach((index, k) => {
      if (!Number.isInteger(index) || index < 0 || index >= this.size) {
        throw new ValueError('ArrayBatchSource', 'indices', `indices must be integers in 0..${this.size - 1}, got ${index}`);
      }
      values.set(this.#data.images.subarray(index * s, (index + 1) * s), k * s);
      labels[k] = this.#data.labels[index]!;
    });
    return { images: backend.tensor(values, [indices.length, ...this.#data.imageShape]), labels };
  }
}
