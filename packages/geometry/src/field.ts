import { GeometryError } from './errors.js';
import { type Pair, type PairLike, show, toPair } from './pair.js';

/**
 * A receptive field along both spatial axes (manual §5.1, eq. 5.1–5.2):
 * output sample `i''` depends on the input samples
 *
 *     i ∈ stride·(i'' − 1) + offset + [−(size − 1)/2, (size − 1)/2]
 *
 * with 1-based indices, as in the manual. `stride` is α, `offset` β, `size` Δ;
 * each is `[vertical, horizontal]`. Strides below 1 (convolution transpose)
 * and fractional sizes and offsets are normal; a size is at least 1 (one
 * sample), and every operation here keeps it so.
 */
export interface ReceptiveField {
  readonly size: Pair;
  readonly stride: Pair;
  readonly offset: Pair;
}

/** A receptive field written with scalars where both axes agree. */
export interface ReceptiveFieldLike {
  readonly size: PairLike;
  readonly stride: PairLike;
  readonly offset: PairLike;
}

/**
 * "No single sliding-window receptive field exists": the output depends on
 * the input in a way that no `ReceptiveField` describes (a loss, a bilinear
 * sampler, ROI pooling, two paths with different strides, …). MatConvNet
 * writes this as `NaN`. It absorbs everything: composing or overlaying it
 * with any field gives `NO_FIELD` again, and so does transposing it.
 *
 * It is a registered symbol, so two installed copies of this package agree
 * on it (`===` works).
 */
export const NO_FIELD: unique symbol = Symbol.for('convnet-ts.geometry.no-field');

/** The type of `NO_FIELD`. */
export type NoField = typeof NO_FIELD;

/** A receptive field, or `NO_FIELD` where none exists. */
export type Field = ReceptiveField | NoField;

/** What the field functions accept: a field (scalars allowed) or `NO_FIELD`. */
export type FieldLike = ReceptiveFieldLike | NoField;

/** True when `field` is a real receptive field rather than `NO_FIELD`. */
export function isReceptiveField(field: Field): field is ReceptiveField {
  return field !== NO_FIELD;
}

/** Reads a field argument of the function `block`; see `receptiveField`. */
export function readField(field: ReceptiveFieldLike, block: string): ReceptiveField {
  if (typeof field !== 'object' || field === null) {
    throw new GeometryError(
      'option',
      block,
      'field',
      `field must be { size, stride, offset } or NO_FIELD, got ${show(field)}`,
    );
  }
  return {
    size: toPair(block, 'field.size', field.size, 'number ≥ 1'),
    stride: toPair(block, 'field.stride', field.stride, 'positive number'),
    offset: toPair(block, 'field.offset', field.offset, 'finite number'),
  };
}

/**
 * Checks a field written by hand and returns it with `[h, w]` pairs: sizes
 * must be at least 1, strides positive, offsets finite.
 *
 * `receptiveField({ size: 3, stride: 1, offset: 2 })` is
 * `{ size: [3, 3], stride: [1, 1], offset: [2, 2] }`.
 */
export function receptiveField(field: ReceptiveFieldLike): ReceptiveField {
  return readField(field, 'receptiveField');
}

/** Reads a `FieldLike` argument of the function `block`, passing `NO_FIELD` through. */
export function toField(field: FieldLike, block: string): Field {
  return field === NO_FIELD ? NO_FIELD : readField(field, block);
}

/**
 * The receptive field of an element-wise block (ReLU, sigmoid, batch
 * normalisation, dropout, …): a 1×1 filter, so α = β = Δ = 1 (manual §5.2).
 * It is the neutral element of `compose`.
 */
export function identityField(): ReceptiveField {
  return { size: [1, 1], stride: [1, 1], offset: [1, 1] };
}
