import { describeDeviceLabels } from './device-labels.js';
import { describeLeakMatrix } from './leaks-matrix.js';
import { describeLeaks } from './leaks.js';
import { describeLifecycle } from './lifecycle.js';
import { describeNaNScores } from './nan-scores.js';
import { describePoolingSpecialValues } from './pooling.js';
import { describeShapeChecks } from './shapes.js';
import { describeSizeLimits } from './sizes.js';
import { describeSpecialValues } from './special-values.js';
import { describeTypedErrors } from './typed-errors.js';
import type { ReliabilityTarget } from './target.js';

export type { ReliabilityTarget } from './target.js';

/**
 * The reliability suite of issue 13, written once and run on every backend:
 * shape validation, special values (NaN, ±∞) in losses and pooling, and no
 * tensor left behind by a block that throws.
 */
export function describeReliability(target: ReliabilityTarget): void {
  describeShapeChecks(target);
  describeSizeLimits(target);
  describeLifecycle(target);
  describeNaNScores(target);
  describePoolingSpecialValues(target);
  describeSpecialValues(target);
  describeTypedErrors(target);
  describeDeviceLabels(target);
  describeLeaks(target);
  describeLeakMatrix(target);
}
