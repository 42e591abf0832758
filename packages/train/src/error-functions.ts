/**
 * Error statistics of a sub-batch (`cnn_train.m`'s `errorFunction`,
 * matconvnet-api §5.1–5.2), computed from the predictions (the loss's
 * input) with the `Loss` kernel, unnormalised, so each is a 1-element
 * tensor holding a *count* that the trainer sums and divides by the number
 * of images:
 *
 * - 'multiclass': `top1err` (classerror) and `top5err` (topkerror with
 *   K = min(5, C)); labels 0 are ignored;
 * - 'binary': `binerr`, the count of sign(prediction) ≠ label (binaryerror,
 *   threshold 0);
 * - 'none': nothing;
 * - a function `(predictions, labels) => { name: tensor, … }` returning
 *   1-element tensors of sums over the sub-batch's images.
 */
import { type Labels, loss } from '@convnet-ts/blocks';
import type { Tensor } from '@convnet-ts/tensor';

/** A custom error function: 1-element tensors of error sums over the sub-batch, by name. */
export type ErrorFunction = (predictions: Tensor, labels: Labels) => Record<string, Tensor>;

const NAMES = ['multiclass', 'binary', 'none'] as const;

export function isErrorName(v: unknown): v is (typeof NAMES)[number] {
  return (NAMES as readonly unknown[]).includes(v);
}

/** The error counts of one sub-batch. */
export function computeErrors(fn: 'multiclass' | 'binary' | 'none' | ErrorFunction, predictions: Tensor, labels: Labels): Record<string, Tensor> {
  if (typeof fn === 'function') return fn(predictions, labels);
  switch (fn) {
    case 'none':
      return {};
    case 'binary':
      return { binerr: loss(predictions, labels, { loss: 'binaryerror', normalise: false }) };
    case 'multiclass': {
      const classes = predictions.shape[predictions.rank - 1]!;
      return {
        top1err: loss(predictions, labels, { loss: 'classerror', normalise: false }),
        top5err: loss(predictions, labels, { loss: 'topkerror', topK: Math.min(5, classes), normalise: false }),
      };
    }
  }
}
