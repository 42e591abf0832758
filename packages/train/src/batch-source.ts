/**
 * Where batches come from (cnn_train's `getBatch(imdb, batch)`): a
 * `BatchSource` makes the images tensor and labels of the requested
 * 0-based indices on the trainer's backend, one batch at a time, so any
 * source — arrays in memory, a generator, a file reader, a decoder — is
 * read once per batch and never held twice. `getBatch` may be async. The
 * trainer disposes the images tensor when it is done with the batch.
 */
import type { Labels } from '@convnet-ts/blocks';
import { type Backend, formatShape, ShapeError, type Tensor, ValueError } from '@convnet-ts/tensor';

export interface Batch {
  /** `[N, H, W, C]`, N = number of indices. */
  images: Tensor;
  /** Labels in any form the network's loss accepts (class labels 1..C, one per image, …). */
  labels: Labels;
}

export interface BatchSource {
  /** Number of images; valid indices are 0..size − 1. */
  readonly size: number;
  /** The batch of these 0-based indices, in this order, on `backend`. */
  getBatch(indices: readonly number[], backend: Backend): Batch | Promise<Batch>;
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
